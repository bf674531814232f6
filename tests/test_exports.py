"""Exports of any period: the workbook (the weekly summary's, over weeks, months, quarters,
halves and years), its reporting calendar and per-village sheets, the counts with approved
evidence, `/xuat` in the chat and `tocds export --format xlsx`, checked against the entries."""

import csv
import io
import itertools
import math
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from processes import Processes
from sqlmodel import select

from helpers import NOW, TODAY, Chatter, add_target, live_counts, make_commune, make_province
from tocds.figures.text import summary_text
from tocds.figures.workbook import CALENDAR_FILLS, HEADER_ROW, STATUS_FILLS, summary_workbook
from tocds.handlers.export import export_file
from tocds.locales import translator
from tocds.models import Entry, EntryCount, Evidence, NothingToReport, Person, Role
from tocds.models.exports import CSV_HEADER, write_csv
from tocds.models.periods import Period, parse_period, week_of
from tocds.models.progress import Status, whole_numbers
from tocds.models.queries import verified_counts
from tocds.models.summary import weekly_summary
from tocds.models.types import utcnow

VI, EN = translator("vi"), translator("en")
KEYS = ("ho", "vneid", "bdhvs", "cks", "tt", "ssk", "dvc")  # the catalog's order
TAN_HOA, PHU_LOI = "Thôn Tân Hòa", "Thôn Phú Lợi"
FIXED_SHEETS = 5  # the period, progress, who reported what, the reporting calendar, KPI
CALENDAR_SHEET = 3
SHORTS = ["Households", "VNeID", "Digital literacy", "Digital signature", "E-payment", "E-health book",
          "Public services"]  # the catalog's English labels, in its order
messages = itertools.count(1)


def add_entry(session, village, day: date, counts: dict[str, int], *, deleted=False, evidence=()) -> Entry:
    """An entry written straight to the tables (any day, unlike a chat report), with its
    counts and evidence files in the given statuses."""
    person = session.exec(select(Person).where(Person.name == "Người nhập")).first() or Person(name="Người nhập")
    session.add(person)
    session.flush()
    entry = Entry(person_id=person.id, village_id=village.id, day=day, channel="console",
                  chat_id="nhap", message_id=str(next(messages)))
    session.add(entry)
    session.flush()
    for key, count in counts.items():
        session.add(EntryCount(entry_id=entry.id, village_id=village.id, day=day, person_id=entry.person_id,
                               indicator_key=key, count=count,
                               deleted_at=utcnow() if deleted else None))
    for status in evidence:
        session.add(Evidence(entry_id=entry.id, person_id=person.id, channel="console", chat_id="nhap",
                             message_id=f"photo-{next(messages)}", kind="photo", file_ref="f", status=status))
    session.commit()
    return entry


# (village, day, indicator, count): live counts across 2026, and one taken back.
FACTS = [
    (TAN_HOA, date(2026, 1, 15), "vneid", 40),   # Q1, H1
    (PHU_LOI, date(2026, 6, 30), "ho", 7),       # Q2, H1 (a Tuesday: week 27 is in July too)
    (TAN_HOA, date(2026, 7, 1), "ho", 11),       # Q3, H2, the same week 2026-W27
    (TAN_HOA, date(2026, 10, 31), "bdhvs", 5),   # October: 2026-W44 runs 26/10–01/11
    (PHU_LOI, date(2026, 11, 1), "vneid", 3),    # November, the same week
    (TAN_HOA, date(2026, 11, 16), "vneid", 9),   # 2026-W47
    (TAN_HOA, date(2026, 11, 23), "vneid", 4),   # 2026-W48, this week
    (PHU_LOI, date(2026, 11, 25), "ssk", 6),     # 2026-W48, today
]
TAKEN_BACK = (TAN_HOA, date(2026, 11, 24), "vneid", 100)
PERIODS = ("2026-W27", "2026-W44", "2026-W48", "2026-10", "2026-11", "2026-Q2", "2026-Q4", "2026-H1", "2026-H2",
           "2026")


@pytest.fixture
def year(session, commune):
    for village, day, key, count in FACTS:
        add_entry(session, commune.villages[village], day, {key: count})
    village, day, key, count = TAKEN_BACK
    add_entry(session, commune.villages[village], day, {key: count}, deleted=True)
    return commune


