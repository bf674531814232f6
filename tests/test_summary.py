"""The weekly summary: numbers against entries made through the real handlers, then the
text, the chart and the spreadsheet built from it, and the cost in SQL statements."""

import io
import warnings
from datetime import UTC, date, datetime, timedelta

import pytest
from matplotlib.text import Text
from sqlalchemy import event
from sqlmodel import select

from helpers import MONDAY, NOW, TODAY, Chatter, add_target, live_entry_counts, make_commune
from tocds.figures.chart import (
    charted_indicators,
    default_indicator,
    progress_chart,
    progress_figure,
    summary_chart,
    trend_chart,
    trend_figure,
)
from tocds.figures.text import summary_text
from tocds.figures.workbook import HEADER_ROW, STATUS_FILLS, summary_workbook
from tocds.handlers.messages import Outgoing
from tocds.jobs import JOBS
from tocds.jobs.runner import run_job
from tocds.locales import translator
from tocds.models import Entry, EntryCount, Level, OrgUnit, OutboxMessage, Person, Role
from tocds.models.orgunits import Village
from tocds.models.periods import parse_period, week_of
from tocds.models.progress import Progress, Status
from tocds.models.queries import progress
from tocds.models.summary import Standing, WeeklySummary, weekly_summaries, weekly_summary
from tocds.models.text import fold

WEEK = week_of(TODAY)  # 2026-W48, 23–29/11
VILLAGES = {
    "Thôn Tân Hòa": (100, 400, 300, 320),
    "Thôn Phú Lợi": (80, 300, 200, 220),
    "Thôn Hưng Long": (60, 250, 180, 190),
}
# A short time-line, so that statuses are easy to reckon: as of Wednesday 25/11 two of
# thirty days have passed, and 2/30 of the gain from baseline to target is expected.
START, DEADLINE = date(2026, 11, 23), date(2026, 12, 23)
VI, EN = translator("vi"), translator("en")


@pytest.fixture
def place(session):
    return make_commune(session, villages=VILLAGES)


@pytest.fixture
def people(session, place):
    v = place.villages
    return {
        "Lan": Chatter(session, "Lan", [v["Thôn Tân Hòa"]], Role.MEMBER),
        "Mai": Chatter(session, "Mai", [v["Thôn Tân Hòa"]], Role.MEMBER),
        "Hòa": Chatter(session, "Hòa", [v["Thôn Phú Lợi"]], Role.MEMBER),
    }


def week_counts_in_python(session, village: OrgUnit | Village) -> dict[str, int]:
    """The tests' own reckoning: live counts dated in the week, added up in Python."""
    counts: dict[str, int] = {}
    for row in live_entry_counts(session, village):
        if WEEK.first <= row.day <= WEEK.last:
            counts[row.indicator_key] = counts.get(row.indicator_key, 0) + row.count
    return {key: count for key, count in counts.items() if count}


def by_name(summary: WeeklySummary):
    return {v.village.name: v for v in summary.villages}


@pytest.fixture
def reported_week(session, place, people):
    """Tân Hòa: two members (one report last week, one taken back); Phú Lợi: a taken-back
    report, then "nothing this week"; Hưng Long: nothing at all."""
    people["Lan"].say("ho 3 vneid 5")
    people["Lan"].say("vneid 2", NOW - timedelta(days=1))
    people["Lan"].say("vneid 7", NOW - timedelta(days=7))  # last week: not this week's
    people["Mai"].say("vneid 4 bdhvs 1")
    people["Mai"].say("bdhvs 9")
    assert people["Mai"].say("/xoa").startswith("Rút lại")
    people["Mai"].say("1")  # yes: taken back
    people["Hòa"].say("ssk 6")
    people["Hòa"].say("/xoa")
    people["Hòa"].say("1")
    assert people["Hòa"].say("/khong").startswith("✅")
    return weekly_summary(session, place.unit, WEEK, TODAY)


# The numbers ---------------------------------------------------------------------------


def test_week_counts_match_the_entries(session, place, reported_week):
    summary = reported_week
    assert [v.village.name for v in summary.villages] == list(VILLAGES)  # org-unit order
    for village in summary.villages:
        assert village.week == week_counts_in_python(session, village.village)
    villages = by_name(summary)
    assert villages["Thôn Tân Hòa"].week == {"ho": 3, "vneid": 11, "bdhvs": 1}
    assert villages["Thôn Phú Lợi"].week == {}  # the taken-back ssk 6 does not count
    assert summary.totals == {"ho": 3, "vneid": 11, "bdhvs": 1}
    assert summary.period == WEEK and summary.as_of == TODAY


