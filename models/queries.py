"""Totals, completeness and progress, computed by the database.

Every function here aggregates in SQL and returns one row per village × indicator at
most: entries are never loaded into Python to be added up.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Date, and_, exists, func, literal, literal_column, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session

from .entries import Entry, EntryCount, Evidence, NothingToReport
from .indicators import Indicator
from .mailbox import OutboxMessage
from .orgunits import DENOMINATORS, OrgUnit
from .progress import Progress
from .targets import Target


class week_start(FunctionElement):
    """The Monday of a date's ISO week, in SQL."""

    type = Date()
    inherit_cache = True


@compiles(week_start, "sqlite")
def _week_start_sqlite(element, compiler, **kw):
    # 'weekday 0' moves forward to Sunday (or stays); six days back is that week's Monday.
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


@compiles(week_start, "postgresql")
def _week_start_postgresql(element, compiler, **kw):
    return f"CAST(date_trunc('week', {compiler.process(element.clauses, **kw)}) AS DATE)"


LIVE = EntryCount.deleted_at.is_(None)


def indicators(session: Session) -> list[Indicator]:
    """The indicator catalog, read once per session (it changes only with a migration)."""
    if "indicators" not in session.info:
        catalog = list(session.exec(select(Indicator).order_by(Indicator.position)).scalars())
        for indicator in catalog:
            session.expunge(indicator)  # plain values from now on: no commit or rollback expires them
        session.info["indicators"] = catalog
    return session.info["indicators"]


def totals(session: Session, village_ids: Iterable[int], first: date, last: date) -> dict[str, int]:
    """The villages' counts added up per indicator, for the days first..last."""
    rows = session.execute(
        select(EntryCount.indicator_key, func.sum(EntryCount.count))
        .where(EntryCount.village_id.in_(list(village_ids)), EntryCount.day.between(first, last), LIVE)
        .group_by(EntryCount.indicator_key)
    )
    return {key: int(total) for key, total in rows}


def commune_table(
    session: Session, commune_id: int, first: date, last: date
) -> list[tuple[str, str, int]]:
    """(village name, indicator key, count) for every village × indicator, 0 where nothing."""
    sums = (
        select(
            EntryCount.village_id,
            EntryCount.indicator_key,
            func.sum(EntryCount.count).label("total"),
        )
        .join(OrgUnit, OrgUnit.id == EntryCount.village_id)
        .where(OrgUnit.parent_id == commune_id, EntryCount.day.between(first, last), LIVE)
        .group_by(EntryCount.village_id, EntryCount.indicator_key)
        .subquery()
    )
    rows = session.execute(
        select(OrgUnit.name, Indicator.key, func.coalesce(sums.c.total, 0))
        .select_from(OrgUnit)
        .join(Indicator, literal(True))
        .outerjoin(
            sums, and_(sums.c.village_id == OrgUnit.id, sums.c.indicator_key == Indicator.key)
        )
        .where(OrgUnit.parent_id == commune_id)
        .order_by(OrgUnit.id, Indicator.position)
    )
    return [(name, key, int(count)) for name, key, count in rows]


def verified_table(session: Session, commune_id: int, first: date, last: date) -> dict[int, dict[str, int]]:
    """Village id → indicator key → the counts dated first..last whose entry has approved evidence.

    Only non-zero sums; an entry with several approved files counts once (EXISTS, not a join).
    """
    approved = exists().where(Evidence.entry_id == EntryCount.entry_id, Evidence.status == "approved")
    rows = session.execute(
        select(EntryCount.village_id, EntryCount.indicator_key, func.sum(EntryCount.count))
        .join(OrgUnit, OrgUnit.id == EntryCount.village_id)
        .where(OrgUnit.parent_id == commune_id, EntryCount.day.between(first, last), LIVE, approved)
        .group_by(EntryCount.village_id, EntryCount.indicator_key)
    )
    table: dict[int, dict[str, int]] = defaultdict(dict)
    for village_id, key, total in rows:
        if total:
            table[village_id][key] = int(total)
    return dict(table)


def reporting_calendar(
    session: Session, village_ids: Iterable[int], first: date, last: date
) -> dict[int, dict[date, str]]:
    """Village id → the Monday of each ISO week it reported for within first..last → how.

    "entries": a live count dated that week and first..last; otherwise "nothing": its
    "nothing this week" for a week overlapping first..last. Weeks without either are absent.
    """
    ids = list(village_ids)
    monday = week_start(EntryCount.day)
    with_entries = (
        select(EntryCount.village_id, monday.label("monday"), literal_column("'entries'").label("how"))
        .where(EntryCount.village_id.in_(ids), EntryCount.day.between(first, last), LIVE)
        .group_by(EntryCount.village_id, monday)
    )
    with_nothing = select(NothingToReport.village_id, NothingToReport.week_start, literal_column("'nothing'")).where(
        NothingToReport.village_id.in_(ids),
        NothingToReport.week_start.between(date.fromordinal(first.toordinal() - first.weekday()), last),
    )
    calendar: dict[int, dict[date, str]] = defaultdict(dict)
    for village_id, day, how in session.execute(union_all(with_entries, with_nothing)):
        day = day if isinstance(day, date) else date.fromisoformat(day)
        if calendar[village_id].get(day) != "entries":
            calendar[village_id][day] = how
    return dict(calendar)


