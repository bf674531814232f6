"""Corrections, take-backs, "nothing this week", answers, greetings and thanks typed in words,
driven through the handlers as a member would; corrections and take-backs by the commune office."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from helpers import (
    NOW,
    Chatter,
    entry_total,
    incoming,
    live_counts,
    make_commune,
    make_province,
    send,
    totals_drift,
)
from tocds.handlers.context import STEPS
from tocds.handlers.grammar import MAX_DAYS_BACK
from tocds.handlers.messages import Outgoing
from tocds.models import Audit, Conversation, EntryCount, NothingToReport, OutboxMessage, Role


@pytest.fixture
def lan(session, commune):
    return Chatter(session, "Lan", [commune.villages["Thôn Tân Hòa"]], Role.MEMBER)


def audits(session) -> list[tuple[str, int, int | None]]:
    return [(a.action, a.old_count, a.new_count) for a in session.exec(select(Audit).order_by(Audit.id)).all()]


def open_question(session) -> Conversation | None:
    return session.exec(select(Conversation)).first()


# Corrections -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["sửa lại vneid 6", "sua vneid thanh 6", "Sửa lại VNeID 6 ạ", "/sua vneid 6", "/edit vneid 6",
             "nham, vneid la 6 chu ko phai 5", "vneid 5 sai, đúng là 6", "sửa định danh 5 thành 6"],
)
def test_a_correction_is_proposed_and_made_only_on_yes(session, commune, lan, text):
    lan.say("vneid 5 bdhvs 3")
    assert lan.say(text) == "VNeID ngày 25/11: 5 → 6. Sửa?\n1. Đúng, sửa\n2. Không"
    assert live_counts(session) == {"vneid": 5, "bdhvs": 3}  # nothing changed before the yes
    assert audits(session) == []
    assert lan.say("đúng").startswith("✅ Đã sửa VNeID ngày 25/11: 5 → 6.\nTuần 23/11–29/11, Thôn Tân Hòa: VNeID 6")
    assert live_counts(session) == {"vneid": 6, "bdhvs": 3}
    assert audits(session) == [("edit", 5, 6)]
    assert totals_drift(session) == {}
    assert open_question(session) is None


@pytest.mark.parametrize("no", ["2", "không", "ko", "k", "Không", "sai", "dạ không ạ"])
def test_a_correction_answered_no_changes_nothing(session, commune, lan, no):
    lan.say("vneid 5")
    lan.say("sửa lại vneid 6")
    assert lan.say(no) == "Đã giữ nguyên: không có gì thay đổi."
    assert live_counts(session) == {"vneid": 5}
    assert audits(session) == []


def test_the_latest_count_of_the_indicator_is_the_one_proposed(session, commune, lan):
    lan.say("hôm qua vneid 5")
    lan.say("vneid 3 hộ 2")
    assert lan.say("sửa vneid thành 7").startswith("VNeID ngày 25/11: 3 → 7. Sửa?")
    # Naming the wrong count picks the count that has it.
    assert lan.say("vneid là 4 chứ không phải 5").startswith("VNeID ngày 24/11: 5 → 4. Sửa?")
    assert lan.say("ok").startswith("✅ Đã sửa VNeID ngày 24/11: 5 → 4.")
    assert live_counts(session) == {"vneid": 7, "ho": 2}


def test_an_old_count_that_is_not_stored_is_said_and_still_asked(session, commune, lan):
    lan.say("vneid 5")
    assert lan.say("nhầm, vneid là 4 chứ không phải 6") == (
        "Số đã lưu là VNeID 5 ngày 25/11, không phải 6.\nVNeID ngày 25/11: 5 → 4. Sửa?\n1. Đúng, sửa\n2. Không")
    assert lan.say("1").startswith("✅ Đã sửa VNeID ngày 25/11: 5 → 4.")
    assert audits(session) == [("edit", 5, 4)]


def test_a_correction_with_no_count_in_the_window_never_advises_a_new_report(session, commune, lan):
    lan.say("vneid 5", NOW - timedelta(days=MAX_DAYS_BACK + 1))  # older than the days a report may be for
    lan.say("hộ 3")
    for text in ("sửa lại vneid 6", "/sua định danh 6"):
        assert lan.say(text) == ("Bạn chưa có số VNeID nào của hôm nay hoặc 14 ngày trước để sửa. "
                                 "Số của những ngày cũ hơn: hãy nhờ văn phòng xã.")
    assert open_question(session) is None
    assert audits(session) == [] and live_counts(session) == {"vneid": 5, "ho": 3}


def test_a_correction_to_zero_removes_the_count(session, commune, lan):
    lan.say("vneid 5 bdhvs 3")
    assert lan.say("/sua vneid 0").startswith("VNeID ngày 25/11: 5 → 0. Sửa?")
    assert lan.say("có").startswith("✅ Đã xóa VNeID 5 (ngày 25/11).")
    removed = session.exec(select(EntryCount).where(EntryCount.indicator_key == "vneid")).one()
    assert removed.deleted_at is not None
    assert audits(session) == [("delete", 5, None)]
    assert totals_drift(session) == {}


def test_a_correction_that_changes_nothing_says_so(session, commune, lan):
    lan.say("vneid 5")
    assert lan.say("sửa vneid 5") == "VNeID ngày 25/11 đã là 5: không cần sửa."
    assert open_question(session) is None


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("sửa lại xyz 6", "⚠️ Chưa lưu. Không hiểu “xyz”."),
        ("/sua vneid 2,5", "⚠️ Chưa lưu. “2,5” không phải số nguyên (VNeID)."),
        ("/sua abc", "Tôi chưa hiểu bạn muốn sửa số nào. Hãy ghi chỉ tiêu và số đúng, ví dụ: /sua hộ 12"),
        ("/sua vneid", "Tôi chưa hiểu bạn muốn sửa số nào."),
    ],
)
def test_a_correction_not_understood_says_how_to_write_it(session, commune, lan, text, reply):
    lan.say("vneid 5")
    assert lan.say(text).startswith(reply)
    assert live_counts(session) == {"vneid": 5} and audits(session) == []


def test_a_misspelt_indicator_in_a_correction_is_proposed_by_its_right_name(session, commune, lan):
    lan.say("vneid 5")
    assert lan.say("sửa lại vnied 6").startswith("VNeID ngày 25/11: 5 → 6. Sửa?")
    assert live_counts(session) == {"vneid": 5}  # until the yes
    lan.say("1")
    assert live_counts(session) == {"vneid": 6}


def test_a_count_removed_before_the_yes_is_not_changed(session, commune, lan):
    lan.say("vneid 5")
    lan.say("sửa lại vneid 6")
    count = session.exec(select(EntryCount)).one()
    count.deleted_at = NOW
    session.add(count)
    session.commit()
    assert lan.say("1") == "Số liệu này đã bị xóa trước đó. Không có gì thay đổi."
    assert audits(session) == []


# Taking back, nothing this week ----------------------------------------------------------------


@pytest.mark.parametrize("text", ["xóa báo cáo", "xoá báo cáo vừa gửi", "rút lại", "hủy báo cáo", "xoa bc nha"])
def test_taking_back_in_words_is_xoa_with_its_question(session, commune, lan, text):
    lan.say("vneid 5")
    lan.say("ho 3")
    assert lan.say(text) == lan.say("/xoa") == (
        "Rút lại báo cáo gần nhất của Thôn Tân Hòa, ngày 25/11/2026: Hộ 3?\n1. Đúng, rút lại\n2. Không, giữ lại")
    assert live_counts(session) == {"vneid": 5, "ho": 3}
    assert lan.say("dạ").startswith("✅ Đã rút lại: Hộ 3")
    assert live_counts(session) == {"vneid": 5}
    assert audits(session) == [("delete", 3, None)]


@pytest.mark.parametrize("text", ["tuần này không có gì", "tuần này ko có gì", "không có gì để báo cáo",
                                  "tuan nay k co j a"])
def test_nothing_this_week_in_words_is_khong(session, commune, lan, text):
    assert lan.say(text).startswith("✅ Đã ghi nhận: Thôn Tân Hòa không có gì báo cáo tuần 23/11–29/11.")
    assert len(session.exec(select(NothingToReport)).all()) == 1
    assert entry_total(session) == 0


def test_an_english_member_says_it_in_english(session, commune):
    sam = Chatter(session, "Sam", [commune.villages["Thôn Tân Hòa"]], Role.MEMBER, language="en")
    assert sam.say("nothing this week").startswith("✅ Noted: nothing to report for Thôn Tân Hòa")
    sam.say("vneid 5")
    assert sam.say("change vneid to 6") == "VNeID on 25 Nov: 5 → 6. Change it?\n1. Yes, change it\n2. No"
    assert sam.say("yes").startswith("✅ Changed VNeID on 25 Nov: 5 → 6.")
    assert sam.say("hello") == "Hello, Sam 👋 Send /trogiup to see what I can do."
    assert sam.say("thanks") == "You are welcome 🙂"


def test_words_typed_while_a_question_is_open_do_what_they_say(session, commune, lan):
    lan.say("vneid 5")
    lan.say("ssk 500")  # waits for a yes
    assert lan.say("xóa báo cáo").startswith("Rút lại báo cáo gần nhất của Thôn Tân Hòa, ngày 25/11/2026: VNeID 5?")
    assert lan.say("sửa lại vneid 6").startswith("VNeID ngày 25/11: 5 → 6. Sửa?")
    assert open_question(session).state["step"] == "edit.confirm"
    assert live_counts(session) == {"vneid": 5}


# Answers to an open question --------------------------------------------------------------------


@pytest.mark.parametrize("yes", ["ok", "Oke", "đúng", "có", "ừ", "vâng ạ", "dạ", "yes", "y"])
def test_yes_words_answer_a_yes_no_question(session, commune, lan, yes):
    lan.say("ssk 500")
    assert lan.say(yes).startswith("✅ Đã lưu cho Thôn Tân Hòa, ngày 25/11/2026: Sổ sức khỏe 500.")
    assert live_counts(session) == {"ssk": 500}


@pytest.mark.parametrize("no", ["không", "ko", "k", "no", "n", "sai"])
def test_no_words_answer_a_yes_no_question(session, commune, lan, no):
    lan.say("ssk 500")
    assert lan.say(no).startswith("Đã hủy: chưa lưu gì.")
    assert entry_total(session) == 0 and open_question(session) is None


@pytest.mark.parametrize("cancel", ["thôi", "hủy", "huỷ", "cancel", "stop", "Thôi nhé"])
def test_cancel_words_leave_an_open_question(session, commune, lan, cancel):
    lan.say("/sua")  # nothing to change: no question
    lan.say("vneid 5")
    lan.say("/sua")
    lan.say("1")  # "type the right number": free text
    assert lan.say(cancel) == "Đã hủy: chưa lưu gì."
    assert open_question(session) is None
    assert live_counts(session) == {"vneid": 5} and audits(session) == []


def test_a_photo_captioned_ok_answers_no_question(session, commune, lan):
    lan.say("ssk 500")
    replies = send(session, incoming(lan.chat.sender_id, "ok", "p1", kind="photo", attachment="file-1"))
    assert replies[0].text.startswith("Trả lời bằng một số từ 1 đến 2")
    assert entry_total(session) == 0


def test_cancel_words_with_no_question_open_are_no_command(session, commune, lan):
    assert lan.say("thôi") == "Tôi chưa hiểu tin nhắn này.\nVí dụ: hộ 12 vneid 5 bdhvs 3 — hoặc gửi /baocao để được hướng dẫn từng bước."


def test_only_no_words_answer_a_question_without_yes(session, commune, lan, monkeypatch):
    # A choice between readings (data r:0, r:1) with a "no": `đúng` picks no reading.
    monkeypatch.setitem(STEPS, "test.readings", lambda context, data: [Outgoing(f"chose {data}")])
    lan.say("ssk 500")  # an open question, made over into a choice between readings
    question = open_question(session)
    question.state = {"step": "test.readings", "choices": [["Hộ 15", "r:0"], ["VNeID 15", "r:1"], ["Không", "no"]]}
    session.add(question)
    session.commit()
    assert lan.say("đúng").startswith("Trả lời bằng một số từ 1 đến 3, hoặc gửi /huy để hủy.")
    assert lan.say("ko") == "chose no"


# Greetings and thanks ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["chào bot", "xin chào", "alo", "hi", "Hello", "Chào bạn ạ"])
def test_a_greeting_gets_one_friendly_line(session, commune, lan, text):
    assert lan.say(text) == "Chào Lan 👋 Gửi /trogiup để xem tôi giúp được gì."
    assert entry_total(session) == 0 and open_question(session) is None


@pytest.mark.parametrize("text", ["cảm ơn", "cám ơn", "thanks", "ok", "oke", "👍", "cảm ơn nhiều ạ"])
def test_thanks_gets_one_friendly_line_other_than_a_greeting(session, commune, lan, text):
    assert lan.say(text) == "Không có gì ạ 🙂"
    assert entry_total(session) == 0 and open_question(session) is None


def test_commune_staff_are_greeted_too(session, commune):
    office = Chatter(session, "Hạnh", [commune.unit], Role.OFFICE)
    assert office.say("chào bot") == "Chào Hạnh 👋 Gửi /trogiup để xem tôi giúp được gì."
    assert office.say("cảm ơn") == "Không có gì ạ 🙂"


def test_in_a_team_group_greetings_get_no_answer_and_corrections_do(session, commune, lan):
    def in_group(text, message_id):
        return [r.text for r in send(session, incoming(lan.chat.sender_id, text, message_id, chat_id="-100"))]

    assert in_group("chào bot", "g1") == []
    assert in_group("cảm ơn cả nhà", "g2") == []
    assert in_group("ok", "g3") == []
    assert in_group("đã sửa xong loa ở nhà văn hóa", "g4") == []
    in_group("vneid 5", "g5")
    assert in_group("sửa lại vneid 6", "g6") == ["VNeID ngày 25/11: 5 → 6. Sửa?"]
    assert in_group("ok", "g7")[0].startswith("✅ Đã sửa VNeID ngày 25/11: 5 → 6.")
    assert live_counts(session) == {"vneid": 6}


@pytest.mark.parametrize(
    ("text", "saved"),
    [
        ("vneid 5", {"vneid": 5}),
        ("bc ho 12 vneid 5", {"ho": 12, "vneid": 5}),
        # no intent: the report reader's business, whatever it makes of them
        ("báo cáo tuần: hộ 12", None),
        ("tuần này vneid 5", None),
        ("hôm nay đi 15 hộ", None),
        ("hỗ trợ 7 người cài vneid", None),
    ],
)
def test_plain_reports_are_still_reports(session, commune, lan, text, saved):
    reply = lan.say(text)
    if saved:
        assert reply.startswith("✅ Đã lưu") and live_counts(session) == saved
    assert not reply.startswith(("✅ Đã ghi nhận", "VNeID ngày", "Rút lại", "Chào", "Không có gì ạ"))
    assert session.exec(select(NothingToReport)).all() == []


# Issue 22: corrections and take-backs over a real week -------------------------------------
# On Monday last week is mended, never reported twice; corrections said without correction
# words; one indicator taken back in words; the commune office correcting its villages' counts,
# older ones with a reason, the member told.

THURSDAY = datetime(2026, 11, 26, 5, tzinfo=UTC)  # 12:00 in Vietnam, week 2026-W48
MONDAY = datetime(2026, 11, 30, 5, tzinfo=UTC)  # the Monday after: week 2026-W49
NOT_TAKEN = "Đã giữ nguyên: không có gì thay đổi."


@pytest.fixture
def office(session, commune):
    return Chatter(session, "Hạnh", [commune.unit], Role.OFFICE)


def told(session) -> list[str]:
    """What the bot queued to other people's chats."""
    return [m.payload["text"] for m in session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()]


