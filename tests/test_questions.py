"""Leaders' plain questions: read without accents or case, answered by the right command."""

from datetime import timedelta

import pytest
from sqlmodel import select

from helpers import DEFAULTS, NOW, Chatter, add_target, entry_total, incoming, make_commune
from tocds.handlers.context import Context
from tocds.handlers.questions import read, request_for, topic_of
from tocds.models import Invite, Role

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
    # superlatives: the ranking (worst first: see test_superlatives_rank_from_the_bottom)
    ("thôn nào chậm nhất", ("xephang", None, None, None)),
    ("thon nao cham nhat vay a", ("xephang", None, None, None)),
    ("Thôn nào thấp nhất vneid?", ("xephang", "vneid", None, None)),
    ("thôn nào thấp nhất về định danh ạ", ("xephang", "vneid", None, None)),
    ("thôn nào làm tốt nhất", ("xephang", None, None, None)),
    ("which village is behind", ("xephang", None, None, None)),
    ("which village is lowest on digital signature", ("xephang", "cks", None, None)),
    # the asker's own unit
    ("thôn mình đến đâu rồi", ("tiendo", None, None, None)),
    ("xa minh tien do vneid ntn", ("tiendo", "vneid", None, None)),
    ("thôn mình tuần trước", ("tiendo", None, None, "2026-W47")),
    ("how is our commune doing this month", ("tiendo", None, None, "2026-11")),
    ("our village last week", ("tiendo", None, None, "2026-W47")),
    # two periods side by side: answered by /tiendo
    ("so với tuần trước", ("tiendo", None, None, "2026-W47")),
    ("vneid so voi tuan truoc the nao", ("tiendo", "vneid", None, "2026-W47")),
    ("Tân Hòa so với tuần trước", ("tiendo", None, "Thôn Tân Hòa", "2026-W47")),
    ("compared with last week", ("tiendo", None, None, "2026-W47")),
    # periods
    ("tiến độ tuần 48", ("tiendo", None, None, "2026-W48")),
    ("tuan 45 thon tan hoa", ("tiendo", None, "Thôn Tân Hòa", "2026-W45")),
    ("6 tháng đầu năm", ("tiendo", None, None, "2026-H1")),
    ("tien do 6 thang cuoi nam", ("tiendo", None, None, "2026-H2")),
    ("báo cáo 6 tháng", ("tiendo", None, None, "2026-H2")),
    ("bc 6 thang vneid", ("tiendo", "vneid", None, "2026-H2")),
    ("progress last month", ("tiendo", None, None, "2026-10")),
    ("how far this month", ("tiendo", None, None, "2026-11")),
    ("tháng vừa rồi đạt bao nhiêu", ("tiendo", None, None, "2026-10")),
    ("tien do quy truoc", ("tiendo", None, None, "2026-Q3")),
    ("năm ngoái", ("tiendo", None, None, "2025")),
    ("tuần vừa rồi thôn tân hòa thế nào", ("tiendo", None, "Thôn Tân Hòa", "2026-W47")),
    ("tiến độ tháng tới", ("tiendo", None, None, "2026-12")),  # not begun: /tiendo says so
    ("tiến độ tuần 16/11", ("tiendo", None, None, "2026-W47")),  # the week of that day, not week 16
    ("thôn Phú Lợi xếp thứ mấy", ("xephang", None, "Thôn Phú Lợi", None)),
    ("tiến độ q3", ("tiendo", None, None, "2026-Q3")),
    ("tuần qua", ("tiendo", None, None, "2026-W47")),  # last week, not this one
    ("tuần trước nữa thế nào", ("tiendo", None, None, "2026-W46")),  # the week before last
    ("tiến độ tuần thứ 47", ("tiendo", None, None, "2026-W47")),
    ("tổng hợp tháng trước nữa", ("thang", None, None, "2026-09")),
    # so many weeks back, and a month's last week: read as reports read them (period_words.py)
    ("tiến độ hai tuần trước", ("tiendo", None, None, "2026-W46")),  # not this week, not last week
    ("tiến độ 2 tuần trước", ("tiendo", None, None, "2026-W46")),
    ("ai chưa báo cáo ba tuần trước", ("chuabaocao", None, None, "2026-W45")),
    ("progress two weeks ago", ("tiendo", None, None, "2026-W46")),
    ("tiến độ tuần cuối tháng 10", ("tiendo", None, None, "2026-W44")),  # 26/10–01/11, holding 31/10
    ("xuất báo cáo tuần cuối của tháng 9", ("xuat", None, None, "2026-W40")),  # 28/09–04/10
    ("tiến độ tuần cuối tháng 11", ("tiendo", None, None, "2026-W49")),  # about to begin: /tiendo says so
    ("tuần cuối tháng trước", ("tiendo", None, None, "2026-W44")),
    ("tiến độ thứ hai tuần trước", ("tiendo", None, None, "2026-W47")),  # `thứ hai` is Monday, not two weeks
    ("tiến độ hai tháng trước", ("tiendo", None, None, "2026-09")),
    # who has not reported, for a period too
    ("ai chưa báo cáo tuần trước", ("chuabaocao", None, None, "2026-W47")),
    ("ai chua bc tuan truoc a", ("chuabaocao", None, None, "2026-W47")),
    ("ai ko bc tháng này", ("chuabaocao", None, None, "2026-11")),
    ("ai k bc tuần trc", ("chuabaocao", None, None, "2026-W47")),
    ("thôn nào chưa báo cáo vậy", ("chuabaocao", None, None, None)),
    ("những thôn nào chưa gửi báo cáo", ("chuabaocao", None, None, None)),  # not a ranking (issue 22)
    ("thôn nào chưa gửi tuần trước", ("chuabaocao", None, None, "2026-W47")),
    ("còn thôn nào chưa có báo cáo tháng này", ("chuabaocao", None, None, "2026-11")),
    ("những thôn nào chưa báo cáo", ("chuabaocao", None, None, None)),
    ("còn thôn nào chưa nộp", ("chuabaocao", None, None, None)),
    ("who hasn't reported this week", ("chuabaocao", None, None, "2026-W48")),
    ("who hasn’t reported", ("chuabaocao", None, None, None)),
    ("who has not reported last week?", ("chuabaocao", None, None, "2026-W47")),
    # requests
    ("xuất báo cáo tháng 11", ("xuat", None, None, "2026-11")),
    ("xuat bao cao thang 11 giup em", ("xuat", None, None, "2026-11")),
    ("gửi file excel quý 4", ("xuat", None, None, "2026-Q4")),
    ("gui file excel q4 nhe", ("xuat", None, None, "2026-Q4")),
    ("xuất file 6 tháng đầu năm", ("xuat", None, None, "2026-H1")),
    ("export last month", ("xuat", None, None, "2026-10")),
    ("tạo mã mời cho thôn Tân Hòa", ("moi", None, "Thôn Tân Hòa", None)),
    ("tao ma moi tan hoa to truong", ("moi", None, "Thôn Tân Hòa", None)),
    ("ai đã sửa số liệu", ("nhatky", None, None, None)),
    ("ai sua so lieu vneid vay", ("nhatky", "vneid", None, None)),
    ("who changed the figures", ("nhatky", None, None, None)),
    ("xem nhật ký sửa", ("nhatky", None, None, None)),
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
    name = (request_for(question, typed) or (None,))[0]
    assert (name, question.indicator, village, period) == expected


