"""Personal data in evidence: how long a file is kept, and who looked at it.

A photo shows citizens (an ID card, a VNeID screen, a family at home), so it is kept only
as long as its purpose needs: until `OrgUnit.evidence_keep_days` after its decision, or,
never reviewed, after the deadline of its month's report plus those days. Deleting the
file keeps the row (hash, size, decision, reviewer), so counts "backed by approved
evidence" stay true; every time a file is shown is an `EvidenceView`.
"""

from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import String
from sqlmodel import Field, Session, SQLModel, select

from .deadlines import ReportDeadline
from .due_dates import due_date, parse_due
from .entries import Entry, Evidence
from .orgunits import OrgUnit
from .people import Person
from .periods import containing, local_date
from .types import UTCDateTime, utcnow

DEFAULT_KEEP_DAYS = 365


class EvidenceView(SQLModel, table=True):
    """One showing of an evidence file: to whom (None: whoever opened a published link), how, when."""

    __tablename__ = "evidence_view"

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    via: str = Field(max_length=32, description="/duyet on telegram | /duyet on zalo | zalo link | web")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def record_view(session: Session, evidence: Evidence, person: Person | None, via: str,
                now: datetime | None = None) -> None:
    """Notes that `person` saw the evidence's file `via` a screen or link (the caller commits)."""
    session.add(EvidenceView(evidence_id=evidence.id, person_id=person.id if person else None, via=via[:32],
                             at=now or utcnow()))


def commune_of(session: Session, evidence: Evidence) -> OrgUnit:
    village = session.get(OrgUnit, session.get(Entry, evidence.entry_id).village_id)
    return session.get(OrgUnit, village.parent_id)


def month_deadline(session: Session, commune: OrgUnit, day: date) -> date:
    """The day the report of `day`'s month is due (the commune's monthly deadline; without
    one, the month's last day)."""
    month = containing("month", day)
    deadline = session.exec(select(ReportDeadline).where(ReportDeadline.unit_id == commune.id,
                                                         ReportDeadline.period_kind == "month")).first()
    return due_date(parse_due("month", deadline.due), month) if deadline else month.last


def kept_until(session: Session, evidence: Evidence, commune: OrgUnit) -> date:
    """The last day the file is kept (in the commune's time zone)."""
    keep = timedelta(days=commune.evidence_keep_days)
    if evidence.reviewed_at is not None:
        return local_date(evidence.reviewed_at, commune.timezone) + keep
    entry = session.get(Entry, evidence.entry_id)
    return month_deadline(session, commune, entry.day) + keep


def files_of(session: Session, commune: OrgUnit) -> list[Evidence]:
    """The commune's evidence whose file is still kept, oldest first."""
    return list(session.exec(
        select(Evidence).join(Entry, Entry.id == Evidence.entry_id).join(OrgUnit, OrgUnit.id == Entry.village_id)
        .where(OrgUnit.parent_id == commune.id, Evidence.stored_path.is_not(None))
        .order_by(Evidence.received_at, Evidence.id)
    ).all())


def expired(session: Session, commune: OrgUnit, now: datetime) -> list[Evidence]:
    """The commune's kept files past their keeping period on `now`."""
    today = local_date(now, commune.timezone)
    return [e for e in files_of(session, commune) if kept_until(session, e, commune) < today]


def delete_file(session: Session, directory: Path, evidence: Evidence, now: datetime) -> None:
    """Deletes the evidence's file but keeps its row; the same photo sent again by someone
    else (one file, one hash) stays while another row still keeps it. The caller commits."""
    relative = evidence.stored_path
    evidence.stored_path, evidence.file_deleted_at = None, now
    session.add(evidence)
    session.flush()
    if relative is not None:
        unlink_unless_kept(session, directory, relative)


def unlink_unless_kept(session: Session, directory: Path, relative: str) -> None:
    """Deletes a file of the evidence folder unless an evidence row still keeps it."""
    if session.exec(select(Evidence.id).where(Evidence.stored_path == relative)).first() is None:
        (Path(directory) / relative).unlink(missing_ok=True)


