"""The lenient reader: reports written as people talk become proposals to confirm, never saves."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_grammar import ALIASES

from tocds.handlers.grammar import ParseError, QuickReport
from tocds.handlers.reading import Proposal, Reading, attempts_report, read_report
from tocds.models.periods import Period

TODAY = date(2026, 11, 25)  # a Wednesday
VILLAGES = ["Thôn Tân Hòa", "Thôn Phú Lợi"]


# The seed's aliases and a few of migration 0007's.
CATALOG = {**ALIASES, "digital signature": "cks", "households": "ho", "sổ sk": "ssk"}


def read(text: str, villages=VILLAGES):
    return read_report(text, today=TODAY, aliases=CATALOG, villages=villages)


def one(day: date = TODAY, village: str | None = None, unused=(), **counts: int) -> Proposal:
    return Proposal((Reading(counts, day, village, tuple(unused)),))


def test_what_the_strict_grammar_reads_stays_a_quick_report():
    assert read("hộ 12 vneid 5") == QuickReport({"ho": 12, "vneid": 5}, TODAY, None)
    assert read("thôn Tân Hòa hôm qua vneid 5") == QuickReport({"vneid": 5}, TODAY - timedelta(days=1),
                                                                "Thôn Tân Hòa")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hôm nay tổ em đi 15 hộ, hướng dẫn được 6 người kích hoạt VNeID", one(ho=15, vneid=6)),
        ("15 hộ", one(ho=15)),
        ("12hộ 5vneid", one(ho=12, vneid=5)),
        ("vneid 5 người", one(vneid=5)),
        ("dạ em báo cáo tuần: hộ 12, vneid 5 ạ", one(ho=12, vneid=5)),
        ("- Hộ: 12\n- VNeID: 5 người", one(ho=12, vneid=5)),
        ("1. Hộ: 15\n2. VNeID: 6", one(ho=15, vneid=6)),  # the list's numbers are no counts
        ("✅ 15 hộ ✅ 6 vneid 💪", one(ho=15, vneid=6)),
        ("Hộ (12), VNeID (5)", one(ho=12, vneid=5)),
        ("hộ 12 – vneid 5", one(ho=12, vneid=5)),
        ("tuyên truyền cho 20 hộ", one(ho=20)),  # one indicator named twice, one count
        ("hỗ trợ 7 người cài vneid", one(vneid=7)),  # hỗ trợ is no hộ
        ("thôn Tân Hòa 5 hộ 3 vneid", one(village="Thôn Tân Hòa", ho=5, vneid=3)),
        ("tổ 3 đi 15 hộ", one(unused=["3"], ho=15)),
        ("hộ 12 vnied 6", one(ho=12, vneid=6)),  # a misspelt one-word indicator, shown for confirmation
        ("em đi được 12 hộ nhưng chưa ai kích hoạt được", one(ho=12)),
        ("k có ai làm cks, vneid 3", one(vneid=3)),  # a clause that negates gives nothing
        ("helped 3 people with digital signature yesterday", one(TODAY - timedelta(days=1), cks=3)),
    ],
)
def test_natural_reports_are_proposed(text, expected):
    assert read(text) == expected


@pytest.mark.parametrize(
    ("text", "count"),
    [("năm hộ", 5), ("mười hộ", 10), ("mười hai hộ", 12), ("mười lăm hộ", 15), ("hai mươi hộ", 20),
     ("hai mươi mốt hộ", 21), ("ba mươi tư hộ", 34), ("một trăm hộ", 100), ("một trăm linh năm hộ", 105),
     ("hai trăm ba mươi hộ", 230), ("muoi hai ho", 12), ("hộ: không", 0), ("một nghìn hai trăm hộ", 1200),
     ("hai nghìn hộ", 2000)],
)
def test_number_words(text, count):
    assert read(text) == one(ho=count)


@pytest.mark.parametrize(
    "text",
    ["năm nay tổ em cố gắng", "nhà ông Ba ở cuối xóm", "sau khi họp xong", "một số người chưa cài",
     "bà con rất vui"],
)
def test_words_that_are_no_numbers(text):
    assert not isinstance(read(text), Proposal)


@pytest.mark.parametrize(
    ("text", "days_back"),
    [("vneid 5 hôm kia", 2), ("thứ 3 đi 10 hộ", 1), ("thứ hai hộ 6", 2), ("chủ nhật vừa rồi 6 hộ", 3),
     ("thứ bảy tuần trước em đi 9 hộ", 4), ("t4 hộ 3", 0), ("ngày 20/11 đi 14 hộ", 5), ("20-11 hộ 14", 5),
     ("hộ 9 ngày 21/11/2026", 4), ("ngày 24 đi 3 hộ", 1), ("sáng nay đi 7 hộ", 0), ("chiều qua 3 hộ", 1)],
)
def test_day_words(text, days_back):
    [reading] = read(text).readings
    assert reading.day == TODAY - timedelta(days=days_back)


MONDAY = date(2026, 11, 23)
LAST_WEEK = Period("2026-W47", date(2026, 11, 16), date(2026, 11, 22))
THIS_WEEK = Period("2026-W48", MONDAY, date(2026, 11, 29))


def of_week(week: Period, day: date, **counts: int) -> Proposal:
    return Proposal((Reading(counts, day, None, (), week),))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A week named is the report's: an ended week's last day, the current week's today.
        ("Báo cáo tuần 47: hộ 30, vneid 10", of_week(LAST_WEEK, LAST_WEEK.last, ho=30, vneid=10)),
        ("bc tuần 48 đi 12 hộ", of_week(THIS_WEEK, TODAY, ho=12)),
        ("tuần trước đi 30 hộ", of_week(LAST_WEEK, LAST_WEEK.last, ho=30)),
        ("tuan roi 30 ho", of_week(LAST_WEEK, LAST_WEEK.last, ho=30)),
        ("last week 30 households", of_week(LAST_WEEK, LAST_WEEK.last, ho=30)),
        ("tuần này được 30 hộ", of_week(THIS_WEEK, TODAY, ho=30)),
        ("tuần 16/11–22/11: hộ 5", of_week(LAST_WEEK, LAST_WEEK.last, ho=5)),
        ("tuần 16/11-22/11 hộ 5", of_week(LAST_WEEK, LAST_WEEK.last, ho=5)),
        ("tuần 18/11 hộ 5", of_week(LAST_WEEK, LAST_WEEK.last, ho=5)),
        # … and a weekday after it is that weekday of the week.
        ("tuần trước thứ 7 đi 9 hộ", one(date(2026, 11, 21), ho=9)),
        # `tuần:` followed by a count names no week.
        ("báo cáo tuần: 45 hộ", one(ho=45)),
    ],
)
def test_a_week_named_is_the_reports_week(text, expected):
    assert read(text) == expected


TWO_WEEKS_BACK = Period("2026-W46", date(2026, 11, 9), date(2026, 11, 15))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # So many weeks back (`hai tuần trước`): that week, not this one or last; the number is no count.
        ("hai tuần trước đi 5 hộ", of_week(TWO_WEEKS_BACK, TWO_WEEKS_BACK.last, ho=5)),
        ("2 tuần trước tổ em đi 12 hộ", of_week(TWO_WEEKS_BACK, TWO_WEEKS_BACK.last, ho=12)),
        ("hai tuan truoc di 5 ho", of_week(TWO_WEEKS_BACK, TWO_WEEKS_BACK.last, ho=5)),
        ("two weeks ago 5 households", of_week(TWO_WEEKS_BACK, TWO_WEEKS_BACK.last, ho=5)),
        ("tuần trước nữa đi 4 hộ", of_week(TWO_WEEKS_BACK, TWO_WEEKS_BACK.last, ho=4)),
        ("thứ 7 hai tuần trước đi 3 hộ", one(date(2026, 11, 14), ho=3)),
        # … but right after an indicator, the number is its count.
        ("hộ 2 tuần trước", of_week(LAST_WEEK, LAST_WEEK.last, ho=2)),
        ("vneid hai tuần trước", of_week(LAST_WEEK, LAST_WEEK.last, vneid=2)),
        ("hộ 12 vneid 5 tuần trước", of_week(LAST_WEEK, LAST_WEEK.last, ho=12, vneid=5)),
        ("hộ 12 vneid 5 hai tuần trước", of_week(TWO_WEEKS_BACK, TWO_WEEKS_BACK.last, ho=12, vneid=5)),
        # `thứ hai tuần trước` is Monday of last week.
        ("thứ hai tuần trước đi 3 hộ", one(date(2026, 11, 16), ho=3)),
    ],
)
def test_weeks_back_are_read_as_that_week(text, expected):
    assert read(text) == expected


@pytest.mark.parametrize(
    ("today", "text", "week", "day"),
    [
        # The week holding the month's last day: 30/11 is a Monday, so its week is 30/11–06/12.
        (date(2026, 12, 2), "tuần cuối tháng 11 đi 5 hộ", "2026-W49", date(2026, 12, 2)),
        (date(2026, 11, 5), "tuần cuối tháng 10 hộ 5", "2026-W44", date(2026, 11, 1)),  # 26/10–01/11, ended
        (date(2026, 11, 5), "tuần cuối của tháng 10 hộ 5", "2026-W44", date(2026, 11, 1)),
        (date(2027, 1, 5), "tuần cuối tháng 12 hộ 5", "2026-W53", date(2027, 1, 3)),  # the December just gone
        (date(2026, 12, 2), "tuần cuối tháng trước hộ 5", "2026-W49", date(2026, 12, 2)),
    ],
)
def test_a_months_last_week_is_the_week_of_its_last_day(today, text, week, day):
    [reading] = read_report(text, today=today, aliases=CATALOG).readings
    assert (reading.week.label, reading.day, reading.counts) == (week, day, {"ho": 5})


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("tuần cuối tháng 11 đi 5 hộ", ParseError("week_not_begun", word="tuần cuối tháng 11", day=date(2026, 11, 30))),
        ("tuần cuối tháng 10 đi 5 hộ", ParseError("week_too_old", word="tuần cuối tháng 10", day=date(2026, 11, 1))),
        ("tuần cuối tháng 13 hộ 5", ParseError("bad_date", word="tuần cuối tháng 13")),
        ("ba tuần trước đi 5 hộ", ParseError("week_too_old", word="ba tuần trước", day=date(2026, 11, 8))),
        ("thứ 2 hai tuần trước đi 3 hộ", ParseError("day_too_old", word="thứ 2 hai tuần trước", day=date(2026, 11, 9))),
        ("tuần sau đi 5 hộ", ParseError("week_not_begun", word="tuần sau", day=date(2026, 11, 30))),
    ],
)
def test_a_week_named_that_cannot_be_reported_says_why(text, error):
    assert read(text) == error


@pytest.mark.parametrize("text", ["² tuần trước hộ 5", "tuần cuối tháng ² hộ 5"])
def test_a_digit_that_is_no_number_names_no_week(text):
    assert read(text) == ParseError("not_whole", word="²")  # `²` passes str.isdigit, not int()


def test_a_weeks_number_is_never_a_count():
    [reading] = read("tuần 47 hộ 30").readings
    assert reading.counts == {"ho": 30} and not reading.unused


@pytest.mark.parametrize(
    ("text", "code", "day"),
    [
        ("tuần 49 hộ 3", "week_not_begun", date(2026, 11, 30)),  # next week
        ("tuần 45 hộ 3", "week_too_old", date(2026, 11, 8)),  # ended 17 days ago
        ("tuần 46 hộ 3", None, date(2026, 11, 15)),  # ended 10 days ago: still in the window
    ],
)
def test_a_week_must_have_begun_and_be_in_the_window(text, code, day):
    result = read(text)
    if code is None:
        assert result.readings[0].day == day
    else:
        assert result == ParseError(code, word=text[:7], day=day)


def test_in_a_years_first_weeks_a_high_number_is_last_years_week():
    new_year = date(2027, 1, 6)  # 2027-W01; 2026 has 53 weeks
    [reading] = read_report("tuần 53 hộ 3", today=new_year, aliases=CATALOG).readings
    assert reading.week.label == "2026-W53" and reading.day == date(2027, 1, 3)
    assert read_report("tuần 52 hộ 3", today=new_year, aliases=CATALOG).readings[0].day == date(2026, 12, 27)


def test_a_week_with_no_indicator_is_left_to_the_questions():
    assert read("tuần 40 thôn mình").code == "unknown_key"  # not "too old": the member asks


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("thứ 3 đi 6 hộ, thứ 5 đi 8 hộ", [(date(2026, 11, 24), {"ho": 6}), (date(2026, 11, 19), {"ho": 8})]),
        ("6 hộ thứ 3, 8 hộ thứ 5", [(date(2026, 11, 24), {"ho": 6}), (date(2026, 11, 19), {"ho": 8})]),
        ("hôm qua: hộ 5 vneid 2\nhôm nay: hộ 3", [(date(2026, 11, 24), {"ho": 5, "vneid": 2}),
                                                  (TODAY, {"ho": 3})]),
        # a day named again adds to its own
        ("thứ 2 hộ 4, thứ 3 hộ 5, thứ 2 vneid 1", [(MONDAY, {"ho": 4, "vneid": 1}), (date(2026, 11, 24), {"ho": 5})]),
        ("tuần trước 30 hộ, tuần này 10 hộ", [(LAST_WEEK.last, {"ho": 30}), (TODAY, {"ho": 10})]),
    ],
)
def test_several_days_are_one_reading_each(text, days):
    proposal = read(text)
    assert proposal.per_day
    assert [(reading.day, reading.counts) for reading in proposal.readings] == days


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("thứ 3 đi 6 hộ, thứ 5 đi vneid", ParseError("missing_count", word="vneid", key="vneid", part="thứ 5")),
        ("thứ 3 đi 6 hộ, thứ 5 hộ 8 vneid", ParseError("missing_count", word="vneid", key="vneid", part="thứ 5")),
        ("thứ 3 đi 6 hộ, thứ 5 đi 5 hộ 6", ParseError("unclear", word="5 hộ 6", part="thứ 5")),  # 5 or 6 hộ?
        ("thứ 3 hộ 4, thứ 3 hộ 5, thứ 5 hộ 1", ParseError("repeated_key", word="ho", key="ho", part="thứ 3")),
    ],
)
def test_a_wrong_day_is_named(text, error):
    assert read(text) == error


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("hộ 5 vneid", [{"ho": 5}, {"vneid": 5}]),
        ("12 hộ 5", [{"ho": 12}, {"ho": 5}]),
        ("đi 15 hộ, 6 người", [{"ho": 15}, {"ho": 6}]),
    ],
)
def test_two_readings_are_both_offered(text, readings):
    result = read(text)
    assert isinstance(result, Proposal)
    assert [r.counts for r in result.readings] == readings


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Hỗ trợ 7 người", "unpaired_number"),
        ("họp lúc 2 giờ chiều", "unknown_key"),  # the grammar names the word it did not understand
        ("5 người chưa có VNeID", "unclear"),
        ("cài VNeID và sổ sức khỏe được 12 người", "missing_count"),  # which one has the 12?
        ("hôm trước đi 10 hộ", "vague_day"),
        ("thứ sáu tuần này đi 3 hộ", "bad_date"),  # Friday has not come yet
        ("ngày 28/10 đi 3 hộ", "day_too_old"),
        ("vneid âm 3", "negative"),
        ("thôn Bí Mật 5 hộ", "unknown_village"),
        ("hôm qua hôm nay 3 vneid", "repeated_day"),  # which day has the 3?
        ("5 hộ thứ 2, thứ 3, 3 vneid", "repeated_day"),  # counts after the last day: which day?
        ("vneid 5, 3 người vneid", "repeated_key"),
        ("15 hộ, vneid 2,5", "not_whole"),
        ("hôm kia", "no_pairs"),
        ("vneid đạt 80%", "unclear"),  # a share is no count
        ("5-6 người cài vneid", "not_whole"),  # a range is no count (`28-11` is a day)
    ],
)
def test_what_cannot_be_read_says_why(text, code):
    result = read(text)
    assert isinstance(result, ParseError) and result.code == code


def test_the_strict_grammar_names_the_indicator_of_a_bad_number():
    assert read("vneid 2,5") == ParseError("not_whole", word="2,5", key="vneid")


@pytest.mark.parametrize("text", ["xin chào", "chào bot", "cảm ơn ạ", "hôm nay trời đẹp", ""])
def test_chat_is_no_report(text):
    assert read(text) is None


def test_a_page_of_words_around_a_count_is_no_report():
    assert not isinstance(read("vneid 5 " + "blah " * 50), Proposal)
    assert not isinstance(read("hôm nay đi 5 hộ " + "ạ " * 600), Proposal)  # past LONGEST_READ characters
    assert isinstance(read("hôm nay đi 5 hộ " + "ạ " * 400), Proposal)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["hộ", "vneid", "15", "năm", "hai mươi", "không", "chưa", "hôm qua", "thứ 3",
                                 "thôn", "Tân Hòa", "người", "đi", ",", "\n", "-", "👍", "2,5", "-3", "28/11",
                                 "mười", "trăm", "ông", "Ba", "hỗ trợ", "hộ nghèo"]), max_size=14).map(" ".join))
def test_every_reading_counts_only_numbers_in_the_message(text):
    """Whatever is typed: never raises, and a proposal's counts are numbers that were written."""
    result = read(text)
    number_words = {"năm", "hai", "không", "mười", "trăm", "Ba"}
    # Of the digits only 15 is a count (2,5, -3 and 28/11 are not); number words compose up to 999.
    written = set(range(1000)) if number_words & set(text.split()) else {15}
    if isinstance(result, Proposal):
        assert 1 <= len(result.readings) <= 2
        for reading in result.readings:
            assert reading.counts and set(reading.counts.values()) <= written, text
            assert TODAY - timedelta(days=14) <= reading.day <= TODAY


def test_attempts_report_is_what_a_group_answers():
    assert attempts_report("hôm nay tổ em đi 15 hộ", CATALOG)
    assert not attempts_report("sđt anh Tư 0912345678", CATALOG)
    assert not attempts_report("anh Hùng ơi gửi em file danh sách 35 hộ nghèo", CATALOG)
