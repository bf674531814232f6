"""The office's decision on a piece of evidence, the same from `/duyet` and the web desk:
taken only while it is still waiting, so that of two reviewers one wins; the evidence row
keeps who decided, when and why (what `/nhatky` lists)."""

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from .entries import Entry, Evidence
from .mailbox import queue
from .orgunits import OrgUnit
from .people import ChannelAccount

DECISIONS = ("approved", "needs_completion")


def waiting(commune_ids: list[int]):
    """The communes' evidence still waiting for a decision (a query)."""
    return (
        select(Evidence)
        .join(Entry, Entry.id == Evidence.entry_id)
        .join(OrgUnit, OrgUnit.id == Entry.village_id)
        .where(OrgUnit.parent_id.in_(commune_ids), Evidence.status == "pending")
    )


def decide(session: Session, evidence_id: int, reviewer_id: int, now: datetime, status: str, reason: str) -> bool:
    """True: this decision was taken; False: someone decided first."""
    if status not in DECISIONS:
        raise ValueError(f"not a decision: {status!r}")
    changed = session.execute(
        update(Evidence)
        .where(Evidence.id == evidence_id, Evidence.status == "pending")
        .values(status=status, reviewed_by=reviewer_id, reviewed_at=now, review_reason=reason)
    ).rowcount
    session.refresh(session.get(Evidence, evidence_id))
    return bool(changed)


def notify(session: Session, person_id: int, channel: str, payload: dict) -> bool:
    """Queues a message to a person's private chat on that channel, in this transaction (it
    is sent only if what caused it is saved). False: no such chat, or it blocked the bot."""
    account = session.exec(
        select(ChannelAccount).where(ChannelAccount.person_id == person_id, ChannelAccount.channel == channel)
    ).first()
    if account is None or account.blocked_at is not None:
        return False
    queue(session, channel, account.external_id, payload)
    return True