def link_opened(session: Session, digest: str, now: datetime) -> bool:
    """Records a view of the evidence a published link (by the file's SHA-256) shows; False
    when that file is evidence no longer kept, whose published copy must not be shown either."""
    rows = session.exec(select(Evidence).where(Evidence.sha256 == digest)).all()
    kept = [evidence for evidence in rows if evidence.stored_path is not None]
    for evidence in kept:
        record_view(session, evidence, None, "zalo link", now)
    session.commit()
    return bool(kept) or not rows


def views_of(session: Session, commune_ids: list[int], limit: int | None):
    """The latest views of the communes' evidence, newest first: (view, viewer's name or
    None, village name, the entry's day)."""
    return session.exec(
        select(EvidenceView, Person.name, OrgUnit.name, Entry.day)
        .join(Evidence, Evidence.id == EvidenceView.evidence_id)
        .join(Entry, Entry.id == Evidence.entry_id).join(OrgUnit, OrgUnit.id == Entry.village_id)
        .outerjoin(Person, Person.id == EvidenceView.person_id)
        .where(OrgUnit.parent_id.in_(commune_ids))
        .order_by(EvidenceView.at.desc(), EvidenceView.id.desc()).limit(limit)
    ).all()


class Erasure(SQLModel, table=True):
    """A person's data erased (`tocds admin person --erase`): by which operator, when, what went."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    operator: str = Field(max_length=200, description="the operator's name, as given with --operator")
    detail: str = Field(max_length=200, description="what was deleted: chats=2 conversations=1 files=3 …")


class StillMember(Exception):
    """Erasing someone who still has a place: they must leave (or be removed) first."""


def erased_label(person: Person) -> str:
    """The neutral name an erased person's records keep: distinct, and telling nothing."""
    return f"Thành viên #{person.id}"


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def person_data(session: Session, person: Person) -> dict:
    """Everything stored about a person, as JSON-ready data (`tocds admin person`)."""
    from .entries import Audit, EntryCount, NothingToReport
    from .jobs import Subscription
    from .people import ChannelAccount, Membership, MembershipEvent

    unit_name = {u.id: u.name for u in session.exec(select(OrgUnit)).all()}
    accounts = session.exec(select(ChannelAccount).where(ChannelAccount.person_id == person.id)).all()
    entries = session.exec(select(Entry).where(Entry.person_id == person.id).order_by(Entry.day, Entry.id)).all()
    counts = session.exec(select(EntryCount).where(EntryCount.person_id == person.id)).all()
    updates, replies = mailroom_of(session, accounts)
    return {
        "person": {"id": person.id, "name": person.name, "language": person.locale,
                   "created_at": _iso(person.created_at)},
        "places": [{"unit": unit_name[m.org_unit_id], "role": m.role, "since": _iso(m.created_at)}
                   for m in session.exec(select(Membership).where(Membership.person_id == person.id))],
        "chats": [{"channel": a.channel, "chat_id": a.external_id, "blocked_at": _iso(a.blocked_at)} for a in accounts],
        "reports": [{"id": e.id, "village": unit_name[e.village_id], "day": e.day.isoformat(), "channel": e.channel,
                     "chat_id": e.chat_id, "message_id": e.message_id, "created_at": _iso(e.created_at),
                     "counts": {c.indicator_key: c.count for c in counts if c.entry_id == e.id and c.deleted_at is None},
                     "taken_back": {c.indicator_key: c.count for c in counts
                                    if c.entry_id == e.id and c.deleted_at is not None}} for e in entries],
        "nothing_to_report": [{"village": unit_name[n.village_id], "week_start": n.week_start.isoformat()}
                              for n in session.exec(select(NothingToReport).where(NothingToReport.person_id == person.id))],
        "evidence": [{"id": v.id, "report": v.entry_id, "kind": v.kind, "caption": v.caption, "status": v.status,
                      "received_at": _iso(v.received_at), "sha256": v.sha256, "size": v.size,
                      "file_kept": v.stored_path is not None, "file_deleted_at": _iso(v.file_deleted_at),
                      "views": len(session.exec(select(EvidenceView.id).where(EvidenceView.evidence_id == v.id)).all())}
                     for v in session.exec(select(Evidence).where(Evidence.person_id == person.id).order_by(Evidence.id))],
        "evidence_seen": [{"evidence": w.evidence_id, "via": w.via, "at": _iso(w.at)}
                          for w in session.exec(select(EvidenceView).where(EvidenceView.person_id == person.id))],
        "audit": [{"at": _iso(a.at), "action": a.action, "count": a.entry_count_id, "old": a.old_count,
                   "new": a.new_count, "reason": a.reason}
                  for a in session.exec(select(Audit).where(Audit.person_id == person.id).order_by(Audit.at))],
        "membership_events": [{"at": _iso(m.at), "unit": unit_name[m.unit_id], "action": m.action,
                               "old_role": m.old_role, "new_role": m.new_role,
                               "by": "self" if m.by_id == person.id else "operator" if m.by_id is None else "office"}
                              for m in session.exec(select(MembershipEvent).where(MembershipEvent.person_id == person.id)
                                                    .order_by(MembershipEvent.at))],
        "subscriptions": [{"channel": s.channel, "chat_id": s.chat_id, "commune": unit_name[s.commune_id]}
                          for s in session.exec(select(Subscription).where(Subscription.person_id == person.id))],
        "conversations": [{"channel": c.channel, "chat_id": c.chat_id, "updated_at": _iso(c.updated_at)}
                          for c in conversations_of(session, accounts)],
        "erased": [{"at": _iso(e.at), "operator": e.operator, "detail": e.detail}
                   for e in session.exec(select(Erasure).where(Erasure.person_id == person.id))],
        "inbox": [{"channel": u.channel, "received_at": _iso(u.received_at), "handled_at": _iso(u.handled_at),
                   "gave_up": u.gave_up, **update_text(u.payload)} for u in updates],
        "outbox": [{"channel": m.channel, "chat_id": m.chat_id, "created_at": _iso(m.created_at),
                    "sent_at": _iso(m.sent_at), "gave_up": m.gave_up, "text": m.payload.get("text"),
                    "choices": [c["label"] for c in m.payload.get("choices", ())],
                    "file": (m.payload.get("attachment") or {}).get("name")} for m in replies],
    }


