"""The weekly summary of a commune: what each village reported, and where it stands.

Everything is counted by the database with the aggregates of `queries`: one call costs a
fixed number of statements (five, one more when a commune requires evidence, and the
indicator catalog once per session), whatever the number of communes, villages or entries;
progress comes from the running totals (`totals`), not from the whole history.
Python only arranges the aggregated rows: one per village, and one per village × ISO week
× person who reported in the period.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, cached_property
from operator import add
from typing import NamedTuple

from sqlalchemy import Date, Select, bindparam, select
from sqlmodel import Session

from .entries import EntryCount, NothingToReport
from .indicators import Indicator
from .orgunits import OrgUnit, Village, children
from .people import Person
from .periods import Period, week_of
from .progress import Progress, Status
from .queries import (
    IN_COMMUNES,
    LIVE,
    as_date,
    by_key,
    communes_overall,
    communes_progress,
    fetch,
    indicators,
    named_counts,
    shown,
    verified_counts,
    week_start,
)

TOP_VILLAGES = 3


class Standing(NamedTuple):
    """Where a village stands on its targets, whatever each one counts (households, people)."""

    on_track: int  # targets green
    targets: int  # indicators with a target
    reached: float  # the average share of the target reached

    @property
    def share_on_track(self) -> float:
        return self.on_track / self.targets


@dataclass(frozen=True, slots=True)  # a province's workbook holds every commune's villages: thousands
class VillageWeek:
    """One village in the summary."""

    village: Village
    week: dict[str, int]  # indicator key -> count in the period (only non-zero keys)
    progress: dict[str, Progress]  # indicator key -> Progress as of the summary's as_of
    reported: bool  # entries in the period, or an explicit "nothing this week"
    reporters: list[tuple[str, dict[str, int]]]  # (person name, their counts in the period)
    # Monday of an ISO week of the period → "entries" or "nothing" (absent: not reported that week)
    calendar: dict[date, str]
    # The period's counts whose entry has approved evidence (only non-zero keys);
    # None when the commune does not require evidence.
    verified: dict[str, int] | None = None

    def status(self, key: str, today: date) -> Status | None:
        line = self.progress.get(key)
        return line.status(today) if line is not None else None


@dataclass(frozen=True)
class WeeklySummary:
    commune: OrgUnit
    period: Period
    today: date  # the day it is read for in the commune: a past period's, or the one under way
    villages: list[VillageWeek]  # in org-unit id order
    indicators: list[Indicator]  # those the commune tracks, in its order; then others counted in the period

    @property
    def as_of(self) -> date:
        """The day progress is computed for: the period's last day, or today if earlier."""
        return min(self.period.last, self.today)

    @property
    def totals(self) -> dict[str, int]:
        """The commune's counts in the period per indicator (only non-zero keys, in the commune's order)."""
        return self._added_up(v.week for v in self.villages)

    @property
    def verified_totals(self) -> dict[str, int] | None:
        """`totals` counting only entries with approved evidence; None when the commune does not require it."""
        if not self.commune.requires_evidence:
            return None
        return self._added_up(v.verified or {} for v in self.villages)

    def _added_up(self, rows: Iterable[dict[str, int]]) -> dict[str, int]:
        return _added_up(self.indicators, rows)

    @property
    def weeks(self) -> list[Period]:
        """The ISO weeks overlapping the period, in order (whole weeks, as `week_of` gives them)."""
        weeks = [week_of(self.period.first)]
        while weeks[-1].last < self.period.last:
            weeks.append(week_of(weeks[-1].last + timedelta(days=1)))
        return weeks

    @cached_property  # read for each indicator's line, chart and trend
    def progress(self) -> dict[str, Progress]:
        """The commune's progress per indicator: the villages' lines added up (`Progress.total`;
        a province's: its communes' that track the indicator).

        As `Progress.total` has it, the sum has a target only when every village has
        one (a village without a denominator leaves the commune line as counts only).
        """
        lines: dict[str, list[Progress]] = {indicator.key: [] for indicator in self.indicators}
        for village in self.villages:
            for key, line in village.progress.items():
                if key in lines:
                    lines[key].append(line)
        return {key: Progress.total(of_key) for key, of_key in lines.items() if of_key}

    @cached_property
    def _colours(self) -> dict[int, dict[str, Status | None]]:
        """Each row's status per indicator it has a line for, worked out once: the counts, the
        ranking, the marks and the red list of a summary all read them."""
        return {v.village.id: {key: line.status(self.as_of) for key, line in v.progress.items()} for v in self.villages}

    def status(self, village: VillageWeek, key: str) -> Status | None:
        return self._colours[village.village.id].get(key)

    def statuses(self, village: VillageWeek) -> dict[str, Status | None]:
        colours = self._colours[village.village.id]
        return {i.key: colours.get(i.key) for i in self.indicators}

    @property
    def status_counts(self) -> dict[Status, int]:
        """How many village × indicator pairs are green, yellow and red (pairs without a target left out)."""
        counts = dict.fromkeys(Status, 0)
        for village in self.villages:
            for status in self.statuses(village).values():
                if status is not None:
                    counts[status] += 1
        return counts

    @property
    def has_targets(self) -> bool:
        """Whether any village × indicator has a usable target (and so a percentage)."""
        return any(p.target is not None for v in self.villages for p in v.progress.values())

    @property
    def missing(self) -> list[Village]:
        """Villages with neither an entry in the period nor a "nothing this week"."""
        return [v.village for v in self.villages if not v.reported]

    def standing(self, village: VillageWeek) -> Standing | None:
        """The village's targets on track and its average share reached; None without a target."""
        lines = [line for line in village.progress.values() if line.ratio is not None]
        if not lines:
            return None
        colours = self._colours[village.village.id]
        on_track = sum(1 for line in lines if colours[line.indicator_key] == Status.GREEN)
        return Standing(on_track, len(lines), sum(line.ratio for line in lines) / len(lines))

    def ranked(self) -> list[tuple[VillageWeek, Standing | None]]:
        """Every village with its standing, best first: the largest share of their targets on
        track first, then the largest average share of the target reached, then org-unit
        order; counts of different indicators (households, people) are never added up.
        Villages without a target come last, in org-unit order."""
        return sorted(((v, self.standing(v)) for v in self.villages), key=lambda pair: (
            pair[1] is None, -pair[1].share_on_track if pair[1] else 0, -pair[1].reached if pair[1] else 0,
            pair[0].village.id))

    def top(self, n: int = TOP_VILLAGES) -> list[tuple[VillageWeek, Standing]]:
        """The leading villages with their standing, by the rule of `ranked`: only villages with
        a target on track lead (none, when every line is behind)."""
        return [(v, s) for v, s in self.ranked() if s is not None and s.on_track][:n]

    def worst(self, village: VillageWeek) -> Status | None:
        """The village's worst colour over its indicators (None: no colour at all)."""
        found = {status for status in self.statuses(village).values() if status is not None}
        return next((status for status in (Status.RED, Status.YELLOW, Status.GREEN) if status in found), None)


