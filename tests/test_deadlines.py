"""Reporting deadlines as data: the due-date rules, the commune's CSV and `tocds admin deadlines`."""

from datetime import UTC, date, datetime

import pytest
from processes import Processes
from sqlmodel import select

from tocds.models import ReportDeadline
from tocds.models.deadlines import deadlines_of, import_deadlines
from tocds.models.due_dates import Due, closed_on, due_date, next_due, parse_due, period_due_on, period_kind
from tocds.models.imports import ImportProblem
from tocds.models.periods import local_date, parse_period

# The rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "written", "period", "due"),
    [
        ("month", "10", "2026-11", date(2026, 12, 10)),
        ("month", "10", "2026-12", date(2027, 1, 10)),  # the year turns
        ("month", "31", "2026-03", date(2026, 4, 30)),  # April has 30 days: its last
        ("month", "31", "2027-01", date(2027, 2, 28)),
        ("month", "30", "2028-01", date(2028, 2, 29)),  # a leap year's February
        ("quarter", "15", "2026-Q1", date(2026, 4, 15)),
        ("quarter", "15", "2026-Q4", date(2027, 1, 15)),
        ("half", "06-10", "2026-H1", date(2026, 6, 10)),  # Nghĩa Đàn: by 10/6 …
        ("half", "06-10", "2026-H2", date(2027, 6, 10)),  # the first 10 June after 1 July
        ("half", "10/06", "2026-H1", date(2026, 6, 10)),  # dd/mm, as the plans write it
        ("year", "11-20", "2026", date(2026, 11, 20)),  # … and 20/11 each year
        ("year", "01-01", "2026", date(2027, 1, 1)),  # after the first day, not on it
        ("year", "02-29", "2027", date(2027, 2, 28)),  # a common year ends February on the 28th
        ("year", "02-29", "2028", date(2028, 2, 29)),
    ],
)
def test_a_period_is_due_as_the_plans_write_it(kind, written, period, due):
    assert due_date(parse_due(kind, written), parse_period(period)) == due


@pytest.mark.parametrize(
    ("kind", "written", "says"),
    [
        ("month", "0", "write 1 to 31"),
        ("month", "32", "write 1 to 31"),
        ("month", "mùng 10", "write 1 to 31"),
        ("quarter", "01-15", "write 1 to 31"),
        ("half", "10", "write MM-DD"),
        ("year", "04-31", "no month 4 has a day 31"),
        ("year", "02-30", "no month 2 has a day 30"),
        ("year", "13-01", "no month 13"),
        ("year", "20/11/2026", "write MM-DD"),
    ],
)
def test_a_due_day_that_does_not_exist_is_refused_with_how_to_write_it(kind, written, says):
    with pytest.raises(ValueError, match=says):
        parse_due(kind, written)


@pytest.mark.parametrize(("written", "kind"), [("month", "month"), ("Tháng", "month"), ("quý", "quarter"),
                                               ("6 tháng", "half"), ("NĂM", "year"), ("nam", "year")])
def test_kinds_in_english_or_as_offices_write_them(written, kind):
    assert period_kind(written) == kind


def test_a_week_is_not_reported_to_the_level_above():
    with pytest.raises(ValueError, match="write month, quarter, half or year"):
        period_kind("tuần")


@pytest.mark.parametrize(
    ("kind", "due", "day", "period"),
    [
        ("month", Due(10), date(2026, 12, 10), "2026-11"),
        ("month", Due(10), date(2026, 12, 9), None),
        ("month", Due(31), date(2026, 4, 30), "2026-03"),
        ("month", Due(31), date(2026, 4, 29), None),
        ("quarter", Due(15), date(2027, 1, 15), "2026-Q4"),
        ("quarter", Due(15), date(2026, 12, 15), None),  # December follows no quarter
        ("half", Due(10, 6), date(2027, 6, 10), "2027-H1"),  # 2026-H2's too: the latest period
        ("half", Due(10, 6), date(2026, 6, 10), "2026-H1"),
        ("year", Due(20, 11), date(2026, 11, 20), "2026"),
        ("year", Due(20, 11), date(2026, 11, 21), None),
    ],
)
def test_a_deadline_belongs_to_the_latest_period_due_that_day(kind, due, day, period):
    found = period_due_on(kind, due, day)
    assert (found.label if found else None) == period


def test_the_next_deadline_from_today():
    today = date(2026, 12, 3)
    assert next_due("month", Due(10), today) == (date(2026, 12, 10), parse_period("2026-11"))
    assert next_due("month", Due(3), today) == (today, parse_period("2026-11"))  # today is still to come
    assert next_due("half", Due(10, 6), today) == (date(2027, 6, 10), parse_period("2027-H1"))
    assert next_due("year", Due(20, 11), today) == (date(2027, 11, 20), parse_period("2027"))


