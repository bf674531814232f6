"""The operator's changes to places: rename one, merge one into another, retire a village from
a day on, delete an empty one — without a database console.

Each change is one `PlaceEvent` (the office sees its commune's in `/nhatky`). A change that
cannot be made raises `PlaceRefused`, saying what to do instead, before anything is written.
"""

from collections import Counter
from datetime import date, datetime

from sqlalchemy import delete, exists, func, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from .deadlines import ReportDeadline
from .entries import Entry, EntryCount, Evidence, NothingToReport
from .imports import NAME_LENGTH
from .indicators import CommuneIndicator
from .jobs import AlertState, JobRun, JobSchedule, Subscription
from .orgunits import Level, OrgUnit, PlaceEvent, children
from .people import Invite, Membership, MembershipEvent, Person
from .report_settings import ReportSettings
from .targets import Target
from .text import fold
from .totals import CommuneWeekTotal, VillageTotal, rebuild_weeks


class PlaceRefused(ValueError):
    """What is wrong with the change asked for, and how to get there; nothing was changed."""


def _commune_of(session: Session, unit: OrgUnit) -> int | None:
    """The commune whose office sees the change (a province's: none)."""
    return unit.parent_id if unit.level == Level.VILLAGE else unit.id if unit.level == Level.COMMUNE else None


def _record(session: Session, unit: OrgUnit, now: datetime, action: str, **fields) -> PlaceEvent:
    event = PlaceEvent(at=now, commune_id=_commune_of(session, unit), level=unit.level, action=action,
                       name=unit.name, **fields)
    session.add(event)
    return event


def sibling_named(session: Session, unit: OrgUnit, name: str) -> OrgUnit | None:
    """Another place of the same kind under the same parent with that name (accents and case aside)."""
    return session.exec(select(OrgUnit).where(
        OrgUnit.parent_id == unit.parent_id, OrgUnit.level == unit.level, OrgUnit.name_key == fold(name),
        OrgUnit.id != unit.id)).first()


def rename(session: Session, unit: OrgUnit, name: str, now: datetime) -> PlaceEvent:
    name = " ".join(name.split())
    if not name or len(name) > NAME_LENGTH:
        raise PlaceRefused(f"a name has 1 to {NAME_LENGTH} characters")
    clash = sibling_named(session, unit, name)
    if clash is not None:
        raise PlaceRefused(f"there is already a {unit.level} named {clash.name!r} there: to make the two one, "
                           f"merge {unit.name!r} into it (tocds admin place merge)")
    event = _record(session, unit, now, "rename", new_name=name)
    unit.name, unit.name_key = name, fold(name)
    session.add(unit)
    session.flush()
    return event


def _people_in_both(session: Session, unit: OrgUnit, into: OrgUnit) -> list[str]:
    both = select(Membership.person_id).where(Membership.org_unit_id == into.id)
    return list(session.exec(select(Person.name).join(Membership, Membership.person_id == Person.id).where(
        Membership.org_unit_id == unit.id, Membership.person_id.in_(both)).order_by(Person.name)))


def _check_merge(session: Session, unit: OrgUnit, into: OrgUnit) -> None:
    if unit.id == into.id:
        raise PlaceRefused(f"{unit.name!r} is the place itself: name the one to keep after --into")
    if unit.level != into.level:
        raise PlaceRefused(f"{unit.name!r} is a {unit.level} and {into.name!r} a {into.level}: "
                           "a place merges into one of its own kind")
    if unit.parent_id != into.parent_id:
        parents = {u.id: u for u in session.exec(select(OrgUnit).where(
            OrgUnit.id.in_([unit.parent_id, into.parent_id]))).all()}
        where = [parents[u.parent_id].name if u.parent_id in parents else "no province" for u in (unit, into)]
        raise PlaceRefused(f"{unit.name!r} is in {where[0]} and {into.name!r} in {where[1]}: "
                           "merge their communes (or provinces) first, then these")
    if into.retired_on is not None:
        raise PlaceRefused(f"{into.name!r} is retired: bring it back first (tocds admin place retire --undo)")
    people = _people_in_both(session, unit, into)
    if people:
        raise PlaceRefused(f"{', '.join(people)} belong to both {unit.name!r} and {into.name!r}: "
                           f"remove their place in {unit.name!r} first (tocds admin remove … --person NAME)")
    names = {fold(v.name) for v in children(session, into)}
    clashes = [v.name for v in children(session, unit) if fold(v.name) in names]
    if clashes:
        raise PlaceRefused(f"both have {', '.join(clashes)}: rename it in {unit.name!r} first (tocds admin place "
                           "rename), merge these two, then merge the two of them")


