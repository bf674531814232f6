"""The reporting calendar's rules (pure): when a period's report to the level above is due,
which period a deadline on a given day belongs to, and which periods close on a day.

A due date is written as the plans write it:

- `month,10`, `quarter,15`: a day of the month after the period (the 10th of December for
  November; the 15th of January for the fourth quarter). A day the month lacks means its
  last day: `month,31` is due 30 April for March, 28 (or 29) February for January.
- `half,06-10`, `year,11-20`: a day of the year (`MM-DD`, or `dd/mm` as offices write it),
  the first such day after the period's first day: H1 2026 → 10/06/2026, H2 2026 →
  10/06/2027, 2026 → 20/11/2026 (a report on the period so far may be due before it ends).
  A day no year has (`04-31`, `02-30`) is refused; `02-29` is the 28th in a common year.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from .periods import Period, containing, shifted
from .text import fold

KINDS = ("month", "quarter", "half", "year")  # the periods reported to the level above
# What offices write for the kinds, accents and case aside.
KIND_WORDS = {"thang": "month", "quy": "quarter", "6 thang": "half", "sau thang": "half", "nua nam": "half",
              "nam": "year"}
_DAY = re.compile(r"\d{1,2}")
_MONTH_DAY = re.compile(r"(?P<month>\d{1,2})-(?P<day>\d{1,2})")
_DAY_MONTH = re.compile(r"(?P<day>\d{1,2})/(?P<month>\d{1,2})")
LEAP_YEAR = 2024  # where 29 February exists, for checking a day of the year


@dataclass(frozen=True)
class Due:
    """When a kind of period is due: `day` of the month after it (`month` None), or a day of the year."""

    day: int
    month: int | None = None


def period_kind(text: str) -> str:
    """`month`, `quarter`, `half` or `year` (or the Vietnamese word); ValueError otherwise."""
    word = fold(text)
    kind = word if word in KINDS else KIND_WORDS.get(word)
    if kind is None:
        raise ValueError(f"{text.strip()!r} is not a kind of period; write month, quarter, half or year")
    return kind


def parse_due(kind: str, text: str) -> Due:
    """The due date of `kind` as written; ValueError saying how to write it."""
    text = text.strip()
    if kind in ("month", "quarter"):
        if not _DAY.fullmatch(text) or not 1 <= int(text) <= 31:
            raise ValueError(f"{text!r} is not a day of the month: write 1 to 31 (10: the 10th of the month "
                             f"after the {kind})")
        return Due(int(text))
    match = _MONTH_DAY.fullmatch(text) or _DAY_MONTH.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a day of the year: write MM-DD (06-10 for 10 June) or dd/mm (10/06)")
    month, day = int(match["month"]), int(match["day"])
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(LEAP_YEAR, month)[1]:
        raise ValueError(f"{text!r} is not a day of the year: no month {month} has a day {day} "
                         "(write MM-DD, 06-10 for 10 June, or dd/mm, 10/06)")
    return Due(day, month)


def _day_in(year: int, month: int, day: int) -> date:
    """That day, or the month's last day when the month is shorter."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def due_date(due: Due, period: Period) -> date:
    """The day `period`'s report is due."""
    if due.month is None:
        after = period.last + timedelta(days=1)
        return _day_in(after.year, after.month, due.day)
    day = _day_in(period.first.year, due.month, due.day)
    return day if day > period.first else _day_in(period.first.year + 1, due.month, due.day)


def _recent(kind: str, day: date) -> list[Period]:
    """The periods of `kind` that may be due around `day`, latest first: every due date
    falls within a year and two months of its period's first day."""
    periods, period = [], containing(kind, day + timedelta(days=62))
    while period.last >= day - timedelta(days=430):
        periods.append(period)
        period = shifted(period, -1)
    return periods


def period_due_on(kind: str, due: Due, day: date) -> Period | None:
    """The latest period of `kind` whose report is due on `day`; None when none is."""
    return next((p for p in _recent(kind, day) if due_date(due, p) == day), None)


def next_due(kind: str, due: Due, today: date) -> tuple[date, Period]:
    """The first due date from `today` on, with the (latest) period it belongs to."""
    day = min(d for d in (due_date(due, p) for p in _recent(kind, today)) if d >= today)
    return day, period_due_on(kind, due, day)


def closed_on(day: date) -> list[Period]:
    """The months, quarters, halves and years whose last day was the day before `day`
    (on 1 January all four), shortest first."""
    yesterday = day - timedelta(days=1)
    return [period for period in (containing(kind, yesterday) for kind in KINDS) if period.last == yesterday]