def test_a_village_outside_ones_commune_and_a_period_that_does_not_exist(session, commune, leader_context):
    assert read(leader_context, "tiến độ thôn Bí Mật").unknown_village == "Bí Mật"
    assert read(leader_context, "tháng 13").bad_period == "tháng 13"
    assert read(leader_context, "2026-W60").bad_period == "2026-W60"
    assert read(leader_context, "tuần 31/02").bad_period.startswith("tuần 31")
    assert read(leader_context, "tiến độ tuần cuối tháng 13").bad_period == "tuần cuối tháng 13"


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
    assert answer.splitlines() == ["📊 Thôn Phú Lợi — tuần 23/11–29/11", "▫️ Hộ: tuần này 4 · tổng 4",
                                   "📎 tocds-thon-phu-loi-2026-W48.png"]  # one indicator: its trend's picture
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
                                                            "▫️ VNeID: trong tuần 2 · tổng 2"]


# What a member types is a report unless it asks something -----------------------------------

REPORTS = [
    "hôm nay tổ em đi 15 hộ, hướng dẫn được 6 người kích hoạt VNeID",
    "báo cáo tuần: hộ 12 vneid 5",
    "Báo cáo thôn Tân Hòa: hộ 20, vneid 7",
    "bc ho 12 vneid 5 bdhvs 3",
    "tuần này không có gì",
    "tuan nay ko co gi a",
    "hộ 12 vneid 5 hôm qua",
    "dạ em báo cáo: 15 hộ, 6 vneid ạ",
    "em gửi báo cáo ạ: hộ 10, sổ SK 4, chữ ký số 2",
    "thôn mình hôm nay được 15 hộ",
    "hôm qua hỗ trợ 7 người cài VNeID",
    "hồ sơ dvc 3",
    "thứ 3 đi được mười hai hộ",
    "28/11 hộ 10 vneid 2",
    "dc 15 ho, 8 vneid, 3 nguoi hoc binh dan hoc vu so",
    "vneid 5 người, thanh toán 3 tài khoản",
    "báo cáo 6 hộ 2 vneid",
    "sửa lại vneid 6",
    "nhầm, vneid là 4 chứ không phải 5",
    "xóa báo cáo",
    "households 12 vneid 5 yesterday",
]