def expected(period: Period, facts=FACTS) -> dict[str, dict[str, int]]:
    """The tests' own reckoning: each village's counts dated in the period, every indicator."""
    table = {village: dict.fromkeys(KEYS, 0) for village in (TAN_HOA, PHU_LOI)}
    for village, day, key, count in facts:
        if period.first <= day <= period.last:
            table[village][key] += count
    return table


def read_back(data: bytes):
    from openpyxl import load_workbook

    assert data.startswith(b"PK")
    return load_workbook(io.BytesIO(data))


def rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))


def header(sheet) -> list:
    names = [cell.value for cell in sheet[HEADER_ROW]]
    while names and names[-1] is None:  # a sheet is as wide as its widest row (the dates' row)
        names.pop()
    return names


def workbook(session, commune, label: str, as_of: date = TODAY, t=EN):
    return read_back(summary_workbook(weekly_summary(session, commune.unit, parse_period(label), as_of), t))


# Every kind of period -------------------------------------------------------------------


@pytest.mark.parametrize("label", PERIODS)
def test_every_period_counts_the_entries_dated_in_it(session, year, label):
    period = parse_period(label)
    want = expected(period)
    book = read_back(export_file(session, year.unit, period, TODAY, EN, "xlsx").content)
    assert len(book.worksheets) == FIXED_SHEETS + 2
    for sheet in book.worksheets:  # the period's first and last day, as dates, everywhere
        assert sheet["A1"].value == "Xã Đồng Phú"
        assert (sheet["B2"].value.date(), sheet["D2"].value.date()) == (period.first, period.last)

    # The period's sheet: villages × indicators, then the totals row.
    counts = book.worksheets[0]
    assert counts.title == ("Week" if "W" in label else "Period")
    assert header(counts) == ["Village", *SHORTS, "Reported"]
    table = rows(counts)
    assert [row[0] for row in table] == [TAN_HOA, PHU_LOI, "Total"]
    for row in table[:2]:
        assert list(row[1:8]) == [want[row[0]][key] for key in KEYS], (label, row[0])
    assert list(table[2][1:8]) == [want[TAN_HOA][key] + want[PHU_LOI][key] for key in KEYS]

    # Each village's sheet: its indicators, the count in the period in column B.
    for name in (TAN_HOA, PHU_LOI):
        sheet = book[name]
        assert header(sheet)[:2] == ["Indicator", "In the period"]
        assert [row[1] for row in rows(sheet)] == [want[name][key] for key in KEYS]

    # The CSV: the contract's four columns, the same numbers.
    buffer = io.StringIO()
    write_csv(session, year.unit, period, buffer)
    lines = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert tuple(lines[0]) == CSV_HEADER
    assert lines[1:] == [["Xã Đồng Phú", village, key, str(want[village][key])]
                         for village in (TAN_HOA, PHU_LOI) for key in KEYS]


def test_the_taken_back_count_is_in_no_period(session, year):
    table = rows(workbook(session, year, "2026").worksheets[0])
    assert table[0][2] == 40 + 9 + 4  # Tân Hòa's VNeID in 2026, without the taken-back 100


def test_a_week_across_the_new_year_counts_each_day_in_its_own_month_and_year(session, commune):
    # ISO: 31/12/2026 (a Thursday) and 01/01/2027 (a Friday) are both in 2026-W53, 28/12–03/01.
    assert date(2026, 12, 31).isocalendar()[:2] == (2026, 53)
    assert date(2027, 1, 1).isocalendar()[:2] == (2026, 53)
    facts = [(TAN_HOA, date(2026, 12, 31), "vneid", 5), (PHU_LOI, date(2027, 1, 1), "vneid", 8),
             (TAN_HOA, date(2027, 1, 3), "ho", 2)]
    for village, day, key, count in facts:
        add_entry(session, commune.villages[village], day, {key: count})
    as_of = date(2027, 1, 20)
    w53 = parse_period("2026-W53")
    assert (w53.first, w53.last) == (date(2026, 12, 28), date(2027, 1, 3))
    vneid = {  # the period → (Tân Hòa's VNeID, Phú Lợi's VNeID)
        "2026-W53": (5, 8), "2026-12": (5, 0), "2026-Q4": (5, 0), "2026-H2": (5, 0), "2026": (5, 0),
        "2027-W01": (0, 0), "2027-01": (0, 8), "2027-Q1": (0, 8), "2027-H1": (0, 8), "2027": (0, 8),
    }
    for label, (tan_hoa, phu_loi) in vneid.items():
        period = parse_period(label)
        table = rows(workbook(session, commune, label, as_of).worksheets[0])
        assert (table[0][2], table[1][2]) == (tan_hoa, phu_loi), label
        assert [table[0][2], table[1][2]] == [expected(period, facts)[v]["vneid"] for v in (TAN_HOA, PHU_LOI)]
    week = workbook(session, commune, "2026-W53", as_of)
    assert rows(week.worksheets[0])[-1][1:3] == (2, 13)  # totals: Hộ 2, VNeID 13
    assert (week.worksheets[0]["B2"].value.date(), week.worksheets[0]["D2"].value.date()) == (w53.first, w53.last)


