"""Announcements from an office to its people, and who received and acknowledged them."""

from datetime import datetime

from sqlalchemy import UniqueConstraint, update
from sqlmodel import Field, Session, SQLModel, select

from .mailbox import OutboxMessage
from .orgunits import Level, OrgUnit, children
from .people import ChannelAccount, Membership, Person, Role
from .types import UTCDateTime, utcnow


class Announcement(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    sender_id: int = Field(foreign_key="person.id", index=True)
    unit_id: int = Field(foreign_key="org_unit.id", index=True, description="the sender's commune or province")
    audience: str = Field(max_length=16, description="commune | leaders | villages | offices | province")
    villages: str = Field(default="", max_length=512, description="villages: their ids, space-separated")
    text: str = Field(max_length=4000)
    urgent: bool = Field(default=False, description="sent in the quiet hours too")
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    channel: str = Field(default="", max_length=16, description="the messenger it was sent from")
    chat_id: str = Field(default="", max_length=64, description="the chat it was sent from: the delivery report goes there")
    file_kind: str = Field(default="", max_length=16, description="photo | document: sent with the text, its caption")
    file_ref: str = Field(default="", max_length=512, description="the file's reference on `channel` (file id or URL)")
    remind_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True,
                                       description="when the reminder goes to those who have not acknowledged")
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reported_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True,
                                         description="when the delivery report went to the sender: once")