def test_nothing_this_week_counts_as_reported_and_silence_is_missing(place, reported_week):
    villages = by_name(reported_week)
    assert villages["Thôn Tân Hòa"].reported
    assert villages["Thôn Phú Lợi"].reported  # /khong
    assert not villages["Thôn Hưng Long"].reported
    assert [v.id for v in reported_week.missing] == [place.villages["Thôn Hưng Long"].id]


def test_who_reported_what(reported_week):
    villages = by_name(reported_week)
    assert villages["Thôn Tân Hòa"].reporters == [
        ("Lan", {"ho": 3, "vneid": 7}),
        ("Mai", {"vneid": 4, "bdhvs": 1}),  # the taken-back bdhvs 9 is not there
    ]
    assert villages["Thôn Phú Lợi"].reporters == []
    assert villages["Thôn Hưng Long"].reporters == []


def test_progress_without_targets_counts_everything_to_date_and_has_no_colour(reported_week):
    summary = reported_week
    tan_hoa = by_name(summary)["Thôn Tân Hòa"]
    assert tan_hoa.progress["vneid"].achieved == 5 + 2 + 7 + 4  # last week's 7 counts since the start
    assert not summary.has_targets
    assert summary.status_counts == {Status.GREEN: 0, Status.YELLOW: 0, Status.RED: 0}
    assert all(p.target is None for p in summary.progress.values())
    assert summary.progress["vneid"].achieved == 18


@pytest.fixture
def with_targets(session, place, people):
    v = place.villages
    add_target(session, v["Thôn Tân Hòa"], "vneid", baseline=50, percent=50, start=START, deadline=DEADLINE)
    add_target(session, v["Thôn Phú Lợi"], "vneid", percent=50, start=START, deadline=DEADLINE)
    add_target(session, v["Thôn Tân Hòa"], "bdhvs", percent=10, start=START, deadline=DEADLINE)
    people["Lan"].say("vneid 12")  # 12 of the 10 expected (2/30 of 200 - 50): green
    people["Lan"].say("vneid 30", NOW - timedelta(days=3))  # 22/11: before the start, not counted
    people["Hòa"].say("vneid 6")  # 6 of 10 expected: yellow
    # Tân Hòa bdhvs: 0 of 2 expected (2/30 of 10% of 300): red.
    return weekly_summary(session, place.unit, WEEK, TODAY)


def test_progress_and_statuses_with_targets(session, place, with_targets):
    summary = with_targets
    villages = by_name(summary)
    expected = progress(session, list(place.villages.values()), TODAY)
    for village in summary.villages:
        assert village.progress == expected[village.village.id]
    tan_hoa, phu_loi, hung_long = (villages[name] for name in VILLAGES)
    assert (tan_hoa.progress["vneid"].achieved, tan_hoa.progress["vneid"].target) == (62, 200)
    assert summary.status(tan_hoa, "vneid") == Status.GREEN
    assert summary.status(phu_loi, "vneid") == Status.YELLOW
    assert summary.status(tan_hoa, "bdhvs") == Status.RED
    assert summary.status(hung_long, "vneid") is None
    assert summary.status_counts == {Status.GREEN: 1, Status.YELLOW: 1, Status.RED: 1}
    # The commune line is the villages' sum; Hưng Long has no vneid target, so it has none.
    assert summary.progress["vneid"].achieved == 68 and summary.progress["vneid"].target is None
    assert summary.has_targets
    # Only a village with a target on track leads: Phú Lợi's only one is yellow, Hưng Long has none.
    assert [v.village.name for v, _ in summary.top()] == ["Thôn Tân Hòa"]
    assert [v.village.name for v, _ in summary.ranked()] == list(VILLAGES)  # the whole ranking keeps everyone


def test_a_commune_target_gives_the_commune_a_percentage(session, place, people):
    add_target(session, place.unit, "vneid", baseline=95, percent=20, start=START, deadline=DEADLINE)
    people["Lan"].say("vneid 12")
    summary = weekly_summary(session, place.unit, WEEK, TODAY)
    total = summary.progress["vneid"]
    assert total.target == pytest.approx(0.2 * 950)
    assert total.achieved == pytest.approx(95 + 12)
    assert "đạt 107/190 (56%)" in summary_text(summary, VI)
    assert "reached 107/190 (56%)" in summary_text(summary, EN)