# The reporting calendar ------------------------------------------------------------------


@pytest.fixture
def november(session, commune):
    """Tân Hòa: a report in 2026-W45 and W48, "nothing this week" in W46, silent in W47;
    Phú Lợi: a report dated 31/10 only (W44, but October). Today is in W48."""
    tan_hoa, phu_loi = commune.villages[TAN_HOA], commune.villages[PHU_LOI]
    add_entry(session, tan_hoa, date(2026, 11, 3), {"vneid": 2})
    add_entry(session, tan_hoa, date(2026, 11, 24), {"ho": 1})
    person = session.exec(select(Person)).first()
    session.add(NothingToReport(village_id=tan_hoa.id, week_start=date(2026, 11, 9), person_id=person.id))
    session.commit()
    add_entry(session, phu_loi, date(2026, 10, 31), {"vneid": 4})
    return commune


def test_the_calendar_has_a_column_per_iso_week_of_the_month(session, november):
    sheet = workbook(session, november, "2026-11")["Reporting calendar"]
    assert (sheet["B3"].value.date()) == TODAY  # weeks after it are left empty
    # November 2026 meets six ISO weeks; the edge weeks show only their days in November.
    assert header(sheet) == ["Village", "1 Nov 2026", "2 Nov–8 Nov 2026", "9 Nov–15 Nov 2026",
                             "16 Nov–22 Nov 2026", "23 Nov–29 Nov 2026", "30 Nov 2026", "Weeks reported"]
    tan_hoa, phu_loi = rows(sheet)
    assert tan_hoa == (TAN_HOA, "not reported", "reported", "nothing to report", "not reported", "reported", None, 3)
    # Phú Lợi's 31/10 report is October's: in November's calendar its W44 is not reported.
    assert phu_loi == (PHU_LOI, "not reported", "not reported", "not reported", "not reported", "not reported",
                       None, 0)
    fills = [cell.fill.fgColor.rgb[-6:] for cell in sheet[HEADER_ROW + 1][1:6]]
    assert fills == [CALENDAR_FILLS[None], CALENDAR_FILLS["entries"], CALENDAR_FILLS["nothing"],
                     CALENDAR_FILLS[None], CALENDAR_FILLS["entries"]]
    october = rows(workbook(session, november, "2026-10")["Reporting calendar"])
    assert october[1][-2:] == ("reported", 1)  # ... and in October's, 2026-W44 is


def test_a_weeks_calendar_is_that_week(session, november):
    for label, reported in (("2026-W46", "nothing to report"), ("2026-W47", "not reported"),
                            ("2026-W48", "reported")):
        sheet = workbook(session, november, label)["Reporting calendar"]
        week = parse_period(label)
        assert header(sheet) == ["Village", f"{EN.day_month(week.first)}–{EN.date(week.last)}",
                                 "Weeks reported"]
        assert rows(sheet)[0][:3] == (TAN_HOA, reported, int(reported != "not reported"))
    vi = workbook(session, november, "2026-W48", t=VI)
    assert vi.worksheets[CALENDAR_SHEET].title == VI("Reporting calendar")
    assert rows(vi.worksheets[CALENDAR_SHEET])[1][1] == VI("not reported") == "chưa báo cáo"


def test_the_calendar_agrees_with_whether_a_village_reported(session, november):
    for label in PERIODS:
        summary = weekly_summary(session, november.unit, parse_period(label), TODAY)
        for village in summary.villages:
            assert village.reported == bool(village.calendar), label
            assert set(village.calendar) <= {week.first for week in summary.weeks}


# One sheet per village --------------------------------------------------------------------