# Monday is when people fix last week ---------------------------------------------------------


@pytest.mark.parametrize("text", ["sửa lại vneid 10", "/sua vneid 10", "em nhập sai, vneid 10 mới đúng"])
def test_on_monday_thursdays_count_is_proposed_and_never_reported_twice(session, commune, lan, text):
    lan.say("vneid 7", THURSDAY)
    assert lan.say(text, MONDAY) == "VNeID ngày 26/11: 7 → 10. Sửa?\n1. Đúng, sửa\n2. Không"
    assert live_counts(session) == {"vneid": 7}
    assert lan.say("1", MONDAY).startswith("✅ Đã sửa VNeID ngày 26/11: 7 → 10.\nTuần 23/11–29/11, Thôn Tân Hòa: VNeID 10")
    assert live_counts(session) == {"vneid": 10} and entry_total(session) == 1
    assert audits(session) == [("edit", 7, 10)] and totals_drift(session) == {}


def test_on_monday_several_counts_of_last_week_are_picked_from(session, commune, lan):
    lan.say("vneid 7", THURSDAY - timedelta(days=2))
    lan.say("vneid 3", THURSDAY)
    assert lan.say("sửa lại vneid 10", MONDAY) == ("VNeID ngày 26/11: 3 → 10. Sửa?\n1. Đúng, sửa\n2. Không")
    lan.say("/huy", MONDAY)
    # A member of two villages with counts in both: which one, picked.
    commune_villages = commune.villages
    hung = Chatter(session, "Hùng", [commune_villages["Thôn Tân Hòa"], commune_villages["Thôn Phú Lợi"]], Role.MEMBER)
    hung.say("thôn Tân Hòa vneid 4", THURSDAY)
    hung.say("thôn Phú Lợi vneid 2", THURSDAY)
    assert hung.say("sửa lại vneid 5", MONDAY) == (
        "Số VNeID nào cần sửa thành 5?\n1. 26/11 · Thôn Phú Lợi · VNeID 2 → 5\n"
        "2. 26/11 · Thôn Tân Hòa · VNeID 4 → 5\n3. Hủy")
    assert hung.say("2", MONDAY).startswith("✅ Đã sửa VNeID ngày 26/11: 4 → 5.")
    assert live_counts(session, commune_villages["Thôn Tân Hòa"]) == {"vneid": 3 + 7 + 5}


