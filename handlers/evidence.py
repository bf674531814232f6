"""Photos and files members send as evidence (minh chứng) for their latest report."""

from sqlmodel import select

from ..models import Entry, Evidence, OrgUnit
from ..models.queries import entry_counts, latest_entry_id
from .context import Context
from .messages import Outgoing
from .wording import format_counts


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
            file_ref=evidence["file_ref"], caption=evidence.get("caption", "")[:1024],
        ))


def evidence_of(context: Context) -> dict | None:
    """The incoming photo or file, as a report's pending state keeps it."""
    incoming = context.incoming
    if incoming.kind not in ("photo", "document") or not incoming.attachment:
        return None
    return {"kind": incoming.kind, "file_ref": incoming.attachment,
            "message_id": incoming.message_id, "caption": incoming.text}


def for_latest_entry(context: Context) -> list[Outgoing]:
    """A photo whose caption is no report: evidence for the sender's latest report."""
    t = context.t
    entry_id = latest_entry_id(context.session, context.person.id)
    if entry_id is None:
        return [Outgoing(t("You have no report to attach this to yet. Send the report first, then the photo — or send the photo with the report as its caption, e.g. vneid 5."))]
    attach(context, entry_id, evidence_of(context))
    entry = context.session.get(Entry, entry_id)
    counts = {c.indicator_key: c.count for c in entry_counts(context.session, entry_id) if c.deleted_at is None}
    village = context.session.get(OrgUnit, entry.village_id)
    return [Outgoing(t("📎 Evidence received for {village}, {day}: {counts}. The commune office will review it.",
                       village=village.name, day=t.date(entry.day), counts=format_counts(context, counts)))]