def test_each_village_has_its_sheet_with_progress_against_the_target(session, commune):
    add_target(session, commune.villages[TAN_HOA], "vneid", percent=50, start=date(2026, 11, 23),
               deadline=date(2026, 12, 23))
    add_entry(session, commune.villages[TAN_HOA], date(2026, 11, 24), {"vneid": 12, "ho": 3})
    summary = weekly_summary(session, commune.unit, week_of(TODAY), TODAY)
    book = read_back(summary_workbook(summary, EN))
    assert book.sheetnames[FIXED_SHEETS:] == [TAN_HOA, PHU_LOI]
    sheet = book[TAN_HOA]
    assert sheet["B1"].value == f"{TAN_HOA} · 23 Nov–29 Nov 2026"
    assert (sheet["A3"].value, sheet["B3"].value.date(), sheet["C3"].value, sheet["D3"].value) == \
        ("Progress as of", TODAY, "Reported", "yes")
    assert header(sheet) == ["Indicator", "In the period", "Baseline", "Since the start", "Achieved", "Target",
                             "Share of the target reached (%)", "Expected by 25 Nov", "Status"]
    table = {row[0]: row for row in rows(sheet)}
    assert list(table) == SHORTS
    # 12 of the 200 aimed at; 2/30 of the time-line gone, so 13.3 expected: behind (yellow).
    assert table["VNeID"][1:9] == (12, 0, 12, 12, 200, pytest.approx(12 / 200), round(200 * 2 / 30),
                                   "behind")
    assert summary.villages[0].progress["vneid"].status(TODAY) == Status.YELLOW
    status_cell = next(row for row in sheet.iter_rows(min_row=HEADER_ROW + 1) if row[0].value == "VNeID")[8]
    assert status_cell.fill.fgColor.rgb.endswith(STATUS_FILLS[Status.YELLOW])
    assert table["Households"][1:6] == (3, 0, 3, 3, None)  # no target: the count only
    assert book[PHU_LOI]["D3"].value == "not reported"


def test_sheet_titles_are_short_unique_and_allowed(session):
    long = "Thôn Phú Lợi Thượng Nguồn Sông Đồng Nai"  # 39 characters
    place = make_commune(session, "Xã Dài", {f"{long} A": (10, 40, 30, 32), f"{long} B": (10, 40, 30, 32),
                                            "Ấp 3/2 [cũ]": (10, 40, 30, 32), "progress": (10, 40, 30, 32)})
    book = workbook(session, place, "2026-W48")
    titles = book.sheetnames
    assert all(len(title) <= 31 for title in titles)
    assert len({title.casefold() for title in titles}) == len(titles) == FIXED_SHEETS + 4
    assert titles[FIXED_SHEETS:] == [long[:31], f"{long[:27].rstrip()} (2)", "Ấp 3-2 -cũ-", "progress (2)"]
    assert [book[title]["B1"].value for title in titles[FIXED_SHEETS:]] == [
        f"{name} · 23 Nov–29 Nov 2026" for name in place.villages]  # the full names inside


# Counts with approved evidence ----------------------------------------------------------


@pytest.fixture
def evidence_commune(session, commune):
    commune.unit.requires_evidence = True
    session.commit()
    tan_hoa, phu_loi = commune.villages[TAN_HOA], commune.villages[PHU_LOI]
    add_entry(session, tan_hoa, date(2026, 11, 23), {"vneid": 5, "ho": 2}, evidence=("approved", "approved"))
    add_entry(session, tan_hoa, date(2026, 11, 24), {"vneid": 3}, evidence=("pending",))
    add_entry(session, tan_hoa, date(2026, 11, 24), {"ho": 4}, evidence=("needs_completion", "approved"))
    add_entry(session, phu_loi, date(2026, 11, 25), {"ssk": 6}, evidence=("needs_completion",))
    add_entry(session, phu_loi, date(2026, 11, 25), {"bdhvs": 1})
    add_entry(session, phu_loi, date(2026, 11, 24), {"vneid": 50}, deleted=True, evidence=("approved",))
    add_entry(session, phu_loi, date(2026, 11, 16), {"vneid": 7}, evidence=("approved",))  # last week
    return commune


