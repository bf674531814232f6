"""People come and go: `/thanhvien` (remove a person, change a role), `/roi`, the office's
`/nhantin` over the commune's chats, and every such change in `/nhatky`."""

import pytest
from sqlmodel import select

from helpers import Chatter, make_commune
from tocds.models import Entry, Membership, MembershipEvent, Person, Role, Subscription

NOT_JOINED = "Bạn chưa tham gia. Hãy xin văn phòng xã mã mời, rồi gửi /start MÃ."


@pytest.fixture
def lan(session, commune):
    lan = Chatter(session, "Lan", [commune.villages["Thôn Tân Hòa"]], Role.MEMBER)
    lan.say("vneid 5")
    return lan


@pytest.fixture
def ha(session, commune):
    return Chatter(session, "Hà", [commune.unit], Role.OFFICE)


def pick(person: Chatter, label: str) -> str:
    """Answers the open question with the number of the choice whose label starts so."""
    number = next(i for i, choice in enumerate(person.last[-1].choices, 1) if choice.label.startswith(label))
    return person.say(str(number))


def test_the_list_names_role_messenger_and_last_report(session, commune, lan, ha):
    Chatter(session, "Sen", [commune.villages["Thôn Phú Lợi"]], Role.VILLAGE_LEADER)
    listed = ha.say("/thanhvien").splitlines()
    assert listed[0] == "👥 Xã Đồng Phú: 3 người"
    assert "1. Hà — Xã Đồng Phú · văn phòng xã · console" in listed
    assert "2. Lan — Thôn Tân Hòa · thành viên · console · báo cáo gần nhất 25/11/2026" in listed
    assert "3. Sen — Thôn Phú Lợi · tổ trưởng · console · chưa báo cáo" in listed
    village = ha.say("/thanhvien Phú Lợi").splitlines()
    assert village[0] == "👥 Thôn Phú Lợi: 1 người" and not any("Lan" in line for line in village)
    assert ha.say("/thanhvien Thôn Xa Lạ") == (
        "“Thôn Xa Lạ” không phải thôn của xã bạn. Gửi /thanhvien để xem tất cả.")


def test_a_removed_member_is_told_to_join_and_their_reports_stay(session, commune, lan, ha):
    ha.say("/thanhvien")
    assert pick(ha, "Lan").startswith("Lan — Thôn Tân Hòa, thành viên. Thay đổi gì?")
    assert pick(ha, "Xóa khỏi").startswith("Xóa Lan khỏi Thôn Tân Hòa?")
    assert pick(ha, "Đúng, xóa") == "✅ Lan không còn thuộc Thôn Tân Hòa."
    assert lan.say("vneid 3") == NOT_JOINED
    assert lan.say("/tiendo") == NOT_JOINED
    lan_id = session.exec(select(Person.id).where(Person.name == "Lan")).one()
    assert [e.person_id for e in session.exec(select(Entry)).all()] == [lan_id]  # the report keeps who
    assert "· Hà · Thôn Tân Hòa: đã xóa Lan (thành viên)" in ha.say("/nhatky")


def test_no_removes_nothing(session, commune, lan, ha):
    ha.say("/thanhvien")
    pick(ha, "Lan")
    pick(ha, "Xóa khỏi")
    assert pick(ha, "Không") == "Không có gì thay đổi."
    ha.say("/thanhvien")
    assert pick(ha, "Xong") == "Không có gì thay đổi."
    assert lan.say("/tiendo") != NOT_JOINED
    assert session.exec(select(MembershipEvent)).all() == []


def test_a_role_changed_takes_effect_and_is_in_the_audit(session, commune, lan, ha):
    assert lan.say("/chuabaocao").startswith("/chuabaocao không dành cho vai trò của bạn.")
    ha.say("/thanhvien Tân Hòa")
    pick(ha, "Lan")
    assert pick(ha, "Đổi vai trò") == "Vai trò mới của Lan ở Thôn Tân Hòa?\n1. tổ trưởng\n2. Hủy"
    assert pick(ha, "tổ trưởng").startswith("Đổi vai trò của Lan ở Thôn Tân Hòa: thành viên → tổ trưởng?")
    assert pick(ha, "Đúng") == "✅ Lan giờ là tổ trưởng ở Thôn Tân Hòa."
    assert not lan.say("/chuabaocao").startswith("/chuabaocao không dành")
    assert "· Hà · Thôn Tân Hòa: Lan: thành viên → tổ trưởng" in ha.say("/nhatky")


def test_the_commune_keeps_an_office_whoever_removes_changes_or_leaves(session, commune, ha):
    """The last office (or admin) place of a commune is not removed, given another role, or
    left: nobody but the operator could invite, remove or review there. With a second one, it is."""
    last = "⚠️ Hà là người cuối cùng của văn phòng Xã Đồng Phú"
    ha.say("/thanhvien")
    pick(ha, "Hà")
    assert pick(ha, "Xóa khỏi").startswith(last) and "/moi" in ha.last[-1].text
    ha.say("/thanhvien")
    pick(ha, "Hà")
    pick(ha, "Đổi vai trò")
    assert pick(ha, "lãnh đạo xã").startswith(last)
    assert ha.say("/roi").startswith("Rời Xã Đồng Phú")
    assert ha.say("1").startswith(last)
    assert session.exec(select(MembershipEvent)).all() == []
    # A question asked while there were two, answered after the other one left: refused then too.
    mai = Chatter(session, "Mai", [commune.unit], Role.ADMIN)
    ha.say("/roi")
    mai.say("/roi")
    assert mai.say("1").startswith("Bạn đã rời Xã Đồng Phú")
    assert ha.say("1").startswith(last)
    mai = Chatter(session, "Mai", [commune.unit], Role.OFFICE)
    ha.say("/roi")
    assert ha.say("1").startswith("Bạn đã rời Xã Đồng Phú")


