"""`tocds demo`: a commune's week played through the real handlers on a fresh SQLite file.

Everything shown is what the bot really answers: an office worker invites a team, members
report (in one line, with mistakes, step by step), fix and take back reports, and the
office and a leader look at the progress; the scheduled jobs remind the village that has not
reported and send the office the weekly summary. The week's CSV export, chart and
spreadsheet are written to the folder.
"""

import asyncio
import csv
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date

from ..handlers.context import Defaults
from ..jobs import JOBS
from ..jobs.runner import run_job
from ..models import Level, Role
from ..models.db import open_session
from ..models.exports import write_csv
from ..models.imports import find_unit, find_village, import_targets, import_villages
from ..models.periods import week_of
from ..models.web_sessions import make_link
from .channels import render
from .channels.console import ConsoleChat, ConsolePrinter, console_person, sign_in
from .mailroom import Mailroom

COMMUNE = "Xã Đồng Phú"
TIMEZONE = "Asia/Ho_Chi_Minh"
VILLAGES = [  # village, households, population, adults, aged 15+
    ("Thôn Tân Hòa", 420, 1650, 1180, 1290),
    ("Thôn Phú Lợi", 380, 1490, 1050, 1160),
    ("Ấp Bàu Sen", 510, 2010, 1420, 1560),
    ("Ấp Đồng Tâm", 295, 1130, 800, 880),
    ("Khu phố 3", 640, 2380, 1730, 1860),
]
TARGETS = [  # indicator, commune baseline, target %, or absolute target
    ("ho", 745, 100, None),
    ("vneid", 6028, 80, None),
    ("bdhvs", 4344, 80, None),
    ("cks", 1554, 30, None),
    ("tt", 4200, 80, None),
    ("ssk", 6227, 95, None),
    ("dvc", 150, None, 600),
]
DESK_URL = "http://127.0.0.1:8080"
CAMPAIGN_DAYS = 182  # the targets run half a year from the demo week's Monday

# (weekday 0=Monday, hour, who, what they send). People: (name, village or None, role).
PEOPLE = {
    "office": ("Chị Hạnh", None, Role.OFFICE),
    "leader": ("Anh Tâm", None, Role.LEADER),
    "lan": ("Lan", "Thôn Tân Hòa", Role.MEMBER),
    "minh": ("Minh", "Thôn Tân Hòa", Role.VILLAGE_LEADER),
    "hoa": ("Hòa", "Thôn Phú Lợi", Role.MEMBER),
    "sen": ("Sen", "Ấp Bàu Sen", Role.MEMBER),
    "kp3": ("Quang", "Khu phố 3", Role.MEMBER),
    "tu": ("Tư", "Ấp Đồng Tâm", Role.MEMBER),
}
SCRIPT = [  # "job" entries run a scheduled job at that hour, as the scheduler would
    (0, 7, "office", "/nhantin"),
    (0, 8, "lan", "hộ 12 vneid 5 bdhvs 3"),
    (0, 9, "hoa", "bc dinh danh 4, hoc vu so 2"),
    (0, 20, "sen", "dạ hôm nay em hướng dẫn được 6 người kích hoạt VNeID, 10 người cài sổ sức khỏe ạ"),
    (0, 20, "sen", "1"),
    (1, 10, "kp3", "/baocao"),
    (1, 10, "kp3", "2"),
    (1, 10, "kp3", "7"),
    (1, 10, "kp3", "5"),
    (1, 10, "kp3", "8"),
    (1, 10, "kp3", "8"),
    (2, 19, "lan", "tt 2,5"),
    (2, 19, "lan", "tt 3 cks 1"),
    (3, 7, "minh", "hôm qua ho 8 vneid 2"),
    (3, 21, "hoa", "ssk 1600"),
    (3, 21, "hoa", "2"),
    (3, 21, "hoa", "ssk 16"),
    (4, 15, "lan", "/sua"),
    (4, 15, "lan", "1"),
    (4, 15, "lan", "4"),
    (4, 15, "job", "reminders"),
    (5, 9, "job", "escalation"),
    (5, 9, "sen", "/xoa"),
    (5, 9, "sen", "1"),
    (5, 9, "sen", "vneid 6 ssk 12"),
    (5, 10, "leader", "ai chưa báo cáo"),
    (6, 10, "tu", "/khong"),
    (6, 18, "minh", "/tiendo"),
    (6, 20, "office", "/tiendo"),
    (6, 20, "leader", "/tiendo"),
    (6, 20, "leader", "tien do vneid"),
    (6, 20, "leader", "thôn tân hòa tuần này"),
    (6, 20, "leader", "thôn nào chậm nhất vneid?"),
    (6, 20, "office", "/xephang vneid"),
    (6, 20, "office", "/nhatky"),
    (7, 7, "job", "weekly-summary"),  # Monday 07:30 is the summary's hour; 07:00 here keeps it simple
]


