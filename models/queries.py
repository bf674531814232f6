"""Totals, completeness and progress, computed by the database.

Every function here aggregates in SQL and returns one row per village × indicator at
most: entries are never loaded into Python to be added up.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, cached_property
from operator import add

from sqlalchemy import (
    CompoundSelect,
    Date,
    Select,
    bindparam,
    case,
    cast,
    exists,
    func,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from .entries import Entry, EntryCount, Evidence, NothingToReport
from .indicators import CommuneIndicator, Indicator, IndicatorAlias
from .mailbox import OutboxMessage
from .orgunits import OrgUnit, Village, standing_on
from .progress import Progress
from .targets import Target
from .totals import CommuneWeekTotal, VillageTotal, week_start

LIVE = EntryCount.deleted_at.is_(None)


def as_date(day: date | str) -> date:
    """A date the database computed: SQLite gives it as text."""
    return day if isinstance(day, date) else date.fromisoformat(day)


def fetch(session: Session, statement, **params) -> list:
    """A statement's rows, fetched at once (iterating a result fetches them one by one)."""
    return session.connection().execute(statement, params).all()


# The villages of some communes: statements built once take the commune ids as `communes`.
IN_COMMUNES = OrgUnit.parent_id.in_(bindparam("communes", expanding=True))
# ... and of those, the ones not retired by the day bound as `on` (progress: the day asked about;
# a period's figures: its first day, so that a period begun before a retirement keeps the village).
STANDING = standing_on(bindparam("on", type_=Date))


def indicators(session: Session) -> list[Indicator]:
    """The whole catalog in its order, retired indicators included (their counts stay in the
    history); read once per session, with every commune's list (`tracked`)."""
    return _catalog(session)[0]


def tracked(session: Session, commune_id: int) -> list[Indicator]:
    """The indicators a commune tracks, in its order: its own list, or else every indicator
    of the catalog that is not retired."""
    lists = _catalog(session)[1]
    return lists.get(commune_id, lists[None])


def shown(session: Session, commune_id: int, counted: Iterable[str]) -> list[Indicator]:
    """The commune's indicators in its order, then those it no longer tracks (retired, or
    dropped from its list) that have counts: a past period's figures are never left out."""
    own = tracked(session, commune_id)
    keys, counted = {i.key for i in own}, set(counted)
    return own + [i for i in indicators(session) if i.key in counted and i.key not in keys]


def _catalog(session: Session) -> tuple[list[Indicator], dict[int | None, list[Indicator]]]:
    """The catalog and every commune's list, in one statement once per session (it changes
    only by `tocds admin indicators`; a summary's first read: one round trip, not two)."""
    if "catalog" not in session.info:
        rows = session.execute(
            select(Indicator, CommuneIndicator.commune_id, CommuneIndicator.position)
            .outerjoin(CommuneIndicator, CommuneIndicator.indicator_key == Indicator.key)
            .order_by(CommuneIndicator.commune_id, CommuneIndicator.position, Indicator.position, Indicator.key)
        ).all()
        catalog = sorted({indicator.key: indicator for indicator, *_ in rows}.values(), key=lambda i: (i.position, i.key))
        for indicator in catalog:
            session.expunge(indicator)  # plain values from now on: no commit or rollback expires them
        lists: dict[int | None, list[Indicator]] = {}
        for indicator, commune, _ in rows:  # a list's rows in its order
            if commune is not None:
                own = lists.setdefault(commune, [])  # kept even if all retired: the commune then tracks none
                if indicator.retired_at is None:
                    own.append(indicator)
        lists[None] = [i for i in catalog if i.retired_at is None]  # a commune without a list of its own
        session.info["catalog"] = catalog, lists
    return session.info["catalog"]


def words_for(session: Session, commune_ids: Iterable[int]) -> dict[str, str]:
    """Every word a member of these communes may write for an indicator they track (keys,
    aliases) → its key; read once per session and set of communes. A word two of them
    share (the import refuses that) is nobody's: the member is asked to write the key."""
    communes = tuple(sorted(set(commune_ids)))
    cache = session.info.setdefault("words", {})
    if communes not in cache:
        keys = {i.key for commune in communes for i in tracked(session, commune)} if communes else {
            i.key for i in indicators(session) if i.retired_at is None}
        meanings: dict[str, dict[str, str]] = defaultdict(dict)  # fold(word) → key → the word as written
        rows = session.execute(select(IndicatorAlias.alias_key, IndicatorAlias.indicator_key, IndicatorAlias.alias)
                               .order_by(IndicatorAlias.alias_key, IndicatorAlias.indicator_key))
        for folded, key, alias in rows:
            if key in keys:
                meanings[folded][key] = alias
        table = {alias: key for found in meanings.values() if len(found) == 1 for key, alias in found.items()}
        table.update((key, key) for key in keys)
        cache[communes] = table
    return cache[communes]


