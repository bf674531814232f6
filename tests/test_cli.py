"""The `tocds` command line, run as a real process, as an operator runs it (DESIGN.md §5)."""

import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from tocds.models import Entry, Invite, OrgUnit, Target
from tocds.models.db import get_engine
from tocds.models.imports import import_villages as import_villages_csv
from tocds.models.periods import parse_period, week_of

TOCDS = Path(sys.executable).parent / "tocds"  # the console script beside this Python
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
COMMUNE = "Xã Đồng Phú"
TAN_HOA, PHU_LOI = "Thôn Tân Hòa", "Thôn Phú Lợi"
KEYS = ("ho", "vneid", "bdhvs", "cks", "tt", "ssk", "dvc")  # the catalog's order
HEADER = "commune,village,indicator,count"
# Tân Hòa is large (no count below asks for confirmation); Phú Lợi is small.
VILLAGES_CSV = f"""commune,village,households,population,adults,pop15
{COMMUNE},{TAN_HOA},5000,20000,15000,16000
{COMMUNE},{PHU_LOI},80,300,200,220
"""
CANCEL = "/huy"
NOTHING_TO_CANCEL = "Không có gì để hủy."  # /huy's answer when no step is open: a separator


def tocds(*args: str, db: str, cwd: Path, input: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOCDS_")}
    env["TOCDS_DATABASE_URL"] = db
    return subprocess.run(
        [str(TOCDS), *args], input=input, capture_output=True, text=True, encoding="utf-8",
        cwd=cwd, env=env, timeout=120,
    )


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


def refused(result: subprocess.CompletedProcess) -> str:
    """An operator's mistake: exit 2, one message on stderr, no traceback, nothing on stdout."""
    assert result.returncode == 2, f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout == ""
    return result.stderr


def count_rows(db: str, model) -> int:
    with Session(get_engine(db)) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def import_villages(db: str, cwd: Path) -> None:
    """The two villages, imported in this process (`tocds admin import` has its own test)."""
    (cwd / "villages.csv").write_text(VILLAGES_CSV, encoding="utf-8")
    with Session(get_engine(db)) as session:
        assert import_villages_csv(session, cwd / "villages.csv", "Asia/Ho_Chi_Minh")[:2] == (2, 0)


def vn_today() -> date:
    return datetime.now(ZONE).date()


def settled_today() -> date:
    """Today in Vietnam, the chat's clock, waiting out midnight if it is about to strike."""
    now = datetime.now(ZONE)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), ZONE)
    if (midnight - now).total_seconds() < 120:
        time.sleep((midnight - now).total_seconds() + 1)
    return vn_today()


# ── help ────────────────────────────────────────────────────────────────────────────────


def test_help_lists_the_commands(cwd):
    out = ok(tocds("--help", db="sqlite:///unused.db", cwd=cwd))
    assert out.startswith("usage: tocds")
    for command in ("demo", "chat", "db", "admin", "export"):
        assert re.search(rf"^\s+{command}\s+\S", out, re.M), f"{command} missing from:\n{out}"
    for args, words in [
        (("admin", "--help"), ("import", "targets", "invite", "members", "remove", "role")),
        (("admin", "remove", "--help"), ("--commune", "--person", "--village")),
        (("admin", "invite", "--help"), ("--commune", "--village", "--role", "--uses", "--days", "--json")),
        (("export", "--help"), ("--commune", "--period", "--format", "--out")),
        (("chat", "--help"), ("--commune", "--village", "--role", "--user", "--lang")),
        (("db", "--help"), ("upgrade",)),
        (("demo", "--help"), ("--out",)),
    ]:
        text = ok(tocds(*args, db="sqlite:///unused.db", cwd=cwd))
        for word in words:
            assert word in text, f"{word} missing from `tocds {' '.join(args)}`:\n{text}"
    assert not (cwd / "unused.db").exists()  # help touches no database
    # No command: the usage, and the exit status of a usage error.
    bare = tocds(db="sqlite:///unused.db", cwd=cwd)
    assert bare.returncode == 2 and "usage: tocds" in bare.stdout