def test_a_place_removed_meanwhile_is_said_so(session, commune, lan, ha):
    mai = Chatter(session, "Mai", [commune.unit], Role.OFFICE)
    ha.say("/thanhvien")
    pick(ha, "Lan")
    pick(ha, "Xóa khỏi")
    mai.say("/thanhvien")
    pick(mai, "Lan")
    pick(mai, "Xóa khỏi")
    pick(mai, "Đúng, xóa")
    assert pick(ha, "Đúng, xóa").startswith("Vị trí này không còn nữa")
    assert len(session.exec(select(MembershipEvent)).all()) == 1


def test_removing_the_last_place_stops_the_chats_they_subscribed(session, commune, ha):
    hung = Chatter(session, "Hùng", [commune.unit], Role.LEADER)
    hung.say("/nhantin")
    ha.say("/thanhvien")
    pick(ha, "Hùng")
    pick(ha, "Xóa khỏi")
    pick(ha, "Đúng, xóa")
    assert session.exec(select(Subscription)).all() == []
    log = ha.say("/nhatky")
    assert "· Hà · Xã Đồng Phú: đã dừng gửi báo cáo cho Hùng (console:hung)" in log
    assert "· Hà · Xã Đồng Phú: đã xóa Hùng (lãnh đạo xã)" in log


def test_a_place_left_in_another_unit_keeps_the_subscriptions(session, commune):
    both = Chatter(session, "Tú", [commune.unit], Role.LEADER)
    Chatter(session, "Tú", [commune.villages["Thôn Tân Hòa"]], Role.MEMBER)
    both.say("/nhantin")
    both.say("/roi")
    assert pick(both, "Thôn Tân Hòa").startswith("Rời Thôn Tân Hòa (thành viên)?")
    assert pick(both, "Đúng, rời") == "Bạn đã rời Thôn Tân Hòa."
    assert len(session.exec(select(Subscription)).all()) == 1
    assert both.say("/roi").startswith("Rời Xã Đồng Phú (lãnh đạo xã)?")
    assert pick(both, "Đúng, rời") == ("Bạn đã rời Xã Đồng Phú. Muốn tham gia lại, hãy xin văn phòng xã mã mời "
                                      "rồi gửi /start MÃ.")
    assert session.exec(select(Subscription)).all() == []
    assert session.exec(select(Membership)).all() == []
    assert both.say("/tiendo") == NOT_JOINED


def test_leave_names_the_place_and_is_in_the_audit(session, commune, lan, ha):
    assert lan.say("/roi Thôn Phú Lợi") == "Bạn không thuộc “Thôn Phú Lợi”. Gửi /roi rồi chọn đơn vị."
    assert lan.say("/roi Tân Hòa").startswith("Rời Thôn Tân Hòa (thành viên)?")
    assert pick(lan, "Không, ở lại") == "Không có gì thay đổi."
    lan.say("/roi")
    pick(lan, "Đúng, rời")
    assert lan.say("vneid 1") == NOT_JOINED
    assert "· Lan · Thôn Tân Hòa: đã rời (thành viên)" in ha.say("/nhatky")


def test_the_office_sees_and_stops_the_communes_other_chats(session, commune, ha):
    hung = Chatter(session, "Hùng", [commune.unit], Role.LEADER)
    hung.say("/nhantin")
    assert "Các cuộc trò chuyện khác" not in hung.say("/nhantin")  # a leader toggles their own chat only
    hung.say("/nhantin")
    replies = ha.say("/nhantin").splitlines()
    assert replies[0].startswith("Cuộc trò chuyện này sẽ nhận báo cáo tuần")
    assert replies[1:] == ["Các cuộc trò chuyện khác đang nhận:", "1. Hùng (console), từ 25/11/2026",
                           "1. Dừng gửi cho Hùng (console)", "2. Giữ tất cả"]
    assert pick(ha, "Dừng gửi cho Hùng") == "✅ Hùng (console) không còn nhận báo cáo tổng hợp và cảnh báo."
    assert [s.chat_id for s in session.exec(select(Subscription)).all()] == ["ha"]
    assert "· Hà · Xã Đồng Phú: đã dừng gửi báo cáo cho Hùng (console:hung)" in ha.say("/nhatky")
    assert "Hùng" not in ha.say("/nhantin")  # stops Hà's own chat; nothing else left


def test_another_communes_people_and_chats_never_show(session, commune, lan, ha):
    theirs = make_commune(session, "Xã Bí Mật", {"Thôn Kín Đáo": (50, 200, 150, 160)})
    Chatter(session, "Người Lạ", [theirs.villages["Thôn Kín Đáo"]], Role.MEMBER)
    Chatter(session, "Cán Bộ Lạ", [theirs.unit], Role.OFFICE).say("/nhantin")
    assert "Lạ" not in ha.say("/thanhvien")
    assert "Lạ" not in ha.say("/nhantin")
    assert ha.say("/thanhvien Kín Đáo") == "“Kín Đáo” không phải thôn của xã bạn. Gửi /thanhvien để xem tất cả."
