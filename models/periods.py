"""Reporting periods: ISO weeks, months, quarters, halves and years, as day ranges."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Period:
    label: str  # as the user writes it: 2026-W47, 2026-11, 2026-Q4, 2026-H2, 2026
    first: date
    last: date

    @property
    def kind(self) -> str:
        """week, month, quarter, half or year."""
        return next((kind for pattern, kind in _PATTERNS if pattern.match(self.label)), "year")


def local_date(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_of(day: date) -> Period:
    year, week, _ = day.isocalendar()
    monday = week_start(day)
    return Period(f"{year}-W{week:02d}", monday, monday + timedelta(days=6))


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}  # the months a period of each kind spans
_LABELS = {"week": "{year}-W{number:02d}", "month": "{year}-{number:02d}", "quarter": "{year}-Q{number}",
           "half": "{year}-H{number}", "year": "{year}"}

_PATTERNS = (
    (re.compile(r"^(\d{4})-W(\d{1,2})$", re.I), "week"),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "month"),
    (re.compile(r"^(\d{4})-Q([1-4])$", re.I), "quarter"),
    (re.compile(r"^(\d{4})-H([12])$", re.I), "half"),
    (re.compile(r"^(\d{4})$"), "year"),
)


def parse_period(text: str) -> Period:
    """`2026-W47`, `2026-11`, `2026-Q4`, `2026-H2` or `2026`; ValueError otherwise."""
    text = text.strip()
    try:
        period = _parse(text)
    except ValueError:  # year 0, week 0, week 53 of a 52-week year: answered like any typo
        period = None
    if period is None:
        raise ValueError(f"not a period: {text!r} (use 2026-W47, 2026-11, 2026-Q4, 2026-H2 or 2026)")
    return period


def _parse(text: str) -> Period | None:
    for pattern, kind in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        year = int(match.group(1))
        if kind == "year":
            return Period(text, date(year, 1, 1), date(year, 12, 31))
        number = int(match.group(2))
        if kind == "week":
            monday = date.fromisocalendar(year, number, 1)  # ValueError for week 0, 54, 53 of most years
            return Period(f"{year}-W{number:02d}", monday, monday + timedelta(days=6))
        months = MONTHS[kind]
        first_month = months * (number - 1) + 1
        if not 1 <= first_month <= 12:
            break
        last_month = first_month + months - 1
        return Period(text.upper(), date(year, first_month, 1), _month_end(year, last_month))
    return None


def numbered(kind: str, year: int, number: int = 1) -> Period:
    """The `number`th week, month, quarter or half of `year` (ValueError if there is none:
    week 60, month 13), or the year itself."""
    return parse_period(_LABELS[kind].format(year=year, number=number))


def containing(kind: str, day: date) -> Period:
    """The week, month, quarter, half or year that `day` falls in."""
    if kind == "week":
        return week_of(day)
    return numbered(kind, day.year, (day.month - 1) // MONTHS[kind] + 1)


def kind_of(period: Period) -> str:
    return next(kind for pattern, kind in _PATTERNS if pattern.match(period.label))


def shifted(period: Period, steps: int) -> Period:
    """The period of the same kind `steps` later (earlier when negative): 2026-W48 → 2026-W47 for -1."""
    kind = kind_of(period)
    if kind == "week":
        return week_of(period.first + timedelta(weeks=steps))
    years, month = divmod(period.first.month - 1 + steps * MONTHS[kind], 12)
    return containing(kind, date(period.first.year + years, month + 1, 1))
