"""Administering a province: its people from the command line and with `/thanhvien`, its
reporting deadlines, and its calendar's jobs (the period reports and deadline reminders)."""

import csv
import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

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

    joined = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()  # a day of the province's time zone
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


# The reporting calendar of a province -------------------------------------------------------------


@pytest.fixture
def subscribed(session, province):
    """The province office's chat subscribed; Lan reported in November for Tân Hòa (Đồng Phú's
    Phú Lợi and Hòa An's Bến Đò never did); the province's chairman and Đồng Phú's, on Telegram."""
    from test_jobs import telegram_member

    unit, dong_phu, _ = province
    Chatter(session, "Hà", [unit], Role.PROVINCE_OFFICE).say("/nhantin")
    Chatter(session, "Lan", [dong_phu.villages["Thôn Tân Hòa"]], Role.MEMBER).say("vneid 5")
    telegram_member(session, "Chủ Tịch Tỉnh", unit, "800", Role.PROVINCE_LEADER)
    telegram_member(session, "Chủ Tịch Xã", dong_phu.unit, "700", Role.LEADER)
    return unit


def test_a_month_closes_and_the_province_report_goes_to_its_office(session, subscribed):
    from test_calendar import at_seven, by_chat, read_back

    from tocds.jobs import JOBS
    from tocds.jobs.runner import run_job

    run = run_job(session, JOBS["period-report"], subscribed, at_seven(date(2026, 12, 1)))
    assert run.period == "2026-11"
    [(chat, (text, workbook, document))] = by_chat(session, run).items()
    assert chat == ("console", "ha")  # the province's chat, not the communes' nor the leaders'
    heading, _, title, *lines = text.text.split("\n")
    assert heading == "🗓 Đã hết kỳ 2026-11 (01/11/2026–30/11/2026): số liệu và bảng tính của kỳ, để báo cáo cấp trên."
    assert title == f"📊 {PROVINCE} — kỳ 2026-11 (01/11/2026–30/11/2026)"
    assert lines[-1] == "⚠️ 2/2 xã có thôn chưa báo cáo: Xã Đồng Phú 1/2 · Xã Hòa An 1/1"
    assert workbook.attachment.name == "tocds-tinh-dong-nai-2026-11.xlsx"
    assert read_back(workbook.attachment.content).sheetnames[2:] == ["KPI", "Xã Đồng Phú", "Xã Hòa An"]
    assert document.attachment.name == "tocds-tinh-dong-nai-2026-11.docx"
    assert run_job(session, JOBS["period-report"], subscribed, at_seven(date(2026, 12, 1), 15)) is None


def test_the_province_office_is_reminded_and_on_the_day_its_leaders_hear_which_communes_lag(
        session, subscribed, tmp_path):
    from test_calendar import at_seven, by_chat, write

    from tocds.jobs import JOBS
    from tocds.jobs.runner import run_job
    from tocds.models.deadlines import import_deadlines

    import_deadlines(session, subscribed, write(tmp_path, "period_kind,due,remind_days\nmonth,10,3\n"))
    before = by_chat(session, run_job(session, JOBS["deadline-reminders"], subscribed, at_seven(date(2026, 12, 7), 8)))
    assert list(before) == [("console", "ha")]
    text, workbook, _ = before[("console", "ha")]
    assert text.text.split("\n")[0].startswith("⏰ Còn 3 ngày, đến 10/12/2026, là hạn nộp báo cáo tháng kỳ 2026-11")
    assert f"📊 {PROVINCE} — kỳ 2026-11" in text.text and workbook.attachment.name == "tocds-tinh-dong-nai-2026-11.xlsx"

    on_the_day = run_job(session, JOBS["deadline-reminders"], subscribed, at_seven(date(2026, 12, 10), 8))
    sent = by_chat(session, on_the_day)
    assert set(sent) == {("console", "ha"), ("telegram", "800")}  # not the commune's leader
    assert sent[("telegram", "800")][0].text.split("\n")[1] == (
        "⚠️ Còn 2 xã có thôn chưa báo cáo trong kỳ: Xã Đồng Phú 1/2 · Xã Hòa An 1/1.")
    assert run_job(session, JOBS["deadline-reminders"], subscribed, at_seven(date(2026, 12, 10), 9)) is None


def test_with_every_village_reported_the_province_leaders_are_left_alone(session, province, subscribed, tmp_path):
    from test_calendar import at_seven, by_chat, write

    from tocds.jobs import JOBS
    from tocds.jobs.runner import run_job
    from tocds.models.deadlines import import_deadlines

    _, dong_phu, hoa_an = province
    Chatter(session, "Hòa", [dong_phu.villages["Thôn Phú Lợi"]], Role.MEMBER).say("/khong")
    Chatter(session, "Bình", [hoa_an.villages["Thôn Bến Đò"]], Role.MEMBER).say("vneid 1")
    import_deadlines(session, subscribed, write(tmp_path, "period_kind,due\nmonth,10\n"))
    run = run_job(session, JOBS["deadline-reminders"], subscribed, at_seven(date(2026, 12, 10), 8))
    assert list(by_chat(session, run)) == [("console", "ha")]


def test_the_operator_sets_a_provinces_deadlines_and_sees_its_jobs(db_url, session, subscribed, tmp_path):
    processes = Processes(tmp_path, {"TOCDS_DATABASE_URL": db_url})
    (tmp_path / "han.csv").write_text("period_kind,due\nquarter,15\nyear,11-20\n", encoding="utf-8")
    empty = processes.run("admin", "deadlines", "--province", PROVINCE)
    assert f"tocds admin deadlines --province '{PROVINCE}' FILE.csv" in empty.stderr
    shown = processes.run("admin", "deadlines", "--province", PROVINCE, "han.csv").stdout.splitlines()
    assert shown[0] == "period_kind,due,remind_days,next_due,period"
    assert [line.split(",")[:3] for line in shown[1:]] == [["quarter", "15", "3"], ["year", "11-20", "3"]]

    schedule = processes.run("admin", "schedule", "--province", PROVINCE).stdout.splitlines()
    assert schedule == ["job,weekday,time,timezone,source",
                        "weekly-summary,monday,07:30,Asia/Ho_Chi_Minh,default",
                        "alerts,daily,07:00,Asia/Ho_Chi_Minh,default",
                        "period-report,daily,07:00,Asia/Ho_Chi_Minh,default",
                        "deadline-reminders,daily,08:00,Asia/Ho_Chi_Minh,default"]
    moved = processes.run("admin", "schedule", "--province", PROVINCE, "deadline-reminders", "daily", "09:15")
    assert "deadline-reminders,daily,09:15,Asia/Ho_Chi_Minh,province" in moved.stdout.splitlines()
    refused = processes.run("admin", "schedule", "--province", PROVINCE, "reminders", "thursday", "16:30")
    assert refused.returncode == 2 and "'reminders' is not a job of a province" in refused.stderr
    ran = processes.run("jobs", "run", "period-report", "--province", PROVINCE, "--now", "2026-12-01T07:00+07:00")
    assert ran.stdout.splitlines()[0] == f"period-report, {PROVINCE}, 2026-11: 3 messages queued"
