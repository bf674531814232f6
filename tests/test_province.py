"""The province level: provinces from the village file, province roles, the province's replies
(communes instead of villages), its Monday summary and alerts, and its exports."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from helpers import NOW, TODAY, Chatter, add_target, make_commune, make_province
from tocds.handlers.messages import Outgoing
from tocds.jobs import JOBS
from tocds.jobs.runner import run_job
from tocds.models import CommuneIndicator, Level, Membership, OrgUnit, OutboxMessage, Role
from tocds.models.exports import CSV_HEADER, write_csv
from tocds.models.imports import ImportProblem, import_villages
from tocds.models.invites import role_fits
from tocds.models.periods import containing, week_of
from tocds.models.summary import province_summary, weekly_summary

PROVINCE = "Tỉnh Đồng Nai"
MONDAY_0730 = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)  # 07:30 in Vietnam, after week 2026-W48


@pytest.fixture
def province(session):
    """Two communes in one province: Đồng Phú (two villages) and Hòa An (one, tracking only
    VNeID and Hộ, so that it has no line for the others)."""
    dong_phu = make_commune(session)
    hoa_an = make_commune(session, "Xã Hòa An", {"Thôn Bến Đò": (100, 400, 300, 320)})
    session.add_all(CommuneIndicator(commune_id=hoa_an.unit.id, indicator_key=key, position=n)
                    for n, key in enumerate(("vneid", "ho")))
    session.commit()
    unit = make_province(session, PROVINCE, [dong_phu, hoa_an])
    Chatter(session, "Lan", [dong_phu.villages["Thôn Tân Hòa"]], Role.MEMBER).say("vneid 40 ho 6 bdhvs 3")
    Chatter(session, "Bình", [hoa_an.villages["Thôn Bến Đò"]], Role.MEMBER).say("vneid 9")
    return unit, dong_phu, hoa_an


def test_the_village_file_places_communes_in_provinces(session, tmp_path):
    path = tmp_path / "villages.csv"
    path.write_text("province,commune,village,households,population,adults\n"
                    f"{PROVINCE},Xã Đồng Phú,Thôn Tân Hòa,10,40,30\n"
                    ",Xã Hòa An,Thôn Bến Đò,10,40,30\n", encoding="utf-8")
    assert import_villages(session, path, "Asia/Ho_Chi_Minh").added == 2
    province = session.exec(select(OrgUnit).where(OrgUnit.level == Level.PROVINCE)).one()
    communes = {c.name: c for c in session.exec(select(OrgUnit).where(OrgUnit.level == Level.COMMUNE))}
    assert province.name == PROVINCE and province.timezone == "Asia/Ho_Chi_Minh"
    assert communes["Xã Đồng Phú"].parent_id == province.id and communes["Xã Hòa An"].parent_id is None
    village = session.exec(select(OrgUnit).where(OrgUnit.name == "Thôn Tân Hòa")).one()
    assert "province" not in village.sizes  # a name, not a figure
    # Placed later; an empty cell leaves a commune where it is; another province is refused.
    path.write_text("commune,village,households,population,adults,province\n"
                    f"Xã Hòa An,Thôn Bến Đò,10,40,30,{PROVINCE}\n"
                    "Xã Đồng Phú,Thôn Tân Hòa,10,40,30,\n", encoding="utf-8")
    import_villages(session, path, "Asia/Ho_Chi_Minh")
    session.expire_all()
    assert {c.parent_id for c in session.exec(select(OrgUnit).where(OrgUnit.level == Level.COMMUNE))} == {province.id}
    path.write_text("commune,village,households,population,adults,province\n"
                    "Xã Hòa An,Thôn Bến Đò,10,40,30,Tỉnh Khác\n", encoding="utf-8")
    with pytest.raises(ImportProblem, match=r"row 2, column province: Xã Hòa An belongs to Tỉnh Đồng Nai"):
        import_villages(session, path, "Asia/Ho_Chi_Minh")
    assert session.exec(select(OrgUnit).where(OrgUnit.name == "Tỉnh Khác")).first() is None  # nothing imported


def test_province_roles_belong_to_provinces_only(session, province):
    unit, dong_phu, _ = province
    village = dong_phu.villages["Thôn Tân Hòa"]
    for role in Role:
        assert role_fits(unit, role) == (role in (Role.PROVINCE_OFFICE, Role.PROVINCE_LEADER))
        if role in (Role.PROVINCE_OFFICE, Role.PROVINCE_LEADER):
            assert not role_fits(dong_phu.unit, role) and not role_fits(village, role)


def test_a_province_office_invites_province_people_only(session, province):
    unit, _, _ = province
    office = Chatter(session, "Hà", [unit], Role.PROVINCE_OFFICE)
    assert "Tỉnh Đồng Nai" in office.say("/moi") and [c.data for c in office.last[0].choices] == [
        "r:province_office", "r:province_leader"]
    reply = office.say("/moi lãnh đạo tỉnh")
    code = reply.split("/start ")[1].split()[0].rstrip(".")
    assert "thành viên" in office.say("/moi thành viên") or "Tỉnh Đồng Nai" in office.last[0].text
    newcomer = Chatter(session, "Tùng", [], Role.MEMBER)
    assert "Tỉnh Đồng Nai" in newcomer.say(f"/start {code}")
    membership = session.exec(select(Membership).where(Membership.org_unit_id == unit.id,
                                                       Membership.role == Role.PROVINCE_LEADER)).one()
    assert membership is not None


def test_the_province_summary_ranks_communes_and_counts_their_missing_villages(session, province):
    unit, dong_phu, hoa_an = province
    add_target(session, dong_phu.unit, "vneid", percent=20)  # 140 of 700 people: far behind
    add_target(session, hoa_an.unit, "vneid", percent=1)  # 4 of 400 people: done
    leader = Chatter(session, "Chủ tịch tỉnh", [unit], Role.PROVINCE_LEADER)
    text = leader.say("/tuan")
    assert text.startswith("📊 Tỉnh Đồng Nai — tuần 23/11–29/11")
    ranked = [line for line in text.split("\n") if line[:2] in ("1.", "2.")]
    assert "Xã Hòa An" in ranked[0] and "Xã Đồng Phú" in ranked[1]
    assert "Xã Đồng Phú 1/2" in text  # Phú Lợi did not report
    assert "Thôn" not in text  # communes, not villages
    ranking = leader.say("/xephang vneid thấp nhất")
    assert ranking.split("\n")[1].startswith("2. 🔴 Xã Đồng Phú") and leader.last[0].attachment.kind == "picture"
    assert leader.say("xã nào chậm nhất vneid") == ranking
    assert "Xã Đồng Phú 1/2" in leader.say("/chuabaocao")
    # Hòa An tracks no BDHVS: no line of its own for it.
    assert "Xã Hòa An" not in leader.say("/tiendo bdhvs")
    assert "Xã Hòa An" in leader.say("tiến độ vneid")


def test_a_commune_or_village_named_narrows_the_reply(session, province):
    unit, dong_phu, _ = province
    leader = Chatter(session, "Chủ tịch tỉnh", [unit], Role.PROVINCE_LEADER)
    commune = leader.say("tiến độ xã Đồng Phú")
    assert commune.startswith("📊 Xã Đồng Phú — tuần") and "40" in commune
    assert leader.say("/tuan xã Hòa An").startswith("📊 Xã Hòa An — tuần")
    assert leader.say("thôn Tân Hòa tháng 11").startswith("📊 Thôn Tân Hòa — kỳ 2026-11")
    assert "Thôn Phú Lợi" in leader.say("ai chưa báo cáo xã Đồng Phú")
    assert "Thôn Tân Hòa" in leader.say("xếp hạng vneid xã Đồng Phú")


def test_a_province_person_reports_nothing_and_manages_no_commune(session, province):
    unit, _, _ = province
    office = Chatter(session, "Hà", [unit], Role.PROVINCE_OFFICE)
    for command in ("/baocao", "/duyet", "/nhatky", "/khong"):
        assert "không dành cho vai trò" in office.say(command)
    assert "Báo cáo do thành viên" in office.say("vneid 5")  # a report's words are no report from them
    assert "Xã" not in office.say("/thanhvien")  # the province's own people alone (test_province_admin.py)


@pytest.mark.parametrize("kind", ["week", "month"])
def test_a_province_summary_counts_what_its_communes_summaries_count_and_names_nobody(session, province, kind):
    unit, dong_phu, hoa_an = province
    Chatter(session, "Cúc", [dong_phu.villages["Thôn Tân Hòa"]], Role.MEMBER).say("vneid 2 ho 1")
    add_target(session, dong_phu.unit, "vneid", percent=20)
    add_target(session, dong_phu.villages["Thôn Phú Lợi"], "ho", count=50, baseline=4)
    period = containing(kind, TODAY)
    summary = province_summary(session, session.get(OrgUnit, unit.id), period, TODAY, villages=True)
    alone = [weekly_summary(session, c.unit, period, TODAY) for c in (dong_phu, hoa_an)]
    for commune, row, reporting, own in zip(summary.communes, summary.overview.villages, summary.reporting, alone,
                                            strict=True):
        assert commune.totals == own.totals == row.week and commune.missing == own.missing
        assert (reporting.missing, reporting.villages) == (len(own.missing), len(own.villages))
        assert row.progress.keys() == own.progress.keys()  # the indicators the commune shows, in its order
        for key, line in own.progress.items():  # worked out per commune: the same line, but for rounding
            assert row.progress[key]._replace(baseline=0, target=None) == line._replace(baseline=0, target=None)
            assert (row.progress[key].baseline, row.progress[key].target) == pytest.approx((line.baseline, line.target))
        assert [v.calendar for v in commune.villages] == [v.calendar for v in own.villages]
        assert all(v.reporters == [] for v in commune.villages)  # no names read for a province
    assert province_summary(session, session.get(OrgUnit, unit.id), period, TODAY).communes is None  # not asked for
    tan_hoa = next(v for v in summary.communes[0].villages if v.village.name == "Thôn Tân Hòa")
    assert tan_hoa.week == {"ho": 7, "vneid": 42, "bdhvs": 3}
    assert [name for name, _ in weekly_summary(session, dong_phu.unit, period, TODAY).villages[0].reporters] == [
        "Cúc", "Lan"]  # a commune's summary still says who reported what


def test_the_province_summary_costs_the_same_statements_for_any_number_of_communes(session, province):
    unit, dong_phu, hoa_an = province

    def statements() -> int:
        session.expire_all()
        counted = []
        engine = session.get_bind()
        listener = lambda *args: counted.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            province_summary(session, session.get(OrgUnit, unit.id), week_of(TODAY), TODAY)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(counted)

    two = statements()
    make_province_grow = make_commune(session, "Xã Thứ Ba", {"Thôn Một": (1, 2, 3, 4)})
    make_province_grow.unit.parent_id = unit.id
    session.add(make_province_grow.unit)
    session.commit()
    assert statements() == two


def test_the_monday_summary_and_alerts_of_a_province(session, province):
    import openpyxl

    unit, dong_phu, hoa_an = province
    office = Chatter(session, "Hà", [unit], Role.PROVINCE_OFFICE)
    assert "Tỉnh Đồng Nai" in office.say("/nhantin")
    run = run_job(session, JOBS["weekly-summary"], unit, MONDAY_0730)
    assert (run.period, run.messages) == ("2026-W48", 3)
    text, chart, sheet = [Outgoing.from_dict(m.payload) for m in session.exec(select(OutboxMessage)
                                                                              .order_by(OutboxMessage.id))]
    assert text.text.startswith("📊 Tỉnh Đồng Nai — tuần 23/11–29/11") and "Xã Đồng Phú 1/2" in text.text
    assert chart.attachment.content.startswith(b"\x89PNG")
    book = openpyxl.load_workbook(io.BytesIO(sheet.attachment.content))
    assert book.sheetnames[2:] == ["KPI", "Xã Đồng Phú", "Xã Hòa An"]  # KPI: the communes added up
    rows = list(book.worksheets[0].iter_rows(min_row=4, values_only=True))
    header, dong_phu_row, hoa_an_row = rows[0], rows[1], rows[2]
    assert header[0] == "Xã" and dong_phu_row[0] == "Xã Đồng Phú"
    bdhvs = header.index("Học vụ số")
    assert dong_phu_row[bdhvs] == 3 and hoa_an_row[bdhvs] is None  # Hòa An does not track it
    assert hoa_an_row[header.index("VNeID")] == 9 and dong_phu_row[-1] == "1/2"

    add_target(session, dong_phu.unit, "vneid", percent=50)  # 350 of 700: red
    alert = run_job(session, JOBS["alerts"], unit, NOW)
    assert alert.messages == 1
    message = session.exec(select(OutboxMessage).where(OutboxMessage.job_run_id == alert.id)).one()
    assert "• Xã Đồng Phú — VNeID" in message.payload["text"]
    assert run_job(session, JOBS["alerts"], unit, NOW + timedelta(days=1)).messages == 0  # still red: said once


def test_a_province_export_has_every_village_of_every_commune(session, province):
    unit, _, _ = province
    buffer = io.StringIO()
    write_csv(session, unit, week_of(TODAY), buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert tuple(rows[0]) == CSV_HEADER
    assert {(r[0], r[1]) for r in rows[1:]} == {("Xã Đồng Phú", "Thôn Tân Hòa"), ("Xã Đồng Phú", "Thôn Phú Lợi"),
                                                ("Xã Hòa An", "Thôn Bến Đò")}
    assert ["Xã Hòa An", "Thôn Bến Đò", "vneid", "9"] in rows and not any(
        r[0] == "Xã Hòa An" and r[2] == "bdhvs" for r in rows)
    office = Chatter(session, "Hà", [unit], Role.PROVINCE_OFFICE)
    office.say("/xuat")
    assert office.last[0].attachment.name == "tocds-tinh-dong-nai-2026-W48.xlsx"
    office.say("/xuat csv")
    assert office.last[0].attachment.content.decode().count("\n") == len(rows)
    leader = Chatter(session, "Chủ tịch tỉnh", [unit], Role.PROVINCE_LEADER)  # a leader reads the same workbook
    leader.say("cho xin file excel tuần này")
    assert leader.last[0].attachment.name == "tocds-tinh-dong-nai-2026-W48.xlsx"


def test_the_operator_places_invites_exports_and_runs_jobs_for_a_province(db_url, tmp_path):
    import json

    from test_cli import ok, refused, tocds

    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (cwd / "villages.csv").write_text("province,commune,village,households,population,adults\n"
                                      f"{PROVINCE},Xã Đồng Phú,Thôn Tân Hòa,100,400,300\n"
                                      f"{PROVINCE},Xã Hòa An,Thôn Bến Đò,100,400,300\n", encoding="utf-8")
    assert "2 villages added" in ok(tocds("admin", "import", "villages.csv", db=db_url, cwd=cwd))
    invite = json.loads(ok(tocds("admin", "invite", "--province", PROVINCE, "--role", "province_office", "--json",
                                 db=db_url, cwd=cwd)))
    assert (invite["org_unit"], invite["role"]) == (PROVINCE, "province_office")
    assert "use --province P" in refused(tocds("admin", "invite", "--commune", "Xã Hòa An", "--role",
                                               "province_leader", db=db_url, cwd=cwd))
    assert "use --commune C" in refused(tocds("admin", "invite", "--province", PROVINCE, "--role", "office",
                                              db=db_url, cwd=cwd))
    assert "Tỉnh Không Có" in refused(tocds("admin", "invite", "--province", "Tỉnh Không Có", "--role",
                                            "province_office", db=db_url, cwd=cwd))
    exported = ok(tocds("export", "--province", PROVINCE, "--period", "2026-W48", "--format", "csv",
                        db=db_url, cwd=cwd)).splitlines()
    assert exported[0] == ",".join(CSV_HEADER)
    assert {tuple(line.split(",")[:2]) for line in exported[1:]} == {("Xã Đồng Phú", "Thôn Tân Hòa"),
                                                                    ("Xã Hòa An", "Thôn Bến Đò")}
    ran = ok(tocds("jobs", "run", "weekly-summary", "--province", PROVINCE, "--now", "2026-11-30T07:30+07:00",
                   db=db_url, cwd=cwd))
    assert ran.startswith(f"weekly-summary, {PROVINCE}, 2026-W48: 0 messages queued")
    assert "runs for communes" in refused(tocds("jobs", "run", "reminders", "--province", PROVINCE,
                                                db=db_url, cwd=cwd))


def test_a_province_person_leaves_and_their_chats_stop(session, province):
    from tocds.models import MembershipEvent, Subscription

    unit, _, _ = province
    leader = Chatter(session, "Chủ tịch tỉnh", [unit], Role.PROVINCE_LEADER)
    leader.say("/nhantin")
    assert "Tỉnh Đồng Nai" in leader.say("/roi")
    assert "Tỉnh Đồng Nai" in leader.say("1")
    assert session.exec(select(Membership).where(Membership.org_unit_id == unit.id)).first() is None
    assert session.exec(select(Subscription).where(Subscription.commune_id == unit.id)).first() is None
    event_ = session.exec(select(MembershipEvent)).one()
    assert (event_.commune_id, event_.action, event_.old_role) == (unit.id, "left", "province_leader")


def test_progress_total_adds_the_lines_up_and_keeps_a_target_only_when_every_line_has_one():
    from datetime import date

    from tocds.models.progress import Progress

    january = Progress("vneid", 10.5, 3, 40.0, date(2026, 1, 1), date(2026, 12, 31))
    march = Progress("vneid", 2.0, 7, 20.0, date(2026, 3, 1), date(2027, 6, 30))
    without = Progress("vneid", 0.0, 4, None, None, None)
    assert Progress.total([january, march]) == Progress("vneid", 12.5, 10, 60.0, date(2026, 1, 1), date(2027, 6, 30))
    assert Progress.total([january]) == january
    for lines in ([january, march, without], [without, january, march]):
        assert Progress.total(lines) == Progress("vneid", 12.5, 14, None, None, None)