def _added_up(shown: list[Indicator], rows: Iterable[dict[str, int]]) -> dict[str, int]:
    """Counts added up per indicator shown, in their order (only non-zero keys). Each row holds
    only its non-zero keys: one pass over them, not one over the rows per indicator (a province
    adds up thousands)."""
    sums = {indicator.key: 0 for indicator in shown}
    for counts in rows:
        for key, count in counts.items():
            if key in sums:
                sums[key] += count
    return {key: total for key, total in sums.items() if total}


def weekly_summary(session: Session, commune: OrgUnit, period: Period, as_of: date, *,
                   reporters: bool = True) -> WeeklySummary:
    """The commune's summary for a period (an ISO week, usually).

    `as_of` is today in the commune; progress and statuses are computed for
    `min(period.last, as_of)`. For a period longer than a week a village counts as
    having reported when it has an entry in the period or a "nothing this week" for any
    week overlapping it. Counts with approved evidence are added only for a commune that
    requires evidence. Without `reporters`, no village lists who reported.
    """
    return weekly_summaries(session, [commune], period, as_of, reporters=reporters)[0]


_NOTHING = (
    select(NothingToReport.village_id, NothingToReport.week_start)
    .join(OrgUnit, OrgUnit.id == NothingToReport.village_id)
    .where(IN_COMMUNES, NothingToReport.week_start.between(bindparam("monday"), bindparam("last")))
)