def totals(session: Session, village_ids: Iterable[int], first: date, last: date) -> dict[str, int]:
    """The villages' counts added up per indicator, for the days first..last."""
    rows = session.execute(
        select(EntryCount.indicator_key, func.sum(EntryCount.count))
        .where(EntryCount.village_id.in_(list(village_ids)), EntryCount.day.between(first, last), LIVE)
        .group_by(EntryCount.indicator_key)
    )
    return {key: int(total) for key, total in rows}


def weekly_counts(session: Session, commune_ids: Iterable[int], first: date, last: date) -> dict[str, dict[date, int]]:
    """The communes' counts added up per indicator and ISO week (by its Monday), for the days
    first..last: a trend's bars. The whole weeks come from the weekly totals (a row per commune,
    week and indicator, however many counts); a week that first or last cuts, from its counts."""
    communes = list(commune_ids)
    monday = first + timedelta(days=(7 - first.weekday()) % 7)  # the first whole week's
    sunday = last - timedelta(days=(last.weekday() + 1) % 7)  # the last whole week's
    spans = [(first, last)] if sunday < monday else \
        [span for span in ((first, monday - timedelta(days=1)), (sunday + timedelta(days=1), last)) if span[0] <= span[1]]
    weekly: dict[str, dict[date, int]] = defaultdict(dict)
    for cut_first, cut_last in spans:
        for key, week, total in fetch(session, _COMMUNES_WEEKS, communes=communes, first=cut_first, last=cut_last):
            weekly[key][as_date(week)] = int(total)
    if monday <= sunday:
        for key, week, total in fetch(session, _WHOLE_WEEKS, communes=communes, monday=monday, sunday=sunday):
            weekly[key][as_date(week)] = int(total)
    return dict(weekly)


def villages_weekly_counts(session: Session, village_ids, first: date, last: date) -> dict[str, dict[date, int]]:
    """The counts of some villages (their ids, or a statement that selects them) added up per
    indicator and ISO week (by its Monday), for the days first..last."""
    weekly: dict[str, dict[date, int]] = {}
    for key, monday, total in fetch(session, _weeks_counted(EntryCount.village_id.in_(village_ids)), first=first,
                                    last=last):
        weekly.setdefault(key, {})[as_date(monday)] = int(total)
    return weekly


def _weeks_counted(villages: ColumnElement[bool]) -> Select:
    """The live counts of the villages dated first..last, per indicator and week."""
    return (
        select(EntryCount.indicator_key, week_start(EntryCount.day), func.sum(EntryCount.count))
        .where(villages, EntryCount.day.between(bindparam("first"), bindparam("last")), LIVE)
        .group_by(EntryCount.indicator_key, week_start(EntryCount.day))
    )


_COMMUNES_WEEKS = _weeks_counted(EntryCount.village_id.in_(select(OrgUnit.id).where(IN_COMMUNES)))
_WHOLE_WEEKS = (
    select(CommuneWeekTotal.indicator_key, CommuneWeekTotal.week_start, func.sum(CommuneWeekTotal.total))
    .where(CommuneWeekTotal.commune_id.in_(bindparam("communes", expanding=True)),
           CommuneWeekTotal.week_start.between(bindparam("monday"), bindparam("sunday")))
    .group_by(CommuneWeekTotal.indicator_key, CommuneWeekTotal.week_start)
    .having(func.sum(CommuneWeekTotal.total) != 0)  # a week whose counts were all taken back: no bar, as before
)


def latest_reports(session: Session, village_id: int) -> dict[int, tuple[date, dict[str, int]]]:
    """Person id → their latest report in the village (the latest day, its latest entry): its
    day and its counts not taken back; an entry all taken back is no report."""
    latest = (
        select(EntryCount.entry_id, func.row_number().over(
            partition_by=EntryCount.person_id, order_by=(EntryCount.day.desc(), EntryCount.entry_id.desc())).label("n"))
        .where(EntryCount.village_id == village_id, LIVE)
        .subquery()
    )
    reports: dict[int, tuple[date, dict[str, int]]] = {}
    for person_id, day, key, count in session.execute(
        select(EntryCount.person_id, EntryCount.day, EntryCount.indicator_key, EntryCount.count)
        .join(latest, latest.c.entry_id == EntryCount.entry_id)
        .where(latest.c.n == 1, LIVE)
    ):
        reports.setdefault(person_id, (as_date(day), {}))[1][key] = count
    return reports


