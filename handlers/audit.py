"""`/nhatky [N]`: the latest changes in the office's commune — `/sua` and `/xoa` on
reports, and evidence decisions — who, when, old → new."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import literal, union_all
from sqlmodel import select

from ..models import Audit, Entry, EntryCount, Evidence, OrgUnit, Person
from .context import Context
from .evidence import STATUS_NAMES
from .messages import Outgoing
from .wording import labels

SHOWN = 15
MAX_SHOWN = 50


def show_audit(context: Context, args: str) -> list[Outgoing]:
    t, session = context.t, context.session
    words = args.strip()
    limit = min(int(words), MAX_SHOWN) if words.isdecimal() and len(words) <= 3 and int(words) > 0 else SHOWN
    names = labels(context)
    communes = [c.id for c in context.communes()]
    edits = (
        select(Audit.at.label("at"), Audit.person_id.label("person_id"), Audit.action.label("action"),
               EntryCount.village_id.label("village_id"), Entry.day.label("day"),
               EntryCount.indicator_key.label("what"), Audit.old_count.label("old"), Audit.new_count.label("new"),
               literal("").label("old_status"), literal("").label("new_status"), literal("").label("reason"))
        .join(EntryCount, EntryCount.id == Audit.entry_count_id)
        .join(Entry, Entry.id == EntryCount.entry_id)
    )
    reviews = (
        select(Evidence.reviewed_at, Evidence.reviewed_by, literal("review"), Entry.village_id, Entry.day,
               literal(""), literal(None), literal(None), literal("pending"), Evidence.status, Evidence.review_reason)
        .join(Entry, Entry.id == Evidence.entry_id)
        .where(Evidence.reviewed_at.is_not(None))
    )
    changes = union_all(edits, reviews).subquery()
    rows = session.execute(
        select(changes, Person.name.label("member"), OrgUnit.name.label("village"))
        .join(Person, Person.id == changes.c.person_id)
        .join(OrgUnit, OrgUnit.id == changes.c.village_id)
        .where(OrgUnit.parent_id.in_(communes))
        .order_by(changes.c.at.desc())
        .limit(limit)
    ).all()
    if not rows:
        return [Outgoing(t("No changes yet: reports that were edited or taken back, and evidence decisions, appear here."))]
    lines = [t("📝 Latest changes (newest first):")]
    for row in rows:
        when = _local(context, row.at)
        head = f"{when} · {row.member} · {row.village} ({t.day_month(row.day)})"
        if row.action == "review":
            change = t("evidence: {old} → {new}", old=t(STATUS_NAMES[row.old_status]), new=t(STATUS_NAMES[row.new_status]))
            if row.reason:
                change += f" — {row.reason}"
        elif row.action == "delete":
            change = t("{indicator} {old} → taken back", indicator=names.get(row.what, row.what), old=t.number(row.old))
        else:
            change = f"{names.get(row.what, row.what)} {t.number(row.old)} → {t.number(row.new)}"
        lines.append(f"{head}: {change}")
    return [Outgoing("\n".join(lines))]


def _local(context: Context, moment: datetime) -> str:
    """`24/11 09:12` in the commune's time zone."""
    commune = context.communes()[0]
    local = moment.astimezone(ZoneInfo(commune.timezone or context.defaults.timezone))
    return f"{context.t.day_month(local.date())} {local:%H:%M}"
