"""`/nhatky [N]`: the latest changes in the office's commune — `/sua` and `/xoa` on
reports (with the office's reason for an older count), evidence decisions, and people
removed, given another role, leaving, or their chat's subscription stopped — who, when,
old → new."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal, union_all
from sqlalchemy.orm import aliased
from sqlmodel import select

from ..locales import N_
from ..models import (
    Announcement,
    AnnouncementReceipt,
    Audit,
    Entry,
    EntryCount,
    Evidence,
    MembershipEvent,
    OrgUnit,
    Person,
    PlaceEvent,
    Role,
)
from .announce import audience_name
from .context import Context
from .evidence import STATUS_NAMES
from .messages import Outgoing
from .roles import ROLE_NAMES
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
               literal("").label("old_status"), literal("").label("new_status"),
               func.coalesce(Audit.reason, "").label("reason"))
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
    people = (_membership_lines(context, communes, limit) + _place_lines(context, communes, limit)
              + _announcement_lines(context, communes, limit))
    if not rows and not people:
        return [Outgoing(t("No changes yet: reports that were edited or taken back, evidence decisions and people removed or leaving appear here."))]
    lines = []
    for row in rows:
        when = _local(context, row.at)
        head = f"{when} · {row.member} · {row.village} ({t.day_month(row.day)})"
        if row.action == "review":
            change = t("evidence: {old} → {new}", old=t(STATUS_NAMES[row.old_status]), new=t(STATUS_NAMES[row.new_status]))
        elif row.action == "delete":
            change = t("{indicator} {old} → taken back", indicator=names.get(row.what, row.what), old=t.number(row.old))
        else:
            change = f"{names.get(row.what, row.what)} {t.number(row.old)} → {t.number(row.new)}"
        if row.reason:  # an evidence decision's, or an office's change of an older count
            change += f" — {row.reason}"
        lines.append((row.at, f"{head}: {change}"))
    newest = sorted(lines + people, key=lambda line: line[0], reverse=True)[:limit]
    return [Outgoing("\n".join([t("📝 Latest changes (newest first):"), *(text for _, text in newest)]))]


def _membership_lines(context: Context, communes: list[int], limit: int) -> list[tuple[datetime, str]]:
    """The latest membership events as (when, line): who did it to whom, where."""
    t, by, whom = context.t, aliased(Person), aliased(Person)
    rows = context.session.execute(
        select(MembershipEvent, by.name.label("by"), whom.name.label("whom"), OrgUnit.name.label("unit"))
        .outerjoin(by, by.id == MembershipEvent.by_id)
        .join(whom, whom.id == MembershipEvent.person_id)
        .join(OrgUnit, OrgUnit.id == MembershipEvent.unit_id)
        .where(MembershipEvent.commune_id.in_(communes))
        .order_by(MembershipEvent.at.desc())
        .limit(limit)
    ).all()
    lines = []
    for event, by_name, whom_name, unit in rows:
        old = t(ROLE_NAMES[Role(event.old_role)]) if event.old_role else ""
        if event.action == "left":
            change = t("left ({role})", role=old)
        elif event.action == "removed":
            change = t("removed {name} ({role})", name=whom_name, role=old)
        elif event.action == "role":
            change = t("{name}: {old} → {new}", name=whom_name, old=old, new=t(ROLE_NAMES[Role(event.new_role)]))
        else:
            change = t("stopped the summaries to {name}'s chat ({chat})", name=whom_name, chat=event.chat)
        who = by_name or t("the operator")
        lines.append((event.at, f"{_local(context, event.at)} · {who} · {unit}: {change}"))
    return lines


MOVED = {  # what a merge moved (place_event.detail), as the office reads it
    "entries": N_("reports"), "evidence": N_("evidence"), "members": N_("members"), "targets": N_("targets"),
    "targets_dropped": N_("targets both had (the other's kept)"), "invites": N_("invite codes"),
    "villages": N_("villages"), "communes": N_("communes"), "subscriptions": N_("subscribed chats"),
}


def _place_lines(context: Context, communes: list[int], limit: int) -> list[tuple[datetime, str]]:
    """The operator's latest changes to the commune's places as (when, line)."""
    t = context.t
    events = context.session.exec(select(PlaceEvent).where(PlaceEvent.commune_id.in_(communes))
                                  .order_by(PlaceEvent.at.desc()).limit(limit)).all()
    lines = []
    for event in events:
        if event.action == "rename":
            change = t("renamed to {name}", name=event.new_name)
        elif event.action == "merge":
            moved = (pair.split("=") for pair in event.detail.split())
            change = t("merged into {name}", name=event.new_name) + "".join(
                f" · {t(MOVED[what])} {t.number(int(n))}" for what, n in moved)
        elif event.action == "retire":
            change = t("no longer counted from {day}", day=t.date(event.on_day))
        elif event.action == "unretire":
            change = t("counted again")
        else:
            change = t("deleted")
        lines.append((event.at, f"{_local(context, event.at)} · {t('the operator')} · {event.name}: {change}"))
    return lines


def _announcement_lines(context: Context, communes: list[int], limit: int) -> list[tuple[datetime, str]]:
    """The commune's latest announcements (`/thongbao`) as (when, line): who, to whom, how many."""
    t = context.t
    reached = (select(AnnouncementReceipt.announcement_id, func.count().label("people"))
               .group_by(AnnouncementReceipt.announcement_id).subquery())
    rows = context.session.execute(
        select(Announcement, Person.name, OrgUnit.name, func.coalesce(reached.c.people, 0))
        .join(Person, Person.id == Announcement.sender_id)
        .join(OrgUnit, OrgUnit.id == Announcement.unit_id)
        .outerjoin(reached, reached.c.announcement_id == Announcement.id)
        .where(Announcement.unit_id.in_(communes))
        .order_by(Announcement.sent_at.desc())
        .limit(limit)
    ).all()
    return [(item.sent_at, f"{_local(context, item.sent_at)} · {sender} · {unit}: " + t.plural(
        "announcement to {audience} ({count} person): “{text}”", "announcement to {audience} ({count} people): “{text}”",
        people, audience=audience_name(context, item.audience, [int(v) for v in item.villages.split()]),
        text=item.text[:60])) for item, sender, unit, people in rows]


def _local(context: Context, moment: datetime) -> str:
    """`24/11 09:12` in the commune's time zone."""
    commune = context.communes()[0]
    local = moment.astimezone(ZoneInfo(commune.timezone or context.defaults.timezone))
    return f"{context.t.day_month(local.date())} {local:%H:%M}"