def test_a_village_without_denominators_shows_counts_only(session):
    bare = make_commune(session, "Xã Mới", {"Thôn Có Số": (100, 400, 300, 320),
                                           "Thôn Trống": (None, None, None, None)})
    add_target(session, bare.unit, "vneid", baseline=10, percent=80, start=START, deadline=DEADLINE)
    Chatter(session, "Ba", [bare.villages["Thôn Trống"]], Role.MEMBER).say("vneid 3")
    summary = weekly_summary(session, bare.unit, WEEK, TODAY)
    empty = by_name(summary)["Thôn Trống"]
    assert empty.week == {"vneid": 3}
    assert (empty.progress["vneid"].achieved, empty.progress["vneid"].target) == (3, None)
    assert summary.status(empty, "vneid") is None
    assert summary.status(by_name(summary)["Thôn Có Số"], "vneid") is not None
    text = summary_text(summary, EN)
    assert "VNeID: this week 3" in text
    progress_chart(summary, EN)  # the bare village is drawn as a count beside an empty bar
    sheet = read_back(summary_workbook(summary, EN)).worksheets[1]
    row = next(r for r in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
               if r[0] == "Thôn Trống" and r[1] == "VNeID")
    assert row[4] == 3 and row[5] is None and row[6] is None and not row[8]


def test_progress_is_as_of_the_weeks_end_for_a_past_week(session, place, people):
    people["Lan"].say("vneid 5", NOW - timedelta(days=7))
    people["Lan"].say("vneid 4")
    last_week = week_of(TODAY - timedelta(days=7))
    summary = weekly_summary(session, place.unit, last_week, TODAY)
    assert summary.as_of == last_week.last
    tan_hoa = by_name(summary)["Thôn Tân Hòa"]
    assert tan_hoa.week == {"vneid": 5}
    assert tan_hoa.progress["vneid"].achieved == 5  # this week's 4 is after the as-of day
    assert weekly_summary(session, place.unit, WEEK, TODAY).as_of == TODAY  # the week is not over


def test_a_month_counts_a_village_that_said_nothing_in_one_of_its_weeks(session, place, people):
    people["Hòa"].say("/khong")
    people["Lan"].say("vneid 5", NOW - timedelta(days=14))
    summary = weekly_summary(session, place.unit, parse_period("2026-11"), TODAY)
    villages = by_name(summary)
    assert villages["Thôn Tân Hòa"].reported and villages["Thôn Phú Lợi"].reported
    assert not villages["Thôn Hưng Long"].reported
    assert summary.totals == {"vneid": 5}
    assert summary_text(summary, VI).startswith("📊 Xã Đồng Phú — ")


# The text ------------------------------------------------------------------------------


def test_text_without_targets_has_no_percentages(place, reported_week):
    for t in (VI, EN):
        text = summary_text(reported_week, t)
        assert "%" not in text
        assert "🟢" not in text.splitlines()[-4]  # no green/yellow/red line without targets
    vi = summary_text(reported_week, VI).splitlines()
    assert vi[0] == "📊 Xã Đồng Phú — tuần 23/11–29/11"
    assert "▫️ Hộ: tuần này 3 · tổng 3" in vi
    assert "▫️ VNeID: tuần này 11 · tổng 18" in vi
    assert not any(line.startswith("▫️ Sổ sức khỏe") for line in vi)  # only taken back: nothing
    en = summary_text(reported_week, EN).splitlines()
    assert en[0] == "📊 Xã Đồng Phú — week 23 Nov–29 Nov"
    assert "▫️ VNeID: this week 11 · 18 in all" in en
    assert "⚠️ Not reported (1): Thôn Hưng Long" in en
    assert any("Thôn Hưng Long" in line for line in vi)
    assert not any(line.startswith("🏆") for line in en)  # without targets nobody leads: counts never add up


def test_text_with_targets_shows_marks_percentages_and_counts(with_targets):
    vi = summary_text(with_targets, VI).splitlines()
    # Hưng Long has no vneid target, so the commune's vneid line is a count.
    assert "▫️ VNeID: tuần này 18 · tổng 68" in vi
    # Only Tân Hòa has a bdhvs target and nobody counted any: no commune line (its red
    # status is in the village × indicator count).
    assert not any("Học vụ số" in line for line in vi)
    assert any(line.endswith("🟢 1 · 🟡 1 · 🔴 1") for line in vi)
    en = summary_text(with_targets, EN).splitlines()
    assert "Villages × indicators: 🟢 1 · 🟡 1 · 🔴 1" in en
    # Phú Lợi has no target on track (yellow): it does not lead; Tân Hòa leads with one of two,
    # marked with its worst colour (its bdhvs is red), never green.
    assert en[-2:] == ["🏆 Top villages, by the share of their targets on track:",
                       "1. 🔴 Thôn Tân Hòa — 1/2 on track · 16% of the target reached on average"]