def test_verified_counts_only_entries_with_approved_evidence(session, evidence_commune):
    tan_hoa, phu_loi = (evidence_commune.villages[name].id for name in (TAN_HOA, PHU_LOI))
    week = week_of(TODAY)
    # Two approved files count the entry once; pending, needs-completion and taken back do not count.
    assert verified_counts(session, [evidence_commune.unit.id], week.first, week.last) == {
        tan_hoa: {"vneid": 5, "ho": 6}}
    november = parse_period("2026-11")
    assert verified_counts(session, [evidence_commune.unit.id], november.first, november.last) == {
        tan_hoa: {"vneid": 5, "ho": 6}, phu_loi: {"vneid": 7}}
    summary = weekly_summary(session, evidence_commune.unit, week, TODAY)
    assert summary.totals == {"ho": 6, "vneid": 8, "bdhvs": 1, "ssk": 6}
    assert summary.verified_totals == {"ho": 6, "vneid": 5}
    assert [v.verified for v in summary.villages] == [{"vneid": 5, "ho": 6}, {}]
    assert "✅ With approved evidence: Households 6 · VNeID 5" in summary_text(summary, EN).splitlines()


def test_the_workbook_shows_counts_with_and_without_unverified_evidence(session, evidence_commune):
    book = workbook(session, evidence_commune, "2026-W48")
    counts = book.worksheets[0]
    assert header(counts) == ["Village", *SHORTS, *(f"{name} with approved evidence" for name in SHORTS), "Reported"]
    tan_hoa, phu_loi, total = rows(counts)
    assert tan_hoa == (TAN_HOA, 6, 8, 0, 0, 0, 0, 0, 6, 5, 0, 0, 0, 0, 0, "yes")
    assert phu_loi == (PHU_LOI, 0, 0, 1, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, "yes")
    assert total == ("Total", 6, 8, 1, 0, 0, 6, 0, 6, 5, 0, 0, 0, 0, 0, None)
    village = book[TAN_HOA]
    assert header(village)[:4] == ["Indicator", "In the period", "With approved evidence", "Baseline"]
    assert [row[1:3] for row in rows(village)][:2] == [(6, 6), (8, 5)]
    # The CSV keeps the contract's four columns: all counts, verified or not.
    buffer = io.StringIO()
    write_csv(session, evidence_commune.unit, week_of(TODAY), buffer)
    lines = buffer.getvalue().splitlines()
    assert lines[0] == ",".join(CSV_HEADER) and "Xã Đồng Phú,Thôn Tân Hòa,vneid,8" in lines


def test_a_commune_without_the_requirement_shows_no_verified_counts(session, evidence_commune):
    evidence_commune.unit.requires_evidence = False
    session.commit()
    summary = weekly_summary(session, evidence_commune.unit, week_of(TODAY), TODAY)
    assert summary.verified_totals is None and all(v.verified is None for v in summary.villages)
    assert "evidence" not in summary_text(summary, EN)
    book = read_back(summary_workbook(summary, EN))
    assert len(header(book.worksheets[0])) == 1 + 7 + 1
    assert header(book[TAN_HOA])[2] == "Baseline"


# /xuat in the chat ------------------------------------------------------------------------


@pytest.fixture
def office(session, commune):
    return Chatter(session, "Chị Hạnh", [commune.unit], Role.OFFICE)


def test_xuat_sends_this_weeks_workbook_by_default(session, commune, office):
    lan = Chatter(session, "Lan", [commune.villages[TAN_HOA]], Role.MEMBER)
    lan.say("vneid 5 ho 2")
    lan.say("vneid 1", NOW - timedelta(days=1))
    reply = office.chat.send("/xuat", NOW)
    assert len(reply) == 1
    week = week_of(TODAY)
    assert reply[0].text == VI(
        "{commune}, {period} ({first}–{last}): counts with totals, progress against the targets, the reporting calendar, the KPI figures and one sheet per village.",
        commune="Xã Đồng Phú", period="2026-W48", first="23/11/2026", last="29/11/2026")
    attachment = reply[0].attachment
    assert (attachment.kind, attachment.name) == ("file", "tocds-xa-dong-phu-2026-W48.xlsx")
    book = read_back(attachment.content)
    assert book.sheetnames[:3] == ["Tuần", "Tiến độ", "Ai báo cáo gì"]  # in the office's language
    assert book.sheetnames[FIXED_SHEETS:] == [TAN_HOA, PHU_LOI]
    assert (book.worksheets[0]["B2"].value.date(), book.worksheets[0]["D2"].value.date()) == (week.first, week.last)
    assert rows(book.worksheets[0])[0][:3] == (TAN_HOA, 2, 6)
    assert office.chat.send("/xuat 2026-Q4", NOW)[0].attachment.name == "tocds-xa-dong-phu-2026-Q4.xlsx"


