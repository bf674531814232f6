"""The web desk in a real browser: Debian's chromium driven by selenium (the system's
chromedriver; nothing downloaded), against a real `tocds serve` and the fake Telegram.

An office worker signs in with the link `/web` gives in chat, reads the overview and finds
the figures `tocds export` gives, approves one photo and returns another with a reason (the
member's chat gets it), opens the reports page (what is due next) and downloads the week's
workbook from it, makes an invite code (a newcomer joins with it in chat) and removes a member,
switches to English and opens a village's page. Each page is
captured at 1280 and 390 pixels wide (PNG files under the test's tmp folder) and may not
overflow sideways. Without chromium, chromedriver or selenium the tests skip, saying which."""

import csv
import io
import re
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from processes import free_port, wait_until
from sqlmodel import select
from test_telegram import healthy, wait_settled

from helpers import fresh
from tocds.bot.evidence_files import keep
from tocds.models import ChannelAccount, Entry, Evidence, Membership, Person, Role
from tocds.models.invites import join

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
selenium = pytest.importorskip("selenium", reason="selenium is not installed (pip install .[test])")
if not (CHROMIUM and CHROMEDRIVER):
    pytest.skip("chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)",
                allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

SECRET = "s3cret-Webhook_token"
WIDTHS = (1280, 390)
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/web/login/\S+)")


def person(session, commune, user_id: int, unit, role: Role, name: str) -> Person:
    someone = Person(name=name, locale="vi")
    session.add(someone)
    session.flush()
    session.add(ChannelAccount(person_id=someone.id, channel="telegram", external_id=str(user_id)))
    join(session, someone, unit, role)
    session.commit()
    return someone


def say(fake, port: int, user_id: int, text: str, replies: int = 1) -> list[str]:
    before = len(fake.sent(user_id))
    update = {"update_id": 800000 + len(fake.sent()) * 10 + user_id % 10, "message": fake.make_message(user_id, text)}
    response = httpx.post(f"http://127.0.0.1:{port}/telegram", json=update,
                          headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}, timeout=10)
    assert response.status_code == 200
    return [m.get("text", "") for m in fake.wait_sent(before + replies, user_id, timeout=20)[before:]]


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads)})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(10)  # a loaded machine (two suites at once) renders a page late: find_element waits
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def captured(driver, folder: Path, name: str) -> list[Path]:
    """The page at each width, as PNG files; none may be wider than the window."""
    shots = []
    for width in WIDTHS:
        driver.set_window_size(width, 900)
        overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} overflows sideways by {overflow} px at {width} px"
        shots.append(folder / f"{name}-{width}.png")
        driver.save_screenshot(str(shots[-1]))
    driver.set_window_size(WIDTHS[0], 900)
    return shots


def followed(driver, element) -> None:
    """Clicks a link or button and waits for the page it leads to: until the old page is gone,
    `find_element` would find the old page's elements (a stale one by the time it is read)."""
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 20).until(expected_conditions.staleness_of(page))