def test_the_window_is_the_days_a_report_may_be_for_and_no_new_report_is_advised(session, commune, lan):
    lan.say("vneid 5", MONDAY - timedelta(days=MAX_DAYS_BACK))
    lan.say("hộ 3", MONDAY - timedelta(days=MAX_DAYS_BACK + 1))
    assert lan.say("sửa lại vneid 6", MONDAY).startswith("VNeID ngày 16/11: 5 → 6. Sửa?")
    lan.say("/huy", MONDAY)
    for text in ("sửa lại hộ 4", "em nhập sai, hộ 4 mới đúng"):
        answer = lan.say(text, MONDAY)
        assert answer == ("Bạn chưa có số Hộ nào của hôm nay hoặc 14 ngày trước để sửa. "
                          "Số của những ngày cũ hơn: hãy nhờ văn phòng xã.")
        assert "báo cáo, gửi" not in answer and open_question(session) is None
    assert live_counts(session) == {"vneid": 5, "ho": 3} and audits(session) == []


def test_sua_alone_lists_the_counts_of_the_window(session, commune, lan):
    lan.say("ho 3", MONDAY - timedelta(days=MAX_DAYS_BACK + 1))
    assert lan.say("/sua", MONDAY) == ("Bạn chưa có số liệu nào của hôm nay hoặc 14 ngày trước để sửa. "
                                       "Số của những ngày cũ hơn: hãy nhờ văn phòng xã.")
    lan.say("vneid 7", THURSDAY)
    lan.say("hộ 2", MONDAY)
    assert lan.say("/sua", MONDAY) == "Bạn muốn sửa số liệu nào?\n1. 30/11 · Hộ 2\n2. 26/11 · VNeID 7\n3. Hủy"
    assert lan.say("2", MONDAY) == "VNeID ngày 26/11 đang là 7. Gõ số đúng (0 để xóa)."
    assert lan.say("8", MONDAY).startswith("✅ Đã sửa VNeID ngày 26/11: 7 → 8.")


