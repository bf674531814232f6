"""Reports read leniently, resent or above the village: nothing is saved before the member's tap."""

from datetime import timedelta

import pytest

from helpers import NOW, Chatter, entry_total, incoming, live_counts, send, totals_drift
from tocds.models import Role


@pytest.fixture
def lan(session, commune):
    return Chatter(session, "Lan", [commune.villages["Thôn Tân Hòa"]], Role.MEMBER)


def test_a_natural_report_is_proposed_and_saved_on_yes(session, lan):
    proposal = lan.say("hôm nay tổ em đi 15 hộ, hướng dẫn được 6 người kích hoạt VNeID")
    assert proposal == ("Hiểu là: Hộ 15 · VNeID 6 (Thôn Tân Hòa, 25/11).\nLưu?\n1. Đúng, lưu\n2. Không, hủy")
    assert entry_total(session) == 0
    assert lan.say("đúng").startswith("✅ Đã lưu cho Thôn Tân Hòa, ngày 25/11/2026: Hộ 15 · VNeID 6.")
    assert live_counts(session) == {"ho": 15, "vneid": 6}
    assert totals_drift(session) == {}


def test_no_saves_nothing_and_shows_the_short_form(session, lan):
    lan.say("hôm qua 15 hộ")
    assert lan.say("2") == ("Đã hủy, chưa lưu gì. Có thể gửi gọn thế này, bot lưu ngay: hộ 15 24/11")
    assert entry_total(session) == 0
    assert lan.say("hộ 15 24/11").startswith("✅ Đã lưu cho Thôn Tân Hòa, ngày 24/11/2026: Hộ 15.")


def test_the_numbers_left_out_are_named(session, lan):
    assert lan.say("tổ 3 đi 15 hộ").startswith("Hiểu là: Hộ 15 (Thôn Tân Hòa, 25/11).\n(không tính: 3)\n")


def test_two_readings_are_offered_and_the_chosen_one_is_saved(session, lan):
    assert lan.say("hộ 5 vneid") == ("Tin này hiểu được hai cách. Ý bạn là?\n1. Hộ 5\n2. VNeID 5\n3. Không, hủy")
    assert entry_total(session) == 0
    assert lan.say("2").startswith("✅ Đã lưu cho Thôn Tân Hòa, ngày 25/11/2026: VNeID 5.")
    assert live_counts(session) == {"vneid": 5}


def test_for_a_member_of_two_villages_picking_the_village_is_the_tap(session, commune):
    sen = Chatter(session, "Sen", list(commune.villages.values()), Role.MEMBER)
    assert sen.say("đi được 12 hộ") == ("Hiểu là: Hộ 12. Lưu cho thôn nào?\n1. Thôn Tân Hòa\n2. Thôn Phú Lợi\n"
                                        "3. Không, hủy")
    assert sen.say("2").startswith("✅ Đã lưu cho Thôn Phú Lợi")
    assert live_counts(session, commune.villages["Thôn Phú Lợi"]) == {"ho": 12}


def test_no_cancel_when_picking_the_village_saves_nothing(session, commune):
    """e1bfea8: "No, cancel" read the pending report after finish() had forgotten it (a KeyError,
    answered with "something went wrong")."""
    sen = Chatter(session, "Sen", list(commune.villages.values()), Role.MEMBER)
    assert sen.say("đi được 12 hộ").endswith("\n3. Không, hủy")
    assert sen.say("3") == "Đã hủy: chưa lưu gì. Gửi lại báo cáo với số đúng."
    assert entry_total(session) == 0
    assert sen.say("hộ 12").startswith("Báo cáo cho thôn nào?")  # no question left open: a new report