def _move_rows(session: Session, column, unit: OrgUnit, into: OrgUnit) -> int:
    """Points every row of one table at the place it merges into; returns how many moved."""
    return session.execute(update(column.class_).where(column == unit.id).values({column.key: into.id})).rowcount


def _drop_rows(session: Session, column, unit: OrgUnit, clashing=None) -> int:
    """Deletes the rows of a place (those that clash with the other place's, when `clashing` says which)."""
    statement = delete(column.class_).where(column == unit.id)
    if clashing is not None:
        statement = statement.where(clashing)
    return session.execute(statement).rowcount


def merge(session: Session, unit: OrgUnit, into: OrgUnit, now: datetime) -> PlaceEvent:
    """`unit` becomes part of `into` (same kind, same parent) and is deleted: a village's entries
    with their counts and evidence, its members, invites and targets move; a commune's (a
    province's) villages (communes), members, invites, targets and subscriptions. Where both had
    a target for one indicator, or a schedule, deadlines or a list of indicators, `into`'s stays."""
    _check_merge(session, unit, into)
    session.flush()
    moved: Counter = Counter()
    if unit.level == Level.VILLAGE:
        counts = list(session.exec(select(EntryCount).where(EntryCount.village_id == unit.id)))
        for count in counts:  # through the ORM: the running totals move with the counts
            count.village_id = into.id
            session.add(count)
        session.flush()
        moved["evidence"] = session.exec(select(func.count()).select_from(Evidence).join(Entry).where(
            Entry.village_id == unit.id)).one()
        moved["entries"] = _move_rows(session, Entry.village_id, unit, into)
        weeks = select(NothingToReport.week_start).where(NothingToReport.village_id == into.id)
        _drop_rows(session, NothingToReport.village_id, unit, NothingToReport.week_start.in_(weeks))
        _move_rows(session, NothingToReport.village_id, unit, into)
        _drop_rows(session, AlertState.village_id, unit)  # the next alerts run sees the merged village afresh
        _drop_rows(session, VillageTotal.village_id, unit)  # all 0 once the counts moved
    else:
        moved["villages" if unit.level == Level.COMMUNE else "communes"] = _move_rows(
            session, OrgUnit.parent_id, unit, into)
        if unit.level == Level.COMMUNE:  # its villages' weeks now count in `into`'s
            rebuild_weeks(session, [unit.id, into.id])
        kept_chat = aliased(Subscription)  # a chat that receives both: once is enough
        _drop_rows(session, Subscription.commune_id, unit, exists().where(
            kept_chat.commune_id == into.id, kept_chat.channel == Subscription.channel,
            kept_chat.chat_id == Subscription.chat_id))
        moved["subscriptions"] = _move_rows(session, Subscription.commune_id, unit, into)
        for column in (CommuneIndicator.commune_id, JobRun.commune_id, JobSchedule.commune_id, ReportDeadline.unit_id,
                       ReportSettings.unit_id):  # the place it merges into keeps its own letterhead
            _drop_rows(session, column, unit)
        _move_rows(session, MembershipEvent.commune_id, unit, into)
        _move_rows(session, PlaceEvent.commune_id, unit, into)
    kept = select(Target.indicator_key).where(Target.org_unit_id == into.id)
    moved["targets_dropped"] = _drop_rows(session, Target.org_unit_id, unit, Target.indicator_key.in_(kept))
    moved["targets"] = _move_rows(session, Target.org_unit_id, unit, into)
    moved["members"] = _move_rows(session, Membership.org_unit_id, unit, into)
    moved["invites"] = _move_rows(session, Invite.org_unit_id, unit, into)
    _move_rows(session, MembershipEvent.unit_id, unit, into)
    detail = " ".join(f"{what}={n}" for what, n in moved.items() if n)
    event = _record(session, unit, now, "merge", new_name=into.name, detail=detail)
    event.commune_id = _commune_of(session, into)
    session.expire_all()
    session.delete(session.get(OrgUnit, unit.id))
    session.flush()
    return event