def test_xoa_on_monday_takes_back_thursdays_report(session, commune, lan):
    lan.say("vneid 7 hộ 2", THURSDAY)
    assert lan.say("xóa báo cáo", MONDAY).startswith("Rút lại báo cáo gần nhất của Thôn Tân Hòa, ngày 26/11/2026: Hộ 2 · VNeID 7?")
    lan.say("1", MONDAY)
    assert live_counts(session) == {}


# Corrections without correction words in front --------------------------------------------


@pytest.mark.parametrize(("earlier", "text", "proposed", "after"), [
    ("hộ 20 vneid 3", "em nhập sai, hộ 21 mới đúng", "Hộ ngày 25/11: 20 → 21. Sửa?", {"ho": 21, "vneid": 3}),
    ("bdhvs 3 vneid 4", "à quên bdhvs chỉ 2 thôi", "Học vụ số ngày 25/11: 3 → 2. Sửa?", {"bdhvs": 2, "vneid": 4}),
    ("vneid 7", "xin lỗi gõ nhầm, đúng là 5", "VNeID ngày 25/11: 7 → 5. Sửa?", {"vneid": 5}),
    ("vneid 7", "em ghi nhầm định danh 8 mới đúng ạ", "VNeID ngày 25/11: 7 → 8. Sửa?", {"vneid": 8}),
])
def test_words_of_error_propose_the_correction_not_an_addition(session, commune, lan, earlier, text, proposed, after):
    before = lan.say(earlier)
    assert before.startswith("✅")
    assert lan.say(text).startswith(proposed)
    assert lan.say("1").startswith("✅ Đã sửa")
    assert live_counts(session) == after and entry_total(session) == 1


