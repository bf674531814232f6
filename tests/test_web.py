"""The web desk through Starlette's TestClient: signing in with a link got from chat, the
overview, the reports page and its downloads, a village's page, evidence review; who may open
what is test_web_access.py's matrix."""

import io
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import select
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from helpers import DEFAULTS, NOW, Chatter, fresh
from tocds.bot.channels.console import ConsoleChat
from tocds.locales import translator
from tocds.models import Membership, Role
from tocds.models.members import change_role, remove
from tocds.models.periods import local_date
from tocds.models.types import utcnow
from tocds.models.web_sessions import make_link
from tocds.web import create_desk

WEB_URL = "http://desk.test"
LINK = re.compile(r"http://desk\.test(/web/login/\S+)")


def chatter(session, name, unit, role, language="vi"):
    """A person chatting with a bot whose desk is at WEB_URL."""
    person = Chatter(session, name, [unit], role, language)
    person.chat = ConsoleChat(session, name, replace(DEFAULTS, web_url=WEB_URL))
    return person


@pytest.fixture
def at_noon(db_url, tmp_path):
    """A desk whose clock stopped at NOW: Wednesday 25/11/2026, noon in Vietnam."""
    app = Starlette(routes=[Mount("/web", create_desk(db_url, tmp_path, clock=lambda: NOW))])
    with TestClient(app, base_url="http://desk.test") as client:
        yield client


def signed_in(client, person) -> str:
    """Signs the person in with the link `/web` gives them in chat; the page it leads to."""
    reply = person.say("/web", now=utcnow())
    path = LINK.search(reply).group(1)
    response = client.get(path)
    assert response.status_code == 200, reply
    return response.text


def test_web_in_chat_gives_a_link_that_signs_in_once(session, client, world):
    ours, _, _ = world
    office = chatter(session, "Chị Lan", ours.unit, Role.OFFICE)
    reply = office.say("/web", now=utcnow())
    assert "10 phút" in reply
    path = LINK.search(reply).group(1)
    page = client.get(path)
    assert page.status_code == 200 and "Xã Đồng Phú" in page.text and "Thôn Tân Hòa" in page.text
    cookie = page.history[0].headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and path.split("/")[-1] not in cookie
    client.cookies.clear()
    again = client.get(path)
    assert again.status_code == 410 and "/web" in again.text


def test_a_member_gets_no_link_and_a_group_no_link(session, client, world):
    ours, _, _ = world
    member = chatter(session, "Anh Minh", ours.villages["Thôn Tân Hòa"], Role.MEMBER)
    assert "không dành cho vai trò" in member.say("/web")
    office = chatter(session, "Chị Lan", ours.unit, Role.OFFICE)
    office.chat = ConsoleChat(session, "Chị Lan", DEFAULTS)
    assert "TOCDS_WEB_URL" in office.say("/web")


def test_a_link_older_than_ten_minutes_does_not_sign_in(session, client, world):
    ours, _, _ = world
    office = chatter(session, "Chị Lan", ours.unit, Role.OFFICE)
    person_id = session.exec(select(Membership.person_id)).first()
    token = make_link(session, person_id, now=utcnow() - timedelta(minutes=11))
    session.commit()
    assert client.get(f"/web/login/{token}").status_code == 410
    assert "Xã Đồng Phú" in signed_in(client, office)


def test_the_session_ends_when_the_role_changes_or_the_person_is_removed(session, client, world):
    ours, _, _ = world
    office = chatter(session, "Chị Lan", ours.unit, Role.OFFICE)
    signed_in(client, office)
    assert client.get(f"/web/unit/{ours.unit.id}").status_code == 200
    membership = session.exec(select(Membership)).first()
    change_role(session, membership, Role.LEADER, by=None, now=NOW)
    session.commit()
    assert client.get(f"/web/unit/{ours.unit.id}").status_code == 401
    signed_in(client, office)
    remove(session, fresh(session).get(Membership, membership.id), by=None, now=NOW)
    session.commit()
    assert client.get(f"/web/unit/{ours.unit.id}").status_code == 401


def test_sign_out_needs_the_form_token_and_ends_the_session(session, client, world):
    ours, _, _ = world
    page = signed_in(client, chatter(session, "Chị Lan", ours.unit, Role.OFFICE))
    assert client.post("/web/logout", data={"csrf": "forged"}).status_code == 403
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert client.post("/web/logout", data={"csrf": csrf}).status_code == 200
    assert client.get(f"/web/unit/{ours.unit.id}").status_code == 401