def retire(session: Session, village: OrgUnit, day: date, now: datetime) -> PlaceEvent:
    """From `day` on the village no longer counts: not in targets, denominators, reminders,
    "not reported" or its commune's sums; the periods that begin before `day` keep it. Its
    invites stop working. Refused while people belong to it or it has counts dated from `day`
    on: those would be lost from view."""
    if village.level != Level.VILLAGE:
        raise PlaceRefused(f"{village.name!r} is a {village.level}: only a village is retired "
                           "(a commune or province is merged into another, or deleted when empty)")
    if village.retired_on is not None:
        raise PlaceRefused(f"{village.name!r} is already retired from {village.retired_on}; "
                           "--undo brings it back first")
    people = list(session.exec(select(Person.name).join(Membership, Membership.person_id == Person.id)
                               .where(Membership.org_unit_id == village.id).order_by(Person.name)))
    if people:
        raise PlaceRefused(f"{', '.join(people)} still belong to {village.name!r}: merge it into the village "
                           "they report for (tocds admin place merge), or remove them first (tocds admin remove)")
    latest = session.exec(select(func.max(EntryCount.day)).where(
        EntryCount.village_id == village.id, EntryCount.day >= day, EntryCount.deleted_at.is_(None))).one()
    if latest is not None:
        raise PlaceRefused(f"{village.name!r} has counts dated {latest} (on or after {day}): merge it into the "
                           "village they belong to, or retire it from a later day (--from YYYY-MM-DD)")
    event = _record(session, village, now, "retire", on_day=day)
    village.retired_on = day
    session.add(village)
    session.execute(update(Invite).where(Invite.org_unit_id == village.id).values(uses_left=0))
    session.flush()
    return event


def unretire(session: Session, village: OrgUnit, now: datetime) -> PlaceEvent:
    """A retired village counts again, in every period (its invites stay used up: make new ones)."""
    if village.retired_on is None:
        raise PlaceRefused(f"{village.name!r} is not retired")
    event = _record(session, village, now, "unretire", on_day=village.retired_on)
    village.retired_on = None
    session.add(village)
    session.flush()
    return event


def delete_empty(session: Session, unit: OrgUnit, now: datetime) -> PlaceEvent:
    """Deletes a place nobody ever used: no villages (communes) under it, no reports, nobody
    belongs or belonged to it. Its targets, invites and settings go with it."""
    under = children(session, unit)
    if under:
        raise PlaceRefused(f"{unit.name!r} still has {len(under)} {under[0].level}(s) ({under[0].name}…): "
                           "merge or delete them first")
    used = [what for what, column in (("reports", Entry.village_id), ("members", Membership.org_unit_id),
                                      ("members' history", MembershipEvent.unit_id))
            if session.exec(select(column).where(column == unit.id).limit(1)).first() is not None]
    if used:
        raise PlaceRefused(f"{unit.name!r} has {' and '.join(used)}: merge it into the place it duplicates "
                           "(tocds admin place merge), or retire it (a village)")
    event = _record(session, unit, now, "delete")
    for column in (Target.org_unit_id, Invite.org_unit_id, AlertState.village_id, VillageTotal.village_id,
                   CommuneWeekTotal.commune_id, NothingToReport.village_id, CommuneIndicator.commune_id, JobRun.commune_id,
                   JobSchedule.commune_id, ReportDeadline.unit_id, ReportSettings.unit_id, Subscription.commune_id):
        _drop_rows(session, column, unit)
    session.execute(update(PlaceEvent).where(PlaceEvent.commune_id == unit.id).values(commune_id=None))
    if unit.level != Level.VILLAGE:
        event.commune_id = None  # the place it would be seen in is gone
    session.flush()
    session.expire_all()
    session.delete(session.get(OrgUnit, unit.id))
    session.flush()
    return event