def test_the_command_line_imports_no_heavy_library(cwd):
    # `tocds --help` stays fast because the parser is built without the heavy libraries.
    code = (
        "import sys\n"
        "from tocds.bot.cli import build_parser\n"
        "build_parser().format_help()\n"
        "heavy = ('sqlalchemy', 'sqlmodel', 'alembic', 'telegram', 'babel', 'apscheduler', 'openpyxl')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# ── admin ───────────────────────────────────────────────────────────────────────────────


def test_admin_import_and_targets(db_url, cwd):
    (cwd / "villages.csv").write_text(VILLAGES_CSV, encoding="utf-8")
    assert ok(tocds("admin", "import", "villages.csv", db=db_url, cwd=cwd)) == "villages.csv: 2 villages added, 0 updated\n"
    # Idempotent: the same file again changes nothing.
    assert ok(tocds("admin", "import", "villages.csv", db=db_url, cwd=cwd)) == "villages.csv: 0 villages added, 0 updated\n"
    (cwd / "more.csv").write_text(VILLAGES_CSV.replace("80,300,200,220", "85,300,200,220")
                                  + f"{COMMUNE},Ấp Bàu Sen,510,2010,1420,1560\n", encoding="utf-8")
    assert ok(tocds("admin", "import", "more.csv", db=db_url, cwd=cwd)) == "more.csv: 1 villages added, 1 updated\n"
    assert count_rows(db_url, OrgUnit) == 4  # the commune and three villages

    (cwd / "targets.csv").write_text(
        "commune,village,indicator,baseline,target_percent,start,deadline\n"
        f"{COMMUNE},,vneid,6028,80,2026-01-01,2026-12-31\n"
        f"{COMMUNE},,bdhvs,4344,80%,01/01/2026,31/12/2026\n"
        f"{COMMUNE},{TAN_HOA},vneid,1000,\"75,5\",2026-01-01,2026-12-31\n",
        encoding="utf-8",
    )
    assert ok(tocds("admin", "targets", "targets.csv", db=db_url, cwd=cwd)) == "targets.csv: 3 targets applied\n"
    assert ok(tocds("admin", "targets", "targets.csv", db=db_url, cwd=cwd)) == "targets.csv: 3 targets applied\n"
    with Session(get_engine(db_url)) as session:
        rows = session.execute(select(OrgUnit.name, Target.indicator_key, Target.baseline, Target.target_percent)
                               .join(OrgUnit, OrgUnit.id == Target.org_unit_id).order_by(Target.id)).all()
    assert [tuple(row) for row in rows] == [
        (COMMUNE, "vneid", 6028, 80.0),
        (COMMUNE, "bdhvs", 4344, 80.0),
        (TAN_HOA, "vneid", 1000, 75.5),
    ]


def test_bad_csv_exits_2_names_the_cell_and_imports_nothing(db_url, cwd):
    (cwd / "bad.csv").write_text(
        "commune,village,households,population,adults,pop15\n"
        f"{COMMUNE},{TAN_HOA},420,1650,1180,1290\n"
        f"{COMMUNE},{PHU_LOI},nhiều,1490,1050,1160\n",
        encoding="utf-8",
    )
    error = refused(tocds("admin", "import", "bad.csv", db=db_url, cwd=cwd))
    assert "bad.csv, row 3, column households" in error
    assert "nothing was imported" in error
    assert count_rows(db_url, OrgUnit) == 0

    import_villages(db_url, cwd)
    (cwd / "targets.csv").write_text(
        "commune,village,indicator,baseline,target_percent,start,deadline\n"
        f"{COMMUNE},,vneid,6028,80,2026-01-01,2026-12-31\n"
        f"{COMMUNE},Thôn Không Có,vneid,0,80,2026-01-01,2026-12-31\n",
        encoding="utf-8",
    )
    error = refused(tocds("admin", "targets", "targets.csv", db=db_url, cwd=cwd))
    assert "targets.csv, row 3, column village" in error and "nothing was imported" in error
    assert count_rows(db_url, Target) == 0

    error = refused(tocds("admin", "import", "missing.csv", db=db_url, cwd=cwd))
    assert "missing.csv" in error and "nothing was imported" in error


def test_admin_invite_json(db_url, cwd):
    import_villages(db_url, cwd)
    before = datetime.now(UTC)
    out = ok(tocds("admin", "invite", "--commune", COMMUNE, "--village", TAN_HOA, "--role", "member", "--json",
                   db=db_url, cwd=cwd))
    assert out.endswith("\n") and out.count("\n") == 1  # one line, one object
    invite = json.loads(out)
    assert re.fullmatch(r"[A-Z2-9]{8}", invite["code"])
    expires = datetime.fromisoformat(invite["expires"])
    assert before + timedelta(days=14) <= expires <= datetime.now(UTC) + timedelta(days=14)
    with Session(get_engine(db_url)) as session:
        stored = session.execute(select(Invite).where(Invite.code == invite["code"])).scalar_one()
        village = session.get(OrgUnit, stored.org_unit_id)
        assert (village.name, stored.role, stored.uses_left) == (TAN_HOA, "member", 30)

    # A commune-level role, with uses and days; the text form says how to join.
    out = ok(tocds("admin", "invite", "--commune", "xa dong phu", "--role", "office", "--uses", "3", "--days", "2",
                   db=db_url, cwd=cwd))
    code = re.match(r"([A-Z2-9]{8}) ", out).group(1)
    assert f"/start {code}" in out
    with Session(get_engine(db_url)) as session:
        stored = session.execute(select(Invite).where(Invite.code == code)).scalar_one()
        assert (session.get(OrgUnit, stored.org_unit_id).name, stored.role, stored.uses_left) == (COMMUNE, "office", 3)
        assert timedelta(days=2, minutes=-5) < stored.expires_at - datetime.now(UTC) <= timedelta(days=2)
    assert count_rows(db_url, Invite) == 2


INVITE_MISTAKES = [  # (arguments, what the message must say)
    (("--commune", COMMUNE, "--village", TAN_HOA, "--role", "boss"),
     ("unknown role 'boss'", "member, village_leader, office, leader, admin")),
    (("--commune", "Xã Không Có", "--village", TAN_HOA, "--role", "member"), ("Xã Không Có", "tocds admin import")),
    (("--commune", COMMUNE, "--village", "Thôn Không Có", "--role", "member"), ("Thôn Không Có", COMMUNE)),
    (("--commune", COMMUNE, "--village", TAN_HOA, "--role", "office"), ("office", "leave out --village")),
    (("--commune", COMMUNE, "--role", "member"), ("member", "add --village")),
    (("--commune", COMMUNE, "--village", TAN_HOA, "--role", "member", "--uses", "0"), ("at least one use",)),
]


def test_admin_invite_mistakes_exit_2_and_say_how_to_fix(db_url, cwd):
    import_villages(db_url, cwd)
    for args, hints in INVITE_MISTAKES:
        error = refused(tocds("admin", "invite", *args, "--json", db=db_url, cwd=cwd))
        assert error.startswith("tocds: ")
        for hint in hints:
            assert hint in error, (args, error)
    assert count_rows(db_url, Invite) == 0


# ── chat ────────────────────────────────────────────────────────────────────────────────


def test_chat_without_villages_says_what_to_run(db_url, cwd):
    result = tocds("chat", db=db_url, cwd=cwd, input="ho 1\n")
    error = refused(result)
    assert "tocds demo" in error and "tocds admin import" in error
    assert count_rows(db_url, Entry) == 0


def converse(db: str, cwd: Path, exchanges: list[tuple[str, ...]], *chat_args: str) -> list[str]:
    """Pipes the exchanges into one `tocds chat`; returns the replies to each exchange.

    An exchange is one or more lines (a report, then the digit answering its question);
    a `/huy` after each one, answered with NOTHING_TO_CANCEL when no step was left open,
    separates the replies.
    """
    lines = [line for exchange in exchanges for line in (*exchange, CANCEL)]
    out = ok(tocds("chat", *chat_args, db=db, cwd=cwd, input="\n".join(lines) + "\n"))
    blocks = out.split(NOTHING_TO_CANCEL + "\n")
    assert blocks[-1] == "", out
    assert len(blocks) - 1 == len(exchanges), out
    return blocks[:-1]


def saved(village: str, day: date, counts: str) -> str:
    return f"✅ Đã lưu cho {village}, ngày {day:%d/%m/%Y}: {counts}.\n"


def exported(db: str, cwd: Path, period: str) -> str:
    return ok(tocds("export", "--commune", COMMUNE, "--period", period, db=db, cwd=cwd))


def expected_csv(facts: list[tuple[str, date, str, int]], period: str) -> str:
    span = parse_period(period)
    totals = {(village, key): 0 for village in (TAN_HOA, PHU_LOI) for key in KEYS}
    for village, day, key, count in facts:
        if span.first <= day <= span.last:
            totals[village, key] += count
    return HEADER + "\n" + "".join(f"{COMMUNE},{village},{key},{count}\n" for (village, key), count in totals.items())


def test_chat_quick_reports_end_to_end(db_url, cwd):
    import_villages(db_url, cwd)
    today = settled_today()
    yesterday, ten_ago, fourteen_ago, fifteen_ago = (today - timedelta(days=n) for n in (1, 10, 14, 15))
    facts: list[tuple[str, date, str, int]] = []  # (village, day, indicator, count) that must be saved

    # Lan, a member of Tân Hòa only.
    lan = [
        # Saved.
        ("hộ 12 vneid 5 bdhvs 3", saved(TAN_HOA, today, "Hộ 12 · VNeID 5 · Học vụ số 3"),
         [("ho", 12), ("vneid", 5), ("bdhvs", 3)], today),
        ("HỘ 2", saved(TAN_HOA, today, "Hộ 2"), [("ho", 2)], today),
        ("vneid:1; bdhvs=2", saved(TAN_HOA, today, "VNeID 1 · Học vụ số 2"), [("vneid", 1), ("bdhvs", 2)], today),
        ("ssk3", saved(TAN_HOA, today, "Sổ sức khỏe 3"), [("ssk", 3)], today),
        ("tt 1.200", saved(TAN_HOA, today, "Thanh toán 1.200"), [("tt", 1200)], today),
        ("bc cks 1", saved(TAN_HOA, today, "Chữ ký số 1"), [("cks", 1)], today),
        ("báo cáo dvc 2", saved(TAN_HOA, today, "Dịch vụ công 2"), [("dvc", 2)], today),
        ("Định Danh 6, học vụ số 1", saved(TAN_HOA, today, "VNeID 6 · Học vụ số 1"),
         [("vneid", 6), ("bdhvs", 1)], today),
        ("hôm qua vneid 4", saved(TAN_HOA, yesterday, "VNeID 4"), [("vneid", 4)], yesterday),
        (f"{ten_ago:%d/%m} ssk 2", saved(TAN_HOA, ten_ago, "Sổ sức khỏe 2"), [("ssk", 2)], ten_ago),
        (f"ho 7 {fourteen_ago:%d/%m}", saved(TAN_HOA, fourteen_ago, "Hộ 7"), [("ho", 7)], fourteen_ago),
        # Not saved: each answer names the problem.
        ("abc 3", "“abc”", [], None),
        ("ho 2,5", "“2,5”", [], None),
        ("2,5", "2,5", [], None),
        ("ho -3", "(-3)", [], None),
        ("ho 4 HỘ 2", "hai lần", [], None),
        (f"{fifteen_ago:%d/%m} ho 1", f"{fifteen_ago:%d/%m/%Y}", [], None),
        ("thôn Phú Lợi ho 1", "“Phú Lợi”", [], None),  # not her village
        ("xin chào", "Chào Lan 👋", [], None),
        ("trời đẹp quá", "Tôi chưa hiểu tin nhắn này.", [], None),
    ]
    # Words the bot cannot read are offered to the office: `2` declines.
    replies = converse(db_url, cwd, [(line, "2") if line == "trời đẹp quá" else (line,) for line, *_ in lan],
                       "--commune", COMMUNE, "--village", TAN_HOA, "--user", "Lan")
    for (line, answer, counts, day), reply in zip(lan, replies, strict=True):
        if counts:
            assert reply.startswith(answer), f"{line!r} → {reply}"
            assert "⚠️" not in reply
            facts += [(TAN_HOA, day, key, count) for key, count in counts]
        else:
            assert "✅" not in reply, f"{line!r} → {reply}"
            assert answer in reply, f"{line!r} → {reply}"
            if line not in ("xin chào", "trời đẹp quá"):
                assert reply.startswith("⚠️ Chưa lưu."), f"{line!r} → {reply}"
    assert "📨 Gửi cho văn phòng xã?" in replies[-1] and replies[-1].endswith("Chưa gửi. Gửi /trogiup để xem bot làm được gì.\n")

    # Hòa belongs to both villages: she names one, or is asked which.
    ok(tocds("chat", "--commune", COMMUNE, "--village", PHU_LOI, "--user", "Hòa", db=db_url, cwd=cwd, input=""))
    hoa = ("--commune", COMMUNE, "--village", TAN_HOA, "--user", "Hòa")
    replies = converse(db_url, cwd, [
        ("thôn Phú Lợi ho 100", "1"),  # above the village's 80 households: asked, then confirmed
        ("thôn Tân Hòa vneid 3",),
        ("Phú Lợi ssk 4 hôm qua",),
        ("xóm Phú Lợi bdhvs 1",),
        ("thôn Phú Lợi vneid 999", "2"),  # above the population: asked, then not confirmed
        ("thôn Bàu Sen vneid 1",),
    ], *hoa)
    assert replies[0].startswith("⚠️ Hộ 100 nhiều hơn số hộ của thôn (80).\nVẫn lưu chứ?\n1. Đúng, lưu\n2. Không, hủy\n")
    assert saved(PHU_LOI, today, "Hộ 100") in replies[0]
    assert replies[1].startswith(saved(TAN_HOA, today, "VNeID 3"))
    assert replies[2].startswith(saved(PHU_LOI, yesterday, "Sổ sức khỏe 4"))
    assert replies[3].startswith(saved(PHU_LOI, today, "Học vụ số 1"))
    assert replies[4].startswith("⚠️ VNeID 999 nhiều hơn") and "1. Đúng, lưu" in replies[4]
    assert "✅" not in replies[4] and "Đã hủy" in replies[4]
    assert replies[5].startswith("⚠️ Chưa lưu.") and "“Bàu Sen”" in replies[5] and PHU_LOI in replies[5]
    facts += [(PHU_LOI, today, "ho", 100), (TAN_HOA, today, "vneid", 3), (PHU_LOI, yesterday, "ssk", 4),
              (PHU_LOI, today, "bdhvs", 1)]

    # Naming none, she gets numbered choices; the answer may come in a later process.
    question = ok(tocds("chat", *hoa, db=db_url, cwd=cwd, input="vneid 2\n"))
    assert question.startswith("Báo cáo cho thôn nào?\n")
    choice = re.search(rf"^(\d)\. {PHU_LOI}$", question, re.M).group(1)
    assert re.search(rf"^\d\. {TAN_HOA}$", question, re.M)
    assert ok(tocds("chat", *hoa, db=db_url, cwd=cwd, input=f"{choice}\n")).startswith(saved(PHU_LOI, today, "VNeID 2"))
    facts.append((PHU_LOI, today, "vneid", 2))

    assert count_rows(db_url, Entry) == len([line for line in lan if line[2]]) + 5

    # The exports add up exactly those reports: the week, and periods holding every dated one.
    periods = [week_of(today).label, f"{today:%Y-%m}", f"{fourteen_ago:%Y-%m}", str(fourteen_ago.year),
               str(today.year), week_of(ten_ago).label]
    for period in dict.fromkeys(periods):
        assert exported(db_url, cwd, period) == expected_csv(facts, period), period
    # The week before the oldest report has nothing: every row is there, with 0.
    empty = week_of(fifteen_ago - timedelta(days=7)).label
    assert exported(db_url, cwd, empty) == expected_csv([], empty)
    if vn_today() != today:
        pytest.skip("the day changed in Vietnam while the test ran")


def test_chat_in_english(db_url, cwd):
    import_villages(db_url, cwd)
    # Without --commune and --village: a member of the first commune's first village.
    out = ok(tocds("chat", "--lang", "en", "--user", "Mai", db=db_url, cwd=cwd, input="/trogiup\nxin chào\ntrời đẹp\nho 1\n"))
    assert out.startswith("What you can do here:\n")
    assert "/baocao (/report)" in out and "/trogiup (/help)" in out
    assert "Hello, Mai 👋" in out and "I did not understand that." in out
    assert TAN_HOA in out and "Households 1" in out
    assert "Bạn có thể" not in out and "Đã lưu" not in out
    assert count_rows(db_url, Entry) == 1


def test_chat_with_a_bad_role_or_village(db_url, cwd):
    import_villages(db_url, cwd)
    assert "unknown role 'boss'" in refused(tocds("chat", "--role", "boss", db=db_url, cwd=cwd, input=""))
    assert "Thôn Không Có" in refused(tocds("chat", "--village", "Thôn Không Có", db=db_url, cwd=cwd, input=""))
    assert "--village" in refused(tocds("chat", "--role", "office", "--village", TAN_HOA, db=db_url, cwd=cwd,
                                        input=""))


# ── export ──────────────────────────────────────────────────────────────────────────────


def test_export_mistakes_and_out_file(db_url, cwd):
    import_villages(db_url, cwd)
    for period in ("2026-13", "2027-W53"):
        error = refused(tocds("export", "--commune", COMMUNE, "--period", period, db=db_url, cwd=cwd))
        assert f"not a period: {period!r}" in error
        assert "2026-W47, 2026-11, 2026-Q4, 2026-H2 or 2026" in error
    error = refused(tocds("export", "--commune", "Xã Không Có", "--period", "2026", db=db_url, cwd=cwd))
    assert "Xã Không Có" in error and "tocds admin import" in error
    error = refused(tocds("export", "--commune", COMMUNE, "--period", "2026", "--out", "no/such/dir/x.csv",
                          db=db_url, cwd=cwd))
    assert "no/such/dir/x.csv" in error

    assert ok(tocds("export", "--commune", COMMUNE, "--period", "2026-W47", "--out", "w47.csv",
                    db=db_url, cwd=cwd)) == ""
    assert (cwd / "w47.csv").read_bytes().decode("utf-8") == expected_csv([], "2026-W47")
    # The commune's name matches without accents or case.
    assert ok(tocds("export", "--commune", "XA DONG PHU", "--period", "2026-Q4", "--format", "csv",
                    db=db_url, cwd=cwd)) == expected_csv([], "2026-Q4")


# ── demo ────────────────────────────────────────────────────────────────────────────────


def test_demo_plays_a_week_into_a_new_folder(db_url, cwd):
    out_dir = cwd / "new" / "demo"
    today = settled_today()
    out = ok(tocds("demo", "--out", str(out_dir), db=db_url, cwd=cwd))
    assert (out_dir / "demo.db").is_file()
    assert count_rows(db_url, OrgUnit) == 0  # TOCDS_DATABASE_URL is left alone

    label = re.search(r"\bweek (\d{4}-W\d{2})\b", out).group(1)
    assert label in {week_of(today).label, week_of(today - timedelta(days=7)).label}
    saved_villages = set(re.findall(r"✅ Đã lưu cho (.+?), ngày ", out))
    assert len(saved_villages) >= 3, out
    # The office's /tiendo: the commune's progress, one line per indicator.
    office_progress = re.search(r"^── .+ · (.+): /tiendo\n {3}📊 (Xã .+?) — ", out, re.M)
    assert office_progress and office_progress.group(2) == COMMUNE, out
    # The scheduled jobs: a reminder for the village that had not reported, the office's summary.
    assert re.search(r"tocds \(reminders\): 1 messages\n→ tu:\n {3}⏰ Nhắc báo cáo: Ấp Đồng Tâm", out), out
    assert re.search(r"tocds \(weekly-summary\): 3 messages\n→ chi hanh:\n {3}📊 Xã Đồng Phú — tuần", out), out
    assert (out_dir / f"tocds-xa-dong-phu-{label}.png").read_bytes().startswith(b"\x89PNG")
    assert (out_dir / f"tocds-xa-dong-phu-{label}.xlsx").read_bytes().startswith(b"PK")

    # The week's export: the contract's header, every village × indicator, the week's totals.
    with sqlite3.connect(out_dir / "demo.db") as demo:
        villages = [name for (name,) in demo.execute(
            "SELECT name FROM org_unit WHERE level = 'village' ORDER BY id")]
        labels = dict(demo.execute("SELECT short_vi, key FROM indicator ORDER BY position"))
    assert saved_villages <= set(villages)
    week = parse_period(label)
    week_totals = {}  # the bot's own line for the village's week after each report: the last one counts
    for village, figures in re.findall(rf"^ {{3}}Tuần {week.first:%d/%m}–{week.last:%d/%m}, (.+?): (.+)$", out, re.M):
        week_totals[village] = {} if figures == "chưa có" else {
            labels[label]: int(number.replace(".", ""))
            for label, number in (item.rsplit(" ", 1) for item in figures.split(" · "))
        }
    assert saved_villages <= set(week_totals)
    rows = list(csv.reader(io.StringIO((out_dir / f"tocds-{label}.csv").read_text(encoding="utf-8"))))
    assert rows[0] == HEADER.split(",")
    assert [(c, v, k) for c, v, k, _ in rows[1:]] == [(COMMUNE, v, k) for v in villages for k in labels.values()]
    for _, village, key, count in rows[1:]:
        assert int(count) == week_totals.get(village, {}).get(key, 0), (village, key)
    assert sum(int(count) for *_, count in rows[1:]) > 0

    # Again into the same folder: a fresh database, the same week's numbers.
    first = (out_dir / f"tocds-{label}.csv").read_text(encoding="utf-8")
    ok(tocds("demo", "--out", str(out_dir), db=db_url, cwd=cwd))
    if vn_today() == today:
        assert (out_dir / f"tocds-{label}.csv").read_text(encoding="utf-8") == first


# ── db ──────────────────────────────────────────────────────────────────────────────────


def test_db_upgrade(db_url, cwd):
    fresh = cwd / "fresh.db"
    for _ in range(2):  # on a new file, then again: nothing to do, still fine
        ok(tocds("db", "upgrade", db=f"sqlite:///{fresh}", cwd=cwd))
        with sqlite3.connect(fresh) as connection:
            tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            assert {"alembic_version", "org_unit", "indicator", "entry"} <= tables
            assert [key for (key,) in connection.execute("SELECT key FROM indicator ORDER BY position")] == list(KEYS)
    # The test database (SQLite or PostgreSQL) is already up to date.
    ok(tocds("db", "upgrade", db=db_url, cwd=cwd))


def test_db_backup_while_another_connection_writes(cwd):
    from helpers import Chatter, make_commune
    from tocds.models import Role
    from tocds.models.db import upgrade

    source = cwd / "live.db"
    url = f"sqlite:///{source}"
    upgrade(url)
    with Session(get_engine(url), expire_on_commit=False) as session:
        village = make_commune(session).villages[TAN_HOA]
        lan = Chatter(session, "Lan", [village], Role.MEMBER)
        for n in range(1, 21):
            assert lan.say(f"vneid {n}").startswith("✅")
        before = set(session.execute(select(Entry.id)).scalars())

    stop = threading.Event()

    def write():  # another connection keeps writing during the backup, as `tocds run` does
        with Session(get_engine(url), expire_on_commit=False) as session:
            writer = Chatter(session, "Sen", [session.get(OrgUnit, village.id)], Role.MEMBER)
            while not stop.is_set():
                writer.say("ho 1")

    thread = threading.Thread(target=write)
    thread.start()
    try:
        result = tocds("db", "backup", "copy.db", db=url, cwd=cwd)
    finally:
        stop.set()
        thread.join()
    assert result.returncode == 0, result.stderr
    assert "backed up to copy.db" in result.stderr and result.stdout == ""
    assert "not included: the evidence photos in evidence (TOCDS_EVIDENCE_DIR)" in result.stderr  # nor the photos
    assert "rsync -a --delete evidence/ BACKUP-HOST:tocds-evidence/" in result.stderr
    assert [p.name for p in cwd.iterdir() if p.name.startswith(".copy.db")] == []  # no temporary left

    with sqlite3.connect(cwd / "copy.db") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        copied = {entry_id for (entry_id,) in copy.execute("SELECT id FROM entry")}
    with sqlite3.connect(source) as live:
        after = {entry_id for (entry_id,) in live.execute("SELECT id FROM entry")}
    assert before <= copied <= after  # a consistent moment between the two
    assert len(after) > len(before)  # the writer did write meanwhile
    # The copy is a database tocds opens as it is.
    schedule = ok(tocds("admin", "schedule", "--commune", "Xã Đồng Phú", db=f"sqlite:///{cwd / 'copy.db'}", cwd=cwd))
    assert schedule.startswith("job,weekday,time,timezone,source")


def test_db_backup_refuses_to_overwrite_and_explains_postgresql(cwd):
    url = f"sqlite:///{cwd / 'live.db'}"
    assert "no database at" in refused(tocds("db", "backup", "copy.db", db=url, cwd=cwd))
    assert not (cwd / "live.db").exists()  # not created by asking
    ok(tocds("db", "upgrade", db=url, cwd=cwd))

    (cwd / "copy.db").write_text("keep me")
    assert "copy.db exists; add --force" in refused(tocds("db", "backup", "copy.db", db=url, cwd=cwd))
    assert (cwd / "copy.db").read_text() == "keep me"
    ok(tocds("db", "backup", "copy.db", "--force", db=url, cwd=cwd))
    with sqlite3.connect(cwd / "copy.db") as copy:
        assert copy.execute("SELECT count(*) FROM indicator").fetchone() == (len(KEYS),)

    pg = "postgresql+psycopg://tocds:hunter2-pw@db.example.vn:5433/tocds"
    message = refused(tocds("db", "backup", "tocds.dump", db=pg, cwd=cwd))
    assert "pg_dump --format=custom --file=tocds.dump 'postgresql://tocds@db.example.vn:5433/tocds'" in message
    assert "not included: the evidence photos in evidence (TOCDS_EVIDENCE_DIR)" in message
    assert "hunter2" not in message
    assert not (cwd / "tocds.dump").exists()


KEPT_365 = ("files kept 365 days after their decision (approved or to complete); never reviewed, 365 days after "
            "the deadline of their month's report\nevidence,received,status,size,kept_until\n")


def test_admin_evidence_shows_and_sets_the_communes_rule(db_url, cwd):
    import_villages(db_url, cwd)
    assert ok(tocds("admin", "evidence", "--commune", COMMUNE, db=db_url, cwd=cwd)) == (
        f"{COMMUNE}: evidence optional\n{COMMUNE}: {KEPT_365}")
    assert ok(tocds("admin", "evidence", "--commune", COMMUNE, "required", db=db_url, cwd=cwd)) == (
        f"{COMMUNE}: evidence required\n{COMMUNE}: {KEPT_365}")
    with Session(get_engine(db_url)) as session:
        assert session.execute(select(OrgUnit.requires_evidence).where(OrgUnit.level == "commune")).scalar_one() is True
    assert "invalid choice" in refused(tocds("admin", "evidence", "--commune", COMMUNE, "maybe", db=db_url, cwd=cwd))


def test_admin_evidence_keep_days_lists_the_kept_files_and_views_who_saw_them(db_url, cwd, tmp_path):
    from dataclasses import replace

    from helpers import DEFAULTS, NOW, Chatter, incoming
    from tocds.bot.evidence_files import keep
    from tocds.handlers.dispatch import handle
    from tocds.models import Evidence, Role

    import_villages(db_url, cwd)
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        village = session.execute(select(OrgUnit).where(OrgUnit.name == TAN_HOA)).scalar_one()
        office_unit = session.get(OrgUnit, village.parent_id)
        Chatter(session, "Lan", [village], Role.MEMBER).say("vneid 5")
        handle(session, incoming("lan", "", "p1", kind="photo", attachment="f1"), NOW, DEFAULTS)
        evidence = session.execute(select(Evidence)).scalar_one()
        evidence.sha256, evidence.stored_path = keep(tmp_path, b"a photo", ".jpg")
        evidence.size = 7
        session.commit()
        office = Chatter(session, "Hà", [office_unit], Role.OFFICE)
        office.chat.defaults = replace(DEFAULTS, evidence_dir=tmp_path)
        office.say("/duyet")

    shown = ok(tocds("admin", "evidence", "--commune", COMMUNE, "--keep-days", "30", db=db_url, cwd=cwd))
    assert shown.splitlines()[1:] == [
        f"{COMMUNE}: files kept 30 days after their decision (approved or to complete); never reviewed, 30 days "
        "after the deadline of their month's report",
        "evidence,received,status,size,kept_until", f"{evidence.id},2026-11-25,pending,7,2026-12-30"]
    views = ok(tocds("admin", "evidence", "--commune", COMMUNE, "--views", db=db_url, cwd=cwd))
    assert views.splitlines()[1:] == ["at,viewer,via,evidence,village,day",
                                      f"2026-11-25 12:00 Asia/Ho_Chi_Minh (Wednesday),Hà,/duyet console,{evidence.id},"
                                      f"{TAN_HOA},2026-11-25"]
    assert "0 or more" in refused(tocds("admin", "evidence", "--commune", COMMUNE, "--keep-days", "-1",
                                        db=db_url, cwd=cwd))


def test_admin_person_prints_what_is_stored_and_erases_once_they_left(db_url, cwd):
    from helpers import Chatter
    from tocds.models import Role

    import_villages(db_url, cwd)
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        village = session.execute(select(OrgUnit).where(OrgUnit.name == TAN_HOA)).scalar_one()
        Chatter(session, "Lan", [village], Role.MEMBER).say("vneid 5")
    stored = json.loads(ok(tocds("admin", "person", "--person", "lan", db=db_url, cwd=cwd)))
    assert (stored["person"]["name"], stored["places"][0]["unit"], stored["chats"][0]["chat_id"]) == (
        "Lan", TAN_HOA, "lan")
    assert "--operator" in refused(tocds("admin", "person", "--person", "Lan", "--erase", db=db_url, cwd=cwd))
    assert "still has a place" in refused(tocds("admin", "person", "--person", "Lan", "--erase", "--operator", "Tuấn",
                                                db=db_url, cwd=cwd))
    ok(tocds("admin", "remove", "--commune", COMMUNE, "--person", "Lan", db=db_url, cwd=cwd))
    result = tocds("admin", "person", "--person", "Lan", "--erase", "--operator", "Tuấn", db=db_url, cwd=cwd)
    erased = json.loads(ok(result))
    label = erased["person"]["name"]
    assert label.startswith("Thành viên #") and erased["chats"] == [] and erased["erased"][0]["operator"] == "Tuấn"
    assert f"Lan is now {label}" in result.stderr
    assert "nobody named 'Lan'" in refused(tocds("admin", "person", "--person", "Lan", db=db_url, cwd=cwd))


# ── members ─────────────────────────────────────────────────────────────────────────────


def test_admin_members_remove_and_role(db_url, cwd):
    from helpers import Chatter
    from tocds.models import Membership, MembershipEvent, Role, Subscription

    import_villages(db_url, cwd)
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        commune = session.execute(select(OrgUnit).where(OrgUnit.level == "commune")).scalar_one()
        villages = {v.name: v for v in session.execute(select(OrgUnit).where(OrgUnit.parent_id == commune.id)).scalars()}
        Chatter(session, "Lan", [villages[TAN_HOA]], Role.MEMBER).say("vneid 5")
        Chatter(session, "Hùng", [commune], Role.LEADER).say("/nhantin")
        Chatter(session, "Tú", [villages[TAN_HOA], villages[PHU_LOI]], Role.MEMBER)
    joined = vn_today().isoformat()  # the Chatters joined now, a day of the commune (the test clock is for messages)
    members = ok(tocds("admin", "members", "--commune", COMMUNE, db=db_url, cwd=cwd))
    assert list(csv.reader(io.StringIO(members))) == [
        ["name", "unit", "role", "channel", "joined", "last_report"],
        ["Hùng", COMMUNE, "leader", "console", joined, ""],
        ["Lan", TAN_HOA, "member", "console", joined, "2026-11-25"],
        ["Tú", TAN_HOA, "member", "console", joined, ""],
        ["Tú", PHU_LOI, "member", "console", joined, ""],
    ]
    village = ok(tocds("admin", "members", "--commune", COMMUNE, "--village", PHU_LOI, db=db_url, cwd=cwd))
    assert village.splitlines()[1:] == [f"Tú,{PHU_LOI},member,console,{joined},"]

    assert "add --village V" in refused(tocds("admin", "remove", "--commune", COMMUNE, "--person", "Tú",
                                              db=db_url, cwd=cwd))
    assert "tocds admin members" in refused(tocds("admin", "remove", "--commune", COMMUNE, "--person", "Nobody",
                                                  db=db_url, cwd=cwd))
    assert "no village named" in refused(tocds("admin", "role", "--commune", COMMUNE, "--person", "Lan",
                                               "--village", "Thôn Xa", "--role", "village_leader", db=db_url, cwd=cwd))
    assert "does not belong to a village" in refused(tocds("admin", "role", "--commune", COMMUNE, "--person", "Lan",
                                                           "--role", "office", db=db_url, cwd=cwd))
    assert "unknown role" in refused(tocds("admin", "role", "--commune", COMMUNE, "--person", "Lan",
                                           "--role", "boss", db=db_url, cwd=cwd))

    ok(tocds("admin", "remove", "--commune", COMMUNE, "--person", "tú", "--village", PHU_LOI, db=db_url, cwd=cwd))
    assert ok(tocds("admin", "role", "--commune", COMMUNE, "--person", "Lan", "--role", "village_leader",
                    db=db_url, cwd=cwd)) == f"Lan: member → village_leader in {TAN_HOA}\n"
    assert ok(tocds("admin", "remove", "--commune", COMMUNE, "--person", "Hùng", db=db_url, cwd=cwd)) == (
        f"Hùng no longer belongs to {COMMUNE} (leader); chats they subscribed that stopped: 1\n")
    assert ok(tocds("admin", "members", "--commune", COMMUNE, db=db_url, cwd=cwd)).splitlines()[1:] == [
        f"Lan,{TAN_HOA},village_leader,console,{joined},2026-11-25", f"Tú,{TAN_HOA},member,console,{joined},"]
    assert count_rows(db_url, Subscription) == 0 and count_rows(db_url, Membership) == 2
    with Session(get_engine(db_url)) as session:
        events = session.execute(select(MembershipEvent.action, MembershipEvent.by_id)
                                 .order_by(MembershipEvent.id)).all()
    assert events == [("removed", None), ("role", None), ("removed", None), ("unsubscribed", None)]


def test_admin_place_rename_merge_retire_delete(db_url, cwd):
    """The operator fixes places: each change says what it did; a refused one says why and how,
    exits 2 and changes nothing."""
    from helpers import Chatter
    from tocds.models import PlaceEvent, Role

    (cwd / "villages.csv").write_text(VILLAGES_CSV + f"{COMMUNE},Thôn Khe Bai,20,88,60,64\n"
                                      f"{COMMUNE},Xóm Khe Bai,100,400,300,320\n", encoding="utf-8")
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        # Imported before the import refused near names (as it does now without --new).
        import_villages_csv(session, cwd / "villages.csv", "Asia/Ho_Chi_Minh", new=["Xóm Khe Bai"])
        duplicate = session.execute(select(OrgUnit).where(OrgUnit.name == "Thôn Khe Bai")).scalar_one()
        Chatter(session, "Lan", [duplicate], Role.MEMBER).say("vneid 5")

    def place(*args: str) -> subprocess.CompletedProcess:
        return tocds("admin", "place", *args, db=db_url, cwd=cwd)

    assert "merge 'Thôn Khe Bai' into it" in refused(place("rename", "--commune", COMMUNE, "--village",
                                                            "Thôn Khe Bai", "--to", "xom khe bai"))
    assert "no village named 'Thôn Xa'" in refused(place("merge", "--commune", COMMUNE, "--village", "Thôn Xa",
                                                         "--into", "Xóm Khe Bai"))
    assert "Lan still belong to 'Thôn Khe Bai'" in refused(place("retire", "--commune", COMMUNE,
                                                                  "--village", "Thôn Khe Bai"))
    assert "has reports and members" in refused(place("delete", "--commune", COMMUNE, "--village", "Thôn Khe Bai"))
    assert "is not a date" in tocds("admin", "place", "retire", "--commune", COMMUNE, "--village", PHU_LOI,
                                    "--from", "mai", db=db_url, cwd=cwd).stderr
    assert count_rows(db_url, PlaceEvent) == 0
    (cwd / "more.csv").write_text(f"commune,village,households,population,adults\n{COMMUNE},Bản Khe Bai,1,4,3\n",
                                  encoding="utf-8")
    assert "import again with --new 'Bản Khe Bai'" in refused(tocds("admin", "import", "more.csv", db=db_url, cwd=cwd))
    (cwd / "excel.csv").write_bytes("commune,village,households,population,adults\nXa Kon,Thôn Bã,1,4,3\n"
                                    .encode("cp1252"))
    assert "excel.csv, row 2: the file is not saved as UTF-8" in refused(tocds("admin", "import", "excel.csv",
                                                                              db=db_url, cwd=cwd))
    assert ok(tocds("admin", "import", "more.csv", "--new", "Bản Khe Bai", db=db_url, cwd=cwd)).startswith(
        "more.csv: 1 villages added")
    ok(place("delete", "--commune", COMMUNE, "--village", "Bản Khe Bai"))

    assert ok(place("merge", "--commune", COMMUNE, "--village", "thon khe bai", "--into", "Xóm Khe Bai")) == (
        "Thôn Khe Bai merged into Xóm Khe Bai\n")
    assert ok(place("rename", "--commune", COMMUNE, "--to", "Xã Đồng Phú Mới")) == f"{COMMUNE} → Xã Đồng Phú Mới\n"
    retired = ok(place("retire", "--commune", "Xã Đồng Phú Mới", "--village", PHU_LOI, "--from", "2026-12-07"))
    assert retired.startswith(f"{PHU_LOI} is retired from 07/12/2026 (")
    assert ok(place("retire", "--commune", "Xã Đồng Phú Mới", "--village", PHU_LOI, "--undo")) == (
        f"{PHU_LOI} counts again\n")
    with Session(get_engine(db_url)) as session:
        lan_village = session.execute(select(OrgUnit.name).join(Entry, Entry.village_id == OrgUnit.id)).scalar_one()
        events = session.execute(select(PlaceEvent.action, PlaceEvent.name).order_by(PlaceEvent.id)).all()
    assert lan_village == "Xóm Khe Bai"
    assert events == [("delete", "Bản Khe Bai"), ("merge", "Thôn Khe Bai"), ("rename", COMMUNE), ("retire", PHU_LOI), ("unretire", PHU_LOI)]