def commune_table(
    session: Session, commune_id: int, first: date, last: date
) -> list[tuple[str, str, int]]:
    """(village name, indicator key, count) for every village × indicator, 0 where nothing."""
    return communes_table(session, [commune_id], first, last).get(commune_id, [])


def communes_table(
    session: Session, commune_ids: list[int], first: date, last: date
) -> dict[int, list[tuple[str, str, int]]]:
    """`commune_table` of each commune (a province's), in the same statement for all of them:
    each village × indicator its commune tracks, then anything else counted in the commune."""
    sums = (
        select(
            EntryCount.village_id,
            EntryCount.indicator_key,
            func.sum(EntryCount.count).label("total"),
        )
        .join(OrgUnit, OrgUnit.id == EntryCount.village_id)
        .where(OrgUnit.parent_id.in_(commune_ids), EntryCount.day.between(first, last), LIVE)
        .group_by(EntryCount.village_id, EntryCount.indicator_key)
        .subquery()
    )
    rows = session.execute(
        select(OrgUnit.parent_id, OrgUnit.name, sums.c.indicator_key, sums.c.total)
        .select_from(OrgUnit)
        .outerjoin(sums, sums.c.village_id == OrgUnit.id)
        .where(OrgUnit.parent_id.in_(commune_ids), standing_on(first))
        .order_by(OrgUnit.id)
    )
    counted: dict[int, dict[str, dict[str, int]]] = {}  # commune → village name → key → count
    for commune_id, name, key, total in rows:
        counts = counted.setdefault(commune_id, {}).setdefault(name, {})
        if key is not None:
            counts[key] = int(total)
    table = {}
    for commune_id, villages in counted.items():
        keys = [i.key for i in shown(session, commune_id, (key for counts in villages.values() for key in counts))]
        table[commune_id] = [(name, key, counts.get(key, 0)) for name, counts in villages.items() for key in keys]
    return table


def by_key(keys: tuple[str, ...], key_column, amount) -> list:
    """One summed column per indicator key, in catalog order (0 where a key has no row).

    A village's figures come back as one row rather than one row per indicator: a
    province's summary fetches thousands of rows, not tens of thousands. The sums are
    whole numbers on both databases, so rows can be added up as they come (`map(add, …)`).
    """
    return [func.coalesce(func.sum(case((key_column == key, amount))), 0) for key in keys]


def named_counts(keys: tuple[str, ...], sums) -> dict[str, int]:
    """The `by_key` columns of a row as indicator key → count, only the non-zero ones."""
    return {key: int(total) for key, total in zip(keys, sums, strict=True) if total}


@cache  # one statement per catalog (a few in a process's life: tocds admin indicators changes it)
def _verified_statement(keys: tuple[str, ...]) -> Select:
    # An entry with several approved files counts once (EXISTS, not a join).
    approved = exists().where(Evidence.entry_id == EntryCount.entry_id, Evidence.status == "approved")
    return (
        select(EntryCount.village_id, *by_key(keys, EntryCount.indicator_key, EntryCount.count))
        .join(OrgUnit, OrgUnit.id == EntryCount.village_id)
        .where(IN_COMMUNES, EntryCount.day.between(bindparam("first"), bindparam("last")), LIVE, approved)
        .group_by(EntryCount.village_id)
    )


def verified_counts(session: Session, commune_ids: list[int], first: date, last: date) -> dict[int, dict[str, int]]:
    """Village id → indicator key → its counts dated first..last whose entry has approved
    evidence (only non-zero sums)."""
    keys = tuple(i.key for i in indicators(session))
    rows = fetch(session, _verified_statement(keys), communes=commune_ids, first=first, last=last)
    table = {village_id: named_counts(keys, sums) for village_id, *sums in rows}
    return {village_id: counts for village_id, counts in table.items() if counts}


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


# What progress reads, for every village of some communes. Built once: a call only binds
# its values (the communes, the keys, the days).
_TARGETS = (
    select(Target.org_unit_id, Target.indicator_key, Target.baseline, Target.target_percent,
           Target.target_count, Target.start, Target.deadline)
    .join(OrgUnit, OrgUnit.id == Target.org_unit_id)
    .where(or_(OrgUnit.id.in_(bindparam("communes", expanding=True)), IN_COMMUNES))
)