def play(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    database = out / "demo.db"
    for stale in out.glob("demo.db*"):
        stale.unlink()
    session = open_session(f"sqlite:///{database}")
    defaults = Defaults(language="vi", timezone=TIMEZONE, evidence_dir=out / "evidence")

    zone = ZoneInfo(TIMEZONE)
    today = datetime.now(zone).date()
    week = week_of(today - timedelta(days=7))  # the last whole week, inside the 14-day window

    villages_csv, targets_csv = write_seed_files(out, week.first)
    import_villages(session, villages_csv, TIMEZONE)
    import_targets(session, targets_csv)
    commune = find_unit(session, Level.COMMUNE, COMMUNE)
    say = lambda text="": print(text)  # noqa: E731

    say(f"tocds demo — {COMMUNE}, {len(VILLAGES)} villages, week {week.label} "
        f"({week.first:%d/%m}–{week.last:%d/%m/%Y})")
    say(f"Database: {database}")

    # The office invites Tân Hòa's team; Lan joins with the code, as on a phone.
    office = chat_as(session, "office", commune, defaults)
    monday_morning = at(week.first, 7, zone)
    invite_reply = office.send("/moi Thôn Tân Hòa thành viên", monday_morning)
    show(say, "Chị Hạnh", "/moi Thôn Tân Hòa thành viên", invite_reply, week.first)
    code = invite_reply[0].text.split(": ", 1)[1].split()[0]
    lan = ConsoleChat(session, "Lan", defaults)
    show(say, "Lan", f"/start {code}", lan.send(f"/start {code}", monday_morning), week.first)

    chats = {"lan": lan, "office": office}
    chats.update((who, chat_as(session, who, commune, defaults)) for who in PEOPLE if who not in chats)
    printer = ConsolePrinter(sys.stdout, folder=out)
    for weekday, hour, who, text in SCRIPT:
        day = week.first + timedelta(days=weekday)
        if who == "job":
            run_and_deliver(session, text, commune, at(day, hour, zone), printer, defaults)
            continue
        show(say, PEOPLE[who][0], text, chats[who].send(text, at(day, hour, zone)), day)

    export = out / f"tocds-{week.label}.csv"
    with open(export, "w", newline="", encoding="utf-8") as handle:
        write_csv(session, commune, week, handle)
    say()
    say(f"The week's export (tocds export --commune '{COMMUNE}' --period {week.label}): {export}")
    show_desk(session, out, database, say)
    return 0


def show_desk(session, out: Path, database: Path, say) -> None:
    """How to open the demo commune's web desk as its office: the command, and a sign-in link."""
    office = console_person(session, PEOPLE["office"][0])
    token = make_link(session, office.id)
    session.commit()
    say()
    say("The office's web desk: run")
    say(f"  TOCDS_DATABASE_URL=sqlite:///{database.resolve()} TOCDS_EVIDENCE_DIR={(out / 'evidence').resolve()} "
        f"TOCDS_WEB_URL={DESK_URL} TOCDS_LISTEN={DESK_URL.removeprefix('http://')} tocds serve")
    say(f"then open, within 10 minutes, as {PEOPLE['office'][0]}: {DESK_URL}/web/login/{token}")
    say(f"(later: tocds admin weblink --commune '{COMMUNE}' --person '{PEOPLE['office'][0]}', with the same variables)")


def run_and_deliver(session, name: str, commune, moment: datetime, printer: ConsolePrinter,
                    defaults: Defaults) -> None:
    """A scheduled job at that moment, and what it sends, printed as each person gets it."""
    run = run_job(session, JOBS[name], commune, moment)
    print()
    print(f"── {format_date(moment.date(), 'EEEE dd/MM', locale='vi')} {moment:%H:%M} · "
          f"tocds ({name}): {run.messages if run else 0} messages")
    mailroom = Mailroom(str(session.get_bind().url), defaults, clock=lambda: moment)
    asyncio.run(mailroom.deliver_due(printer))


def chat_as(session, who: str, commune, defaults: Defaults) -> ConsoleChat:
    name, village, role = PEOPLE[who]
    unit = find_village(session, commune, village) if village else commune
    sign_in(session, name, unit, role, None, defaults)
    return ConsoleChat(session, name, defaults)


def at(day: date, hour: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), zone)


def show(say, name: str, text: str, replies, day: date) -> None:
    say()
    say(f"── {format_date(day, 'EEEE dd/MM', locale='vi')} · {name}: {text}")
    for reply in replies:
        say("   " + render(reply).replace("\n", "\n   "))


def write_seed_files(out: Path, start: date) -> tuple[Path, Path]:
    """The demo's villages and targets, as an operator would import them."""
    villages_csv, targets_csv = out / "villages.csv", out / "targets.csv"
    with open(villages_csv, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("commune", "village", "households", "population", "adults", "pop15"))
        writer.writerows((COMMUNE, *row) for row in VILLAGES)
    with open(targets_csv, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("commune", "village", "indicator", "baseline", "target_percent",
                         "target_count", "start", "deadline"))
        deadline = start + timedelta(days=CAMPAIGN_DAYS)
        writer.writerows(
            (COMMUNE, "", key, baseline, percent or "", count or "", start, deadline)
            for key, baseline, percent, count in TARGETS
        )
    return villages_csv, targets_csv