def update_text(payload: dict) -> dict:
    """What a stored update says, in Telegram's and Zalo's shapes alike: the message's text
    (a photo's caption, a pressed button's data) and the text it replies to, if any."""
    message = payload.get("message") or payload.get("edited_message") or {}
    if "callback_query" in payload:
        return {"text": payload["callback_query"].get("data")}
    said = {"text": message.get("text") or message.get("caption")}
    if isinstance(replied := message.get("reply_to_message"), dict):
        said["replying_to"] = replied.get("text") or replied.get("caption")
    return said


def conversations_of(session: Session, accounts) -> list:
    """The open conversations (questions the bot asked) of these chat accounts, in any chat."""
    from .conversations import Conversation

    return [c for a in accounts for c in session.exec(
        select(Conversation).where(Conversation.channel == a.channel, Conversation.sender_id == a.external_id))]


ERASED_PAYLOAD = {"erased": True}


def names_account(payload, external_id: str) -> bool:
    """Whether a messenger's update names this chat or user id anywhere (sender, chat, a
    reply's author): the ids are under "id" or a key ending in "chat_id"/"user_id"."""
    if isinstance(payload, dict):
        return any(names_account(value, external_id) if isinstance(value, dict | list)
                   else (key == "id" or key.endswith(("chat_id", "user_id"))) and str(value) == external_id
                   for key, value in payload.items())
    if isinstance(payload, list):
        return any(names_account(value, external_id) for value in payload)
    return False


def renamed(payload, name: str, label: str):
    """The payload with every `name` in its texts replaced by `label`."""
    if isinstance(payload, dict):
        return {key: renamed(value, name, label) for key, value in payload.items()}
    if isinstance(payload, list):
        return [renamed(value, name, label) for value in payload]
    return payload.replace(name, label) if isinstance(payload, str) else payload


def mailroom_of(session: Session, accounts) -> tuple[list, list]:
    """The inbox rows naming these accounts (their updates, and replies to them), and the
    outbox rows to their chats or answering those updates, oldest first."""
    from sqlalchemy import and_, false, or_

    from .mailbox import InboxUpdate, OutboxMessage

    # Every update is read: the JSON text escapes non-ASCII, so SQL cannot search it for an id.
    updates = sorted({row.id: row for account in accounts for row in session.exec(
        select(InboxUpdate).where(InboxUpdate.channel == account.channel))
        if names_account(row.payload, account.external_id)}.values(), key=lambda row: row.id)
    to_them = [and_(OutboxMessage.channel == a.channel, OutboxMessage.chat_id == a.external_id) for a in accounts]
    answering = OutboxMessage.inbox_id.in_([row.id for row in updates]) if updates else false()
    replies = session.exec(select(OutboxMessage).where(or_(answering, *to_them)).order_by(OutboxMessage.id)).all()
    return updates, list(replies)