def test_the_same_report_within_half_an_hour_is_asked_about(session, lan):
    lan.say("hộ 12 vneid 5")
    again = lan.say("hộ 12 vneid 5", NOW + timedelta(minutes=10))
    assert again == ("⚠️ Bạn đã gửi đúng báo cáo này lúc 12:00.\nVẫn lưu chứ?\n1. Đúng, lưu\n2. Không, hủy")
    assert live_counts(session) == {"ho": 12, "vneid": 5}
    assert lan.say("1", NOW + timedelta(minutes=11)).startswith("✅ Đã lưu")
    assert live_counts(session) == {"ho": 24, "vneid": 10}
    # Later, or with other counts, it is a new report.
    assert lan.say("hộ 12 vneid 5", NOW + timedelta(minutes=45)).startswith("✅ Đã lưu")
    assert lan.say("hộ 12 vneid 6", NOW + timedelta(minutes=46)).startswith("✅ Đã lưu")


def test_a_week_above_the_village_waits_for_a_yes_even_in_small_steps(session, lan):
    lan.say("hộ 60")  # Tân Hòa has 100 households
    assert lan.say("hộ 30").startswith("✅")
    question = lan.say("hộ 20")
    assert question.startswith("⚠️ Hộ: cộng cả tin này, tuần của thôn sẽ là 110, nhiều hơn số hộ (100).")
    assert live_counts(session) == {"ho": 90}
    lan.say("2")
    assert live_counts(session) == {"ho": 90}


def test_a_lenient_reading_and_a_warning_are_one_question(session, lan):
    question = lan.say("đi được 150 hộ")
    assert question.splitlines() == ["Hiểu là: Hộ 150 (Thôn Tân Hòa, 25/11).",
                                     "⚠️ Hộ 150 nhiều hơn số hộ của thôn (100).", "Vẫn lưu chứ?",
                                     "1. Đúng, lưu", "2. Không, hủy"]
    assert lan.say("1").startswith("✅")
    assert live_counts(session) == {"ho": 150}


def test_a_typed_report_during_baocao_asks_what_to_save(session, lan):
    lan.say("/baocao")
    lan.say("1")  # Hộ
    lan.say("3")  # 3 households picked, not saved
    question = lan.say("vneid 5")
    assert question == ("Bạn đã chọn Hộ 3 ở /baocao nhưng chưa lưu. Tin vừa gửi: VNeID 5. Lưu thế nào?\n"
                        "1. Cả hai: Hộ 3 · VNeID 5\n2. Chỉ tin vừa gửi: VNeID 5\n3. Không, hủy")
    assert entry_total(session) == 0
    assert lan.say("1").startswith("✅ Đã lưu cho Thôn Tân Hòa, ngày 25/11/2026: Hộ 3 · VNeID 5.")


def test_a_wrong_report_during_baocao_keeps_the_picked_counts(session, lan):
    lan.say("/baocao")
    lan.say("1")
    lan.say("3")
    reply = lan.say("vneid 2,5")
    assert reply.startswith("⚠️ Chưa lưu. “2,5” không phải số nguyên (VNeID).")
    assert "\nThôn Tân Hòa hôm nay: Hộ 3. Chọn thêm chỉ tiêu hoặc bấm Lưu." in reply  # the menu again
    assert lan.say("8").startswith("✅ Đã lưu cho Thôn Tân Hòa, ngày 25/11/2026: Hộ 3.")  # 8. Lưu


def test_in_the_team_group_chatter_with_numbers_is_left_alone(session, commune, lan):
    group = {"chat_id": "-100team"}
    for text in ("anh chị cho em hỏi cách cài VNeID cho người già", "danh sách 35 hộ nghèo",
                 "họp lúc 2 giờ chiều", "sđt anh Tư 0912345678"):
        assert send(session, incoming(lan.chat.sender_id, text, text, **group)) == [], text
    [proposal] = send(session, incoming(lan.chat.sender_id, "em đi được 12 hộ", "m1", **group))
    assert proposal.text.startswith("Hiểu là: Hộ 12")
    assert entry_total(session) == 0


def test_a_range_is_refused_in_words_that_need_no_indicator(session, lan):
    assert lan.say("5-6 người cài vneid").startswith(
        "⚠️ Chưa lưu. “5-6” không phải một số đếm: chỉ ghi số nguyên (1.200 được; 2,5 và 5-6 thì không).")
    assert entry_total(session) == 0