def test_pages_forbid_framing_and_load_nothing_from_elsewhere(session, client, world):
    ours, _, _ = world
    signed_in(client, chatter(session, "Chị Lan", ours.unit, Role.OFFICE))
    response = client.get(f"/web/unit/{ours.unit.id}")
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert not re.search(r'(src|href)="(https?:)?//', response.text)


def test_the_overview_shows_the_figures_of_the_summary(session, client, world):
    ours, _, _ = world
    chatter(session, "Anh Minh", ours.villages["Thôn Tân Hòa"], Role.MEMBER).say("hộ 12 vneid 5", now=utcnow())
    office = chatter(session, "Chị Lan", ours.unit, Role.OFFICE)
    page = signed_in(client, office)
    week = office.say("/tuan", now=utcnow())
    lines = [line for line in week.splitlines() if line.startswith(("🟢", "🟡", "🔴", "▫️"))]
    assert lines and all(line in page for line in lines), (lines, page)
    assert "Thôn Phú Lợi" in next(line for line in page.splitlines() if "chưa báo cáo" in line)
    # A trend per indicator the commune tracks; this week's bar carries the week's count.
    today = local_date(utcnow(), "Asia/Ho_Chi_Minh")
    monday = translator("vi").day_month(today - timedelta(days=today.weekday()))
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg"') == page.count('data-row="Thôn Tân Hòa"') > len(lines)
    assert f"<title>{monday}: 12</title>" in page and f"<title>{monday}: 5</title>" in page


def test_english_for_who_chose_it(session, client, world):
    ours, _, _ = world
    page = signed_in(client, chatter(session, "Chị Lan", ours.unit, Role.OFFICE))
    assert "Đăng xuất" in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    english = client.post("/web/language", data={"csrf": csrf, "language": "en", "back": f"/web/unit/{ours.unit.id}"})
    assert english.status_code == 200 and "Sign out" in english.text


def test_the_workbook_and_the_csv_download(session, client, world):
    ours, _, _ = world
    chatter(session, "Anh Minh", ours.villages["Thôn Tân Hòa"], Role.MEMBER).say("hộ 12 vneid 5")
    signed_in(client, chatter(session, "Chị Lan", ours.unit, Role.OFFICE))
    xlsx = client.get(f"/web/unit/{ours.unit.id}/export", params={"period": "2026-11", "kind": "xlsx"})
    assert xlsx.status_code == 200 and "2026-11.xlsx" in xlsx.headers["content-disposition"]
    assert "Xã Đồng Phú" in str(load_workbook(io.BytesIO(xlsx.content)).worksheets[0]["A1"].value)
    csv = client.get(f"/web/unit/{ours.unit.id}/export", params={"period": "2026-11", "kind": "csv"})
    assert "Thôn Tân Hòa" in csv.text


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_the_reports_page_says_what_is_due_next_first_with_its_days_named(session, at_noon, world, tmp_path):
    from tocds.models.deadlines import import_deadlines

    ours, _, _ = world
    (tmp_path / "han.csv").write_text("period_kind,due,remind_days\nmonth,10,3\nquarter,15,3\n", encoding="utf-8")
    import_deadlines(session, ours.unit, tmp_path / "han.csv")
    session.commit()
    chatter(session, "Anh Minh", ours.villages["Thôn Tân Hòa"], Role.MEMBER).say("vneid 5")
    signed_in(at_noon, chatter(session, "Chị Lan", ours.unit, Role.OFFICE))
    page = at_noon.get(f"/web/unit/{ours.unit.id}/reports")
    assert page.status_code == 200
    due = re.findall(r"<li[^>]*><strong>([^<]+)</strong>: ([^<]+)", page.text)
    assert [day for day, _ in due] == [  # the weekly sends, the month's close, the reminder before each deadline, the deadlines
        "Thứ Sáu 27/11/2026, 15:00", "Thứ Bảy 28/11/2026, 09:00", "Thứ Hai 30/11/2026, 07:30",
        "Thứ Ba 01/12/2026, 07:00", "Thứ Hai 07/12/2026, 08:00", "Thứ Năm 10/12/2026",
        "Thứ Ba 12/01/2027, 08:00", "Thứ Sáu 15/01/2027"]
    assert due[5][1] == "hạn nộp báo cáo tháng kỳ 2026-11 (01/11/2026–30/11/2026) lên cấp trên"
    assert '<li class="next"><strong>Thứ Sáu 27/11/2026, 15:00</strong>: nhắc thành viên' in page.text
    # Who has not reported: this week, and the month (the period shown, and the one due next).
    missing = re.findall(r'<p class="missing"><strong>([^<]+)</strong>: ([^<]+)</p>', page.text)
    assert [name for name, _ in missing] == ["tuần 23/11–29/11", "kỳ 2026-11 (01/11/2026–30/11/2026)"]
    assert all("Thôn Phú Lợi" in line and "Thôn Tân Hòa" not in line for _, line in missing)
    # The month's reporting calendar: the weeks begun, each village's.
    calendar = page.text[page.text.index('<table class="calendar">'):]
    assert "<th>01/11/2026</th>" in calendar and "<th>23/11–29/11/2026</th>" in calendar and "<th>30/11" not in calendar
    tan_hoa = next(row for row in calendar.split("<tr>") if "Thôn Tân Hòa" in row)
    assert tan_hoa.count(">chưa báo cáo<") == 4 and tan_hoa.endswith('<td class="green">đã báo cáo</td><td>1</td></tr>\n')
    # The month's files, and the periods just ended.
    for kind in ("xlsx", "csv", "docx"):
        assert f'/export?period=2026-11&amp;kind={kind}"' in page.text and f'/export?period=2026-10&amp;kind={kind}"' in page.text
    assert all(f"period={label}&amp;kind=docx" in page.text for label in ("2026-W47", "2026-Q3", "2026-H1", "2025"))