def test_words_of_error_without_an_indicator_ask_which_count_of_the_latest_report(session, commune, lan):
    lan.say("vneid 5 bdhvs 3")
    assert lan.say("gõ nhầm, đúng là 4") == (
        "Số liệu nào cần sửa thành 4?\n1. 25/11 · VNeID 5 → 4\n2. 25/11 · Học vụ số 3 → 4\n3. Hủy")
    assert lan.say("2").startswith("✅ Đã sửa Học vụ số ngày 25/11: 3 → 4.")
    assert live_counts(session) == {"vneid": 5, "bdhvs": 4}


@pytest.mark.parametrize("text", ["hôm qua quên báo, vneid 5", "tuần này chỉ được 5 vneid thôi"])
def test_a_report_with_such_words_stays_a_report(session, commune, lan, text):
    lan.say("vneid 2")
    answer = lan.say(text)
    assert "Sửa?" not in answer
    lan.say("1")
    assert live_counts(session) == {"vneid": 7} and audits(session) == []


# One indicator taken back in words -----------------------------------------------------------


@pytest.mark.parametrize(("text", "key", "label"), [("xóa giúp em báo cáo cks", "cks", "Chữ ký số 2"),
                                                    ("hủy báo cáo thanh toán", "tt", "Thanh toán 4"),
                                                    ("/xoa cks", "cks", "Chữ ký số 2")])
