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
        first_month, months = {
            "month": (number, 1),
            "quarter": (3 * number - 2, 3),
            "half": (6 * number - 5, 6),
        }[kind]
        if not 1 <= first_month <= 12:
            break
        last_month = first_month + months - 1
        return Period(text.upper(), date(year, first_month, 1), _month_end(year, last_month))
    return None