def test_the_report_upward_downloads_as_the_chat_sends_it(session, at_noon, world):
    import docx

    ours, _, _ = world
    chatter(session, "Anh Minh", ours.villages["Thôn Tân Hòa"], Role.MEMBER).say("vneid 5 hộ 2")
    office = chatter(session, "Chị Lan", ours.unit, Role.OFFICE)
    signed_in(at_noon, office)
    office.say("/baocaoky tháng 11")
    sent = office.last[0].attachment
    got = at_noon.get(f"/web/unit/{ours.unit.id}/export", params={"period": "2026-11", "kind": "docx"})
    assert got.headers["content-type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert sent.name in got.headers["content-disposition"]

    def text(content: bytes) -> list[str]:
        document = docx.Document(io.BytesIO(content))
        return [p.text for p in document.paragraphs] + [c.text for table in document.tables for row in table.rows
                                                        for c in row.cells]

    assert text(got.content) == text(sent.content) and any("Xã Đồng Phú" in line.title() for line in text(got.content))


def test_the_reports_page_speaks_english_and_a_province_has_no_village_calendar(session, at_noon, world):
    ours, _, _ = world
    province = session.get(type(ours.unit), ours.unit.parent_id)
    page = signed_in(at_noon, chatter(session, "Mr Hai", province, Role.PROVINCE_LEADER, "en"))
    assert "Reports" in page
    reports = at_noon.get(f"/web/unit/{province.id}/reports").text
    assert "<strong>Monday 30 Nov 2026, 07:30</strong>: the summary of the week that ended" in reports
    assert "Friday" not in reports and 'class="calendar"' not in reports  # a province has no members' reminders
    assert "No reporting deadlines yet" in reports and "Xã Bên Cạnh 1/1" in reports


def test_a_village_page_shows_its_weeks_and_for_the_office_its_team_and_evidence(session, client, world, tmp_path):
    from tocds.models import EvidenceView

    ours, _, _ = world
    tan_hoa = ours.villages["Thôn Tân Hòa"]
    lan_photo, _ = photos_waiting(session, ours, tmp_path)  # Lan (Tân Hòa) vneid 5, Hoa (Phú Lợi) ho 2, on 25/11
    chatter(session, "Anh Minh", tan_hoa, Role.VILLAGE_LEADER)
    signed_in(client, chatter(session, "Chị Lan", ours.unit, Role.OFFICE))
    page = client.get(f"/web/unit/{tan_hoa.id}", params={"period": "2026-11"}).text
    trends = re.findall(r'<figure><figcaption>([^<]+)</figcaption><svg', page)
    assert trends and trends[0] == "Hộ" and "<title>23/11: 5</title>" in page  # VNeID's week of 23/11
    assert "<li><strong>Lan</strong> · thành viên · báo cáo gần nhất 25/11/2026: VNeID 5</li>" in page
    assert "<li><strong>Anh Minh</strong> · tổ trưởng · chưa báo cáo</li>" in page
    link = f'/web/unit/{ours.unit.id}/evidence?village={tan_hoa.id}&amp;state=pending#evidence-{lan_photo.id}"'
    assert link in page and f'<img src="/web/evidence/{lan_photo.id}/{lan_photo.sha256}"' in page
    assert "photo of Hoa" not in page and page.count("<img") == 1  # Phú Lợi's photo is Phú Lợi's
    assert client.get(f"/web/evidence/{lan_photo.id}/{lan_photo.sha256}").content == b"photo of Lan"
    assert len(fresh(session).exec(select(EvidenceView)).all()) == 1  # the thumbnail shown is recorded

    client.cookies.clear()  # the commune's leader reads the figures, not the team or the photos
    leader = signed_in(client, chatter(session, "Ông Tư", ours.unit, Role.LEADER))
    assert "Báo cáo" in leader
    page = client.get(f"/web/unit/{tan_hoa.id}", params={"period": "2026-11"}).text
    assert "<figure>" in page and "<li>Lan</li>" in page  # who reported
    assert "Thành viên tổ" not in page and "<img" not in page


def test_a_posted_form_waiting_for_the_database_holds_up_no_other_request(session, client, world, db_url):
    """A posted form's database work runs in a worker thread: while one waits for a lock,
    the desk answers other requests."""
    import threading

    from sqlalchemy import text

    from tocds.models import Person
    from tocds.models.db import get_writer

    ours, _, _ = world
    page = signed_in(client, chatter(session, "Chị Lan", ours.unit, Role.OFFICE))
    person_id = session.exec(select(Person.id).where(Person.name == "Chị Lan")).one()
    blocker = get_writer(db_url).connect()
    blocking = blocker.begin()
    if blocker.dialect.name == "postgresql":  # the language is written to the person's row
        blocker.execute(text("SELECT id FROM person WHERE id = :id FOR UPDATE"), {"id": person_id})
    else:
        blocker.execute(text("UPDATE person SET locale = locale WHERE id = :id"), {"id": person_id})  # the write lock
    answers = []
    posting = threading.Thread(target=lambda: answers.append(client.post(
        "/web/language", data={"csrf": csrf_of(page), "language": "en", "back": f"/web/unit/{ours.unit.id}"},
        follow_redirects=False)))
    posting.start()
    try:
        posting.join(1.0)
        assert posting.is_alive()  # waiting for the lock
        assert client.get(f"/web/unit/{ours.unit.id}").status_code == 200  # answered meanwhile
    finally:
        blocking.rollback()
        blocker.close()
    posting.join(15)
    assert answers[0].status_code == 303


def photos_waiting(session, commune, folder):
    """Lan (Tân Hòa) and Hoa (Phú Lợi) each report and send a photo, fetched into `folder`."""
    from test_evidence import photo

    from tocds.bot.evidence_files import keep
    from tocds.models import Evidence

    Chatter(session, "Lan", [commune.villages["Thôn Tân Hòa"]], Role.MEMBER).say("vneid 5")
    photo(session, "lan", "p1", file_ref="lan-photo")
    Chatter(session, "Hoa", [commune.villages["Thôn Phú Lợi"]], Role.MEMBER).say("ho 2")
    photo(session, "hoa", "p2", caption="nhà ông Ba", file_ref="hoa-photo")
    items = session.exec(select(Evidence).order_by(Evidence.id)).all()
    for item, content in zip(items, (b"photo of Lan", b"photo of Hoa"), strict=True):
        item.sha256, item.stored_path = keep(folder, content, ".jpg")
        session.add(item)
    session.commit()
    return items


def test_evidence_review_approves_one_and_returns_another_with_the_reason_sent_in_chat(session, client, world, tmp_path):
    from tocds.models import Evidence, EvidenceView, OutboxMessage, Person

    ours, _, _ = world
    lan_photo, hoa_photo = photos_waiting(session, ours, tmp_path)
    office_in_chat = chatter(session, "Chị Hà", ours.unit, Role.OFFICE)
    signed_in(client, office_in_chat)
    page = client.get(f"/web/unit/{ours.unit.id}/evidence")
    assert page.status_code == 200 and "Thôn Tân Hòa, ngày 25/11/2026: VNeID 5" in page.text and "nhà ông Ba" in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert client.get(f"/web/evidence/{lan_photo.id}/{lan_photo.sha256}").content == b"photo of Lan"
    assert client.get(f"/web/evidence/{lan_photo.id}/{'0' * 64}").status_code == 404

    approved = client.post(f"/web/evidence/{lan_photo.id}", data={"csrf": csrf, "decision": "approved"})
    assert "✅ Đã duyệt." in approved.text
    no_reason = client.post(f"/web/evidence/{hoa_photo.id}", data={"csrf": csrf, "decision": "needs_completion"})
    assert no_reason.status_code == 400 and "lý do" in no_reason.text
    returned = client.post(f"/web/evidence/{hoa_photo.id}",
                           data={"csrf": csrf, "decision": "needs_completion", "reason": "Ảnh bị mờ"})
    assert "Hoa" in returned.text
    again = client.post(f"/web/evidence/{hoa_photo.id}", data={"csrf": csrf, "decision": "approved"})
    assert "Chị Hà" in again.text

    fresh(session)
    assert [session.get(Evidence, e.id).status for e in (lan_photo, hoa_photo)] == ["approved", "needs_completion"]
    # Each showing is recorded (issue 27): once, for the photo served, with who saw it.
    views = session.exec(select(EvidenceView)).all()
    office_id = session.exec(select(Person.id).where(Person.name == "Chị Hà")).one()
    assert [(v.evidence_id, v.person_id, v.via) for v in views] == [(lan_photo.id, office_id, "web")]
    audit = client.get(f"/web/unit/{ours.unit.id}/audit")
    chat = office_in_chat.say("/nhatky").splitlines()[1:]
    assert len(chat) == 3 and all(f"<li>{line}</li>" in audit.text for line in chat)  # 2 decisions, 1 view
    told = [m.payload["text"] for m in session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == "hoa")).all()]
    assert told[-1].startswith("⏳ Minh chứng của bạn cho Thôn Phú Lợi, ngày 25/11/2026: Hộ 2") and "Ảnh bị mờ" in told[-1]


