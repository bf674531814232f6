"""What an announcement's people get, and its sender: the announcement (with its photo or
document where the messenger can carry it), the one reminder, the delivery report.

Shared by `/thongbao` (handlers/announce.py), the reminder job and the mailroom, which
queues the delivery report once the last chat is sent or given up.
"""

from datetime import datetime

from sqlmodel import Session

from ..figures.wording import announcement_excerpt
from ..locales import N_, translator
from ..models import Announcement, ChannelAccount, OrgUnit, OutboxMessage, Person
from ..models.announcements import chats_of, delivery_counts, finished_unreported, mark_once, unacknowledged
from ..models.mailbox import queue
from .messages import Attachment, Choice, Outgoing

ACK_PREFIX = "ack:"
STATUS_PREFIX = "seen:"  # the delivery report's button: who has acknowledged
# Where a button still works with no question open; elsewhere a choice is a numbered answer
# to the question just asked (and a bare `1` acknowledges the newest announcement).
BUTTONS_ANYTIME = frozenset({"telegram"})

ANNOUNCEMENT = N_("📢 Announcement from {unit} ({sender}):\n{text}")
REMINDER = N_("🔔 Reminder — please confirm you have read it.\n{announcement}")
ACK_LABEL = N_("✅ Received")
LAST_ONE = N_("📋 Who read the last one")
# The file goes again by its reference, valid on the messenger it came from only.
FILE_KINDS = {"photo": "picture", "document": "file"}
FILE_NOTES = {"photo": N_("📎 It came with a photo that cannot be sent here: ask the office if you need it."),
              "document": N_("📎 It came with a document that cannot be sent here: ask the office if you need it.")}


def message(announcement: Announcement, unit: OrgUnit, sender: Person, locale: str, channel: str,
            reminder: bool = False) -> Outgoing:
    """The announcement as one person reads it on one messenger, with its "Received" button."""
    tp = translator(locale)
    text = tp(ANNOUNCEMENT, unit=unit.name, sender=sender.name, text=announcement.text).rstrip()
    attachment = None
    if announcement.file_kind and channel == announcement.channel:
        attachment = Attachment(FILE_KINDS[announcement.file_kind], f"announcement-{announcement.id}",
                                ref=announcement.file_ref)
    elif announcement.file_kind:
        text += "\n" + tp(FILE_NOTES[announcement.file_kind])
    if reminder:
        text = tp(REMINDER, announcement=text)
    return Outgoing(text, (Choice(tp(ACK_LABEL), f"{ACK_PREFIX}{announcement.id}"),), attachment)


def to_people(session: Session, announcement: Announcement, people: list[Person],
              reminder: bool = False) -> dict[int, list[tuple[ChannelAccount, Outgoing]]]:
    """Each person's chats (none: on no messenger), with what each chat gets."""
    unit, sender = session.get(OrgUnit, announcement.unit_id), session.get(Person, announcement.sender_id)
    locales = {person.id: person.locale for person in people}
    return {person_id: [(account, message(announcement, unit, sender, locales[person_id], account.channel, reminder))
                        for account in accounts]
            for person_id, accounts in chats_of(session, people).items()}


def reminders(session: Session, announcement: Announcement, now: datetime) -> dict[int, list[tuple[ChannelAccount, Outgoing]]]:
    """The one reminder, to those who have not acknowledged and are still in the audience;
    nothing when it went already (another process, another tap). The caller commits."""
    if not mark_once(session, announcement.id, "reminded_at", now):
        return {}
    return to_people(session, announcement, unacknowledged(session, announcement), reminder=True)


def delivery_report(session: Session, announcement: Announcement) -> Outgoing:
    """To the sender, once every chat is sent or given up: how it went, and the way to who has read it."""
    t = translator(session.get(Person, announcement.sender_id).locale)
    text = t("📬 Your announcement “{text}” has gone out. Chats: {sent} sent, {blocked} blocked the bot, "
             "{failed} failed; {nowhere} people on no messenger.",
             text=announcement_excerpt(t, announcement), **delivery_counts(session, announcement.id))
    if announcement.channel in BUTTONS_ANYTIME:
        return Outgoing(text, (Choice(t("📋 Who has acknowledged"), f"{STATUS_PREFIX}{announcement.id}"),))
    return Outgoing(text + "\n" + t("Send /thongbao and pick “{choice}” to see who has acknowledged.",
                                    choice=t(LAST_ONE)))


def delivery_reports(session: Session, now: datetime) -> list[OutboxMessage]:
    """Queues the delivery report of each announcement whose last chat is sent or given up,
    once whatever the processes looking; returns the rows. The caller commits."""
    rows = []
    for announcement_id in finished_unreported(session):
        if not mark_once(session, announcement_id, "reported_at", now):
            continue  # another sender reported it a moment ago
        announcement = session.get(Announcement, announcement_id)
        if announcement.chat_id:  # "" once the sender's data is erased
            rows.append(queue(session, announcement.channel, announcement.chat_id,
                              delivery_report(session, announcement).to_dict(), created_at=now))
    return rows