def test_xuat_a_quarter_as_csv(session, year, office):
    for words in ("/xuat 2026-Q4 csv", "/xuat CSV 2026-q4"):
        reply = office.chat.send(words, NOW)
        assert reply[0].text == "Xã Đồng Phú, kỳ 2026-Q4 (01/10/2026–31/12/2026): số liệu theo thôn và chỉ tiêu."
        attachment = reply[0].attachment
        assert attachment.name == "tocds-xa-dong-phu-2026-Q4.csv"
        lines = list(csv.reader(io.StringIO(attachment.content.decode("utf-8"))))
        want = expected(parse_period("2026-Q4"))
        assert tuple(lines[0]) == CSV_HEADER
        assert lines[1:] == [["Xã Đồng Phú", village, key, str(want[village][key])]
                             for village in (TAN_HOA, PHU_LOI) for key in KEYS]


def test_xuat_says_which_periods_exist(session, commune, office):
    for words in ("/xuat 2026-13", "/xuat 2026-13 csv", "/xuat tháng 13", "/xuat hôm qua"):
        reply = office.chat.send(words, NOW)
        assert reply[0].attachment is None
        assert reply[0].text.startswith("“")
        assert "2026-W47" in reply[0].text and "2026-Q4" in reply[0].text and "2026-H2" in reply[0].text
    for words, label in (("/xuat 2027", "2027"), ("/xuat 2026-W49 csv", "2026-W49"), ("/xuat 2026-12", "2026-12"),
                         ("/xuat tuần sau", "2026-W49")):
        assert office.say(words) == VI("{period} has not started yet: choose this week or an earlier period.",
                                       period=label)
    # The summaries share the same answers.
    leader = Chatter(session, "Tâm", [commune.unit], Role.LEADER)
    assert leader.say("/thang 2026-13") == office.say("/xuat 2026-13")
    assert leader.say("/nam 2027") == office.say("/xuat 2027")


# tocds export ----------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path, db_url):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    return Processes(cwd, {"TOCDS_DATABASE_URL": db_url})


def test_cli_exports_a_workbook(session, year, cli):
    period = parse_period("2026-W47")  # over by the time the tests run (they started in 2026-W48)
    assert date.today() > period.last
    result = cli.run("export", "--commune", "Xã Đồng Phú", "--period", "2026-W47", "--format", "xlsx",
                     "--out", "tuan47.xlsx")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    book = read_back((cli.cwd / "tuan47.xlsx").read_bytes())
    assert book.sheetnames[:2] == ["Tuần", "Tiến độ"]  # TOCDS_LOCALE's language, vi by default
    assert (book.worksheets[0]["B2"].value.date(), book.worksheets[0]["D2"].value.date()) == (period.first,
                                                                                              period.last)
    assert rows(book.worksheets[0])[0][:3] == (TAN_HOA, 0, 9)
    assert rows(book.worksheets[0])[-1][:3] == ("Tổng cộng", 0, 9)

    # Without --out: a file named after the commune and period, in the current folder, its path on stderr.
    result = cli.run("export", "--commune", "XA DONG PHU", "--period", "2026-Q4", "--format", "xlsx")
    made = cli.cwd / "tocds-xa-dong-phu-2026-Q4.xlsx"
    assert (result.returncode, result.stdout, result.stderr.strip()) == (0, "", str(made))
    assert rows(read_back(made.read_bytes()).worksheets[0])[0][1:4] == (0, 13, 5)
    # An .xlsx --out needs no --format; CSV stays the default otherwise.
    assert cli.run("export", "--commune", "Xã Đồng Phú", "--period", "2026", "--out", "nam.xlsx").returncode == 0
    assert (cli.cwd / "nam.xlsx").read_bytes().startswith(b"PK")
    result = cli.run("export", "--commune", "Xã Đồng Phú", "--period", "2026-W47")
    assert result.returncode == 0 and result.stdout.splitlines()[0] == ",".join(CSV_HEADER)