@pytest.mark.parametrize("typed", REPORTS)
def test_reports_do_not_look_like_questions(typed):
    assert topic_of(typed) is None


@pytest.mark.parametrize(("typed", "topic"), [
    ("xuất báo cáo tháng 11", "export"),
    ("ai chưa báo cáo tuần trước", "missing"),
    ("thôn mình báo cáo chưa ạ", "missing"),
    ("báo cáo 6 tháng", "progress"),
    ("gửi file excel quý 4", "export"),
    ("tạo mã mời cho thôn Tân Hòa", "invite"),
    ("ai đã sửa số liệu vậy", "audit"),
    ("thôn nào chậm nhất", "ranking"),
    ("so với tuần trước", "compare"),
    ("who hasn’t reported this week?", "missing"),
])
def test_requests_are_recognised_before_the_report_opener(typed, topic):
    assert topic_of(typed) == topic


@pytest.mark.parametrize(("typed", "worst_first", "own_unit"), [
    ("thôn nào chậm nhất", True, False),
    ("thon nao thap nhat vneid", True, False),
    ("thôn nào kém nhất học vụ số ạ", True, False),
    ("which village is behind", True, False),
    ("thôn nào tốt nhất", False, False),
    ("xếp hạng vneid", False, False),
    ("thôn mình đến đâu rồi", False, True),
    ("xa minh tien do ntn", False, True),
    ("how far is our village", False, True),
])
def test_superlatives_and_ones_own_unit_are_read(leader_context, typed, worst_first, own_unit):
    question = read(leader_context, typed)
    assert (question.worst_first, question.own_unit, question.unknown_village) == (worst_first, own_unit, None)


# Answers --------------------------------------------------------------------------------------


@pytest.fixture
def two_weeks(session, commune):
    """Last week Tân Hòa and Phú Lợi reported; this week only Tân Hòa."""
    add_target(session, commune.unit, "vneid", percent=50)  # Tân Hòa 200, Phú Lợi 150
    lan = Chatter(session, "Lan", [commune.villages["Thôn Tân Hòa"]], Role.MEMBER)
    minh = Chatter(session, "Minh", [commune.villages["Thôn Phú Lợi"]], Role.VILLAGE_LEADER)
    lan.say("vneid 3 ho 4", NOW - timedelta(days=7))
    minh.say("vneid 30", NOW - timedelta(days=7))
    lan.say("vneid 5 bdhvs 2")
    return lan, minh