def test_top_villages_rank_by_their_targets_never_by_counts_of_different_units(session, place, people):
    for name in ("Thôn Tân Hòa", "Thôn Phú Lợi"):
        add_target(session, place.villages[name], "vneid", percent=50, start=START, deadline=DEADLINE)
    people["Lan"].say("ho 90 vneid 14")  # many households, 14 people of the 200 aimed at (13.3 expected)
    people["Hòa"].say("vneid 12")  # 12 people of 150 (10 expected)
    summary = weekly_summary(session, place.unit, WEEK, TODAY)
    assert [(village.village.name, standing) for village, standing in summary.top()] == [
        ("Thôn Phú Lợi", Standing(1, 1, 12 / 150)), ("Thôn Tân Hòa", Standing(1, 1, 14 / 200))]
    assert summary_text(summary, VI).splitlines()[-2:] == [
        "1. 🟢 Thôn Phú Lợi — 1/1 chỉ tiêu đúng tiến độ · đạt trung bình 8% chỉ tiêu",
        "2. 🟢 Thôn Tân Hòa — 1/1 chỉ tiêu đúng tiến độ · đạt trung bình 7% chỉ tiêu"]


def test_with_every_line_behind_no_village_leads(session, place, people):
    """Issue 22: "Thôn dẫn đầu" marked villages "🟢 0/7 chỉ tiêu đúng tiến độ" when every line was red."""
    for name in ("Thôn Tân Hòa", "Thôn Phú Lợi"):
        for key in ("vneid", "bdhvs"):
            add_target(session, place.villages[name], key, percent=50, start=START, deadline=DEADLINE)
    people["Lan"].say("vneid 1 bdhvs 1")  # far below the 13 and 10 the time-line expects by Wednesday
    people["Hòa"].say("vneid 2")
    leader = Chatter(session, "Chủ tịch", [place.unit], Role.LEADER)
    text = leader.say("/tuan")
    assert "Thôn × chỉ tiêu: 🟢 0 · 🟡 0 · 🔴 4" in text
    assert text.splitlines()[-1] == "Chưa thôn nào có chỉ tiêu đúng tiến độ."
    assert "dẫn đầu" not in text and "🏆" not in text and "🟢 0/" not in text
    in_english = Chatter(session, "Chairman", [place.unit], Role.LEADER, language="en").say("/week")
    assert in_english.splitlines()[-1] == "No village has a target on track yet."


def test_a_tie_in_rounded_shares_shows_the_count_that_decides_the_colour(session):
    """Issue 22: "đạt 88% · cần 88%" shown red. 438 of 500 at the start (23/11), due 31/12: by
    Wednesday 25/11 the time-line expects 2/38 of the 62 to go, 441.3 (88%)."""
    tie = make_commune(session, "Xã Hòa", {"Thôn Đông": (300, 1000, 700, 750)})
    add_target(session, tie.villages["Thôn Đông"], "vneid", baseline=438, percent=50, start=MONDAY,
               deadline=date(2026, 12, 31))
    lan = Chatter(session, "Lan", [tie.villages["Thôn Đông"]], Role.MEMBER)
    leader = Chatter(session, "Chủ tịch", [tie.unit], Role.LEADER)
    lan.say("vneid 1")  # 439 (88%): a gain of 1, under half the 3.3 expected
    red = "🔴 VNeID: tuần này 1 · đạt 439/500 (88%) · cần 442 đến 25/11"
    assert red in leader.say("/tuan").splitlines() and red in leader.say("/tiendo").splitlines()
    lan.say("vneid 1", NOW + timedelta(hours=1))  # 440 (88%): behind, but over half the expected gain
    assert "🟡 VNeID: tuần này 2 · đạt 440/500 (88%) · cần 442 đến 25/11" in leader.say("/tiendo").splitlines()
    english = Chatter(session, "Chairman", [tie.unit], Role.LEADER, language="en").say("/progress")
    assert "🟡 VNeID: this week 2 · reached 440/500 (88%) · expected 442 by 25 Nov" in english.splitlines()
    lan.say("vneid 2")  # 442: on the time-line; no tie to explain, the shares as usual
    assert "🟢 VNeID: tuần này 4 · đạt 442/500 (88%) · cần 88% đến 25/11" in leader.say("/tiendo").splitlines()


def test_numbers_follow_the_readers_locale(session):
    big = make_commune(session, "Xã Lớn", {"Thôn Lớn": (2000, 5000, 3000, 3200)})
    add_target(session, big.villages["Thôn Lớn"], "vneid", percent=50, start=START, deadline=DEADLINE)
    Chatter(session, "Lan", [big.villages["Thôn Lớn"]], Role.MEMBER).say("vneid 1.200")
    summary = weekly_summary(session, big.unit, WEEK, TODAY)
    assert "🟢 VNeID: tuần này 1.200 · đạt 1.200/2.500 (48%)" in summary_text(summary, VI)
    en = summary_text(summary, EN)
    assert "🟢 VNeID: this week 1,200 · reached 1,200/2,500 (48%)" in en
    assert "All villages reported" in en
    assert "1. 🟢 Thôn Lớn — 1/1 on track · 48% of the target reached on average" in en