def test_cli_refuses_a_period_that_has_not_started(session, commune, cli):
    for label in ("2099", "2099-W01"):
        result = cli.run("export", "--commune", "Xã Đồng Phú", "--period", label, "--format", "xlsx")
        assert (result.returncode, result.stdout) == (2, "")
        assert f"{label} has not started yet" in result.stderr and "can be exported" in result.stderr
        assert "periods up to this week (20" in result.stderr
        assert "Traceback" not in result.stderr
    result = cli.run("export", "--commune", "Xã Đồng Phú", "--period", "2026-W60", "--format", "xlsx")
    assert result.returncode == 2 and "2026-W47, 2026-11, 2026-Q4, 2026-H2 or 2026" in result.stderr
    assert not list(cli.cwd.glob("*.xlsx"))


# The KPI sheet: the figures an office types into the province's KPI tracker --------------------


def test_the_kpi_sheet_gives_the_communes_figures_per_indicator(session, commune):
    tan_hoa = commune.villages[TAN_HOA]
    Chatter(session, "Lan", [tan_hoa], Role.MEMBER).say("vneid 5 ho 2", NOW)
    add_target(session, commune.unit, "vneid", baseline=100, percent=50)  # commune-wide: 50% of 700 people
    add_target(session, tan_hoa, "ho", count=40)  # Phú Lợi has no household target: the commune's is counts only
    period = parse_period("2026-11")
    summary = weekly_summary(session, commune.unit, period, date(2026, 12, 1))
    book = read_back(summary_workbook(summary, EN))
    assert book.sheetnames[:5] == ["Period", "Progress", "Who reported what", "Reporting calendar", "KPI"]
    sheet = book["KPI"]
    assert (sheet["A1"].value, sheet["B1"].value) == ("Xã Đồng Phú", "KPI · 2026-11 (1 Nov–30 Nov 2026)")
    assert (sheet["B2"].value.date(), sheet["D2"].value.date(), sheet["B3"].value.date()) == (
        period.first, period.last, period.last)
    assert [c.value for c in sheet[HEADER_ROW]] == [
        "Indicator", "Baseline", "Achieved", "Target", "Share of the target reached (%)",
        "Time-line by 30 Nov, share of the target (%)", "Deadline", "Status"]
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)}
    assert len(rows) == 7  # every indicator the commune tracks

    # The independent reckoning: the baseline, plus every live count, against 50% of the people.
    counted = live_counts(session)
    people = sum(v.sizes["population"] for v in commune.villages.values())
    target = people * 50 / 100
    achieved = 100 + counted["vneid"]
    elapsed = (period.last - date(2026, 1, 1)).days / (date(2026, 12, 31) - date(2026, 1, 1)).days
    baseline, got, goal, share, timeline, deadline, status = rows["VNeID level 2 accounts activated"]
    assert (baseline, got, goal) == (100, achieved, round(target))  # whole people
    assert share == pytest.approx(achieved / target)
    assert timeline == pytest.approx(round(100 + (target - 100) * elapsed) / round(target))
    assert (deadline.date(), status) == (date(2026, 12, 31), "far behind or overdue")
    households = rows["Households reached"]
    assert households[:6] == (0, counted["ho"], None, None, None, None) and not households[6]
    assert all(isinstance(value, int) for value in (baseline, got, goal))
    assert all(isinstance(value, float) for value in (share, timeline))


def test_the_kpi_sheet_speaks_the_offices_language(session, commune):
    summary = weekly_summary(session, commune.unit, parse_period("2026-W48"), date(2026, 11, 25))
    sheet = read_back(summary_workbook(summary, VI))[VI("KPI")]
    assert sheet.cell(HEADER_ROW, 1).value == "Chỉ tiêu"
    assert sheet.cell(HEADER_ROW + 1, 1).value.startswith("Hộ")


# Printable: whole numbers that add up, A4 pages ------------------------------------------------

SHARED_HOUSEHOLDS = {"Thôn Một": (2970, 9000, 7000, 8000), "Thôn Hai": (2130, 7000, 5000, 6000),
                     "Thôn Ba": (1310, 4000, 3000, 3500)}  # 6,410 households: the commune's baseline splits in no whole


@pytest.fixture
def shared(session):
    """A commune-wide household target of 4,900 baseline and 90% of the households, shared by households."""
    place = make_commune(session, "Xã Chia Đều", SHARED_HOUSEHOLDS)
    add_target(session, place.unit, "ho", baseline=4900, percent=90)
    return place


def progress_rows(book, key_name: str) -> dict[str, tuple]:
    return {row[0]: row[2:] for row in rows(book["Progress"]) if row[1] == key_name}