def test_the_demo_ends_with_the_desk_s_command_and_a_link_for_the_office(tmp_path, capsys):
    from tocds.bot.demo import play

    play(tmp_path / "demo")
    out = capsys.readouterr().out
    command = re.search(r"^ {2}(TOCDS_DATABASE_URL=\S+) .*TOCDS_WEB_URL=(\S+) .*tocds serve$", out, re.M)
    link = re.search(r"^then open, within 10 minutes, as Chị Hạnh: (\S+)$", out, re.M).group(1)
    database_url = command.group(1).removeprefix("TOCDS_DATABASE_URL=")
    app = Starlette(routes=[Mount("/web", create_desk(database_url, tmp_path))])
    with TestClient(app, base_url=command.group(2)) as desk:
        page = desk.get(link.removeprefix(command.group(2)))
    assert page.status_code == 200 and "<h1>Xã Đồng Phú</h1>" in page.text and "Chị Hạnh" in page.text


def test_tocds_run_serves_the_desk_when_tocds_listen_is_set_and_the_operator_makes_a_link(session, world, procs, fake):
    import httpx
    from processes import free_port, wait_until

    ours, _, _ = world
    chatter(session, "Chị Lan", ours.unit, Role.OFFICE)
    chatter(session, "Anh Minh", ours.villages["Thôn Tân Hòa"], Role.MEMBER)
    port = free_port()
    desk = f"http://127.0.0.1:{port}"
    bot = procs.start("run", TOCDS_TELEGRAM_TOKEN=fake.token, TOCDS_TELEGRAM_API_URL=fake.api_url,
                      TOCDS_LISTEN=f"127.0.0.1:{port}")
    made = procs.run("admin", "weblink", "--commune", "Xã Đồng Phú", "--person", "Chị Lan", TOCDS_WEB_URL=desk)
    assert made.returncode == 0, made.stderr
    link = made.stdout.strip()
    assert link.startswith(f"{desk}/web/login/")

    def opened():
        try:
            return httpx.get(link, follow_redirects=True, timeout=5)
        except httpx.TransportError:
            return None

    page = wait_until(opened, 30, "the desk on TOCDS_LISTEN", describe=bot.log)
    assert page.status_code == 200 and "<h1>Xã Đồng Phú</h1>" in page.text
    member = procs.run("admin", "weblink", "--commune", "Xã Đồng Phú", "--village", "Thôn Tân Hòa",
                       "--person", "Anh Minh", TOCDS_WEB_URL=desk)
    assert member.returncode == 2 and "team member" in member.stderr
    unset = procs.run("admin", "weblink", "--commune", "Xã Đồng Phú", "--person", "Chị Lan")
    assert unset.returncode == 2 and "TOCDS_WEB_URL" in unset.stderr
    assert bot.alive