@pytest.mark.parametrize(
    ("day", "closed"),
    [
        (date(2026, 12, 1), ["2026-11"]),
        (date(2026, 4, 1), ["2026-03", "2026-Q1"]),
        (date(2026, 7, 1), ["2026-06", "2026-Q2", "2026-H1"]),
        (date(2027, 1, 1), ["2026-12", "2026-Q4", "2026-H2", "2026"]),
        (date(2026, 12, 3), []),
        (date(2026, 11, 30), []),
    ],
)
def test_the_periods_that_close_on_a_day(day, closed):
    assert [p.label for p in closed_on(day)] == closed


# The deadlines' file ------------------------------------------------------------------------


def write(tmp_path, text: str, name="han-bao-cao.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def stored(session, commune):
    return [(d.period_kind, d.due, d.remind_days) for d in deadlines_of(session, commune.unit)]


def test_a_communes_deadlines_are_imported(session, commune, tmp_path):
    path = write(tmp_path, "period_kind,due,remind_days\nTháng,10,\nquý,15,5\n6 tháng,10/06,\nnăm,11-20,7\n")
    import_deadlines(session, commune.unit, path)
    assert stored(session, commune) == [("month", "10", 3), ("quarter", "15", 5), ("half", "10/06", 3),
                                        ("year", "11-20", 7)]
    # The file is the whole calendar: a second one replaces it.
    import_deadlines(session, commune.unit, write(tmp_path, "period_kind;due\nhalf;06-10\n"))
    assert stored(session, commune) == [("half", "06-10", 3)]


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        ("kind,due\nmonth,10\n", "row 1, column period_kind", "missing column"),
        ("period_kind,due\nmonth,10\ntuần,5\n", "row 3, column period_kind", "write month, quarter, half or year"),
        ("period_kind,due\nmonth,32\n", "row 2, column due", "write 1 to 31"),
        ("period_kind,due\nyear,31-11\n", "row 2, column due", "no month 31"),
        ("period_kind,due\nmonth,10\nquarter,15\ntháng,5\n", "row 4, column period_kind",
         "month is already due on row 2"),
        ("period_kind,due,remind_days\nyear,11-20,ba\n", "row 2, column remind_days", "not a whole number"),
        ("period_kind,due,remind_days\nyear,11-20,90\n", "row 2, column remind_days", "write 0 to 60"),
    ],
)
def test_a_bad_file_changes_nothing_and_names_the_row_and_column(session, commune, tmp_path, text, where, says):
    import_deadlines(session, commune.unit, write(tmp_path, "period_kind,due\nmonth,10\n", "truoc.csv"))
    with pytest.raises(ImportProblem) as problem:
        import_deadlines(session, commune.unit, write(tmp_path, text))
    assert where in str(problem.value) and says in str(problem.value)
    session.expire_all()
    assert stored(session, commune) == [("month", "10", 3)]  # as before the bad file


# The operator's commands ------------------------------------------------------------------------


def test_deadlines_from_the_command_line(db_url, session, commune, tmp_path):
    processes = Processes(tmp_path, {"TOCDS_DATABASE_URL": db_url})
    empty = processes.run("admin", "deadlines", "--commune", "Xã Đồng Phú")
    assert empty.returncode == 0 and empty.stdout == "period_kind,due,remind_days,next_due,period\n"
    assert "has no reporting deadlines" in empty.stderr

    good = write(tmp_path, "period_kind,due,remind_days\ntháng,10,\nquý,15,\n6 tháng,06-10,7\nnăm,11-20,\n")
    shown = processes.run("admin", "deadlines", "--commune", "Xã Đồng Phú", str(good))
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == "period_kind,due,remind_days,next_due,period"
    assert [line.split(",")[:3] for line in lines[1:]] == [
        ["month", "10", "3"], ["quarter", "15", "3"], ["half", "06-10", "7"], ["year", "11-20", "3"]]
    today = local_date(datetime.now(UTC), "Asia/Ho_Chi_Minh")
    for line in lines[1:]:  # each with the next day it is due, and the period that day's report is for
        kind, due, _, day, period = line.split(",")
        assert (date.fromisoformat(day), parse_period(period)) == next_due(kind, parse_due(kind, due), today)

    bad = write(tmp_path, "period_kind,due\nmonth,10\nyear,20/13\n", "sai.csv")
    refused = processes.run("admin", "deadlines", "--commune", "Xã Đồng Phú", str(bad))
    assert refused.returncode == 2
    assert "row 3, column due" in refused.stderr and "nothing was imported" in refused.stderr
    assert len(session.exec(select(ReportDeadline)).all()) == 4