def test_shared_baselines_are_whole_households_adding_up_to_the_communes(session, shared):
    book = read_back(export_file(session, shared.unit, week_of(TODAY), TODAY, EN, "xlsx").content)
    table = progress_rows(book, "Households")
    households = sum(figures[0] for figures in SHARED_HOUSEHOLDS.values())
    for name, figures in SHARED_HOUSEHOLDS.items():
        exact = 4900 * figures[0] / households  # the independent reckoning of each village's share
        baseline, _, _, target = table[name][:4]
        assert isinstance(baseline, int) and baseline in (int(exact), int(exact) + 1)
        assert isinstance(target, int) and abs(target - 0.9 * figures[0]) < 1
    assert sum(table[name][0] for name in SHARED_HOUSEHOLDS) == table["Total"][0] == 4900
    assert sum(table[name][3] for name in SHARED_HOUSEHOLDS) == table["Total"][3] == round(0.9 * households)
    assert book["KPI"].cell(HEADER_ROW + 1, 2).value == 4900
    for sheet in book.worksheets:  # every figure a whole number (no 899.9999999999999) but shares of a target
        assert not [cell.coordinate for row in sheet.iter_rows(min_row=HEADER_ROW + 1) for cell in row
                    if isinstance(cell.value, float) and cell.number_format != "0%"]


def test_a_villages_own_target_is_noted_where_it_replaces_its_share(session, shared):
    add_target(session, shared.villages["Thôn Hai"], "ho", baseline=1000, count=120)
    book = read_back(export_file(session, shared.unit, week_of(TODAY), TODAY, EN, "xlsx").content)
    table = progress_rows(book, "Households")
    others = 4900 * (2970 + 1310) / 6410
    assert table["Thôn Hai"][0] == 1000 and table["Total"][0] == 1000 + round(others)
    note = (f"Households: Thôn Hai have their own target, in place of their share of the commune's "
            f"(baseline 4,900); the villages' baselines add up to {1000 + round(others):,}.")
    for sheet in (book["Progress"], book["KPI"]):
        assert note in [cell.value for cell in sheet["A"]]
    vi_book = read_back(export_file(session, shared.unit, week_of(TODAY), TODAY, VI, "xlsx").content)
    assert any(isinstance(cell.value, str) and cell.value.startswith("Hộ: Thôn Hai có chỉ tiêu riêng")
               for cell in vi_book[VI("KPI")]["A"])


def assert_printable(sheet):
    """A4 landscape, one page wide, the heading and the column headers on every page."""
    assert (int(sheet.page_setup.paperSize), sheet.page_setup.orientation) == (9, "landscape")  # 9: A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == f"$1:${HEADER_ROW}"


def test_every_sheet_prints_on_a4_landscape_with_the_heading_on_each_page(session, year):
    book = workbook(session, year, "2026-W48")
    for sheet in book.worksheets:
        assert_printable(sheet)
        assert sheet["E2"].value == "Made on" and sheet["F2"].value.date() == TODAY
    assert book["Week"]["B1"].value == "Week · 23 Nov–29 Nov 2026"  # a week by its days, not 2026-W48


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), max_size=40))
def test_whole_numbers_add_up_to_the_rounded_sum_and_stay_within_one(values):
    whole = whole_numbers(values)
    assert sum(whole) == round(sum(values))
    assert all(math.floor(value) <= number <= math.floor(value) + 1 for value, number in zip(values, whole, strict=True))


def test_a_span_names_its_year_once():
    assert VI.span(date(2026, 11, 30), date(2026, 12, 6)) == "30/11–06/12/2026"
    assert VI.span(date(2026, 12, 28), date(2027, 1, 3)) == "28/12/2026–03/01/2027"
    assert EN.span(date(2026, 11, 1), date(2026, 11, 1)) == "1 Nov 2026"


def test_a_provinces_workbook_has_the_kpi_sheet_and_prints_alike(session, shared):
    province = make_province(session, "Tỉnh Đồng Nai", [shared])
    book = read_back(export_file(session, province, week_of(TODAY), TODAY, EN, "xlsx").content)
    kpi = book["KPI"]
    assert kpi["A1"].value == "Tỉnh Đồng Nai"
    assert (kpi.cell(HEADER_ROW + 1, 1).value, kpi.cell(HEADER_ROW + 1, 2).value) == ("Households reached", 4900)
    for sheet in book.worksheets:
        assert_printable(sheet)