def test_superlatives_rank_from_the_bottom(session, commune, two_weeks):
    lan, _ = two_weeks
    leader = Chatter(session, "Chủ tịch", [commune.unit], Role.LEADER)
    best_first = ["🏆 Xã Đồng Phú — VNeID", "1. 🔴 Thôn Phú Lợi — 20% (30/150)", "2. 🔴 Thôn Tân Hòa — 4% (8/200)"]
    worst_first = ["📉 Xã Đồng Phú — VNeID, từ thấp lên", "2. 🔴 Thôn Tân Hòa — 4% (8/200)",
                   "1. 🔴 Thôn Phú Lợi — 20% (30/150)"]
    assert leader.say("/xephang vneid").splitlines()[:3] == best_first  # unchanged
    assert leader.say("xếp hạng").splitlines()[:3] == best_first
    for typed in ("thôn nào chậm nhất", "thon nao thap nhat vneid?", "which village is behind", "/xephang vneid thấp nhất",
                  "/ranking lowest"):
        assert leader.say(typed).splitlines()[:3] == worst_first, typed
    assert leader.say("thôn nào chậm nhất học vụ số").splitlines()[:3] == [
        "📉 Xã Đồng Phú — Học vụ số, từ thấp lên", "2. ▫️ Thôn Phú Lợi — 0", "1. ▫️ Thôn Tân Hòa — 2"]
    assert lan.say("thôn nào chậm nhất ạ") == "/xephang không dành cho vai trò của bạn. Gửi /trogiup để xem bạn làm được gì."


def test_our_village_and_our_commune_are_the_askers_own(session, commune, two_weeks):
    lan, _ = two_weeks
    leader = Chatter(session, "Chủ tịch", [commune.unit], Role.LEADER)
    for typed in ("thôn mình đến đâu rồi", "tien do thon minh", "xã mình thế nào rồi"):
        assert lan.say(typed).splitlines()[0] == "📊 Thôn Tân Hòa — tuần 23/11–29/11", typed
    for typed in ("xã mình tiến độ ntn", "tiến độ xã mình tuần trước", "how far is our commune"):
        assert leader.say(typed).startswith("📊 Xã Đồng Phú — tuần"), typed
    assert leader.say("tiến độ xã mình tuần trước").startswith("📊 Xã Đồng Phú — tuần 16/11–22/11\n")


SAME_DAYS = "So sánh cùng các ngày Thứ Hai–Thứ Tư của hai tuần, vì tuần này chưa hết."


def test_compared_with_last_week_side_by_side(session, commune, two_weeks):
    """On Wednesday the week under way is compared with Monday–Wednesday of last week (issue 22)."""
    lan, minh = two_weeks
    leader = Chatter(session, "Chủ tịch", [commune.unit], Role.LEADER)
    commune_lines = ["📊 Xã Đồng Phú — 16/11–18/11 → 23/11–25/11", SAME_DAYS,
                     "Hộ: 4 → 0 (−4)", "VNeID: 33 → 5 (−28)", "Học vụ số: 0 → 2 (+2)"]
    assert leader.say("so với tuần trước").splitlines() == commune_lines
    assert leader.say("so sanh voi tuan truoc the nao a").splitlines() == commune_lines
    assert leader.say("/tiendo so với tuần trước").splitlines() == commune_lines
    assert leader.say("vneid so với tuần trước").splitlines() == [*commune_lines[:2], "VNeID: 33 → 5 (−28)"]
    assert leader.say("Tân Hòa so với tuần trước").splitlines() == [
        "📊 Thôn Tân Hòa — 16/11–18/11 → 23/11–25/11", SAME_DAYS, "Hộ: 4 → 0 (−4)", "VNeID: 3 → 5 (+2)",
        "Học vụ số: 0 → 2 (+2)"]
    assert lan.say("thôn mình so với tuần trước thế nào").splitlines()[3] == "VNeID: 3 → 5 (+2)"
    assert minh.say("so voi tuan truoc").splitlines() == [
        "📊 Thôn Phú Lợi — 16/11–18/11 → 23/11–25/11", SAME_DAYS, "VNeID: 30 → 0 (−30)"]
    assert leader.say("so với tháng trước").splitlines()[:3] == [
        "📊 Xã Đồng Phú — 01/10–25/10 → 01/11–25/11",
        "So sánh 25 ngày đầu của hai kỳ, vì kỳ này chưa hết.", "Hộ: 0 → 4 (+4)"]
    assert leader.say("so với tuần 40").splitlines() == [  # two weeks that are over: whole
        "📊 Xã Đồng Phú — tuần 21/09–27/09 → tuần 28/09–04/10", "Cả hai kỳ chưa có báo cáo nào."]


