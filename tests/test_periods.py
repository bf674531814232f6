"""Reporting periods: ISO weeks, months, quarters, halves and years as day ranges."""

from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise

import pytest

from tocds.models.periods import Period, containing, local_date, parse_period, shifted, week_of, week_start

ACCEPTED_FORMS = ("2026-W47", "2026-11", "2026-Q4", "2026-H2", "2026")


@pytest.mark.parametrize(
    ("text", "label", "first", "last"),
    [
        # ISO weeks run Monday to Sunday.
        ("2026-W47", "2026-W47", date(2026, 11, 16), date(2026, 11, 22)),
        ("2026-W48", "2026-W48", date(2026, 11, 23), date(2026, 11, 29)),
        # Week 1 is the week with the year's first Thursday: it starts in the year before.
        ("2026-W01", "2026-W01", date(2025, 12, 29), date(2026, 1, 4)),
        ("2026-W1", "2026-W01", date(2025, 12, 29), date(2026, 1, 4)),
        ("2026-w47", "2026-W47", date(2026, 11, 16), date(2026, 11, 22)),
        # A year that starts on a Thursday (2026), or a leap year starting on a Wednesday
        # (2020), has 53 ISO weeks; the 53rd ends in January of the next year.
        ("2026-W53", "2026-W53", date(2026, 12, 28), date(2027, 1, 3)),
        ("2020-W53", "2020-W53", date(2020, 12, 28), date(2021, 1, 3)),
        # Months.
        ("2026-11", "2026-11", date(2026, 11, 1), date(2026, 11, 30)),
        ("2026-12", "2026-12", date(2026, 12, 1), date(2026, 12, 31)),
        ("2026-01", "2026-01", date(2026, 1, 1), date(2026, 1, 31)),
        ("2026-02", "2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("2028-02", "2028-02", date(2028, 2, 1), date(2028, 2, 29)),  # leap year
        ("2100-02", "2100-02", date(2100, 2, 1), date(2100, 2, 28)),  # century, not leap
        # Quarters.
        ("2026-Q1", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q2", "2026-Q2", date(2026, 4, 1), date(2026, 6, 30)),
        ("2026-Q3", "2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-Q4", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-q4", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        # Halves.
        ("2026-H1", "2026-H1", date(2026, 1, 1), date(2026, 6, 30)),
        ("2026-H2", "2026-H2", date(2026, 7, 1), date(2026, 12, 31)),
        # Years.
        ("2026", "2026", date(2026, 1, 1), date(2026, 12, 31)),
        (" 2026-11 ", "2026-11", date(2026, 11, 1), date(2026, 11, 30)),
    ],
)
def test_parse_period(text, label, first, last):
    assert parse_period(text) == Period(label, first, last)


def test_weeks_of_a_year_tile_it_without_gaps():
    # 2026 has 53 ISO weeks: every day from 29/12/2025 to 03/01/2027 is in exactly one.
    weeks = [parse_period(f"2026-W{n:02d}") for n in range(1, 54)]
    assert weeks[0].first == date(2025, 12, 29)
    assert weeks[-1].last == date(2027, 1, 3)
    for before, after in pairwise(weeks):
        assert after.first == before.last + timedelta(days=1)
        assert (before.last - before.first).days == 6
        assert before.first.weekday() == 0


def test_quarters_and_halves_tile_the_year():
    quarters = [parse_period(f"2026-Q{n}") for n in range(1, 5)]
    halves = [parse_period(f"2026-H{n}") for n in (1, 2)]
    year = parse_period("2026")
    for parts in (quarters, halves):
        assert parts[0].first == year.first and parts[-1].last == year.last
        for before, after in pairwise(parts):
            assert after.first == before.last + timedelta(days=1)


@pytest.mark.parametrize(
    "text",
    [
        "2026-13",
        "2026-00",
        "2026-Q5",
        "2026-Q0",
        "2026-H3",
        "2026-W00",
        "2026-W54",
        "2025-W53",  # 2025 has 52 ISO weeks
        "2027-W53",  # so has 2027
        "abc",
        "",
        "   ",
        "26-11",
        "2026/11",
        "11/2026",
        "2026-11-25",
        "2026-W47-1",
        "0000",
        "0000-11",
        "0000-Q1",
    ],
)
def test_malformed_period_lists_the_accepted_forms(text):
    with pytest.raises(ValueError) as raised:
        parse_period(text)
    message = str(raised.value)
    for form in ACCEPTED_FORMS:
        assert form in message, message


@pytest.mark.parametrize(
    ("day", "label", "monday"),
    [
        (date(2026, 11, 25), "2026-W48", date(2026, 11, 23)),  # Wednesday
        (date(2026, 11, 23), "2026-W48", date(2026, 11, 23)),  # Monday
        (date(2026, 11, 29), "2026-W48", date(2026, 11, 23)),  # Sunday
        (date(2026, 11, 30), "2026-W49", date(2026, 11, 30)),  # next Monday
        # The ISO year of a week, not the calendar year of the day, names it.
        (date(2025, 12, 31), "2026-W01", date(2025, 12, 29)),
        (date(2027, 1, 1), "2026-W53", date(2026, 12, 28)),
        (date(2021, 1, 3), "2020-W53", date(2020, 12, 28)),
    ],
)
def test_week_of_and_week_start(day, label, monday):
    assert week_start(day) == monday
    week = week_of(day)
    assert week == Period(label, monday, monday + timedelta(days=6))
    assert week.first <= day <= week.last
    # A week's label parses back to the same week.
    assert parse_period(week.label) == week


def test_local_date_crosses_midnight_in_vietnam():
    zone = "Asia/Ho_Chi_Minh"  # UTC+7 all year
    assert local_date(datetime(2026, 11, 25, 16, 59, tzinfo=UTC), zone) == date(2026, 11, 25)
    assert local_date(datetime(2026, 11, 25, 17, 0, tzinfo=UTC), zone) == date(2026, 11, 26)
    # 23:30 UTC is already 06:30 the next morning there.
    assert local_date(datetime(2026, 11, 25, 23, 30, tzinfo=UTC), zone) == date(2026, 11, 26)
    assert local_date(datetime(2026, 11, 25, 23, 30, tzinfo=UTC), "UTC") == date(2026, 11, 25)
    # Sunday 23:30 UTC is Monday in Vietnam: a new ISO week there.
    sunday_night = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    assert week_of(local_date(sunday_night, zone)).label == "2026-W49"
    # The moment's own offset does not matter, only the instant.
    same_instant = datetime(2026, 11, 26, 6, 30, tzinfo=timezone(timedelta(hours=7)))
    assert local_date(same_instant, zone) == date(2026, 11, 26)
    assert local_date(same_instant, "UTC") == date(2026, 11, 25)


@pytest.mark.parametrize(("kind", "this", "before", "after"), [
    ("week", "2026-W01", "2025-W52", "2026-W02"),  # 1 January 2026 is in the first ISO week of 2026
    ("month", "2026-01", "2025-12", "2026-02"),
    ("quarter", "2026-Q1", "2025-Q4", "2026-Q2"),
    ("half", "2026-H1", "2025-H2", "2026-H2"),
    ("year", "2026", "2025", "2027"),
])
def test_the_period_containing_a_day_and_its_neighbours(kind, this, before, after):
    period = containing(kind, date(2026, 1, 1))
    assert period.label == this
    assert (shifted(period, -1).label, shifted(period, 1).label) == (before, after)
    assert shifted(shifted(period, -5), 5) == period
    assert shifted(period, -1).last + timedelta(days=1) == period.first  # no gap, no overlap
