"""The handlers, driven as a person would on the console channel."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from helpers import (
    MONDAY,
    NOW,
    TODAY,
    Chatter,
    add_target,
    entry_total,
    incoming,
    live_counts,
    send,
    totals_drift,
)
from tocds.figures.chart import trend_chart
from tocds.handlers.grammar import MAX_DAYS_BACK
from tocds.handlers.messages import Attachment, Choice, Outgoing
from tocds.models import (
    Audit,
    ChannelAccount,
    Conversation,
    EntryCount,
    Invite,
    Membership,
    NothingToReport,
    Person,
    Role,
)
from tocds.models.invites import create_invite
from tocds.models.queries import reported_village_ids


@pytest.fixture
def lan(session, commune):
    return Chatter(session, "Lan", [commune.villages["Thôn Tân Hòa"]], Role.MEMBER)


@pytest.fixture
def office(session, commune):
    return Chatter(session, "Hạnh", [commune.unit], Role.OFFICE)


def tan_hoa(commune):
    return commune.villages["Thôn Tân Hòa"]


# Joining -------------------------------------------------------------------------


def test_a_stranger_is_told_how_to_join_and_nothing_is_stored(session, commune):
    replies = send(session, incoming("stranger", "vneid 5", "1"))
    assert [r.text for r in replies] == [
        "Bạn chưa tham gia. Hãy xin văn phòng xã mã mời, rồi gửi /start MÃ."
    ]
    assert session.exec(select(Person)).all() == []
    assert session.exec(select(Conversation)).all() == []
    assert entry_total(session) == 0


def test_start_with_a_code_joins_at_once(session, commune):
    invite = create_invite(session, tan_hoa(commune), Role.MEMBER, uses=2, now=NOW)
    session.commit()
    replies = send(session, incoming("u1", f"/start {invite.code.lower()}", "1", sender_name="Mai"))
    assert "Chào mừng Mai! Bạn đã tham gia Thôn Tân Hòa với vai trò thành viên." in replies[0].text
    person = session.exec(select(Person)).one()
    membership = session.exec(select(Membership)).one()
    assert (membership.person_id, membership.org_unit_id, membership.role) == (
        person.id, tan_hoa(commune).id, Role.MEMBER)
    session.refresh(invite)
    assert invite.uses_left == 1
    # Joined: the next message is a report.
    assert send(session, incoming("u1", "vneid 2", "2"))[0].text.startswith("✅")


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("unknown", "Mã mời không đúng."),
        ("expired", "Mã mời này đã hết hạn ngày"),
        ("used_up", "Mã mời này đã dùng hết lượt."),
    ],
)
def test_a_refused_invite_says_why_and_stores_nothing(session, commune, setup, expected):
    invite = create_invite(session, tan_hoa(commune), Role.MEMBER, uses=1, days=1, now=NOW)
    session.commit()
    code = invite.code
    when = NOW
    if setup == "unknown":
        code = "NOPE1234"
    elif setup == "expired":
        when = NOW + timedelta(days=2)
    else:
        assert send(session, incoming("first", f"/start {code}", "1"))[0].text.startswith("Chào mừng")
    people_before = len(session.exec(select(Person)).all())
    reply = send(session, incoming("late", f"/start {code}", "1"), when)[0].text
    assert expected in reply
    assert "Hãy xin văn phòng xã mã mới" in reply
    assert len(session.exec(select(Person)).all()) == people_before
    assert session.exec(
        select(ChannelAccount).where(ChannelAccount.external_id == "late")).first() is None


# The quick report ------------------------------------------------------------------


def test_a_quick_report_is_saved_and_confirmed_with_the_week_total(session, commune, lan):
    first = lan.say("hộ 12 vneid 5 bdhvs 3")
    assert first == (
        "✅ Đã lưu cho Thôn Tân Hòa, ngày 25/11/2026: Hộ 12 · VNeID 5 · Học vụ số 3.\n"
        "Tuần 23/11–29/11, Thôn Tân Hòa: Hộ 12 · VNeID 5 · Học vụ số 3"
    )
    second = lan.say("hôm qua vneid 2")
    assert second.startswith("✅ Đã lưu cho Thôn Tân Hòa, ngày 24/11/2026: VNeID 2.")
    assert second.endswith("Hộ 12 · VNeID 7 · Học vụ số 3")
    assert live_counts(session) == {"ho": 12, "vneid": 7, "bdhvs": 3}


def test_a_redelivered_message_is_applied_once(session, commune, lan):
    message = incoming(lan.chat.sender_id, "vneid 5", "m-1")
    first = send(session, message)
    again = send(session, message)
    assert entry_total(session) == 1
    assert live_counts(session) == {"vneid": 5}
    assert again == first


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("dinh dang 5", "Không hiểu “dinh dang”. Có phải bạn muốn viết “định danh”?"),
        ("vneid 2,5", "“2,5” không phải số nguyên (VNeID)."),
        ("vneid -3", "VNeID không được là số âm (-3)."),
        ("ho 4 HỘ 2", "Hộ bị ghi hai lần."),
        ("vneid", "VNeID chưa có số đi kèm."),
        ("01/11 vneid 5", "Ngày 01/11/2026 đã quá 14 ngày"),
        ("31/02 vneid 5", "“31/02” không phải ngày."),
        ("thôn Xa Lạ vneid 5", "“Xa Lạ” không phải thôn của bạn: Thôn Tân Hòa."),
    ],
)
def test_a_report_with_an_error_says_how_to_fix_it_and_saves_nothing(session, commune, lan, text, problem):
    reply = lan.say(text)
    assert reply.startswith("⚠️ Chưa lưu. ")
    assert problem in reply
    assert "Ví dụ: hộ 12 vneid 5 bdhvs 3" in reply
    assert entry_total(session) == 0


def test_a_long_message_is_answered_and_quoted_briefly(session, commune, lan):
    reply = lan.say("vneid 5 " + "blah " * 1000)
    assert reply.startswith("⚠️ Chưa lưu. Không hiểu “blah blah")
    assert len(reply) < 300
    assert entry_total(session) == 0


def test_chat_that_is_not_a_report_gets_a_hint(session, commune, lan):
    assert lan.say("trời hôm nay đẹp quá").startswith("Tôi chưa hiểu tin nhắn này.\nVí dụ:")
    assert entry_total(session) == 0


def test_a_count_above_the_denominator_waits_for_a_yes(session, commune, lan):
    question = lan.say("ssk 500")  # Tân Hòa has 400 people
    assert "⚠️ Sổ sức khỏe 500 nhiều hơn số dân của thôn (400)." in question
    assert question.endswith("Vẫn lưu chứ?\n1. Đúng, lưu\n2. Không, hủy")
    assert entry_total(session) == 0
    assert lan.say("2").startswith("Đã hủy: chưa lưu gì.")
    assert entry_total(session) == 0
    lan.say("ssk 500")
    assert lan.say("1").startswith("✅ Đã lưu cho Thôn Tân Hòa, ngày 25/11/2026: Sổ sức khỏe 500.")
    assert live_counts(session) == {"ssk": 500}


def test_a_count_far_above_the_village_history_waits_for_a_yes(session, commune, lan):
    for weeks_back, count in [(4, 5), (3, 10), (2, 3), (1, 8)]:
        lan.say(f"vneid {count}", NOW - timedelta(weeks=weeks_back))
    assert lan.say("vneid 30").startswith("✅")  # 3 × the largest week (10) is fine
    assert "gấp hơn 3 lần tuần cao nhất của thôn từ trước đến nay (10)" in lan.say("vneid 31")


def test_the_first_weeks_need_no_confirmation_below_the_denominator(session, commune, lan):
    lan.say("vneid 1", NOW - timedelta(weeks=1))
    assert lan.say("vneid 390").startswith("✅")


def test_a_member_of_two_villages_names_one_or_is_asked(session, commune):
    both = list(commune.villages.values())
    minh = Chatter(session, "Minh", both, Role.MEMBER)
    assert minh.say("thôn Phú Lợi vneid 2").startswith("✅ Đã lưu cho Thôn Phú Lợi")
    question = minh.say("vneid 3")
    assert question == "Báo cáo cho thôn nào?\n1. Thôn Tân Hòa\n2. Thôn Phú Lợi"
    assert minh.say("1").startswith("✅ Đã lưu cho Thôn Tân Hòa, ngày 25/11/2026: VNeID 3.")
    assert live_counts(session, commune.villages["Thôn Phú Lợi"]) == {"vneid": 2}
    assert live_counts(session, tan_hoa(commune)) == {"vneid": 3}


def test_a_new_report_typed_instead_of_an_answer_is_not_lost(session, commune, lan):
    lan.say("ssk 500")
    assert lan.say("vneid 4").startswith("✅ Đã lưu cho Thôn Tân Hòa, ngày 25/11/2026: VNeID 4.")
    assert live_counts(session) == {"vneid": 4}


def test_an_answer_that_is_not_a_choice_asks_again(session, commune, lan):
    lan.say("ssk 500")
    assert lan.say("có lẽ") == "Trả lời bằng một số từ 1 đến 2, hoặc gửi /huy để hủy.\n1. Đúng, lưu\n2. Không, hủy"


def test_a_button_of_a_closed_question_is_refused(session, commune, lan):
    replies = send(session, incoming(lan.chat.sender_id, "", "b1", choice="yes"))
    assert replies[0].text.startswith("Nút này thuộc câu hỏi đã đóng.")


def test_office_staff_cannot_report_for_a_village(session, commune, office):
    assert office.say("vneid 5").startswith("Báo cáo do thành viên tổ ở thôn gửi.")
    assert entry_total(session) == 0


# The guided report ------------------------------------------------------------------


def test_the_guided_report_takes_at_most_six_taps(session, commune, lan):
    menu = lan.say("/baocao")
    assert menu.startswith("Báo cáo cho Thôn Tân Hòa, hôm nay. Chọn chỉ tiêu:\n1. Hộ\n2. VNeID")
    assert lan.say("2") == "VNeID được bao nhiêu? Chọn hoặc gõ một số.\n1. 1\n2. 2\n3. 3\n4. 4\n5. 5"
    assert lan.say("5").startswith("Thôn Tân Hòa hôm nay: VNeID 5. Chọn thêm chỉ tiêu hoặc bấm Lưu.")
    lan.say("3")
    menu = lan.say("1")
    assert "\n2. VNeID ✓5\n3. Học vụ số ✓1\n" in menu
    assert "\n8. Lưu\n9. Hủy" in menu
    saved = lan.say("8")  # the fifth tap
    assert saved.startswith("✅ Đã lưu cho Thôn Tân Hòa, ngày 25/11/2026: VNeID 5 · Học vụ số 1.")
    assert live_counts(session) == {"vneid": 5, "bdhvs": 1}


def test_the_guided_report_takes_a_typed_number_and_refuses_a_bad_one(session, commune, lan):
    lan.say("/baocao")
    lan.say("1")
    assert "“2,5” không phải số nguyên" in lan.say("2,5")
    assert lan.say("1.200").startswith("Thôn Tân Hòa hôm nay: Hộ 1.200.")
    assert entry_total(session) == 0  # nothing until Save


# Fixing mistakes -----------------------------------------------------------------------


def test_edit_changes_a_count_and_keeps_the_old_one_in_the_audit(session, commune, lan):
    lan.say("vneid 5 bdhvs 3")
    choices = lan.say("/sua")
    assert choices.startswith("Bạn muốn sửa số liệu nào?\n1. 25/11 · VNeID 5\n2. 25/11 · Học vụ số 3")
    assert lan.say("1") == "VNeID ngày 25/11 đang là 5. Gõ số đúng (0 để xóa)."
    assert lan.say("7").startswith("✅ Đã sửa VNeID ngày 25/11: 5 → 7.\nTuần 23/11–29/11, Thôn Tân Hòa: VNeID 7")
    audit = session.exec(select(Audit)).one()
    assert (audit.action, audit.old_count, audit.new_count) == ("edit", 5, 7)
    lan.say("/sua")
    lan.say("2")
    assert lan.say("0").startswith("✅ Đã xóa Học vụ số 3")
    assert live_counts(session) == {"vneid": 7}
    removed = session.exec(select(EntryCount).where(EntryCount.indicator_key == "bdhvs")).one()
    assert removed.deleted_at is not None  # kept, marked deleted
    assert totals_drift(session) == {}  # the running totals followed the edit and the deletion


def test_undo_takes_back_the_last_report_after_a_yes(session, commune, lan):
    lan.say("vneid 5")
    lan.say("ho 3 ssk 2")
    assert lan.say("/xoa").startswith("Rút lại báo cáo gần nhất của Thôn Tân Hòa, ngày 25/11/2026: Hộ 3 · Sổ sức khỏe 2?")
    assert lan.say("2") == "Đã giữ nguyên: không có gì thay đổi."
    assert live_counts(session) == {"vneid": 5, "ho": 3, "ssk": 2}
    lan.say("/xoa")
    assert lan.say("1").startswith("✅ Đã rút lại: Hộ 3 · Sổ sức khỏe 2")
    assert live_counts(session) == {"vneid": 5}
    assert sorted(a.action for a in session.exec(select(Audit)).all()) == ["delete", "delete"]
    lan.say("/xoa")
    lan.say("1")
    assert live_counts(session) == {}
    assert totals_drift(session) == {}
    assert lan.say("/xoa").startswith("Bạn không có báo cáo nào của hôm nay hoặc 14 ngày trước để rút lại.")


def test_an_undo_asked_before_the_upgrade_is_still_answered(session, commune, lan):
    """A `/xoa` question stored by the version before several-day messages (one `entry_id`)."""
    lan.say("vneid 5")
    lan.say("ho 3")
    lan.say("/xoa")
    conversation = session.exec(select(Conversation)).one()
    state = {key: value for key, value in conversation.state.items() if key != "entry_ids"}
    conversation.state = {**state, "entry_id": conversation.state["entry_ids"][0]}
    session.add(conversation)
    session.commit()
    assert lan.say("1").startswith("✅ Đã rút lại: Hộ 3")
    assert live_counts(session) == {"vneid": 5}


def test_undo_keeps_to_the_days_a_report_may_be_for(session, commune, lan):
    """Today and the 14 days before: what can be reported can be taken back, nothing older."""
    lan.say("vneid 5", NOW - timedelta(days=MAX_DAYS_BACK + 1))
    assert lan.say("/xoa") == ("Bạn không có báo cáo nào của hôm nay hoặc 14 ngày trước để rút lại. "
                               "Báo cáo cũ hơn: hãy nhờ văn phòng xã.")
    lan.say("ho 2", NOW - timedelta(days=MAX_DAYS_BACK))
    assert lan.say("/xoa").startswith("Rút lại báo cáo gần nhất của Thôn Tân Hòa, ngày 11/11/2026: Hộ 2?")
    lan.say("1")
    assert live_counts(session) == {"vneid": 5}


def test_nothing_this_week_counts_as_reported(session, commune, lan):
    village = tan_hoa(commune)
    assert lan.say("/khong").startswith("✅ Đã ghi nhận: Thôn Tân Hòa không có gì báo cáo tuần 23/11–29/11.")
    assert lan.say("/khong").startswith("✅ Đã ghi nhận")  # twice is harmless
    assert len(session.exec(select(NothingToReport)).all()) == 1
    assert reported_village_ids(session, [v.id for v in commune.villages.values()], MONDAY) == {village.id}


def test_nothing_this_week_after_a_report_says_so(session, commune, lan):
    lan.say("vneid 1")
    assert lan.say("/khong").startswith("Thôn Tân Hòa đã có số liệu tuần 23/11–29/11, không cần báo")
    assert session.exec(select(NothingToReport)).all() == []


# Progress ------------------------------------------------------------------------------


def test_progress_shows_the_week_and_the_target(session, commune, lan, office):
    add_target(session, tan_hoa(commune), "vneid", baseline=100, percent=50)  # 50% of 400 = 200
    lan.say("vneid 20")
    lan.say("vneid 10", NOW - timedelta(weeks=2))
    reply = lan.say("/tiendo")
    lines = reply.split("\n")
    assert lines[0] == "📊 Thôn Tân Hòa — tuần 23/11–29/11"
    # 130 of 200, but the time-line expected 100 × 328/364 ≈ 90 more: gain 30 is below half of it.
    assert lines[1] == "🔴 VNeID: tuần này 20 · đạt 130/200 (65%) · cần 95% đến 25/11"
    assert office.say("/tiendo").split("\n")[0] == "📊 Xã Đồng Phú — tuần 23/11–29/11"


def test_a_colour_says_what_the_time_line_expects_and_there_is_none_before_the_start(session, commune, lan):
    add_target(session, tan_hoa(commune), "vneid", baseline=100, percent=50,  # 200 by 31/12, from 1/11
               start=date(2026, 11, 1), deadline=date(2026, 12, 31))
    lan.say("vneid 30")  # 130: by 25/11 (24 of 60 days) the time-line asks 100 + 40, 70%
    assert lan.say("/tiendo").splitlines()[1] == "🟡 VNeID: tuần này 30 · đạt 130/200 (65%) · cần 70% đến 25/11"
    lan.chat.send("/ngonngu", NOW)
    assert lan.say("English") == "From now on I write in English."
    assert lan.say("/progress").splitlines()[1] == (
        "🟡 VNeID: this week 30 · reached 130/200 (65%) · expected 70% by 25 Nov")
    assert lan.say("/progress 2026-10").splitlines()[1] == "▫️ VNeID: 0 in the period · reached 100/200 (50%)"


def test_progress_of_one_indicator_comes_with_its_trend_picture(session, commune, lan, office, monkeypatch):
    from tocds.handlers import progress as progress_handler

    add_target(session, tan_hoa(commune), "vneid", baseline=100, percent=50,  # 200 by 31/12, from 1/11
               start=date(2026, 11, 1), deadline=date(2026, 12, 31))
    lan.say("vneid 30")
    lan.say("vneid 12", NOW - timedelta(weeks=2))
    lan.say("vneid 5", NOW - timedelta(weeks=5))  # before the start (26/10): not on the time-line, no bar
    drawn = []
    monkeypatch.setattr(progress_handler, "trend_chart", lambda *args: drawn.append(args) or trend_chart(*args))
    [reply] = lan.chat.send("/tiendo vneid", NOW)
    assert reply.text.splitlines() == [
        "📊 Thôn Tân Hòa — tuần 23/11–29/11", "🟢 VNeID: tuần này 30 · đạt 142/200 (71%) · cần 70% đến 25/11"]  # as without a picture
    assert reply.attachment.kind == "picture" and reply.attachment.name == "tocds-thon-tan-hoa-2026-W48.png"
    assert reply.attachment.content.startswith(b"\x89PNG\r\n\x1a\n")
    [(_, name, weekly, line, today)] = drawn
    assert (name, today) == ("VNeID", TODAY)
    assert weekly == {date(2026, 11, 9): 12, date(2026, 11, 23): 30}  # the Mondays of the weeks reported in
    assert line.achieved == 142 == 100 + sum(weekly.values())
    assert [r.attachment for r in lan.chat.send("/tiendo", NOW)] == [None]  # no one indicator named: no picture
    [commune_reply] = office.chat.send("/tiendo vneid", NOW)
    assert commune_reply.attachment.name == "tocds-xa-dong-phu-2026-W48.png"
    [no_target] = office.chat.send("/tiendo ho thôn Tân Hòa", NOW)
    assert no_target.attachment.content.startswith(b"\x89PNG")  # the last twelve weeks' bars


# Office, language, help ----------------------------------------------------------------


def test_office_makes_an_invite_code_with_buttons(session, commune, office):
    assert office.say("/moi").startswith("Mời người vào thôn nào (hoặc văn phòng xã)?\n1. Xã Đồng Phú\n2. Thôn Tân Hòa")
    assert office.say("2") == "Vai trò nào cho Thôn Tân Hòa?\n1. thành viên\n2. tổ trưởng"
    reply = office.say("2")
    invite = session.exec(select(Invite)).one()
    assert (invite.role, invite.org_unit_id, invite.uses_left) == (Role.VILLAGE_LEADER, tan_hoa(commune).id, 30)
    assert f"/start {invite.code}" in reply


def test_office_makes_an_invite_code_in_one_line(session, commune, office):
    reply = office.say("/moi thon phu loi thanh vien")
    invite = session.exec(select(Invite)).one()
    assert reply.startswith(f"Mã mời cho Thôn Phú Lợi (thành viên): {invite.code}")
    assert "“Xa Lạ” không phải thôn của xã bạn" in office.say("/moi Xa Lạ")


def test_members_cannot_make_invites(session, commune, lan):
    assert lan.say("/moi") == "/moi không dành cho vai trò của bạn. Gửi /trogiup để xem bạn làm được gì."
    assert session.exec(select(Invite)).all() == []


def test_language_switches_to_english_and_back(session, commune, lan):
    assert lan.say("/ngonngu") == "Chọn ngôn ngữ:\n1. Tiếng Việt\n2. English"
    assert lan.say("2") == "From now on I write in English."
    assert lan.say("vneid 1").startswith("✅ Saved for Thôn Tân Hòa, 25 Nov 2026: VNeID 1.")
    lan.say("/lang")
    assert lan.say("1") == "Từ giờ tôi sẽ nhắn bằng tiếng Việt."


def test_cancel_leaves_the_step_and_saves_nothing(session, commune, lan):
    lan.say("ssk 500")
    assert lan.say("/huy") == "Đã hủy: chưa lưu gì."
    assert lan.say("1").startswith("⚠️ Chưa lưu.")  # the question is gone: "1" is no report
    assert lan.say("/cancel") == "Không có gì để hủy."
    assert entry_total(session) == 0


def test_help_lists_what_each_role_can_do(session, commune, lan, office):
    member_help = lan.say("/trogiup")
    assert "/baocao (/report) — báo cáo từng bước, bằng nút bấm" in member_help
    assert "/moi" not in member_help
    assert "Báo cáo nhanh" in member_help
    office_help = office.say("/help")
    assert "/moi (/invite) — tạo mã mời" in office_help
    assert "/baocao (/report)" not in office_help  # the guided report is a member's; /baocaoky is the office's
    assert "/baocaoky (/periodreport)" in office_help


def test_an_unknown_command_points_to_help(session, commune, lan):
    assert lan.say("/abc") == "Không có lệnh /abc. Gửi /trogiup để xem các lệnh."


def test_commands_addressed_to_the_bot_in_a_group_work(session, commune, lan):
    assert lan.say("/trogiup@tocds_bot").startswith("Bạn có thể:")


# Any text at all -----------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(["vneid", "hộ", "bc", "hôm qua", "31/02", "5", "-2", "2,5", "1.200",
                              "thôn", "Tân Hòa", "/sua", "/xoa", "1", "2", ";", "🙂", "\n"]),
             max_size=8).map(" ".join),
))
def test_any_text_gets_an_answer_and_only_a_saved_report_stores(session, commune, lan, text):
    before = live_counts(session)
    entries = entry_total(session)
    replies = lan.chat.send(text, NOW)
    assert replies and all(r.text for r in replies)
    assert not any(r.text.startswith("Xin lỗi") for r in replies)  # no handler failure
    saved = any(r.text.startswith(("✅ Đã lưu", "✅ Đã sửa", "✅ Đã xóa", "✅ Đã rút lại")) for r in replies)
    if not saved:
        assert live_counts(session) == before
        assert entry_total(session) == entries
    send(session, incoming(lan.chat.sender_id, "/huy", "reset"))


def test_in_a_group_only_reports_get_an_answer(session, commune, lan):
    def in_group(text, message_id):
        return send(session, incoming(lan.chat.sender_id, text, message_id, chat_id="-100"))

    assert in_group("Chiều nay 2 giờ họp ở nhà văn hóa nhé", "g1") == []
    assert in_group("cảm ơn cả nhà", "g2") == []
    assert in_group("vneid 2,5", "g3")[0].text.startswith("⚠️ Chưa lưu.")
    assert in_group("vneid 2", "g4")[0].text.startswith("✅ Đã lưu cho Thôn Tân Hòa")
    assert live_counts(session) == {"vneid": 2}


def test_office_exports_a_period_as_a_file(session, commune, lan, office):
    lan.say("vneid 5 ssk 2")
    replies = office.chat.send("/xuat 2026-11 csv", NOW)
    assert replies[0].text == "Xã Đồng Phú, kỳ 2026-11 (01/11/2026–30/11/2026): số liệu theo thôn và chỉ tiêu."
    attachment = replies[0].attachment
    assert (attachment.kind, attachment.name) == ("file", "tocds-xa-dong-phu-2026-11.csv")
    rows = attachment.content.decode("utf-8").splitlines()
    assert rows[0] == "commune,village,indicator,count"
    assert len(rows) == 1 + 2 * 7
    assert "Xã Đồng Phú,Thôn Tân Hòa,vneid,5" in rows and "Xã Đồng Phú,Thôn Phú Lợi,vneid,0" in rows
    assert office.chat.send("/xuat", NOW)[0].attachment.name.endswith("2026-W48.xlsx")  # this week, a workbook
    assert office.say("/xuat 2026-13").startswith("“2026-13” không phải kỳ báo cáo.")
    assert office.say("/xuat 2027").startswith("Kỳ 2027 chưa bắt đầu")
    assert lan.say("/xuat").startswith("/xuat không dành cho vai trò của bạn.")


def test_an_outgoing_file_survives_the_outbox():
    message = Outgoing("x", (Choice("a", "b"),), Attachment("picture", "chart.png", b"\x89PNG\x00\xff"))
    assert Outgoing.from_dict(message.to_dict()) == message


# Leaders' and office's questions ----------------------------------------------------------


@pytest.fixture
def leader(session, commune):
    return Chatter(session, "Tâm", [commune.unit], Role.LEADER)


def test_period_summaries_for_leaders(session, commune, lan, leader):
    add_target(session, tan_hoa(commune), "vneid", baseline=100, percent=50)
    lan.say("vneid 20")
    lan.say("ho 4", NOW - timedelta(days=20))  # early November: in the month, not the week
    week_reply = leader.say("/tuan")
    assert week_reply.startswith("📊 Xã Đồng Phú — tuần 23/11–29/11")
    assert "VNeID: tuần này 20" in week_reply and "Chưa báo cáo (1): Thôn Phú Lợi" in week_reply
    month_reply = leader.say("/thang")
    assert month_reply.startswith("📊 Xã Đồng Phú — kỳ 2026-11 (01/11/2026–30/11/2026)")
    assert "▫️ Hộ: trong kỳ 4 · tổng 4" in month_reply and "tuần này" not in month_reply
    assert "\n⚠️ Chưa có báo cáo nào trong 5 tuần 26/10–29/11 (1): Thôn Phú Lợi\n" in month_reply
    Chatter(session, "Hoa", [commune.villages["Thôn Phú Lợi"]], Role.MEMBER).say("ho 1", NOW - timedelta(days=50))
    quarter_reply = leader.say("/quy 4")
    assert "Hộ: trong kỳ 5" in quarter_reply and "tuần này" not in quarter_reply
    assert "\n✅ Thôn nào cũng đã báo cáo ít nhất một lần trong 9 tuần 28/09–29/11.\n" in quarter_reply
    in_english = Chatter(session, "Chairman", [commune.unit], Role.LEADER, language="en").say("/quy 4")
    assert "Households: 5 in the period" in in_english
    assert "\n✅ Every village reported at least once in the 9 weeks 28 Sep–29 Nov.\n" in in_english
    assert leader.say("/thang 10").startswith("📊 Xã Đồng Phú — kỳ 2026-10")
    assert leader.say("/quy").startswith("📊 Xã Đồng Phú — kỳ 2026-Q4")
    assert leader.say("/nam").startswith("📊 Xã Đồng Phú — kỳ 2026 (01/01/2026–31/12/2026)")
    assert leader.say("/thang 13").startswith("“13” không phải kỳ báo cáo.")
    assert leader.say("/nam 2027").startswith("Kỳ 2027 chưa bắt đầu")
    assert lan.say("/tuan").startswith("/tuan không dành cho vai trò của bạn.")


def test_ranking_and_who_has_not_reported(session, commune, lan, leader):
    add_target(session, commune.unit, "vneid", baseline=0, percent=50)
    lan.say("vneid 20")
    ranking = leader.say("/xephang vneid").split("\n")
    assert ranking[0] == "🏆 Xã Đồng Phú — VNeID"
    assert ranking[1].startswith("1. ") and "Thôn Tân Hòa — 10% (20/200)" in ranking[1]
    assert ranking[2].startswith("2. ") and "Thôn Phú Lợi — 0% (0/150)" in ranking[2]
    assert leader.say("/xephang abc").startswith("Không hiểu “abc”.")
    assert leader.say("/chuabaocao") == "Xã Đồng Phú, tuần 23/11–29/11: 1 thôn chưa báo cáo: Thôn Phú Lợi."
    minh = Chatter(session, "Minh", [commune.villages["Thôn Phú Lợi"]], Role.VILLAGE_LEADER)
    assert minh.say("/chuabaocao") == "Thôn Phú Lợi chưa báo cáo tuần 23/11–29/11."
    assert lan.say("/chuabaocao").startswith("/chuabaocao không dành cho vai trò của bạn.")