def test_one_indicator_is_taken_back(session, commune, lan, text, key, label):
    lan.say("cks 2 tt 4 vneid 1", THURSDAY)
    assert lan.say(text, MONDAY) == f"Rút lại {label} (ngày 26/11/2026)?\n1. Đúng, rút lại\n2. Không, giữ lại"
    assert lan.say("2", MONDAY) == NOT_TAKEN
    lan.say(text, MONDAY)
    assert lan.say("1", MONDAY).startswith(f"✅ Đã xóa {label} (ngày 26/11).")
    assert key not in live_counts(session) and len(live_counts(session)) == 2


def test_taking_back_an_indicator_not_reported_says_so(session, commune, lan):
    lan.say("vneid 1")
    assert lan.say("hủy báo cáo thanh toán") == (
        "Bạn chưa có số Thanh toán nào của hôm nay hoặc 14 ngày trước để rút lại. "
        "Số của những ngày cũ hơn: hãy nhờ văn phòng xã.")
    assert live_counts(session) == {"vneid": 1}


# The commune office --------------------------------------------------------------------------


def test_the_office_corrects_a_villages_count_and_the_member_is_told(session, commune, lan, office):
    lan.say("vneid 5", THURSDAY)
    assert office.say("/sua Tân Hòa vneid 6", MONDAY) == (
        "Thôn Tân Hòa, do Lan báo cáo:\nVNeID ngày 26/11: 5 → 6. Sửa?\n1. Đúng, sửa\n2. Không")
    assert told(session) == []
    assert office.say("1", MONDAY).startswith("✅ Đã sửa VNeID ngày 26/11: 5 → 6.")
    assert live_counts(session) == {"vneid": 6}
    assert told(session) == ["✏️ Hạnh (văn phòng xã) đã sửa báo cáo của bạn cho Thôn Tân Hòa, ngày 26/11/2026: VNeID 5 → 6."]
    audit = session.exec(select(Audit)).one()
    assert (audit.action, audit.old_count, audit.new_count, audit.reason) == ("edit", 5, 6, None)
    assert "Hạnh · Thôn Tân Hòa (26/11): VNeID 5 → 6" in office.say("/nhatky", MONDAY)