def scrub_mailroom(session: Session, accounts, name: str, label: str, now: datetime) -> int:
    """Empties the inbox rows naming these accounts and the outbox rows to their chats or
    answering those updates (kept: ids, channel, update key, handled and sent state, so a
    redelivered update is still known); elsewhere in the outbox `name` becomes `label`.
    Their updates not handled yet never will be, nor will such replies not sent yet be sent.
    Returns the rows emptied."""
    from .mailbox import ERASED, OutboxMessage

    updates, replies = mailroom_of(session, accounts)
    for row in updates:
        row.payload = dict(ERASED_PAYLOAD)
        if row.handled_at is None:
            row.handled_at, row.gave_up = now, ERASED
        session.add(row)
    for message in replies:
        message.payload, message.chat_id = dict(ERASED_PAYLOAD), ""
        if message.sent_at is None and message.gave_up is None:  # a reply to a group: now nothing to send
            message.gave_up = ERASED
        session.add(message)
    emptied = {message.id for message in replies}
    # Every reply is read: their name may be in any text (a summary naming the members).
    for message in session.exec(select(OutboxMessage)):
        if message.id not in emptied and (text := renamed(message.payload, name, label)) != message.payload:
            message.payload = text
            session.add(message)
    return len(updates) + len(replies)


def erase_person(session: Session, person: Person, directory: Path, operator: str, now: datetime) -> Erasure:
    """Replaces the person's name with a neutral label everywhere (every record names them by
    id), deletes their chat ids, their photos' files and captions and their conversations, and
    empties the inbox and outbox rows about them (what still waited to go to them is given up);
    their counts stay, so no figure changes. Refused (StillMember) while they have a place.
    The caller commits."""
    from sqlalchemy import update

    from .announcements import Announcement
    from .mailbox import OutboxMessage
    from .people import ChannelAccount, Membership, MembershipEvent

    if session.exec(select(Membership.id).where(Membership.person_id == person.id)).first() is not None:
        raise StillMember(person.name)
    accounts = session.exec(select(ChannelAccount).where(ChannelAccount.person_id == person.id)).all()
    conversations = conversations_of(session, accounts)
    for conversation in conversations:
        session.delete(conversation)
    # Messages still waiting for their chats are emptied and given up below (scrub_mailroom), not
    # deleted: an announcement's delivery row may point at one.
    waiting = sum(len(session.exec(select(OutboxMessage.id).where(
        OutboxMessage.channel == a.channel, OutboxMessage.chat_id == a.external_id, OutboxMessage.sent_at.is_(None),
        OutboxMessage.gave_up.is_(None))).all()) for a in accounts)
    files = 0
    for evidence in session.exec(select(Evidence).where(Evidence.person_id == person.id)).all():
        files += evidence.stored_path is not None
        delete_file(session, directory, evidence, evidence.file_deleted_at or now)
        # The chat and message ids say who sent it; a unique id per row keeps the constraint.
        evidence.chat_id, evidence.message_id, evidence.file_ref, evidence.caption = "", f"erased-{evidence.id}", "", ""
        session.add(evidence)
    entries = session.execute(update(Entry).where(Entry.person_id == person.id)
                              .values(chat_id="", message_id="erased-" + Entry.id.cast(String))).rowcount
    session.execute(update(MembershipEvent).where(MembershipEvent.person_id == person.id).values(chat=""))
    session.execute(update(Announcement).where(Announcement.sender_id == person.id).values(chat_id=""))
    mailroom = scrub_mailroom(session, accounts, person.name, erased_label(person), now)
    for account in accounts:
        session.delete(account)
    person.name = erased_label(person)
    session.add(person)
    erasure = Erasure(person_id=person.id, at=now, operator=operator[:200],
                      detail=f"chats={len(accounts)} conversations={len(conversations)} files={files} "
                             f"reports={entries} unsent={waiting} mailroom={mailroom}")
    session.add(erasure)
    session.flush()
    return erasure
