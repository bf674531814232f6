"""Administering a province: its people from the command line and with `/thanhvien`."""

import csv
import io
from datetime import UTC, datetime

import pytest
from processes import Processes
from sqlmodel import select
from test_members import pick

from helpers import Chatter, incoming, make_commune, make_province, send
from tocds.models import Membership, MembershipEvent, Person, Role, Subscription

PROVINCE, OTHER_PROVINCE = "Tỉnh Đồng Nai", "Tỉnh Xa Xôi"


@pytest.fixture
def province(session):
    """Tỉnh Đồng Nai over Xã Đồng Phú (two villages, an office) and Xã Hòa An (one village);
    Tỉnh Xa Xôi over Xã Bí Mật, with a province office of its own."""
    dong_phu = make_commune(session)
    hoa_an = make_commune(session, "Xã Hòa An", {"Thôn Bến Đò": (100, 400, 300, 320)})
    unit = make_province(session, PROVINCE, [dong_phu, hoa_an])
    other = make_province(session, OTHER_PROVINCE, [make_commune(session, "Xã Bí Mật", {"Thôn Kín Đáo": (1, 2, 3, 4)})])
    Chatter(session, "Cán Bộ Xã", [dong_phu.unit], Role.OFFICE)
    Chatter(session, "Người Tỉnh Lạ", [other], Role.PROVINCE_OFFICE)
    return unit, dong_phu, hoa_an


# People, from the command line ------------------------------------------------------------------


def test_the_operator_lists_removes_and_changes_province_people(db_url, session, province, tmp_path):
    unit, dong_phu, _ = province
    Chatter(session, "Hà", [unit], Role.PROVINCE_OFFICE)
    Chatter(session, "Chủ Tịch", [unit], Role.PROVINCE_LEADER).say("/nhantin")
    processes = Processes(tmp_path, {"TOCDS_DATABASE_URL": db_url})

    def admin(*args):
        return processes.run("admin", *args)

    joined = datetime.now(UTC).date().isoformat()
    listed = admin("members", "--province", PROVINCE)
    assert list(csv.reader(io.StringIO(listed.stdout))) == [  # the province's own places, not its communes'
        ["name", "unit", "role", "channel", "joined", "last_report"],
        ["Chủ Tịch", PROVINCE, "province_leader", "console", joined, ""],
        ["Hà", PROVINCE, "province_office", "console", joined, ""],
    ]

    def refused(*args) -> str:
        result = admin(*args)
        assert (result.returncode, result.stdout) == (2, ""), result
        return result.stderr

    assert "--village goes with --commune" in refused("members", "--province", PROVINCE, "--village", "Thôn Tân Hòa")
    assert "not allowed with argument" in refused("members", "--province", PROVINCE, "--commune", "Xã Đồng Phú")
    assert "one of the arguments --commune --province is required" in refused("remove", "--person", "Hà")
    assert f"tocds admin members --province '{PROVINCE}'" in refused("remove", "--province", PROVINCE,
                                                                     "--person", "Cán Bộ Xã")
    assert "tocds admin invite --commune C --role office" in refused(
        "role", "--province", PROVINCE, "--person", "Hà", "--role", "office")
    assert "tocds admin invite --province P --role province_leader" in refused(
        "role", "--commune", "Xã Đồng Phú", "--person", "Cán Bộ Xã", "--role", "province_leader")

    changed = admin("role", "--province", PROVINCE, "--person", "hà", "--role", "province_leader")
    assert changed.stdout == f"Hà: province_office → province_leader in {PROVINCE}\n"
    removed = admin("remove", "--province", PROVINCE, "--person", "Chủ Tịch")
    assert removed.stdout == (f"Chủ Tịch no longer belongs to {PROVINCE} (province_leader); "
                              "chats they subscribed that stopped: 1\n")
    assert admin("members", "--province", PROVINCE).stdout.splitlines()[1:] == [
        f"Hà,{PROVINCE},province_leader,console,{joined},"]
    session.expire_all()
    assert session.exec(select(Subscription)).all() == []
    events = session.exec(select(MembershipEvent.action, MembershipEvent.commune_id, MembershipEvent.by_id)
                          .order_by(MembershipEvent.id)).all()
    assert events == [("role", unit.id, None), ("removed", unit.id, None), ("unsubscribed", unit.id, None)]
    assert session.exec(select(Membership).where(Membership.org_unit_id == dong_phu.unit.id)).all()