@cache  # one statement per catalog (a few in a process's life: tocds admin indicators changes it) and kind of read
def _period_statement(keys: tuple[str, ...], one_week: bool, people: bool) -> Select:
    """The period's live counts per village, ISO week and (with `people`) person, a column per
    indicator: the village's counts, who reported what, and which weeks it reported, in one
    read. For a single week its Monday is given, rather than worked out for every count. The
    counts are added up before the people's names are joined: the database then groups
    narrow rows by hashing them instead of sorting every count with a name beside it."""
    monday = bindparam("monday", type_=Date) if one_week else week_start(EntryCount.day)
    person = [EntryCount.person_id] if people else []
    counts = (
        select(EntryCount.village_id, monday.label("monday"), *person,
               *(total.label(f"count_{n}") for n, total in enumerate(by_key(keys, EntryCount.indicator_key,
                                                                           EntryCount.count))))
        .join(OrgUnit, OrgUnit.id == EntryCount.village_id)
        .where(IN_COMMUNES, EntryCount.day.between(bindparam("first"), bindparam("last")), LIVE)
        .group_by(EntryCount.village_id, *([] if one_week else [monday]), *person)
    )
    if not people:
        return counts
    counts = counts.subquery()
    return (
        select(counts.c.village_id, counts.c.monday, counts.c.person_id, Person.name,
               *(counts.c[f"count_{n}"] for n in range(len(keys))))
        .join(Person, Person.id == counts.c.person_id)
        .order_by(counts.c.village_id, Person.name, counts.c.person_id)
    )


@dataclass
class _PeriodRead:
    """What `_period_statement` and "nothing this week" say of each village."""

    week: dict[int, dict[str, int]]
    reporters: dict[int, list[tuple[str, dict[str, int]]]]
    calendar: dict[int, dict[date, str]]


def _read_period(session: Session, commune_ids: list[int], period: Period, keys: tuple[str, ...],
                 people: bool) -> _PeriodRead:
    """People (when asked for) are listed by name; a person whose counts all add up to 0 still
    appears (with no counts), taken-back counts do not. A week with entries is "entries", one
    with only a "nothing this week" (for a week overlapping the period) is "nothing"."""
    sums: dict[int, list[int]] = {}
    by_person: dict[int, dict[int, tuple[str, list[int]]]] = defaultdict(dict)
    calendar: dict[int, dict[date, str]] = defaultdict(dict)
    week = week_of(period.first)
    one_week = (week.first, week.last) == (period.first, period.last)
    nothing = [0] * len(keys)
    for village_id, monday, *row in fetch(session, _period_statement(keys, one_week, people), communes=commune_ids,
                                          first=period.first, last=period.last, monday=week.first):
        calendar[village_id][as_date(monday)] = "entries"
        if people:
            person_id, name, *counts = row
            _, earlier = by_person[village_id].get(person_id, (name, nothing))
            by_person[village_id][person_id] = (name, list(map(add, earlier, counts)))
        else:
            counts = row
        sums[village_id] = list(map(add, sums.get(village_id, nothing), counts))
    for village_id, monday in fetch(session, _NOTHING, communes=commune_ids, last=period.last, monday=week.first):
        calendar[village_id].setdefault(as_date(monday), "nothing")

    return _PeriodRead(
        {village_id: named_counts(keys, counts) for village_id, counts in sums.items()},
        {village_id: [(name, named_counts(keys, counts)) for name, counts in of_village.values()]
         for village_id, of_village in by_person.items()},
        dict(calendar),
    )


def _verified(session: Session, communes: list[OrgUnit], period: Period) -> dict[int, dict[str, int]]:
    """Village id → its counts in the period with approved evidence, for the villages of the
    communes that require evidence (the others: none)."""
    with_evidence = sorted(c.id for c in communes if c.requires_evidence)
    return verified_counts(session, with_evidence, period.first, period.last) if with_evidence else {}