@cache  # one statement per set of denominators
def _villages(denominators: tuple[str, ...]) -> Select:
    """The villages with the figures the catalog's indicators take their percentages of."""
    return (
        select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.name, *(OrgUnit.sizes[name].as_integer() for name in denominators))
        .where(IN_COMMUNES, STANDING)
        .order_by(OrgUnit.id)
    )


@cache  # one statement per catalog (a few in a process's life: tocds admin indicators changes it) and grouping
def _gains(keys: tuple[str, ...], by_commune: bool) -> CompoundSelect:
    """Per village (`by_commune`: per commune), its running totals (without a day) and, taken off
    them, each village's live counts dated after `today` or before `before` (the latest target
    start, at most the day after today: the two ranges never overlap), by day."""

    def outside(span: Callable[[type[EntryCount]], ColumnElement[bool]]) -> Select:
        anywhere = aliased(EntryCount)
        return (
            select(EntryCount.village_id, EntryCount.day, *by_key(keys, EntryCount.indicator_key, -EntryCount.count))
            .join(OrgUnit, OrgUnit.id == EntryCount.village_id)
            # First whether the day index holds any count in the span at all (usually not):
            # the databases test this once, and then skip looking at every village.
            .where(exists().where(span(anywhere)), IN_COMMUNES, STANDING, LIVE, span(EntryCount))
            .group_by(EntryCount.village_id, EntryCount.day)
        )

    unit = OrgUnit.parent_id if by_commune else VillageTotal.village_id
    return union_all(
        select(unit, cast(null(), Date), *by_key(keys, VillageTotal.indicator_key, VillageTotal.total))
        .join(OrgUnit, OrgUnit.id == VillageTotal.village_id)
        .where(IN_COMMUNES, STANDING)
        .group_by(unit),
        outside(lambda counts: counts.day > bindparam("today")),
        outside(lambda counts: counts.day < bindparam("before")),
    )


@dataclass
class _Plan:
    """What progress reads of some communes besides the counts."""

    catalog: list[tuple[str, int | None]]  # each indicator's key and the place of its denominator (None: none)
    targets: dict[int, dict[str, tuple]]  # org unit → indicator key → its target
    villages: list[Village]  # in org-unit order
    sizes: dict[int, list[int | None]]  # village → its denominators
    wholes: dict[int, list[int]]  # commune → its villages' denominators added up, then their number
    bare: dict[int, list[int]]  # commune → per denominator, how many of its villages lack it (or have 0)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.catalog)

    @cached_property  # the gains and `communes_overall` both read it
    def parents(self) -> dict[int, int]:
        return {village.id: village.parent_id for village in self.villages}

    def gains(self, session: Session, communes: list[int], today: date, on: date,
              by_commune: bool) -> dict[int, list[int]]:
        """Village (`by_commune`: commune) id → its gain per indicator (in catalog order): the running
        total less the counts dated after today or before the target's start (each village ×
        indicator by its own start)."""
        parents = self.parents
        gains: dict[int, list[int]] = {}
        starts = [target[3] for of_unit in self.targets.values() for target in of_unit.values()]
        before = min(max(starts, default=date.min), today + timedelta(days=1))
        keys = self.keys
        no_gain = [0] * len(keys)
        for unit_id, day, *amounts in fetch(session, _gains(keys, by_commune), communes=communes, today=today,
                                            before=before, on=on):
            if day is None:  # the running totals themselves
                gains[unit_id] = list(map(add, gains.get(unit_id, no_gain), amounts))
                continue
            village_id, day = unit_id, as_date(day)
            line = gains.setdefault(parents[village_id] if by_commune else village_id, list(no_gain))
            for n, amount in enumerate(amounts):
                if amount and day <= today:  # before the latest start: is it before this pair's?
                    target = self.targets[village_id].get(keys[n]) or self.targets[parents[village_id]].get(keys[n])
                    if target is None or day >= target[3]:
                        continue
                line[n] += amount
        return gains