def test_a_commune_without_villages_or_reports_does_not_crash(session):
    empty = OrgUnit(level=Level.COMMUNE, name="Xã Trống", name_key=fold("Xã Trống"))
    session.add(empty)
    session.commit()
    summary = weekly_summary(session, empty, WEEK, TODAY)
    assert summary.villages == [] and summary.totals == {} and summary.progress == {}
    assert "Xã Trống" in summary_text(summary, VI)
    assert progress_chart(summary, VI).startswith(b"\x89PNG")
    assert read_back(summary_workbook(summary, VI)).sheetnames


def test_a_quiet_week_says_nothing_was_reported(session, place):
    summary = weekly_summary(session, place.unit, WEEK, TODAY)
    lines = summary_text(summary, VI).splitlines()
    assert lines[1] == "Chưa có báo cáo nào."
    assert summary.top() == []
    assert len(summary.missing) == 3


# Periods named right (issue 22) --------------------------------------------------------

MONDAY_MORNING = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)  # 07:30 in Vietnam, the Monday after 2026-W48


def sent_texts(session) -> list[str]:
    session.commit()
    return [Outgoing.from_dict(m.payload).text for m in session.exec(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_a_week_that_is_over_is_named_alike_on_monday_however_it_is_asked(session, place, people):
    """"Tuần này" only for the week under way: Monday's summary, /tuan tuần trước and the same
    question in words all say "trong tuần" of last week's figures."""
    people["Lan"].say("vneid 5")
    leader = Chatter(session, "Chủ tịch", [place.unit], Role.LEADER)
    assert "▫️ VNeID: tuần này 5 · tổng 5" in leader.say("/tuan").splitlines()  # Wednesday: the week under way
    leader.say("/nhantin", MONDAY_MORNING)
    run_job(session, JOBS["weekly-summary"], place.unit, MONDAY_MORNING)
    [monday, *_] = [text for text in sent_texts(session) if text.startswith("📊")]
    asked = [leader.say(words, MONDAY_MORNING) for words in (
        "/tuan tuần trước", "tổng hợp tuần trước", "tình hình xã tuần trước", "/tiendo tuần trước", "/tuan 2026-W48")]
    for text in (monday, *asked):
        lines = text.splitlines()
        assert lines[0] == "📊 Xã Đồng Phú — tuần 23/11–29/11"
        assert "▫️ VNeID: trong tuần 5 · tổng 5" in lines and "tuần này" not in text, text
    assert "▫️ VNeID: tuần này 0 · tổng 5" in leader.say("/tuan", MONDAY_MORNING).splitlines()  # the new week
    in_english = Chatter(session, "Chairman", [place.unit], Role.LEADER, language="en")
    assert "▫️ VNeID: 5 in the week · 5 in all" in in_english.say("/week last week", MONDAY_MORNING).splitlines()
    assert "▫️ VNeID: 5 in the period · 5 in all" in in_english.say("/month", MONDAY_MORNING).splitlines()


# The chart -----------------------------------------------------------------------------


def decode(png: bytes):
    from matplotlib.image import imread

    return imread(io.BytesIO(png), format="png")


def test_chart_is_a_phone_sized_png(with_targets):
    import matplotlib.pyplot as plt

    open_before = plt.get_fignums()
    assert default_indicator(with_targets) == "vneid"
    for t in (VI, EN):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a missing Vietnamese glyph would warn
            png = progress_chart(with_targets, t)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        assert len(png) < 200_000
        height, width = decode(png).shape[:2]
        assert 500 <= width <= 1000 and 300 <= height <= 1500
    counts = progress_chart(with_targets, VI, "ho")  # no target: counts, grey bars
    assert decode(counts).shape[1] >= 500
    assert plt.get_fignums() == open_before  # nothing left open


def test_the_summary_picture_charts_every_indicator_labels_at_the_bars_ends_and_none_overlap(session, place):
    v = place.villages
    add_target(session, place.unit, "ho", baseline=30, percent=60, start=START, deadline=DEADLINE)
    add_target(session, v["Thôn Tân Hòa"], "vneid", baseline=50, percent=50, start=START, deadline=DEADLINE)
    Chatter(session, "Lan", [v["Thôn Tân Hòa"]], Role.MEMBER).say("ho 9 vneid 40 ssk 2")
    summary = weekly_summary(session, place.unit, WEEK, TODAY)
    keys = charted_indicators(summary)
    assert keys == [i.key for i in summary.indicators]  # every indicator the commune tracks
    figure = progress_figure(summary, EN, keys)
    figure.draw_without_rendering()  # lays the figure out as saving would
    renderer = figure.canvas.get_renderer()
    assert [axes.get_title(loc="left") for axes in figure.axes] == [
        f"{i.short('en')}: progress by village" for i in summary.indicators]
    labels = []
    for axes, key in zip(figure.axes, keys, strict=True):
        bars = axes.patches
        for bar, text in zip(bars, axes.texts, strict=True):
            box = text.get_window_extent(renderer)
            end = axes.transData.transform((bar.get_x() + bar.get_width(), bar.get_y() + bar.get_height() / 2))
            assert 0 <= box.x0 - end[0] <= 12  # the label starts at its bar's end
            assert box.y0 < end[1] < box.y1
            labels.append(box)
        rows = list(reversed([village for village in summary.villages if key in village.progress]))
        for village, text in zip(rows, axes.texts, strict=True):
            line = village.progress[key]
            if line.target and line.start:  # the share, then the expected level's number
                assert text.get_text() == EN("{percent} (expected {expected})", percent=EN.percent(line.ratio),
                                             expected=EN.percent(line.expected(summary.as_of) / line.target))
    names = [label.get_window_extent(renderer) for axes in figure.axes for label in axes.get_yticklabels()]
    boxes = labels + names  # the bars' labels and the villages' names, over every chart
    assert len(labels) == len(names) == len(keys) * len(summary.villages)
    overlapping = [(a, b) for n, a in enumerate(boxes) for b in boxes[n + 1:] if a.overlaps(b)]
    assert not overlapping
    width, height = figure.get_size_inches() * figure.dpi
    assert all(0 <= box.x0 and box.x1 <= width * 1.1 for box in labels)  # inside the picture (tight bbox aside)
    png = summary_chart(summary, VI)
    shape = decode(png).shape
    assert 500 <= shape[1] <= 1000 and shape[0] > shape[1]  # a phone's width, one chart under the other


def test_chart_grows_with_the_villages_and_defaults_without_targets(session):
    many = make_commune(session, "Xã Đông", {f"Thôn Số {n}": (50, 200, 150, 160) for n in range(1, 31)})
    summary = weekly_summary(session, many.unit, WEEK, TODAY)
    assert default_indicator(summary) == "ho"  # without targets: the first indicator the commune tracks
    height, width = decode(progress_chart(summary, VI)).shape[:2]
    assert height > width  # portrait: one readable bar per village
    add_target(session, many.unit, "bdhvs", percent=80, start=START, deadline=DEADLINE)
    assert default_indicator(weekly_summary(session, many.unit, WEEK, TODAY)) == "bdhvs"
    with pytest.raises(ValueError):
        progress_chart(summary, VI, "nope")


# The spreadsheet -----------------------------------------------------------------------


def read_back(data: bytes):
    from openpyxl import load_workbook

    assert data.startswith(b"PK")
    return load_workbook(io.BytesIO(data))


def data_rows(sheet):
    return list(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))


@pytest.mark.parametrize("t", [VI, EN], ids=["vi", "en"])
def test_workbook_numbers_fills_and_dates(with_targets, t):
    summary = with_targets
    book = read_back(summary_workbook(summary, t))
    # The three views, the reporting calendar, KPI, then one sheet per village (tests/test_exports.py).
    assert len(book.worksheets) == 5 + len(summary.villages)
    week, cumulative, who = book.worksheets[:3]
    shorts = [i.short(t.language) for i in summary.indicators]
    for sheet in book.worksheets:
        assert sheet["A1"].value == "Xã Đồng Phú"
        assert sheet["B2"].value.date() == WEEK.first and sheet["D2"].value.date() == WEEK.last
        assert sheet.freeze_panes is not None
    assert cumulative["B3"].value.date() == summary.as_of

    # (a) the week: villages × indicators, then the totals.
    header = [c.value for c in week[HEADER_ROW]]
    assert header[1:8] == shorts
    rows = data_rows(week)
    assert len(rows) == len(summary.villages) + 1
    for village, row in zip(summary.villages, rows, strict=False):
        assert row[0] == village.village.name
        assert list(row[1:8]) == [village.week.get(i.key, 0) for i in summary.indicators]
        assert all(isinstance(n, int) for n in row[1:8])
    assert list(rows[-1][1:8]) == [summary.totals.get(i.key, 0) for i in summary.indicators]

    # (b) progress: village × indicator, then the commune; status cells coloured.
    lines = [(v, i.key, v.progress[i.key]) for v in summary.villages for i in summary.indicators]
    cells = list(cumulative.iter_rows(min_row=HEADER_ROW + 1))
    assert len(cells) == len(lines) + len(summary.indicators)
    for (village, key, line), row in zip(lines, cells, strict=False):
        values = [c.value for c in row]
        assert values[0] == village.village.name
        assert values[1] == shorts[[i.key for i in summary.indicators].index(key)]
        assert values[2:5] == [line.baseline, line.gain, line.achieved]
        assert values[5] == line.target
        assert values[6] == (pytest.approx(line.ratio) if line.target else None)
        status = summary.status(village, key)
        fill = row[8].fill
        if status is None:
            assert fill.fill_type is None and not values[8]
        else:
            assert fill.fill_type == "solid" and fill.fgColor.rgb.endswith(STATUS_FILLS[status])
            assert values[8]
    coloured = [row[8].fill.fgColor.rgb[-6:] for row in cells if row[8].fill.fill_type == "solid"]
    assert sorted(coloured) == sorted(STATUS_FILLS[s] for s in (Status.GREEN, Status.YELLOW, Status.RED))
    for key, row in zip(summary.progress, cells[len(lines):], strict=True):
        assert row[4].value == summary.progress[key].achieved

    # (c) who reported what.
    assert [c.value for c in who[HEADER_ROW]][2:] == shorts
    expected = [(name, village.village.name, [counts.get(i.key, 0) for i in summary.indicators])
                for village in summary.villages for name, counts in village.reporters]
    assert [(r[0], r[1], list(r[2:])) for r in data_rows(who)] == expected
    assert expected == [("Lan", "Thôn Tân Hòa", [0, 12, 0, 0, 0, 0, 0]),
                        ("Hòa", "Thôn Phú Lợi", [0, 6, 0, 0, 0, 0, 0])]


def test_workbook_without_targets_has_no_colours(reported_week):
    book = read_back(summary_workbook(reported_week, VI))
    cumulative = book.worksheets[1]
    assert not any(row[8].fill.fill_type for row in cumulative.iter_rows(min_row=HEADER_ROW + 1))
    assert all(row[5] is None and row[6] is None for row in data_rows(cumulative))
    week = data_rows(book.worksheets[0])
    assert week[-1][1:4] == (3, 11, 1)
    who = data_rows(book.worksheets[2])
    assert [(r[0], r[1]) for r in who] == [("Lan", "Thôn Tân Hòa"), ("Mai", "Thôn Tân Hòa")]
    assert "không có gì để báo cáo" in week[1]  # Phú Lợi's /khong


def test_names_that_look_like_formulas_stay_text_in_the_workbook(session):
    names = ["=HYPERLINK(\"http://x.example\",\"bấm\")", "+84 Thôn Gò", "-Thôn Dưới", "@Thôn Trên"]
    place = make_commune(session, "=1+1", {name: (100, 400, 300, 320) for name in names})
    Chatter(session, "=cmd|' /C calc'!A0", [place.villages[names[0]]], Role.MEMBER).say("vneid 2")
    book = read_back(summary_workbook(weekly_summary(session, place.unit, WEEK, TODAY), VI))
    written = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
               if isinstance(cell.value, str) and cell.value[:1] in "=+-@"]
    assert {cell.value for cell in written} >= {*names, "=1+1", "=cmd|' /C calc'!A0"}
    assert all((cell.data_type, cell.quotePrefix) == ("s", True) for cell in written), written