def test_the_office_at_its_desk(session, commune, fake, procs, tmp_path, browser):
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    today = datetime.now(zone).date()
    lan = person(session, commune, 3101, commune.villages["Thôn Tân Hòa"], Role.MEMBER, "Lan")
    hoa = person(session, commune, 3102, commune.villages["Thôn Phú Lợi"], Role.MEMBER, "Hoa")
    person(session, commune, 3103, commune.unit, Role.OFFICE, "Chị Hà")
    folder = tmp_path / "evidence"
    port = free_port()
    server = procs.start("serve", TOCDS_TELEGRAM_TOKEN=fake.token, TOCDS_TELEGRAM_API_URL=fake.api_url,
                         TOCDS_WEBHOOK_SECRET=SECRET, TOCDS_LISTEN=f"127.0.0.1:{port}",
                         TOCDS_WEB_URL=f"http://127.0.0.1:{port}", TOCDS_EVIDENCE_DIR=str(folder))
    wait_until(lambda: healthy(port) or not server.alive, 30, "GET /healthz")
    say(fake, port, 3101, "vneid 5 hộ 3")
    say(fake, port, 3102, "hộ 2")
    wait_settled(session, fake)
    entries = {who: session.exec(select(Entry.id).where(Entry.person_id == who)).one() for who in (lan.id, hoa.id)}
    for who, user_id, content in ((lan.id, 3101, b"photo of Lan"), (hoa.id, 3102, b"photo of Hoa")):
        digest, stored = keep(folder, content, ".png")
        session.add(Evidence(entry_id=entries[who], person_id=who, channel="telegram", chat_id=str(user_id),
                             message_id=f"photo-{who}", kind="photo", file_ref="f", sha256=digest, stored_path=stored))
    session.commit()
    shots = tmp_path / "screenshots"
    shots.mkdir()

    [reply] = say(fake, port, 3103, "/web")
    link = LINK.search(reply).group(1)
    driver = browser
    driver.get(link)
    assert driver.find_element(By.TAG_NAME, "h1").text == "Xã Đồng Phú"
    captured(driver, shots, "overview")

    # The overview's figures are those of `tocds export` for the same week.
    week = f"{today.isocalendar().year}-W{today.isocalendar().week:02d}"
    exported = procs.run("export", "--commune", "Xã Đồng Phú", "--period", week)
    assert exported.returncode == 0, exported.stderr
    expected = {(row["village"], row["indicator"]): int(row["count"])
                for row in csv.DictReader(io.StringIO(exported.stdout))}
    shown = {(cell.get_attribute("data-row"), cell.get_attribute("data-indicator")): int(cell.get_attribute("data-count"))
             for cell in driver.find_elements(By.CSS_SELECTOR, "td[data-indicator]")}
    assert shown and all(expected.get(key, 0) == count for key, count in shown.items()), (shown, expected)
    assert shown[("Thôn Tân Hòa", "vneid")] == 5
    assert [sum(count for (row, _), count in shown.items() if row == village) for village in ("Thôn Tân Hòa", "Thôn Phú Lợi")] == [8, 2]

    followed(driver, driver.find_element(By.LINK_TEXT, "Duyệt minh chứng"))
    assert len(driver.find_elements(By.CSS_SELECTOR, "article.card img")) == 2
    captured(driver, shots, "evidence")
    cards = driver.find_elements(By.CSS_SELECTOR, "article.card")
    followed(driver, cards[0].find_element(By.CSS_SELECTOR, "button[value=approved]"))
    assert "Đã duyệt" in driver.find_element(By.CSS_SELECTOR, ".note").text
    card = driver.find_element(By.CSS_SELECTOR, "article.card")
    card.find_element(By.NAME, "reason").send_keys("Ảnh bị mờ, chụp lại")
    followed(driver, card.find_element(By.CSS_SELECTOR, "button[value=needs_completion]"))
    assert "Hoa" in driver.find_element(By.CSS_SELECTOR, ".note").text
    notice = fake.wait_sent(2, 3102, timeout=20)[-1]["text"]
    assert notice.startswith("⏳ Minh chứng của bạn cho Thôn Phú Lợi") and "Ảnh bị mờ, chụp lại" in notice

    # The reports page: what is due next first, who has not reported, the downloads.
    followed(driver, driver.find_element(By.LINK_TEXT, "Xã Đồng Phú"))
    followed(driver, driver.find_element(By.LINK_TEXT, "Báo cáo"))
    assert driver.find_element(By.TAG_NAME, "h1").text == "Báo cáo — Xã Đồng Phú"
    assert driver.find_element(By.CSS_SELECTOR, "ol.due li.next strong").text.startswith("Thứ ")
    assert "✅ Tất cả các thôn đã báo cáo trong tuần" in driver.find_element(By.TAG_NAME, "section").text
    captured(driver, shots, "reports")
    followed(driver, driver.find_element(By.CSS_SELECTOR, "button[name=kind][value=week]"))
    driver.find_element(By.CSS_SELECTOR, "p.files a[href*='kind=xlsx']").click()
    workbook = wait_until(lambda: [p for p in driver.downloads.glob("*.xlsx")], 20, "the workbook downloaded")
    assert workbook[0].name == f"tocds-xa-dong-phu-{week}.xlsx" and workbook[0].stat().st_size > 0

    # People: an invite to Phú Lợi, whose code a newcomer sends in chat; then Hoa removed, after a "yes".
    followed(driver, driver.find_element(By.LINK_TEXT, "Xã Đồng Phú"))
    followed(driver, driver.find_element(By.LINK_TEXT, "Thành viên"))
    captured(driver, shots, "people")
    villages = next(form for form in driver.find_elements(By.CSS_SELECTOR, "form.invite-form")
                    if form.find_elements(By.NAME, "unit") and form.find_element(By.NAME, "unit").tag_name == "select")
    Select(villages.find_element(By.NAME, "unit")).select_by_visible_text("Thôn Phú Lợi")
    Select(villages.find_element(By.NAME, "role")).select_by_visible_text("thành viên")
    followed(driver, villages.find_element(By.TAG_NAME, "button"))
    code = driver.find_element(By.CSS_SELECTOR, ".invite-card .code").text
    card = driver.find_element(By.CSS_SELECTOR, ".invite-card").text
    assert f"/start {code}" in card and f"https://t.me/{fake.username}?start={code}" in card
    assert driver.find_element(By.CSS_SELECTOR, ".invite-card svg.qr").size["width"] > 100
    captured(driver, shots, "invite")
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})  # the card prints alone
    assert not driver.find_element(By.TAG_NAME, "header").is_displayed()
    assert driver.find_element(By.CSS_SELECTOR, ".invite-card svg.qr").is_displayed()
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert say(fake, port, 3104, f"/start {code}")[0].startswith("Chào mừng")
    followed(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "Thành viên"))
    assert "thành viên · Telegram · chưa báo cáo" in driver.find_element(By.ID, f"unit-{commune.villages['Thôn Phú Lợi'].id}").text
    hoa_row = next(row for row in driver.find_elements(By.CSS_SELECTOR, ".people li") if row.text.startswith("Hoa ·"))
    followed(driver, hoa_row.find_element(By.CSS_SELECTOR, "a.remove"))
    assert driver.find_element(By.CSS_SELECTOR, ".question").text.startswith("Xóa Hoa khỏi Thôn Phú Lợi?")
    followed(driver, driver.find_element(By.CSS_SELECTOR, "button[value=yes]"))
    assert driver.find_element(By.CSS_SELECTOR, ".note").text == "✅ Hoa không còn thuộc Thôn Phú Lợi."
    assert not [row for row in driver.find_elements(By.CSS_SELECTOR, ".people li") if row.text.startswith("Hoa ·")]
    captured(driver, shots, "people-after")
    assert fresh(session).exec(select(Person.id).join(Membership, Membership.person_id == Person.id)
                        .where(Person.name == "Hoa")).first() is None

    followed(driver, driver.find_element(By.LINK_TEXT, "Xã Đồng Phú"))
    followed(driver, driver.find_element(By.LINK_TEXT, "Báo cáo"))
    followed(driver, driver.find_element(By.CSS_SELECTOR, "button[value=en]"))
    assert driver.find_element(By.CSS_SELECTOR, "header form:last-of-type button").text == "Sign out"
    captured(driver, shots, "reports-en")
    followed(driver, driver.find_element(By.LINK_TEXT, "Overview"))
    captured(driver, shots, "overview-en")

    # A village's page: its trends, its team with their latest report, its photos.
    followed(driver, driver.find_element(By.LINK_TEXT, "Thôn Tân Hòa"))
    assert len(driver.find_elements(By.CSS_SELECTOR, ".trends svg")) >= 2
    team = driver.find_element(By.CSS_SELECTOR, "ul.people").text
    assert f"Lan · team member · latest report {today.strftime('%-d %b %Y')}: Households 3 · VNeID 5" in team, team
    thumbnail = driver.find_element(By.CSS_SELECTOR, ".thumbs a")
    assert "/evidence?village=" in thumbnail.get_attribute("href")
    captured(driver, shots, "village")
    print("screenshots:", *sorted(str(p) for p in shots.iterdir()))
    assert server.alive