def _plan(session: Session, communes: list[int], on: date) -> _Plan:
    # The denominators are read once each, whichever indicators share them.
    denominators = tuple(dict.fromkeys(i.denominator for i in indicators(session) if i.denominator))
    catalog = [(i.key, denominators.index(i.denominator) if i.denominator else None) for i in indicators(session)]
    targets: dict[int, dict[str, tuple]] = defaultdict(dict)
    for unit_id, key, *target in fetch(session, _TARGETS, communes=communes):
        targets[unit_id][key] = tuple(target)
    plan = _Plan(catalog, targets, [], {}, {}, {})
    of_commune: dict[int, list[list[int | None]]] = defaultdict(list)
    for village_id, parent_id, name, *values in fetch(session, _villages(denominators), communes=communes, on=on):
        plan.villages.append(Village(village_id, parent_id, name))
        plan.sizes[village_id] = values
        of_commune[parent_id].append(values)
    for commune, rows in of_commune.items():
        columns = list(zip(*rows, strict=True))  # one per denominator (filter(None): leaves out both None and 0)
        plan.wholes[commune] = [sum(filter(None, column)) for column in columns] + [len(rows)]
        plan.bare[commune] = [len(rows) - sum(map(bool, column)) for column in columns]
    return plan


def _line(key: str, target: tuple, gain: int, share: float, figures: int, rest: float | None) -> Progress:
    """The line of villages under one target: a commune's shared out among them (`share`: their
    parts of it added up), or a village's own (`share` 1). The baseline is taken by the share;
    the goal is the percent of the figure of those that have it (`figures`: those figures
    added up) when the target is a percent, and its count by the share of the others (`rest`:
    their parts added up; None when there are no others): none at all without a count."""
    baseline, percent, count, start, deadline = target
    if rest is not None and count is None:
        goal = None
    else:
        goal = (0.0 if percent is None else percent / 100 * figures) + (0.0 if rest is None else count * rest)
    return Progress(key, baseline * share, gain, goal, start, deadline)


def _village_line(key: str, position: int | None, gain: int, sizes: list[int | None], target: tuple | None,
                  commune_target: tuple | None, whole: int) -> Progress:
    """A village's line: its own target, or else its commune's shared out by the village's
    part of the commune's `whole` (its denominator's figure, or one village where the
    indicator has no denominator), or else the counts alone."""
    size = None if position is None else sizes[position]
    if target is not None:
        share = 1.0
    elif commune_target is not None:
        part = 1 if position is None else size or 0
        target, share = commune_target, part / whole if whole else 0.0
    else:
        return Progress(key, 0.0, gain, None, None, None)
    if target[1] is not None and size:  # a percent of the village's own figure
        return _line(key, target, gain, share, size, None)
    return _line(key, target, gain, share, 0, share)


def progress(session: Session, villages: list[OrgUnit], today: date,
             since: date | None = None) -> dict[int, dict[str, Progress]]:
    """Each village's progress per indicator (key → Progress, in catalog order) since its
    target's start, as of today: `communes_progress`, for the villages asked about (among
    their communes' villages standing on `since`; a retired village asked about by name: as
    they stood the day before it retired)."""
    retired = [v.retired_on - timedelta(days=1) for v in villages if v.retired_on is not None]
    _, lines = communes_progress(session, sorted({v.parent_id for v in villages}), today,
                                 min([since or today, *retired]))
    return {village.id: lines[village.id] for village in villages}


def communes_progress(
    session: Session, communes: list[int], today: date, since: date | None = None
) -> tuple[list[Village], dict[int, dict[str, Progress]]]:
    """The villages of some communes (in org-unit order) and each one's progress per
    indicator (key → Progress, in catalog order) since its target's start, as of today.
    The villages are those standing on `since` (a period's first day; default: today): a
    retired village leaves its commune's targets and denominators from its retirement on.

    A village's own target wins; otherwise its commune's applies, with the commune's
    baseline and absolute goal shared out by the village's part of the commune's
    denominator (equally where the indicator has no denominator). Without any
    target the gain is every entry to date.

    The gain is the village's running total less its counts outside the target's span:
    dated after today, or before the start. Usually there are none (the week under way,
    targets that start with the campaign): the database then reads one row per village,
    however long the history.
    """
    on = since or today
    plan = _plan(session, communes, on)
    gains = plan.gains(session, communes, today, on, by_commune=False)
    shared = {commune: [(plan.targets[commune].get(key), whole[-1 if position is None else position])
                        for key, position in plan.catalog]
              for commune, whole in plan.wholes.items()}
    no_gain = [0] * len(plan.catalog)
    result: dict[int, dict[str, Progress]] = {}
    for village in plan.villages:
        sizes, own = plan.sizes[village.id], plan.targets.get(village.id, {})
        result[village.id] = {
            key: _village_line(key, position, gain, sizes, own.get(key), commune_target, whole)
            for (key, position), gain, (commune_target, whole) in zip(
                plan.catalog, gains.get(village.id, no_gain), shared[village.parent_id], strict=True)}
    return plan.villages, result