def test_a_province_place_removed_stops_its_chats_though_a_commune_place_stays(session, province):
    from tocds.models.members import remove

    unit, dong_phu, _ = province
    Chatter(session, "Hai Vai", [unit], Role.PROVINCE_LEADER).say("/nhantin")
    Chatter(session, "Hai Vai", [dong_phu.unit], Role.LEADER)  # the same person, also a commune's leader
    place = session.exec(select(Membership).where(Membership.org_unit_id == unit.id)).one()
    assert [s.commune_id for s in remove(session, place, by=None, now=datetime.now(UTC))] == [unit.id]


# People, in the chat: /thanhvien for a province office -------------------------------------------


@pytest.fixture
def ha(session, province):
    unit, _, _ = province
    Chatter(session, "Chủ Tịch", [unit], Role.PROVINCE_LEADER)
    return Chatter(session, "Hà", [unit], Role.PROVINCE_OFFICE)


def test_a_province_office_sees_the_province_people_only(session, province, ha):
    listed = ha.say("/thanhvien").splitlines()
    assert listed[0] == f"👥 {PROVINCE}: 2 người"
    assert f"1. Chủ Tịch — {PROVINCE} · lãnh đạo tỉnh · console" in listed
    assert f"2. Hà — {PROVINCE} · văn phòng tỉnh · console" in listed
    assert not any("Cán Bộ Xã" in line or "Lạ" in line for line in listed)
    answer = ha.say("/thanhvien Thôn Tân Hòa")  # a village of the province: its commune office's to manage
    assert answer == ha.say("/thanhvien Thôn Không Có") == (
        "Văn phòng tỉnh quản lý người của tỉnh; văn phòng mỗi xã quản lý người của các thôn trong xã. "
        "Gửi /thanhvien để xem.")


def test_a_province_office_switches_a_province_role_and_removes(session, province, ha):
    leader = Chatter(session, "Chủ Tịch", [], Role.PROVINCE_LEADER)  # the fixture's, in a chat of their own
    ha.say("/thanhvien")
    assert pick(ha, "Chủ Tịch").startswith(f"Chủ Tịch — {PROVINCE}, lãnh đạo tỉnh. Thay đổi gì?")
    assert pick(ha, "Đổi vai trò") == f"Vai trò mới của Chủ Tịch ở {PROVINCE}?\n1. văn phòng tỉnh\n2. Hủy"
    pick(ha, "văn phòng tỉnh")
    assert pick(ha, "Đúng") == f"✅ Chủ Tịch giờ là văn phòng tỉnh ở {PROVINCE}."
    assert leader.say("/thanhvien").startswith(f"👥 {PROVINCE}")  # a province office now
    ha.say("/thanhvien")
    pick(ha, "Chủ Tịch")
    pick(ha, "Xóa khỏi")
    assert pick(ha, "Đúng, xóa") == f"✅ Chủ Tịch không còn thuộc {PROVINCE}."
    events = session.exec(select(MembershipEvent.action, MembershipEvent.old_role, MembershipEvent.new_role)
                          .order_by(MembershipEvent.id)).all()
    assert events == [("role", "province_leader", "province_office"), ("removed", "province_office", None)]


@pytest.mark.parametrize("whose", ["Cán Bộ Xã", "Người Tỉnh Lạ"])
def test_a_province_office_cannot_reach_a_commune_or_another_province(session, province, ha, whose):
    """A commune office of its own province, or another province's office, named in a forged
    button while the question is open: refused, and the place stays."""
    ha.say("/thanhvien")
    theirs = session.exec(select(Membership.id).join(Person).where(Person.name == whose)).one()
    replies = send(session, incoming("ha", "", "forged", choice=f"m:{theirs}"))
    assert "đã đóng" in replies[0].text
    assert session.get(Membership, theirs) is not None
    assert session.exec(select(MembershipEvent)).all() == []