# The cost ------------------------------------------------------------------------------


def fill_commune(session, name: str, villages: int, entries_per_village: int):
    """A commune with villages, one member each, and many entries, inserted directly."""
    place = make_commune(session, name, {f"Thôn {name} {n}": (100, 400, 300, 320) for n in range(villages)})
    add_target(session, place.unit, "vneid", percent=80, start=START, deadline=DEADLINE)
    message = 0
    for village in place.villages.values():
        person = Person(name=f"Người {village.name}")
        session.add(person)
        session.flush()
        for n in range(entries_per_village):
            message += 1
            day = MONDAY + timedelta(days=n % 3)
            entry = Entry(person_id=person.id, village_id=village.id, day=day, channel="console",
                          chat_id=f"{name}-{person.id}", message_id=str(message))
            session.add(entry)
            session.flush()
            for key in ("ho", "vneid", "ssk"):
                session.add(EntryCount(entry_id=entry.id, village_id=village.id, day=day, person_id=person.id,
                                       indicator_key=key, count=n % 4 + 1))
    session.commit()
    return place


@pytest.mark.parametrize("requires_evidence", [False, True], ids=["counts", "with-evidence"])
def test_the_number_of_statements_does_not_grow_with_entries_or_villages(session, requires_evidence):
    small = fill_commune(session, "Nhỏ", villages=2, entries_per_village=1)
    large = fill_commune(session, "Lớn", villages=20, entries_per_village=25)
    for place in (small, large):
        place.unit.requires_evidence = requires_evidence  # one more statement: the verified counts
    session.commit()
    engine = session.get_bind()
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    weekly_summary(session, small.unit, WEEK, TODAY)  # warm up the connection
    event.listen(engine, "before_cursor_execute", count)
    try:
        statements.clear()
        summary_small = weekly_summary(session, small.unit, WEEK, TODAY)
        for_small = len(statements)
        statements.clear()
        summary_large = weekly_summary(session, large.unit, WEEK, TODAY)
        for_large = len(statements)
        statements.clear()
        weekly_summaries(session, [small.unit, large.unit], WEEK, TODAY)
        for_both = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert for_small == for_large == for_both == 5 + requires_evidence  # the catalog was read by the warm-up
    assert len(summary_large.villages) == 20
    assert summary_large.totals["vneid"] == 20 * sum(n % 4 + 1 for n in range(25))
    assert summary_small.totals["ho"] == 2
    assert all(len(v.reporters) == 1 for v in summary_large.villages)


