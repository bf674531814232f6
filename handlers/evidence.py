"""Evidence (minh chứng): the photos and files kept with entries, and how they read."""

from sqlmodel import select

from ..models import Entry, Evidence, OrgUnit
from ..models.periods import week_of
from ..models.queries import latest_entry_id
from .context import Context


def attach(context: Context, entry_id: int, evidence: dict) -> None:
    """Keeps the file's reference with the entry, once per message."""
    incoming = context.incoming
    exists = context.session.exec(
        select(Evidence.id).where(
            Evidence.channel == incoming.channel,
            Evidence.chat_id == incoming.chat_id,
            Evidence.message_id == evidence["message_id"],
        )
    ).first()
    if exists is None:
        context.session.add(Evidence(
            entry_id=entry_id, person_id=context.person.id, channel=incoming.channel,
            chat_id=incoming.chat_id, message_id=evidence["message_id"], kind=evidence["kind"],
            file_ref=evidence["file_ref"], caption=evidence.get("caption", "")[:1024], received_at=context.now,
        ))


def evidence_of(context: Context) -> dict | None:
    """The incoming photo or file, as a report's pending state keeps it."""
    incoming = context.incoming
    if incoming.kind not in ("photo", "document") or not incoming.attachment:
        return None
    return {"kind": incoming.kind, "file_ref": incoming.attachment,
            "message_id": incoming.message_id, "caption": incoming.text}


def entry_this_week(context: Context) -> Entry | None:
    """The sender's latest report dated this week (in their village's time zone)."""
    entry_id = latest_entry_id(context.session, context.person.id)
    entry = context.session.get(Entry, entry_id) if entry_id is not None else None
    if entry is None or entry.day < week_of(context.today(context.session.get(OrgUnit, entry.village_id))).first:
        return None
    return entry
