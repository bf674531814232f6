"""Leaders' plain questions: read without accents or case, answered by the right command."""

import pytest

from helpers import DEFAULTS, NOW, Chatter, add_target, incoming
from tocds.handlers.context import Context
from tocds.handlers.questions import command_for, read
from tocds.models import Role

CASES = [
    # typed, (command, indicator, village, period label)
    ("tiến độ vneid", ("tiendo", "vneid", None, None)),
    ("TIEN DO VNEID", ("tiendo", "vneid", None, None)),
    ("tiến độ định danh", ("tiendo", "vneid", None, None)),
    ("thôn Tân Hòa tháng 11", ("tiendo", None, "Thôn Tân Hòa", "2026-11")),
    ("thon tan hoa thang 11", ("tiendo", None, "Thôn Tân Hòa", "2026-11")),
    ("Tân Hòa tháng trước", ("tiendo", None, "Thôn Tân Hòa", "2026-10")),
    ("xếp hạng bdhvs", ("xephang", "bdhvs", None, None)),
    ("xep hang hoc vu so", ("xephang", "bdhvs", None, None)),
    ("ai chưa báo cáo", ("chuabaocao", None, None, None)),
    ("AI CHUA BAO CAO tuan nay", ("chuabaocao", None, None, "2026-W48")),
    ("tiến độ quý 4", ("tiendo", None, None, "2026-Q4")),
    ("tien do quy IV", ("tiendo", None, None, "2026-Q4")),
    ("tuần trước", ("tiendo", None, None, "2026-W47")),
    ("năm nay", ("tiendo", None, None, "2026")),
    ("tiến độ 2026-H2", ("tiendo", None, None, "2026-H2")),
    ("how far are we on vneid this week", ("tiendo", "vneid", None, "2026-W48")),
    ("ranking", ("xephang", None, None, None)),
    ("xin chào", (None, None, None, None)),
]


@pytest.fixture
def leader_context(session, commune):
    Chatter(session, "Chủ tịch", [commune.unit], Role.LEADER)
    return Context.load(session, incoming("chu tich", "", "q"), NOW, DEFAULTS)


@pytest.mark.parametrize(("typed", "expected"), CASES)
def test_questions_are_read_with_or_without_accents(leader_context, typed, expected):
    question = read(leader_context, typed)
    village = question.village.name if question.village else None
    period = question.period.label if question.period else None
    assert (command_for(question), question.indicator, village, period) == expected


def test_a_village_outside_ones_commune_and_a_period_that_does_not_exist(session, commune, leader_context):
    assert read(leader_context, "tiến độ thôn Bí Mật").unknown_village == "Bí Mật"
    assert read(leader_context, "tháng 13").bad_period == "tháng 13"
    assert read(leader_context, "2026-W60").bad_period == "2026-W60"


def test_a_leader_asks_in_plain_words(session, commune):
    add_target(session, commune.unit, "vneid", percent=50)
    lan = Chatter(session, "Lan", [commune.villages["Thôn Tân Hòa"]], Role.MEMBER)
    lan.say("vneid 5 bdhvs 2")
    leader = Chatter(session, "Chủ tịch", [commune.unit], Role.LEADER)

    answer = leader.say("tien do vneid")
    assert answer.startswith("📊 Xã Đồng Phú — tuần 23/11–29/11\n")
    assert "VNeID: tuần này 5" in answer and "Học vụ số" not in answer

    answer = leader.say("thôn tân hòa tháng 11")
    assert answer.startswith("📊 Thôn Tân Hòa — kỳ 2026-11 (01/11/2026–30/11/2026)\n")
    assert "VNeID: trong kỳ 5" in answer and "Học vụ số: trong kỳ 2" in answer

    assert leader.say("xếp hạng bdhvs").splitlines()[:2] == ["🏆 Xã Đồng Phú — Học vụ số", "1. ▫️ Thôn Tân Hòa — 2"]
    assert leader.say("ai chua bao cao") == "Xã Đồng Phú, tuần 23/11–29/11: 1 thôn chưa báo cáo: Thôn Phú Lợi."
    assert leader.say("tháng 12").startswith("“2026-12” không phải kỳ đã có số liệu.")  # not started yet
    assert leader.say("thời tiết hôm nay").startswith("Tôi chưa hiểu câu hỏi. Bạn có thể hỏi, ví dụ:")


def test_a_member_asks_with_a_question_word_and_reports_without(session, commune):
    lan = Chatter(session, "Lan", [commune.villages["Thôn Tân Hòa"]], Role.MEMBER)
    assert lan.say("vneid 3").startswith("✅ Đã lưu")
    assert lan.say("tiến độ").startswith("📊 Thôn Tân Hòa — tuần 23/11–29/11\n")
    assert lan.say("xếp hạng").startswith("/xephang không dành cho vai trò của bạn.")
    assert lan.say("tiến độ thôn Phú Lợi").startswith("Không có thôn “Phú Lợi” trong phạm vi của bạn.")


def test_progress_command_arguments(session, commune):
    office = Chatter(session, "Hà", [commune.unit], Role.OFFICE)
    Chatter(session, "Lan", [commune.villages["Thôn Phú Lợi"]], Role.MEMBER).say("ho 4 vneid 1")
    answer = office.say("/tiendo ho Phú Lợi")
    assert answer.splitlines() == ["📊 Thôn Phú Lợi — tuần 23/11–29/11", "▫️ Hộ: tuần này 4 · tổng 4"]
    assert office.say("/tiendo abc xyz").startswith("Tôi chưa hiểu câu hỏi.")


@pytest.mark.parametrize(("typed", "named"), [
    ("tiến độ thôn Bí Mật vneid", "Bí Mật"),
    ("thôn Bí Mật tháng 11", "Bí Mật"),
    ("xóm Kín tiến độ", "Kín"),
    ("tổ dân phố 5", None),  # a number is no name
])
def test_the_name_of_a_village_out_of_reach_is_what_was_typed(leader_context, typed, named):
    assert read(leader_context, typed).unknown_village == named


def test_a_ranking_comes_with_its_chart_and_knows_the_aliases(session, commune):
    office = Chatter(session, "Hà", [commune.unit], Role.OFFICE)
    Chatter(session, "Lan", [commune.villages["Thôn Phú Lợi"]], Role.MEMBER).say("bdhvs 7")
    [reply] = office.chat.send("/xephang học vụ số", NOW)
    assert reply.text.splitlines()[:2] == ["🏆 Xã Đồng Phú — Học vụ số", "1. ▫️ Thôn Phú Lợi — 7"]
    assert reply.attachment.kind == "picture" and reply.attachment.content.startswith(b"\x89PNG")
    assert reply.attachment.name == "tocds-xa-dong-phu-2026-W48.png"


def test_a_week_reads_as_a_week(session, commune):
    lan = Chatter(session, "Lan", [commune.villages["Thôn Tân Hòa"]], Role.MEMBER)
    lan.say("vneid 2 18/11")
    lan.say("vneid 3")
    leader = Chatter(session, "Chủ tịch", [commune.unit], Role.LEADER)
    assert leader.say("tân hòa tuần này").splitlines() == ["📊 Thôn Tân Hòa — tuần 23/11–29/11",
                                                           "▫️ VNeID: tuần này 3 · tổng 5"]
    assert leader.say("tân hòa tuần trước").splitlines() == ["📊 Thôn Tân Hòa — tuần 16/11–22/11",
                                                            "▫️ VNeID: trong kỳ 2 · tổng 2"]