def test_a_comparison_never_sets_a_whole_week_against_a_few_hours(session, commune, two_weeks):
    """Issue 22: on Monday "so với tuần trước" compared a whole week with a few hours. Last week's
    Thursday counts only once this week has had its Thursday; on Monday the two weeks that are
    over are compared, and the reply says which days it compares."""
    lan, minh = two_weeks
    minh.say("vneid 9", NOW + timedelta(days=1))  # Thursday 26/11: after Wednesday, this week
    lan.say("vneid 4", NOW - timedelta(days=6))  # Thursday 19/11, last week
    leader = Chatter(session, "Chủ tịch", [commune.unit], Role.LEADER)
    assert leader.say("vneid so với tuần trước").splitlines()[2] == "VNeID: 33 → 5 (−28)"  # Wednesday: no Thursday
    thursday = leader.say("vneid so với tuần trước", NOW + timedelta(days=1)).splitlines()
    assert thursday == ["📊 Xã Đồng Phú — 16/11–19/11 → 23/11–26/11",
                        "So sánh cùng các ngày Thứ Hai–Thứ Năm của hai tuần, vì tuần này chưa hết.",
                        "VNeID: 37 → 14 (−23)"]
    monday = NOW + timedelta(days=5)  # Monday 30/11, noon
    lan.say("vneid 1", monday)
    assert leader.say("vneid so với tuần trước", monday).splitlines() == [
        "📊 Xã Đồng Phú — tuần 16/11–22/11 → tuần 23/11–29/11",
        "So sánh hai tuần đã trọn gần nhất, vì tuần này mới bắt đầu.", "VNeID: 37 → 14 (−23)"]
    assert leader.say("so với tháng trước", NOW + timedelta(days=6)).splitlines()[:2] == [  # 1 December
        "📊 Xã Đồng Phú — kỳ 2026-10 (01/10/2026–31/10/2026) → kỳ 2026-11 (01/11/2026–30/11/2026)",
        "So sánh hai kỳ đã trọn gần nhất, vì kỳ này mới bắt đầu."]
    tuesday = leader.say("vneid so với tuần trước", monday + timedelta(days=1)).splitlines()
    assert tuesday == ["📊 Xã Đồng Phú — 23/11–24/11 → 30/11–01/12",
                       "So sánh cùng các ngày Thứ Hai–Thứ Ba của hai tuần, vì tuần này chưa hết.", "VNeID: 0 → 1 (+1)"]
    in_english = Chatter(session, "Chairman", [commune.unit], Role.LEADER, language="en")
    assert in_english.say("compared with last week", monday).splitlines()[1] == (
        "The last two whole weeks: this week has only just begun.")
    assert in_english.say("compared with last week").splitlines()[1] == (
        "The same days of both weeks, Monday–Wednesday: this week is not over.")


