"""Issue 22: a week named is the report's week; "nothing" for last week; two days in one
message, confirmed once. Through the handlers, on Wednesday 25/11/2026 (helpers.NOW) and on
a fixed Monday."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from helpers import Chatter, entry_total, incoming, live_counts, live_entry_counts, send
from tocds.figures import figures_of
from tocds.jobs import JOBS
from tocds.jobs.reminders import missing_villages
from tocds.jobs.runner import run_job
from tocds.models import Entry, NothingToReport, OutboxMessage, Role
from tocds.models.periods import week_of

MONDAY_NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # Monday 30/11/2026, 10:00 in Vietnam: 2026-W49
LAST_SATURDAY = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # Saturday 28/11, 09:00: that week's escalation


@pytest.fixture
def lan(session, commune):
    return Chatter(session, "Lan", [commune.villages["Thôn Tân Hòa"]], Role.MEMBER)


def entry_days(session) -> list[tuple[date, dict[str, int]]]:
    days: dict[date, dict[str, int]] = {}
    for count in live_entry_counts(session):
        days.setdefault(count.day, {})[count.indicator_key] = count.count
    return sorted(days.items())


# A week named ---------------------------------------------------------------------------


def test_a_past_week_named_is_proposed_for_its_last_day_and_saved_there(session, lan):
    proposal = lan.say("Báo cáo tuần 47: hộ 30, vneid 10")
    assert proposal == ("Hiểu là: Hộ 30 · VNeID 10 (Thôn Tân Hòa, tuần 16/11–22/11, ghi vào ngày 22/11).\n"
                        "Lưu?\n1. Đúng, lưu\n2. Không, hủy")
    assert entry_total(session) == 0
    assert lan.say("1") == ("✅ Đã lưu cho Thôn Tân Hòa, ngày 22/11/2026: Hộ 30 · VNeID 10.\n"
                            "Tuần 16/11–22/11, Thôn Tân Hòa: Hộ 30 · VNeID 10")
    assert entry_days(session) == [(date(2026, 11, 22), {"ho": 30, "vneid": 10})]  # no "Hộ 47"


def test_the_current_week_named_is_saved_for_today(session, lan):
    assert lan.say("bc tuần 48 đi 12 hộ").startswith("Hiểu là: Hộ 12 (Thôn Tân Hòa, tuần 23/11–29/11, ghi vào ngày 25/11).")
    lan.say("đúng")
    assert entry_days(session) == [(date(2026, 11, 25), {"ho": 12})]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("tuần 49 hộ 3", "“tuần 49” chưa bắt đầu (từ ngày 30/11/2026). Hãy báo cáo cho tuần này hoặc tuần đã qua."),
        ("tuần 45 hộ 3", "“tuần 45” đã kết thúc ngày 08/11/2026, quá 14 ngày: chỉ báo cáo được cho hôm nay và 14 ngày "
                         "trước. Tuần cũ hơn, hãy báo văn phòng xã."),
    ],
)
def test_a_week_not_begun_or_too_old_is_refused_with_what_to_do(session, lan, text, problem):
    assert lan.say(text).splitlines()[0] == "⚠️ Chưa lưu. " + problem
    assert entry_total(session) == 0 and not lan.last[0].choices


def test_on_a_monday_last_week_is_saved_for_its_sunday_and_this_week_for_today(session, lan):
    lan.say("tuần trước đi 30 hộ", MONDAY_NOW)
    assert lan.say("1", MONDAY_NOW).startswith("✅ Đã lưu cho Thôn Tân Hòa, ngày 29/11/2026: Hộ 30.")
    lan.say("tuần này 5 vneid", MONDAY_NOW)
    assert lan.say("1", MONDAY_NOW).startswith("✅ Đã lưu cho Thôn Tân Hòa, ngày 30/11/2026: VNeID 5.")
    # Two weeks back ended 15/11, fifteen days ago: out of the window on this Monday.
    lan.say("tuần 47 hộ 2", MONDAY_NOW)
    assert lan.say("1", MONDAY_NOW).startswith("✅ Đã lưu cho Thôn Tân Hòa, ngày 22/11/2026: Hộ 2.")
    assert lan.say("tuần 46 hộ 2", MONDAY_NOW).startswith("⚠️ Chưa lưu. “tuần 46” đã kết thúc ngày 15/11/2026")
    assert entry_days(session) == [(date(2026, 11, 22), {"ho": 2}), (date(2026, 11, 29), {"ho": 30}),
                                   (date(2026, 11, 30), {"vneid": 5})]


# "Nothing" for last week ----------------------------------------------------------------


def nothing_rows(session) -> list[tuple[int, date]]:
    return [(row.village_id, row.week_start) for row in session.exec(select(NothingToReport)).all()]


@pytest.mark.parametrize("text", ["tuần trước không có gì", "tuần rồi không có gì", "tuần trước tổ nghỉ",
                                  "dạ tuần trước thôn em không có gì ạ", "tuan truoc ko co gi", "/khong tuần trước"])
def test_nothing_last_week_on_a_monday_is_recorded_once_for_last_week(session, commune, lan, text):
    reply = lan.say(text, MONDAY_NOW)
    assert reply == ("✅ Đã ghi nhận: Thôn Tân Hòa không có gì báo cáo tuần 23/11–29/11. "
                     "Nếu có việc phát sinh, bạn vẫn báo cáo được.")
    lan.say(text, MONDAY_NOW + timedelta(minutes=5))
    assert nothing_rows(session) == [(commune.villages["Thôn Tân Hòa"].id, date(2026, 11, 23))]


@pytest.mark.parametrize("text", ["hai tuần trước không có gì", "2 tuần trước tổ nghỉ", "tuần trước nữa không có gì",
                                  "dạ hai tuần trước thôn em không có gì ạ", "nothing two weeks ago"])
def test_nothing_for_a_week_named_further_back(session, commune, lan, text):
    """Any week the words name, within the days a report may be for: two weeks back on a
    Monday is the week of 16/11 (its last day, 22/11, is 8 days ago)."""
    reply = lan.say(text, MONDAY_NOW)
    assert "16/11–22/11" in reply and reply.startswith(("✅ Đã ghi nhận", "✅ Noted")), reply
    assert nothing_rows(session) == [(commune.villages["Thôn Tân Hòa"].id, date(2026, 11, 16))]


def test_nothing_last_week_counts_for_that_weeks_summary_escalation_and_missing_list(session, commune, lan):
    tan_hoa = commune.villages["Thôn Tân Hòa"]
    assert tan_hoa in missing_villages(session, commune.unit, LAST_SATURDAY)
    lan.say("tuần trước không có gì", MONDAY_NOW)
    assert tan_hoa not in missing_villages(session, commune.unit, LAST_SATURDAY)  # Saturday's escalation, again
    summary = figures_of(session, commune.unit, week_of(date(2026, 11, 23)), date(2026, 11, 30)).summary
    assert [v.name for v in summary.missing] == ["Thôn Phú Lợi"]
    office = Chatter(session, "Hà", [commune.unit], Role.OFFICE)
    assert "Thôn Tân Hòa" not in office.say("/chuabaocao tuần trước", MONDAY_NOW)
    # Monday's summary, once the office has subscribed, counts Tân Hòa as reported.
    office.say("/nhantin", MONDAY_NOW)
    run_job(session, JOBS["weekly-summary"], commune.unit, MONDAY_NOW)
    session.commit()
    summary_text = session.exec(select(OutboxMessage)).first().payload["text"]
    assert "Chưa báo cáo (1): Thôn Phú Lợi" in summary_text


def test_nothing_last_week_for_a_village_with_counts_says_it_has_them(session, lan):
    lan.say("vneid 4 23/11", MONDAY_NOW)
    assert lan.say("tuần trước không có gì", MONDAY_NOW) == (
        "Thôn Tân Hòa đã có số liệu tuần 23/11–29/11, không cần báo \"không có\".\n"
        "Tuần 23/11–29/11, Thôn Tân Hòa: VNeID 4")
    assert nothing_rows(session) == []


def test_nothing_for_a_week_out_of_reach_says_what_to_do(session, lan):
    assert lan.say("/khong tuần 45") == ("⚠️ “tuần 45” đã kết thúc ngày 08/11/2026, quá 14 ngày: chỉ báo cáo được cho "
                                         "hôm nay và 14 ngày trước. Tuần cũ hơn, hãy báo văn phòng xã.")
    assert lan.say("/khong tháng 11") == ("⚠️ “tháng 11” không phải một tuần. Gửi /khong cho tuần này, hoặc "
                                          "/khong tuần trước cho tuần trước.")
    assert nothing_rows(session) == []


def test_a_member_of_two_villages_picks_the_village_for_last_weeks_nothing(session, commune):
    hung = Chatter(session, "Hùng", list(commune.villages.values()), Role.MEMBER)
    assert hung.say("nothing last week", MONDAY_NOW) == "Báo cáo cho thôn nào?\n1. Thôn Tân Hòa\n2. Thôn Phú Lợi"
    assert hung.say("2", MONDAY_NOW).startswith("✅ Đã ghi nhận: Thôn Phú Lợi không có gì báo cáo tuần 23/11–29/11.")
    assert nothing_rows(session) == [(commune.villages["Thôn Phú Lợi"].id, date(2026, 11, 23))]


def test_nothing_last_week_in_the_teams_group_is_answered(session, commune, lan):
    group = incoming(lan.chat.sender_id, "tuần trước không có gì", "g1", chat_id="-100")
    [reply] = send(session, group, MONDAY_NOW)
    assert reply.text.startswith("✅ Đã ghi nhận: Thôn Tân Hòa không có gì báo cáo tuần 23/11–29/11.")


# Two days in one message ------------------------------------------------------------------


def test_two_days_are_read_shown_in_one_proposal_and_saved_on_one_tap(session, lan):
    proposal = lan.say("thứ 3 đi 6 hộ, thứ 5 đi 8 hộ")
    assert proposal == ("Hiểu là, cho Thôn Tân Hòa:\n• Thứ Ba 24/11: Hộ 6\n• Thứ Năm 19/11: Hộ 8\n"
                        "Lưu cả 2 ngày?\n1. Đúng, lưu\n2. Không, hủy")
    assert entry_total(session) == 0
    assert lan.say("1") == ("✅ Đã lưu cho Thôn Tân Hòa, ngày 24/11/2026: Hộ 6.\n"
                            "✅ Đã lưu cho Thôn Tân Hòa, ngày 19/11/2026: Hộ 8.\n"
                            "Tuần 23/11–29/11, Thôn Tân Hòa: Hộ 6\n"
                            "Tuần 16/11–22/11, Thôn Tân Hòa: Hộ 8")
    assert entry_days(session) == [(date(2026, 11, 19), {"ho": 8}), (date(2026, 11, 24), {"ho": 6})]
    assert entry_total(session) == 2


def test_cancelling_two_days_saves_neither_and_shows_each_days_short_form(session, lan):
    lan.say("hôm qua: hộ 5 vneid 2\nhôm nay: hộ 3")
    assert lan.say("không") == ("Đã hủy, chưa lưu gì. Có thể gửi gọn mỗi ngày một tin, bot lưu ngay:\n"
                                "hộ 5 vneid 2 24/11\nhộ 3")
    assert entry_total(session) == 0


def test_an_error_in_one_day_names_that_day_and_saves_nothing(session, lan):
    reply = lan.say("thứ 3 đi 6 hộ, thứ 5 đi vneid")
    assert reply.splitlines()[0] == "⚠️ Chưa lưu. Ở phần “thứ 5”: VNeID chưa có số đi kèm."
    assert entry_total(session) == 0


def test_two_days_for_a_member_of_two_villages_the_village_is_the_tap(session, commune):
    hung = Chatter(session, "Hùng", list(commune.villages.values()), Role.MEMBER)
    assert hung.say("thứ 2 đi 4 hộ, thứ 3 đi 5 hộ").startswith(
        "Hiểu là: Hộ 4, 23/11; Hộ 5, 24/11. Lưu cho thôn nào?")
    hung.say("2")
    assert live_counts(session, commune.villages["Thôn Phú Lợi"]) == {"ho": 9}
    assert entry_total(session) == 2


def test_two_days_delivered_twice_are_saved_once(session, commune, lan):
    sender = lan.chat.sender_id
    send(session, incoming(sender, "thứ 3 đi 6 hộ, thứ 5 đi 8 hộ", "m1"))
    first = send(session, incoming(sender, "1", "m2"))
    assert first[0].text.startswith("✅ Đã lưu cho Thôn Tân Hòa, ngày 24/11/2026: Hộ 6.")
    # The message delivered again is answered with what it saved, nothing stored twice.
    assert send(session, incoming(sender, "thứ 3 đi 6 hộ, thứ 5 đi 8 hộ", "m1")) == first
    assert entry_total(session) == 2
    ids = sorted(entry.message_id for entry in session.exec(select(Entry)).all())
    assert ids == ["m1", "m1/2"]


def test_taking_back_a_message_of_two_days_offers_both_or_one(session, lan):
    lan.say("thứ 3 đi 6 hộ, thứ 5 đi 8 hộ")
    lan.say("1")
    assert lan.say("/xoa") == ("Báo cáo gần nhất của bạn, cho Thôn Tân Hòa, ghi 2 ngày:\n"
                               "• Thứ Ba 24/11: Hộ 6\n• Thứ Năm 19/11: Hộ 8\n"
                               "Rút lại cả báo cáo, hay một ngày?\n"
                               "1. Rút lại cả 2 ngày\n2. Chỉ Thứ Ba 24/11\n3. Chỉ Thứ Năm 19/11\n4. Không, giữ lại")
    assert lan.say("3") == ("✅ Đã rút lại: Hộ 8 (ngày 19/11/2026).\n"
                            "Tuần 16/11–22/11, Thôn Tân Hòa: chưa có")
    assert entry_days(session) == [(date(2026, 11, 24), {"ho": 6})]
    # The day left is the last report now, alone.
    assert lan.say("/xoa").startswith("Rút lại báo cáo gần nhất của Thôn Tân Hòa, ngày 24/11/2026: Hộ 6?")
    lan.say("2")

    lan.say("hôm qua: hộ 5 vneid 2\nhôm nay: hộ 3")
    lan.say("1")
    lan.say("rút lại")
    assert lan.say("1") == ("✅ Đã rút lại: Hộ 5 · VNeID 2 (ngày 24/11/2026).\n✅ Đã rút lại: Hộ 3 (ngày 25/11/2026).\n"
                            "Tuần 23/11–29/11, Thôn Tân Hòa: Hộ 6")
    assert entry_days(session) == [(date(2026, 11, 24), {"ho": 6})]
    # `đúng là 5` with no indicator: a count of either day to pick.
    lan.say("thứ 2 đi 4 hộ, thứ 3 vneid 3")
    lan.say("1")
    assert lan.say("xin lỗi gõ nhầm, đúng là 5").splitlines()[1:3] == ["1. 23/11 · Hộ 4 → 5", "2. 24/11 · VNeID 3 → 5"]


def test_two_days_above_the_village_wait_for_a_yes_with_their_week_added_up(session, lan):
    # Tân Hòa has 100 households: 60 + 50 in one week is above it, though neither day is.
    question = lan.say("thứ 2 đi 60 hộ, thứ 3 đi 50 hộ")
    assert "⚠️ Hộ 110 nhiều hơn số hộ của thôn (100)." in question.splitlines()
    assert question.splitlines()[-3] == "Vẫn lưu cả 2 ngày chứ?"