# A time-line begun on a Thursday, nine weeks before TODAY: the first week's bar counts from the start.
TREND_START, TREND_DEADLINE = date(2026, 9, 24), date(2027, 1, 31)
TREND_WEEKLY = {TREND_START - timedelta(days=TREND_START.weekday()) + timedelta(weeks=n): 3 * n + 4 for n in range(10)}
TREND_WEEKLY[date(2026, 10, 12)] = 0  # a week without entries: a gap, not a fault


def trend_progress(target: float | None = 400.0, start: date | None = TREND_START) -> Progress:
    return Progress("vneid", 60.0, sum(TREND_WEEKLY.values()), target, start, TREND_DEADLINE)


def test_the_trend_picture_reads_the_weeks_its_lines_end_at_the_progress_reached_and_no_label_overlaps():
    line = trend_progress()
    reached = 100 * (line.baseline + sum(TREND_WEEKLY.values())) / line.target  # the share of the target, reckoned apart
    for t in (VI, EN):
        figure = trend_figure(t, "Cài đặt VNeID mức 2", TREND_WEEKLY, line, TODAY)
        figure.draw_without_rendering()
        renderer = figure.canvas.get_renderer()
        counts, shares = figure.axes
        assert counts.get_title(loc="left") == "Cài đặt VNeID mức 2"
        assert [round(bar.get_height()) for bar in counts.patches] == list(TREND_WEEKLY.values())
        progress_line, expected_line = (next(ln for ln in shares.get_lines() if ln.get_label() == t(label))
                                        for label in ("reached", "expected by the time-line"))
        assert progress_line.get_ydata()[-1] == pytest.approx(reached)
        assert expected_line.get_ydata()[-1] == pytest.approx(100 * line.expected(TODAY) / line.target)
        legend = [text.get_text() for text in figure.legends[0].get_texts()]
        assert t("target: {count} by {day}", count=t.number(400), day=t.day_month(TREND_DEADLINE)) in legend
        unshown = [label for axis in (counts.xaxis, counts.yaxis, shares.yaxis)  # ticks past the axis's end
                   for location, label in zip(axis.get_majorticklocs(), axis.get_majorticklabels(), strict=True)
                   if not min(axis.get_view_interval()) <= location <= max(axis.get_view_interval())]
        boxes = [text.get_window_extent(renderer) for text in figure.findobj(Text)
                 if text.get_visible() and text.get_text() and text not in unshown]
        assert len(boxes) > 20  # the title, the axes' labels and numbers, the weeks, the legend
        overlapping = [(a, b) for n, a in enumerate(boxes) for b in boxes[n + 1:] if a.overlaps(b)]
        assert not overlapping
        width, height = figure.get_size_inches() * figure.dpi
        assert all(0 <= box.x0 and box.x1 <= width and 0 <= box.y0 and box.y1 <= height for box in boxes)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a missing Vietnamese glyph would warn
            png = trend_chart(t, "Cài đặt VNeID mức 2", TREND_WEEKLY, line, TODAY)
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) < 200_000
        height, width = decode(png).shape[:2]
        assert 500 <= width <= 1000 and 250 <= height < width


def test_a_trend_without_a_target_shows_the_last_twelve_weeks_of_bars_only():
    figure = trend_figure(EN, "Hộ gia đình", TREND_WEEKLY, trend_progress(target=None, start=None), TODAY)
    assert len(figure.axes) == 1  # no second axis: nothing to measure the lines against
    assert len(figure.axes[0].patches) == 12
    assert [text.get_text() for text in figure.legends[0].get_texts()] == ["count per week"]