def test_who_has_not_reported_in_a_period(session, commune, two_weeks):
    lan, minh = two_weeks
    leader = Chatter(session, "Chủ tịch", [commune.unit], Role.LEADER)
    assert leader.say("ai chưa báo cáo") == "Xã Đồng Phú, tuần 23/11–29/11: 1 thôn chưa báo cáo: Thôn Phú Lợi."
    last_week = "Xã Đồng Phú, tuần 16/11–22/11: tất cả các thôn đã báo cáo."
    for typed in ("ai chưa báo cáo tuần trước", "ai chua bc tuan truoc a", "/chuabaocao tuần trước",
                  "/chuabaocao 2026-W47", "who hasn't reported last week"):
        assert leader.say(typed) == last_week, typed
    assert leader.say("thôn nào chưa báo cáo tuần 46?") == (
        "Xã Đồng Phú, tuần 09/11–15/11: 2 thôn chưa báo cáo: Thôn Tân Hòa, Thôn Phú Lợi.")
    this_week = "Xã Đồng Phú, tuần 23/11–29/11: 1 thôn chưa báo cáo: Thôn Phú Lợi."
    for typed in ("những thôn nào chưa gửi báo cáo", "những thôn nào chưa báo cáo", "còn thôn nào chưa nộp"):
        assert leader.say(typed) == this_week, typed  # who has not, never a ranking (issue 22)
    assert leader.say("thôn nào chưa gửi tuần trước") == last_week
    assert leader.say("ai chưa báo cáo tháng 10") == (
        "Xã Đồng Phú, kỳ 2026-10 (01/10/2026–31/10/2026): 2 thôn chưa báo cáo: Thôn Tân Hòa, Thôn Phú Lợi.")
    in_english = Chatter(session, "Chairman", [commune.unit], Role.LEADER, language="en")
    assert in_english.say("/chuabaocao") == "Xã Đồng Phú, week 23 Nov–29 Nov: 1 village has not reported: Thôn Phú Lợi."
    assert in_english.say("/chuabaocao 2026-W46") == (
        "Xã Đồng Phú, week 9 Nov–15 Nov: 2 villages have not reported: Thôn Tân Hòa, Thôn Phú Lợi.")
    assert leader.say("/chuabaocao tuần sau") == "Kỳ 2026-W49 chưa bắt đầu: hãy chọn tuần này hoặc một kỳ trước đó."
    assert leader.say("/chuabaocao abc").startswith("“abc” không phải kỳ báo cáo. Viết ví dụ: tuần trước, tháng 11")
    assert minh.say("thôn mình báo cáo chưa") == "Thôn Phú Lợi chưa báo cáo tuần 23/11–29/11."
    assert minh.say("ai chưa bc tuần trước") == "Thôn Phú Lợi đã báo cáo tuần 16/11–22/11."
    entries = entry_total(session)
    assert lan.say("ai chưa báo cáo tuần trước ạ").startswith("/chuabaocao không dành cho vai trò của bạn.")
    assert entry_total(session) == entries