def test_the_office_picks_from_its_communes_counts_and_takes_one_back(session, commune, lan, office):
    sam = Chatter(session, "Sam", [commune.villages["Thôn Phú Lợi"]], Role.MEMBER, language="en")
    lan.say("vneid 5", THURSDAY)
    sam.say("bdhvs 2", MONDAY)
    assert office.say("/xoa", MONDAY) == (
        "Bạn muốn rút lại số liệu nào?\n1. 30/11 · Thôn Phú Lợi · Sam · Học vụ số 2\n"
        "2. 26/11 · Thôn Tân Hòa · Lan · VNeID 5\n3. Hủy")
    assert office.say("1", MONDAY).startswith("✅ Đã xóa Học vụ số 2 (ngày 30/11).")
    assert live_counts(session) == {"vneid": 5}
    assert told(session) == ["✏️ Hạnh (commune office) took back your report for Thôn Phú Lợi, 30 Nov 2026: Digital literacy 2."]


def test_an_older_count_is_changed_by_the_office_with_a_reason(session, commune, lan, office):
    lan.say("vneid 5", MONDAY - timedelta(days=20))
    assert lan.say("sửa lại vneid 4", MONDAY).startswith("Bạn chưa có số VNeID nào của hôm nay hoặc 14 ngày trước")
    assert office.say("/sua vneid 4", MONDAY) == (
        "Không có số VNeID nào của hôm nay hoặc 14 ngày trước để sửa. "
        "Số cũ hơn: ghi tên thôn, ví dụ /sua Thôn Tân Hòa VNeID 6.")
    assert office.say("/sua thôn Tân Hòa vneid 4", MONDAY) == (
        "Thôn Tân Hòa, do Lan báo cáo:\nNgày 10/11/2026 đã quá 14 ngày: VNeID 5 → 4.\n"
        "Gõ lý do sửa: lý do được lưu trong /nhatky và gửi cho Lan. Gửi /huy để thôi.")
    assert live_counts(session) == {"vneid": 5}
    assert office.say("Trùng với báo cáo của tổ trưởng", MONDAY).startswith("✅ Đã sửa VNeID ngày 10/11: 5 → 4.")
    assert live_counts(session) == {"vneid": 4}
    assert session.exec(select(Audit)).one().reason == "Trùng với báo cáo của tổ trưởng"
    assert told(session) == ["✏️ Hạnh (văn phòng xã) đã sửa báo cáo của bạn cho Thôn Tân Hòa, ngày 10/11/2026: "
                             "VNeID 5 → 4.\nLý do: Trùng với báo cáo của tổ trưởng"]
    assert "VNeID 5 → 4 — Trùng với báo cáo của tổ trưởng" in office.say("/nhatky", MONDAY)
    # Taken back the same way.
    assert office.say("/xoa Tân Hòa vneid", MONDAY).splitlines()[1] == "Ngày 10/11/2026 đã quá 14 ngày: rút lại VNeID 4."
    assert office.say("/huy", MONDAY) == "Đã hủy: chưa lưu gì."
    assert live_counts(session) == {"vneid": 4}