def weekly_history(
    session: Session, village_id: int, indicator_key: str, before: date
) -> tuple[int, int]:
    """(weeks with a report, largest weekly figure) for a village and indicator before a day."""
    weekly = (
        select(func.sum(EntryCount.count).label("total"))
        .where(
            EntryCount.village_id == village_id,
            EntryCount.indicator_key == indicator_key,
            EntryCount.day < before,
            LIVE,
        )
        .group_by(week_start(EntryCount.day))
        .subquery()
    )
    weeks, largest = session.execute(
        select(func.count(), func.coalesce(func.max(weekly.c.total), 0))
    ).one()
    return int(weeks), int(largest)


def reported_village_ids(session: Session, village_ids: Iterable[int], monday: date) -> set[int]:
    """Villages with an entry that week or an explicit "nothing this week"."""
    ids = list(village_ids)
    sunday = date.fromordinal(monday.toordinal() + 6)
    with_entries = select(EntryCount.village_id).where(
        EntryCount.village_id.in_(ids), EntryCount.day.between(monday, sunday), LIVE
    )
    with_nothing = select(NothingToReport.village_id).where(
        NothingToReport.village_id.in_(ids), NothingToReport.week_start == monday
    )
    return set(session.execute(with_entries.union(with_nothing)).scalars())


def _denominator(unit: OrgUnit, indicator: Indicator) -> int | None:
    return getattr(unit, indicator.denominator) if indicator.denominator else None


def progress(session: Session, villages: list[OrgUnit], today: date) -> dict[int, list[Progress]]:
    """Each village's progress per indicator since its target's start, as of today.

    A village's own target wins; otherwise its commune's applies, with the commune's
    baseline and absolute goal shared out by the village's part of the commune's
    denominator (equally where the indicator has no denominator). Without any
    target the gain is every entry to date.
    """
    village_ids = [v.id for v in villages]
    commune_ids = {v.parent_id for v in villages}
    all_indicators = indicators(session)
    targets = {
        (t.org_unit_id, t.indicator_key): t
        for t in session.exec(
            select(Target).where(Target.org_unit_id.in_(village_ids + list(commune_ids)))
        ).scalars()
    }

    # The gain: one grouped, indexed read of the entries, each (village, indicator)
    # bounded by its own effective start. The starts are known here, so the database only
    # reads ranges of (village, indicator, day): no join to the targets for every entry.
    villages_from: dict[tuple[str, date | None], list[int]] = defaultdict(list)
    for village in villages:
        for indicator in all_indicators:
            target = targets.get((village.id, indicator.key)) or targets.get((village.parent_id, indicator.key))
            villages_from[(indicator.key, target.start if target else None)].append(village.id)
    ranges = [
        and_(EntryCount.indicator_key == key, EntryCount.village_id.in_(ids),
             *([EntryCount.day >= start] if start else []))
        for (key, start), ids in villages_from.items()
    ]
    gains = {
        (village_id, key): int(total)
        for village_id, key, total in session.execute(
            select(EntryCount.village_id, EntryCount.indicator_key, func.sum(EntryCount.count))
            .where(LIVE, EntryCount.day <= today, or_(*ranges))
            .group_by(EntryCount.village_id, EntryCount.indicator_key)
        )
    } if ranges else {}

    # Commune denominators (all their villages), to share commune-wide numbers out.
    commune_sizes = {
        row[0]: dict(zip((*DENOMINATORS, "villages"), row[1:], strict=True))
        for row in session.execute(
            select(
                OrgUnit.parent_id,
                *(func.coalesce(func.sum(getattr(OrgUnit, name)), 0) for name in DENOMINATORS),
                func.count(),
            )
            .where(OrgUnit.parent_id.in_(commune_ids))
            .group_by(OrgUnit.parent_id)
        )
    }

    result: dict[int, list[Progress]] = defaultdict(list)
    for village in villages:
        for indicator in all_indicators:
            denominator = _denominator(village, indicator)
            target = targets.get((village.id, indicator.key))
            share = 1.0
            if target is None:
                target = targets.get((village.parent_id, indicator.key))
                if target is not None:
                    sizes = commune_sizes[village.parent_id]
                    if indicator.denominator:
                        total = sizes[indicator.denominator]
                        share = (denominator or 0) / total if total else 0.0
                    else:
                        share = 1 / sizes["villages"]
            goal = None
            if target is not None:
                if target.target_percent is not None and denominator:
                    goal = target.target_percent / 100 * denominator
                elif target.target_count is not None:
                    goal = target.target_count * share
            result[village.id].append(
                Progress(
                    indicator.key,
                    target.baseline * share if target else 0.0,
                    gains.get((village.id, indicator.key), 0),
                    goal,
                    target.start if target else None,
                    target.deadline if target else None,
                )
            )
    return result


def latest_entry_id(session: Session, person_id: int) -> int | None:
    """The person's most recent entry that still has a live count."""
    return session.execute(
        select(Entry.id)
        .join(EntryCount, EntryCount.entry_id == Entry.id)
        .where(Entry.person_id == person_id, LIVE)
        .order_by(Entry.created_at.desc(), Entry.id.desc())
        .limit(1)
    ).scalar()


def entry_counts(session: Session, entry_id: int) -> list[EntryCount]:
    """An entry's counts, deleted ones included."""
    return list(session.exec(select(EntryCount).where(EntryCount.entry_id == entry_id)).scalars())


def messages_sent(session: Session, since: datetime) -> list[tuple[str, date, int]]:
    """(channel, UTC day, messages sent) since a moment: for judging a messenger's quota."""
    day = func.date(OutboxMessage.sent_at)
    rows = session.execute(
        select(OutboxMessage.channel, day, func.count())
        .where(OutboxMessage.sent_at >= since)
        .group_by(OutboxMessage.channel, day)
        .order_by(day, OutboxMessage.channel)
    )
    return [(channel, day if isinstance(day, date) else date.fromisoformat(day), count)
            for channel, day, count in rows]
