"""The latest changes in a commune, as `/nhatky` and the web desk's audit page list them —
`/sua` and `/xoa` on reports (with the office's reason for an older count), evidence
decisions, people removed, given another role, leaving, or their chat's subscription
stopped, the operator's changes to places — who, when, old → new."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from ..locales import N_, Translator
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
from ..models.privacy import views_of
from .wording import ROLE_NAMES, STATUS_NAMES, announcement_excerpt, audience_name, short_names

KINDS = ("reports", "evidence", "people", "places", "views", "announcements")


def latest_changes(session: Session, t: Translator, communes: list[OrgUnit], limit: int, timezone: str,
                   kinds: tuple[str, ...] = KINDS) -> list[str]:
    """The communes' latest changes of those kinds, newest first, one line each; times in
    the first commune's zone (`timezone` when it has none)."""
    zone = ZoneInfo(communes[0].timezone or timezone) if communes else ZoneInfo(timezone)
    ids = [c.id for c in communes]
    lines = _count_lines(session, t, ids, limit, zone, kinds) if {"reports", "evidence"} & set(kinds) else []
    if "people" in kinds:
        lines += _membership_lines(session, t, ids, limit, zone)
    if "places" in kinds:
        lines += _place_lines(session, t, ids, limit, zone)
    if "views" in kinds:
        lines += _view_lines(session, t, ids, limit, zone)
    if "announcements" in kinds:
        lines += _announcement_lines(session, t, ids, limit, zone)
    return [text for _, text in sorted(lines, key=lambda line: line[0], reverse=True)[:limit]]


def _count_lines(session: Session, t: Translator, communes: list[int], limit: int, zone: ZoneInfo,
                 kinds: tuple[str, ...]) -> list[tuple[datetime, str]]:
    """Counts changed or taken back, and evidence decisions, as (when, line)."""
    names = short_names(session, t.language)
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
        select(Evidence.reviewed_at.label("at"), Evidence.reviewed_by.label("person_id"), literal("review").label("action"),
               Entry.village_id.label("village_id"), Entry.day.label("day"), literal("").label("what"),
               literal(None).label("old"), literal(None).label("new"), literal("pending").label("old_status"),
               Evidence.status.label("new_status"), Evidence.review_reason.label("reason"))
        .join(Entry, Entry.id == Evidence.entry_id)
        .where(Evidence.reviewed_at.is_not(None))
    )
    parts = [part for kind, part in (("reports", edits), ("evidence", reviews)) if kind in kinds]
    changes = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    rows = session.execute(
        select(changes, Person.name.label("member"), OrgUnit.name.label("village"))
        .join(Person, Person.id == changes.c.person_id)
        .join(OrgUnit, OrgUnit.id == changes.c.village_id)
        .where(OrgUnit.parent_id.in_(communes))
        .order_by(changes.c.at.desc())
        .limit(limit)
    ).all()
    lines = []
    for row in rows:
        when = _local(t, row.at, zone)
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
    return lines


def _membership_lines(session: Session, t: Translator, communes: list[int], limit: int,
                      zone: ZoneInfo) -> list[tuple[datetime, str]]:
    """The latest membership events as (when, line): who did it to whom, where."""
    by, whom = aliased(Person), aliased(Person)
    rows = session.execute(
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
        lines.append((event.at, f"{_local(t, event.at, zone)} · {who} · {unit}: {change}"))
    return lines


MOVED = {  # what a merge moved (place_event.detail), as the office reads it
    "entries": N_("reports"), "evidence": N_("evidence"), "members": N_("members"), "targets": N_("targets"),
    "targets_dropped": N_("targets both had (the other's kept)"), "invites": N_("invite codes"),
    "villages": N_("villages"), "communes": N_("communes"), "subscriptions": N_("subscribed chats"),
}


def _place_lines(session: Session, t: Translator, communes: list[int], limit: int,
                 zone: ZoneInfo) -> list[tuple[datetime, str]]:
    """The operator's latest changes to the commune's places as (when, line)."""
    events = session.exec(select(PlaceEvent).where(PlaceEvent.commune_id.in_(communes))
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
        lines.append((event.at, f"{_local(t, event.at, zone)} · {t('the operator')} · {event.name}: {change}"))
    return lines


def _view_lines(session: Session, t: Translator, communes: list[int], limit: int,
                zone: ZoneInfo) -> list[tuple[datetime, str]]:
    """The latest showings of evidence photos as (when, line): to whom, how."""
    lines = []
    for view, viewer, village, day in views_of(session, communes, limit):
        seen = t("saw the evidence photo ({via})", via=view.via)
        who = viewer or t("someone with the link")
        lines.append((view.at, f"{_local(t, view.at, zone)} · {who} · {village} ({t.day_month(day)}): {seen}"))
    return lines


def _announcement_lines(session: Session, t: Translator, communes: list[int], limit: int,
                        zone: ZoneInfo) -> list[tuple[datetime, str]]:
    """The commune's latest announcements (`/thongbao`) as (when, line): who, to whom, how many."""
    reached = (select(AnnouncementReceipt.announcement_id, func.count().label("people"))
               .group_by(AnnouncementReceipt.announcement_id).subquery())
    rows = session.execute(
        select(Announcement, Person.name, OrgUnit.name, func.coalesce(reached.c.people, 0))
        .join(Person, Person.id == Announcement.sender_id)
        .join(OrgUnit, OrgUnit.id == Announcement.unit_id)
        .outerjoin(reached, reached.c.announcement_id == Announcement.id)
        .where(Announcement.unit_id.in_(communes))
        .order_by(Announcement.sent_at.desc())
        .limit(limit)
    ).all()
    lines = []
    for item, sender, unit, people in rows:
        # Named before the plural call: babel's extractor reads a bare `t` among its arguments as the call's keyword.
        audience = audience_name(session, t, item.audience, [int(v) for v in item.villages.split()])
        text = announcement_excerpt(t, item, 60)
        lines.append((item.sent_at, f"{_local(t, item.sent_at, zone)} · {sender} · {unit}: " + t.plural(
            "announcement to {audience} ({count} person): “{text}”", "announcement to {audience} ({count} people): “{text}”",
            people, audience=audience, text=text)))
    return lines


def _local(t: Translator, moment: datetime, zone: ZoneInfo) -> str:
    """`24/11 09:12` in the commune's time zone."""
    local = moment.astimezone(zone)
    return f"{t.day_month(local.date())} {local:%H:%M}"