def test_requests_in_words_are_answered_by_their_command(session, commune, two_weeks):
    lan, _ = two_weeks
    office = Chatter(session, "Hà", [commune.unit], Role.OFFICE)
    leader = Chatter(session, "Chủ tịch", [commune.unit], Role.LEADER)

    def file_sent(person, typed):
        [reply] = person.chat.send(typed, NOW)
        return reply.attachment.name

    assert file_sent(office, "xuất báo cáo tháng 11") == "tocds-xa-dong-phu-2026-11.xlsx"
    assert office.say("xuất báo cáo tháng 11") == office.say("/xuat tháng 11") == office.say("/xuat 2026-11")
    assert file_sent(office, "gửi file excel quý 4") == "tocds-xa-dong-phu-2026-Q4.xlsx"
    assert file_sent(office, "xuat csv thang truoc") == "tocds-xa-dong-phu-2026-10.csv"
    assert file_sent(office, "xuất file 6 tháng cuối năm") == "tocds-xa-dong-phu-2026-H2.xlsx"
    assert file_sent(office, "xuất báo cáo") == "tocds-xa-dong-phu-2026-W48.xlsx"
    assert office.say("xuất báo cáo tháng 12") == "Kỳ 2026-12 chưa bắt đầu: hãy chọn tuần này hoặc một kỳ trước đó."
    entries = entry_total(session)
    [workbook] = leader.chat.send("cho xin file excel tháng 11", NOW)  # leaders read every figure: the file too
    assert workbook.attachment.name == "tocds-xa-dong-phu-2026-11.xlsx"
    assert leader.say("cho xin file excel tháng 11") == office.say("/xuat 2026-11")
    assert lan.say("xuất báo cáo tháng 11 ạ").startswith("/xuat không dành cho vai trò của bạn.")
    assert entry_total(session) == entries

    assert office.say("tạo mã mời cho thôn Tân Hòa") == "Vai trò nào cho Thôn Tân Hòa?\n1. thành viên\n2. tổ trưởng"
    office.say("/huy")
    assert office.say("tao ma moi to truong thon phu loi").startswith("Mã mời cho Thôn Phú Lợi (tổ trưởng): ")
    assert office.say("/moi Tân Hòa thành viên").startswith("Mã mời cho Thôn Tân Hòa (thành viên): ")
    made = session.exec(select(Invite).order_by(Invite.id)).all()
    assert [(i.org_unit_id, i.role) for i in made] == [(commune.villages["Thôn Phú Lợi"].id, Role.VILLAGE_LEADER),
                                                        (commune.villages["Thôn Tân Hòa"].id, Role.MEMBER)]

    lan.say("/sua")
    lan.say("1")
    lan.say("6")
    audit = office.say("/nhatky")
    assert "Lan · Thôn Tân Hòa" in audit
    assert office.say("ai đã sửa số liệu") == office.say("ai sua so lieu vay") == audit
    assert leader.say("ai đã sửa số liệu").startswith("/nhatky không dành cho vai trò của bạn.")


def test_period_words_in_summary_commands(session, commune, two_weeks):
    leader = Chatter(session, "Chủ tịch", [commune.unit], Role.LEADER)
    assert leader.say("/thang tháng 11") == leader.say("/thang 11") == leader.say("/thang")
    assert leader.say("/thang tháng trước").startswith("📊 Xã Đồng Phú — kỳ 2026-10 (01/10/2026–31/10/2026)\n")
    assert leader.say("/month last month") == leader.say("/thang 10")
    assert leader.say("/quy quý này") == leader.say("/quy") == leader.say("/quy IV")
    assert leader.say("/quy q3").startswith("📊 Xã Đồng Phú — kỳ 2026-Q3")
    assert leader.say("/tuan tuần trước").startswith("📊 Xã Đồng Phú — tuần 16/11–22/11\n")
    assert leader.say("/tuan 47") == leader.say("/tuan tuần trước")
    assert leader.say("/nam năm nay") == leader.say("/nam")
    assert leader.say("/thang 6 tháng đầu năm").startswith("📊 Xã Đồng Phú — kỳ 2026-H1")
    assert leader.say("/thang Tân Hòa").startswith("“Tân Hòa” không phải kỳ báo cáo.")


def renamed(text: str) -> str:
    return text.replace("Kín Đáo", "Không Có").replace("kin dao", "khong co")


def test_a_village_of_another_commune_is_answered_as_one_that_does_not_exist(session, commune):
    other = make_commune(session, "Xã Bí Mật", {"Thôn Kín Đáo": (50, 200, 150, 160)})
    Chatter(session, "Người Lạ", [other.villages["Thôn Kín Đáo"]], Role.MEMBER).say("vneid 777")
    office = Chatter(session, "Hà", [commune.unit], Role.OFFICE)
    for typed in ("thôn Kín Đáo so với tuần trước", "tạo mã mời cho thôn Kín Đáo", "/moi Kín Đáo thành viên",
                  "thon kin dao tuan 47", "tiến độ thôn Kín Đáo 6 tháng đầu năm"):
        answer = office.say(typed)
        office.say("/huy")
        assert "777" not in answer and "Bí Mật" not in answer
        assert renamed(answer) == office.say(renamed(typed)), typed
    assert session.exec(select(Invite)).all() == []