def weekly_summaries(session: Session, communes: list[OrgUnit], period: Period, as_of: date, *,
                     reporters: bool = True) -> list[WeeklySummary]:
    """`weekly_summary` of each commune, in the same statements for all of them.
    Without `reporters` no village lists who reported (a province's communes name nobody):
    the counts are read per village, not per person."""
    day = min(period.last, as_of)
    ids = [c.id for c in communes]
    keys = tuple(i.key for i in indicators(session))
    read = _read_period(session, ids, period, keys, reporters)
    villages, lines = communes_progress(session, ids, day, period.first)
    verified = _verified(session, communes, period)
    with_evidence = {c.id for c in communes if c.requires_evidence}

    by_commune: dict[int, list[VillageWeek]] = {c.id: [] for c in communes}
    counted: dict[int, set[str]] = {c.id: set() for c in communes}  # the keys counted in each commune
    for village in villages:
        counted[village.parent_id].update(read.week.get(village.id, ()))
        by_commune[village.parent_id].append(VillageWeek(
            village=village,
            week=read.week.get(village.id, {}),
            progress=lines[village.id],
            reported=village.id in read.calendar,
            reporters=read.reporters.get(village.id, []),
            calendar=read.calendar.get(village.id, {}),
            verified=verified.get(village.id, {}) if village.parent_id in with_evidence else None,
        ))
    # What a commune tracks, then anything else counted in it in the period (an indicator retired
    # or dropped from its list since): a past period's figures are never left out.
    return [WeeklySummary(c, period, as_of, by_commune[c.id], shown(session, c.id, counted[c.id])) for c in communes]


class CommuneReporting(NamedTuple):
    """How many of a commune's villages have not reported in a period, of how many."""

    commune: OrgUnit
    missing: int
    villages: int


@dataclass(frozen=True)
class ProvinceSummary:
    """A province's summary: `overview`, the province as a summary whose rows are its communes
    (their totals, their progress on the indicators each tracks, and "reported" when every
    village did) — what rankings, charts and sheets of communes read; how many villages of
    each commune reported; and, when asked for, each commune's own summary (a workbook's sheets)."""

    overview: WeeklySummary
    reporting: list[CommuneReporting]  # in org-unit order
    communes: list[WeeklySummary] | None = None  # in org-unit order; None unless asked for

    @property
    def province(self) -> OrgUnit:
        return self.overview.commune

    @property
    def incomplete(self) -> list[CommuneReporting]:
        """The communes with a village that has not reported."""
        return [commune for commune in self.reporting if commune.missing]


def province_summary(session: Session, province: OrgUnit, period: Period, as_of: date, *,
                     villages: bool = False) -> ProvinceSummary:
    """The province over its communes, each one's row added up per commune by the database and
    `communes_overall`, not through each village × indicator (a province has thousands): the
    same figures as each commune's own summary (its `totals`, `progress`, `missing`, `verified_totals`).
    Its indicators are those its communes show, in catalog order; a commune that does not track
    one has no line for it. With `villages`, each commune's own summary as well (`weekly_summaries`)."""
    communes = children(session, province)
    day = min(period.last, as_of)
    ids = [c.id for c in communes]
    keys = tuple(i.key for i in indicators(session))
    read = _read_period(session, ids, period, keys, people=False)
    all_villages, lines = communes_overall(session, ids, day, period.first)
    verified = _verified(session, communes, period)

    of_commune: dict[int, list[int]] = {c.id: [] for c in communes}
    for village in all_villages:
        of_commune[village.parent_id].append(village.id)
    rows, reporting, shown_keys = [], [], set()
    for commune in communes:
        its = of_commune[commune.id]
        weeks = [read.week[v] for v in its if v in read.week]
        own = shown(session, commune.id, {key for week in weeks for key in week})
        shown_keys.update(i.key for i in own)
        overall = lines.get(commune.id, {})
        missing = sum(v not in read.calendar for v in its)
        rows.append(VillageWeek(
            village=Village(commune.id, province.id, commune.name),
            week=_added_up(own, weeks),
            progress={i.key: overall[i.key] for i in own if i.key in overall},
            reported=bool(its) and not missing, reporters=[], calendar={},
            verified=_added_up(own, (verified[v] for v in its if v in verified)) if commune.requires_evidence else None,
        ))
        reporting.append(CommuneReporting(commune, missing, len(its)))
    union = [i for i in indicators(session) if i.key in shown_keys]
    return ProvinceSummary(WeeklySummary(province, period, as_of, rows, union), reporting,
                           weekly_summaries(session, communes, period, as_of, reporters=False) if villages else None)
