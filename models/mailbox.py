"""The inbox and the outbox: every update is stored before it is handled, every reply before it is sent.

An update is confirmed to the messenger only once its inbox row is committed, and the
row is marked handled in the same transaction as everything the handler did, together
with the replies it wrote to the outbox. A crash at any point therefore loses nothing
and applies nothing twice: unhandled updates are handled after a restart, unsent replies
are sent.
"""

from datetime import datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint, delete
from sqlmodel import Field, Session, SQLModel, select

from .types import UTCDateTime, utcnow

# Why a row emptied by a person's erasure was given up (`privacy.scrub_mailroom`): no failure.
ERASED = "erased"


class InboxUpdate(SQLModel, table=True):
    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "update_key"),  # a redelivered update is stored once
        Index("ix_inbox_unhandled", "channel", "handled_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    update_key: str = Field(max_length=128, description="the messenger's id of the update")
    payload: dict = Field(sa_column=Column(JSON, nullable=False))
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failures: int = Field(default=0, description="failed tries at handling it")
    gave_up: str | None = Field(default=None, max_length=200, description="why it was given up unhandled")


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_unsent", "channel", "sent_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    payload: dict = Field(sa_column=Column(JSON, nullable=False), description="an Outgoing")
    inbox_id: int | None = Field(default=None, foreign_key="inbox.id", description="the update it answers")
    job_run_id: int | None = Field(default=None, foreign_key="job_run.id", description="the job that sent it")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    gave_up: str | None = Field(default=None, max_length=200, description="why it was never sent")


def queue(session: Session, channel: str, chat_id: str, payload: dict, *, wait: datetime | None = None,
          inbox_id: int | None = None, job_run_id: int | None = None, created_at: datetime | None = None) -> OutboxMessage:
    """Writes a message (an Outgoing's dict) to a chat into the outbox, in the session's
    transaction: it leaves only once that commits. `wait`: not before then (quiet hours);
    `inbox_id` / `job_run_id`: the update it answers, the job run that sent it."""
    row = OutboxMessage(channel=channel, chat_id=chat_id, payload=payload, next_attempt_at=wait,
                        inbox_id=inbox_id, job_run_id=job_run_id, created_at=created_at or utcnow())
    session.add(row)
    return row


def prune(session: Session, before: datetime) -> tuple[int, int]:
    """Deletes the updates handled and the replies sent or given up before `before`; returns
    how many of each. Kept: what is still to do, a reply an announcement's receipts read,
    and an update such a reply answers. The caller commits."""
    from .announcements import AnnouncementDelivery

    receipts = select(AnnouncementDelivery.outbox_id).where(AnnouncementDelivery.outbox_id.is_not(None))
    replies = session.execute(delete(OutboxMessage).where(
        OutboxMessage.id.not_in(receipts),
        (OutboxMessage.sent_at < before) | (OutboxMessage.gave_up.is_not(None) & (OutboxMessage.created_at < before)))
    ).rowcount
    answered = select(OutboxMessage.inbox_id).where(OutboxMessage.inbox_id.is_not(None))
    updates = session.execute(delete(InboxUpdate).where(
        InboxUpdate.handled_at < before, InboxUpdate.id.not_in(answered))).rowcount
    return updates, replies


class ChannelBot(SQLModel, table=True):
    """Who the bot is on each messenger (learned at start), e.g. for Telegram's join links."""

    __tablename__ = "channel_bot"

    channel: str = Field(primary_key=True, max_length=16)
    username: str = Field(max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