def communes_overall(
    session: Session, communes: list[int], today: date, since: date | None = None
) -> tuple[list[Village], dict[int, dict[str, Progress]]]:
    """The villages of some communes (in org-unit order) and each commune's progress per
    indicator: what its villages' lines of `communes_progress` add up to (`Progress.total`),
    worked out per commune. A province's summary reads hundreds of communes: the villages
    under the commune's target are taken together (`_line`), and only those with a target
    of their own one by one; the gains are added up by the database."""
    on = since or today
    plan = _plan(session, communes, on)
    gains = plan.gains(session, communes, today, on, by_commune=True)
    parents = plan.parents
    own: dict[tuple[int, str], list[int]] = defaultdict(list)  # (commune, key) → its villages with their own target
    for unit_id, of_unit in plan.targets.items():
        if unit_id in parents:
            for key in of_unit:
                own[parents[unit_id], key].append(unit_id)
    no_gain = [0] * len(plan.catalog)
    result: dict[int, dict[str, Progress]] = {}
    for commune, whole in plan.wholes.items():
        lines = result[commune] = {}
        for (key, position), gain in zip(plan.catalog, gains.get(commune, no_gain), strict=True):
            alone = own.get((commune, key), [])
            parts = [_village_line(key, position, 0, plan.sizes[v], plan.targets[v][key], None, 0) for v in alone]
            if len(alone) < whole[-1]:
                parts.append(_together(key, position, plan.targets[commune].get(key), alone, plan, commune))
            lines[key] = Progress.total(parts)._replace(gain=gain)
    return plan.villages, result


def _together(key: str, position: int | None, target: tuple | None, alone: list[int], plan: _Plan,
              commune: int) -> Progress:
    """The line (without its gain) of a commune's villages under the commune's target: all
    but those with their own (`alone`)."""
    if target is None:
        return Progress(key, 0.0, 0, None, None, None)
    whole = plan.wholes[commune]
    if position is None:  # one part per village
        share = (whole[-1] - len(alone)) / whole[-1]
        return _line(key, target, 0, share, 0, share)
    sizes = [plan.sizes[v][position] for v in alone]
    figures = whole[position] - sum(size or 0 for size in sizes)
    share = figures / whole[position] if whole[position] else 0.0
    if target[1] is None:
        return _line(key, target, 0, share, 0, share)
    # A percent: of each village's figure; those without one have no part (share 0) of the count.
    without = plan.bare[commune][position] - sum(not size for size in sizes)
    return _line(key, target, 0, share, figures, 0.0 if without else None)


def latest_entry_id(session: Session, person_id: int, since: date | None = None) -> int | None:
    """The person's most recent entry that still has a live count (dated `since` or later)."""
    query = select(Entry.id).join(EntryCount, EntryCount.entry_id == Entry.id).where(Entry.person_id == person_id, LIVE)
    if since is not None:
        query = query.where(Entry.day >= since)
    return session.execute(query.order_by(Entry.created_at.desc(), Entry.id.desc()).limit(1)).scalar()


def part_key(message_id: str, part: int) -> str:
    """The message id a message's entry for its `part`th day (0: the first) is stored under:
    `m1`, `m1/2`, `m1/3` — unique per chat, and each found again by its message."""
    return message_id if part == 0 else f"{message_id}/{part + 1}"


def message_entries(session: Session, entry: Entry) -> list[Entry]:
    """The entries the message that stored `entry` stored, a day each (`thứ 3 đi 6 hộ, thứ 5
    đi 8 hộ`), in the message's order: `entry` alone for a message of one day."""
    first, _, part = entry.message_id.rpartition("/")
    first = first if part.isdigit() else entry.message_id
    same_chat = session.execute(select(Entry).where(
        Entry.channel == entry.channel, Entry.chat_id == entry.chat_id, Entry.person_id == entry.person_id,
        Entry.message_id.startswith(first, autoescape=True)).order_by(Entry.id)).scalars().all()
    keys = {part_key(first, n) for n in range(len(same_chat))}
    parts = [e for e in same_chat if e.message_id in keys]
    return parts if entry in parts else [entry]


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
    return [(channel, as_date(day), count) for channel, day, count in rows]