def test_the_office_never_reaches_another_communes_counts(session, commune, office):
    other = make_commune(session, "Xã Bí Mật", {"Thôn Kín Đáo": (50, 200, 150, 160)})
    stranger = Chatter(session, "Người Lạ", [other.villages["Thôn Kín Đáo"]], Role.MEMBER)
    assert stranger.say("vneid 123", THURSDAY).startswith("✅")
    for text in ("/sua", "/xoa", "/sua vneid 6", "/xoa vneid", "/sua thôn Kín Đáo vneid 6", "/xoa thôn Kín Đáo vneid"):
        answer = office.say(text, MONDAY)
        assert "123" not in answer and "Người Lạ" not in answer, answer
        office.say("/huy", MONDAY)
    forged = send(session, incoming(office.chat.sender_id, "", "forged", choice="c:1"), MONDAY)
    assert "đã đóng" in forged[0].text
    assert live_counts(session) == {"vneid": 123} and audits(session) == []


def test_a_province_role_still_changes_nothing(session, commune, lan):
    province = make_province(session, "Tỉnh Đồng Nai", [commune])
    lan.say("vneid 5")
    boss = Chatter(session, "Sếp", [province], Role.PROVINCE_OFFICE)
    for text in ("/sua Tân Hòa vneid 6", "/xoa"):
        assert boss.say(text).startswith(f"/{text[1:4]} không dành cho vai trò của bạn.")
    assert live_counts(session) == {"vneid": 5}


# A correction never changes the total by more than the difference named ------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reports=st.lists(st.tuples(st.integers(0, 20), st.integers(1, 50)), min_size=1, max_size=4),
       form=st.sampled_from(["sửa lại vneid {n}", "em nhập sai, vneid {n} mới đúng", "gõ nhầm, đúng là {n}",
                             "/sua vneid {n}"]),
       new=st.integers(0, 60))
def test_a_correction_changes_the_total_by_the_difference_named_at_most(session, commune, lan, reports, form, new):
    start = MONDAY + timedelta(days=len(audits(session)) * 30)  # the examples share the database: weeks of their own
    for days_back, count in reports:
        lan.say(f"vneid {count}", start - timedelta(days=days_back))
    before, counted = live_counts(session).get("vneid", 0), len(audits(session))
    question = lan.say(form.format(n=new), start)
    lan.say("1", start)
    changes = audits(session)[counted:]
    after = live_counts(session).get("vneid", 0)
    if not changes:
        assert after == before, question
    else:
        [(_, old, changed_to)] = changes
        assert after - before == (changed_to or 0) - old
        assert f"{old} → {new}" in question
    lan.say("/huy", start)