class AnnouncementReceipt(SQLModel, table=True):
    """One recipient of an announcement: acknowledged once, from whichever messenger."""

    __tablename__ = "announcement_receipt"
    __table_args__ = (UniqueConstraint("announcement_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    announcement_id: int = Field(foreign_key="announcement.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_on: str = Field(default="", max_length=16, description="the messenger of the first tap")


class AnnouncementDelivery(SQLModel, table=True):
    """One chat an announcement was queued for (outbox row), or none: a recipient on no messenger."""

    __tablename__ = "announcement_delivery"

    id: int | None = Field(default=None, primary_key=True)
    announcement_id: int = Field(foreign_key="announcement.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    channel: str = Field(default="", max_length=16, description="empty: the person is on no messenger")
    outbox_id: int | None = Field(default=None, foreign_key="outbox.id")


def audience_units(session: Session, unit: OrgUnit, audience: str, village_ids: list[int]) -> list[int]:
    """The org units whose people an announcement reaches."""
    if audience == "villages":
        return village_ids
    units = [unit, *children(session, unit)]
    if unit.level == Level.PROVINCE:
        units += [village for commune in units[1:] for village in children(session, commune)]
    return [u.id for u in units]


AUDIENCE_ROLES = {"leaders": (Role.VILLAGE_LEADER,), "offices": (Role.OFFICE, Role.LEADER)}


def recipients(session: Session, unit: OrgUnit, audience: str, village_ids: list[int], sender_id: int) -> list[Person]:
    """Everyone the audience names, as they are now (people removed meanwhile are not), but the sender."""
    query = (select(Person).join(Membership, Membership.person_id == Person.id)
             .where(Membership.org_unit_id.in_(audience_units(session, unit, audience, village_ids)),
                    Person.id != sender_id))
    if audience in AUDIENCE_ROLES:
        query = query.where(Membership.role.in_([str(role) for role in AUDIENCE_ROLES[audience]]))
    return list(session.exec(query.distinct().order_by(Person.name, Person.id)).all())


def chats_of(session: Session, people: list[Person]) -> dict[int, list[ChannelAccount]]:
    """Each person's private chats the bot may write to (not blocked)."""
    chats: dict[int, list[ChannelAccount]] = {person.id: [] for person in people}
    for account in session.exec(select(ChannelAccount).where(ChannelAccount.person_id.in_(list(chats)),
                                                             ChannelAccount.blocked_at.is_(None))
                                .order_by(ChannelAccount.id)):
        chats[account.person_id].append(account)
    return chats


def delivery_counts(session: Session, announcement_id: int) -> dict[str, int]:
    """How the announcement's chats fared: sent, blocked (the bot), failed, waiting, nowhere (no messenger)."""
    counts = dict.fromkeys(("sent", "blocked", "failed", "waiting", "nowhere"), 0)
    rows = session.exec(select(AnnouncementDelivery.channel, OutboxMessage.sent_at, OutboxMessage.gave_up)
                        .outerjoin(OutboxMessage, OutboxMessage.id == AnnouncementDelivery.outbox_id)
                        .where(AnnouncementDelivery.announcement_id == announcement_id)).all()
    for channel, sent_at, gave_up in rows:
        state = ("nowhere" if not channel else "sent" if sent_at else "blocked" if gave_up == "blocked"
                 else "failed" if gave_up else "waiting")
        counts[state] += 1
    return counts


def village_ids(announcement: Announcement) -> list[int]:
    return [int(village) for village in announcement.villages.split()]


def unacknowledged(session: Session, announcement: Announcement) -> list[Person]:
    """Its recipients who have not acknowledged it and are still in its audience (people
    removed since get no reminder)."""
    waiting = set(session.exec(select(AnnouncementReceipt.person_id).where(
        AnnouncementReceipt.announcement_id == announcement.id, AnnouncementReceipt.acknowledged_at.is_(None))).all())
    audience = recipients(session, session.get(OrgUnit, announcement.unit_id), announcement.audience,
                          village_ids(announcement), announcement.sender_id)
    return [person for person in audience if person.id in waiting]


def mark_once(session: Session, announcement_id: int, moment: str, now: datetime) -> bool:
    """Sets the announcement's `moment` (reminded_at, reported_at) unless it is set: True for
    the one caller, of any process, that set it."""
    column = getattr(Announcement, moment)
    return bool(session.execute(
        update(Announcement).where(Announcement.id == announcement_id, column.is_(None)).values({moment: now})
    ).rowcount)


def reminders_due(session: Session, now: datetime, unit_id: int | None = None) -> list[Announcement]:
    """The announcements (of one unit, or all) whose reminder is due and has not gone."""
    query = select(Announcement).where(Announcement.remind_at <= now, Announcement.reminded_at.is_(None))
    if unit_id is not None:
        query = query.where(Announcement.unit_id == unit_id)
    return list(session.exec(query.order_by(Announcement.id)).all())


def finished_unreported(session: Session) -> list[int]:
    """The announcements whose every chat is sent or given up, and whose sender has not had
    the delivery report yet."""
    unsettled = (select(AnnouncementDelivery.id)
                 .join(OutboxMessage, OutboxMessage.id == AnnouncementDelivery.outbox_id)
                 .where(AnnouncementDelivery.announcement_id == Announcement.id,
                        OutboxMessage.sent_at.is_(None), OutboxMessage.gave_up.is_(None)))
    return list(session.exec(select(Announcement.id).where(Announcement.reported_at.is_(None), ~unsettled.exists())
                             .order_by(Announcement.id)).all())


def acknowledge(session: Session, announcement_id: int, person_id: int, channel: str, now: datetime) -> bool:
    """Records the first acknowledgement; False when there was one already (a second tap, another messenger)."""
    return bool(session.execute(
        update(AnnouncementReceipt)
        .where(AnnouncementReceipt.announcement_id == announcement_id, AnnouncementReceipt.person_id == person_id,
               AnnouncementReceipt.acknowledged_at.is_(None))
        .values(acknowledged_at=now, acknowledged_on=channel)
    ).rowcount)


class OfficeQuestion(SQLModel, table=True):
    """A member's message for the commune office (`/hoi`, `nhắn văn phòng: …`), and its answer."""

    __tablename__ = "office_question"

    id: int | None = Field(default=None, primary_key=True)
    commune_id: int = Field(foreign_key="org_unit.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    village_id: int | None = Field(default=None, foreign_key="org_unit.id")
    channel: str = Field(max_length=16, description="where the answer goes: the asker's private chat there")
    text: str = Field(max_length=4000)
    asked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_by: int | None = Field(default=None, foreign_key="person.id")
    answer: str = Field(default="", max_length=4000)
