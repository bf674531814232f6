"""An operator's first hour: the mistakes and accidents of a server in a commune (a job run
twice, a typo in a setting, a second copy started), each answered in one line with its fix."""

import os
import subprocess
import time

import pytest
from fake_telegram import FakeTelegram
from processes import Processes, free_port, wait_until
from sqlmodel import select
from test_cli import COMMUNE, TOCDS, count_rows, import_villages, ok, refused, tocds
from test_telegram import wait_polling

from tocds.bot.database import DatabaseProblem, only_one
from tocds.models import ChannelAccount, JobRun, OutboxMessage, Person, Role
from tocds.models.invites import join

FRIDAY = "2026-11-27T15:00+07:00"


def test_a_job_run_again_for_its_period_says_so_at_once(db_url, cwd):
    import_villages(db_url, cwd)
    first = ok(tocds("jobs", "run", "reminders", "--commune", COMMUNE, "--now", FRIDAY, db=db_url, cwd=cwd))
    assert f"reminders, {COMMUNE}, 2026-W48:" in first and "queued" in first
    started = time.monotonic()
    again = ok(tocds("jobs", "run", "reminders", "--commune", COMMUNE, "--now", FRIDAY, db=db_url, cwd=cwd))
    assert "already ran for this period" in again
    assert time.monotonic() - started < 5  # not SQLite's 10 s wait for a lock the run itself held
    assert count_rows(db_url, JobRun) == 1


def test_a_job_for_every_commune_when_there_is_none(db_url, cwd):
    started = time.monotonic()
    assert ok(tocds("jobs", "run", "weekly-summary", db=db_url, cwd=cwd)) == ""
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(("url", "says"), [
    ("sqlite://x.db", "names no SQLite file: write sqlite:///tocds.db"),
    ("nonsense", "is not a database URL"),
    ("mysql://u@127.0.0.1/x", "runs on SQLite or PostgreSQL"),
    ("sqlite:///no/such/folder/x.db", "does not exist: create it (mkdir -p"),
    ("sqlite:///typo.db", "no database at"),
    # The postgres extra's driver is psycopg; a URL asking for another driver finds it missing, as
    # an install without the extra finds psycopg missing.
    ("postgresql+psycopg2://tocds@127.0.0.1/tocds", "pip install 'tocds[postgres]'"),
    ("postgresql+psycopg://tocds:secret-pw@127.0.0.1:1/tocds", "cannot open PostgreSQL"),
])
def test_a_wrong_database_url_is_one_line_with_its_fix(cwd, url, says):
    error = refused(tocds("admin", "members", "--commune", COMMUNE, db=url, cwd=cwd))
    assert says in error and error.count("\n") == 1, error
    assert "secret-pw" not in error
    assert list(cwd.iterdir()) == []  # no empty database made from a typo


def test_only_the_commands_that_set_a_database_up_create_one(cwd):
    url = "sqlite:///tocds.db"
    for command in (("chat",), ("run",), ("jobs", "run", "alerts"), ("export", "--commune", COMMUNE, "--period", "2026")):
        error = refused(tocds(*command, db=url, cwd=cwd))
        assert f"no database at {cwd / 'tocds.db'}" in error and "tocds db upgrade" in error, (command, error)
    assert not (cwd / "tocds.db").exists()
    ok(tocds("db", "upgrade", db=url, cwd=cwd))
    error = refused(tocds("admin", "members", "--commune", "Xã Đồng Phu", db=url, cwd=cwd))
    assert f"no commune named 'Xã Đồng Phu' in SQLite file {cwd / 'tocds.db'}" in error


def test_a_typo_in_a_setting_names_the_variable(cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOCDS_")}
    env.update(TOCDS_TIMEZONE="Asia/Ho_Chi_Mihn", TOCDS_LOCALE="vn", TOCDS_LISTEN="8080")
    result = subprocess.run([str(TOCDS), "db", "upgrade"], env=env, cwd=cwd, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    for variable in ("TOCDS_TIMEZONE: 'Asia/Ho_Chi_Mihn' is not a time zone", "TOCDS_LOCALE: 'vn'",
                     "TOCDS_LISTEN: '8080' is not host:port"):
        assert variable in result.stderr
    assert not (cwd / "tocds.db").exists()


def test_a_job_run_by_hand_without_network_keeps_its_messages_queued(db_url, session, commune, tmp_path):
    """`tocds jobs run` when the messenger cannot be reached: one line with the cause and
    what becomes of the messages (they stay queued for the running bot), exit 1, no traceback."""
    lan = Person(name="Lan", locale="vi")
    session.add(lan)
    session.flush()
    session.add(ChannelAccount(person_id=lan.id, channel="telegram", external_id="3101"))
    join(session, lan, commune.villages["Thôn Tân Hòa"], Role.MEMBER)
    session.commit()
    group = Processes(tmp_path, {"TOCDS_DATABASE_URL": db_url})
    result = group.run("jobs", "run", "reminders", "--commune", "Xã Đồng Phú", "--now", FRIDAY,
                       TOCDS_TELEGRAM_TOKEN="123:fake", TOCDS_TELEGRAM_API_URL=f"http://127.0.0.1:{free_port()}/bot")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "reminders, Xã Đồng Phú, 2026-W48:" in result.stdout
    [said] = result.stderr.strip().splitlines()
    assert said.startswith("telegram: cannot reach the messenger (") and "stays in the outbox" in said, said
    waiting = session.exec(select(OutboxMessage).where(OutboxMessage.channel == "telegram",
                                                        OutboxMessage.chat_id == "3101")).all()
    assert waiting and all(row.sent_at is None and row.gave_up is None for row in waiting)


# ── tocds run: no network at boot, a second copy ────────────────────────────────────────


def test_run_waits_for_the_network_then_serves(db_url, tmp_path):
    """The messenger cannot be reached at start (nothing listens on its port yet): the bot
    keeps trying, one line per attempt naming the cause, and works once it can; the same
    when the network drops later."""
    port = free_port()
    group = Processes(tmp_path, {"TOCDS_DATABASE_URL": db_url})
    fake = FakeTelegram()
    try:
        bot = group.start("run", TOCDS_TELEGRAM_TOKEN=fake.token,
                          TOCDS_TELEGRAM_API_URL=f"http://127.0.0.1:{port}/bot")
        wait_until(lambda: "attempt 2" in bot.log() or not bot.alive, timeout=30, what="a second attempt")
        assert bot.alive, bot.log()
        attempts = [line for line in bot.log().splitlines() if "start-up failed" in line]
        assert "attempt 1" in attempts[0] and "cause=" in attempts[0] and "ConnectError" in attempts[0]
        assert "traceback=" not in bot.log()
        fake.start(port)
        wait_polling(fake, bot, since=0, timeout=90)
        [answer] = fake.say(4242, "vneid 5")
        assert "/start" in answer["text"]  # a stranger is told how to join: the bot answers

        # The network drops while it runs: one line per failed poll, backing off, and back to work after.
        fake.stop()
        wait_until(lambda: "polling failed (attempt 3)" in bot.log() or not bot.alive, timeout=60,
                   what="a third failed poll")
        polls = [line for line in bot.log().splitlines() if "polling failed" in line]
        assert "attempt 1" in polls[0] and "attempt 2" in polls[1] and "cause=" in polls[1], polls
        assert "traceback=" not in bot.log()
        since = len(fake.calls)
        fake.start(port)
        wait_polling(fake, bot, since=since, timeout=90)
        [answer] = fake.say(4243, "hộ 3")
        assert "/start" in answer["text"]
    finally:
        group.stop()
        fake.stop()
        print(group.logs())


def test_a_second_run_on_one_sqlite_file_refuses_naming_the_first(tmp_path):
    url = f"sqlite:///{tmp_path / 'tocds.db'}"
    group = Processes(tmp_path, {"TOCDS_DATABASE_URL": url})
    assert group.run("db", "upgrade").returncode == 0
    with FakeTelegram() as fake:
        telegram = {"TOCDS_TELEGRAM_TOKEN": fake.token, "TOCDS_TELEGRAM_API_URL": fake.api_url}
        try:
            first = group.start("run", **telegram)
            wait_polling(fake, first, since=0)
            second = group.run("run", timeout=30, **telegram)
            assert second.returncode == 2 and "Traceback" not in second.stderr, second.stderr
            assert f"another `tocds run` (pid {first.pid}) already serves {tmp_path / 'tocds.db'}" in second.stderr
            assert first.alive
            first.kill()  # kill -9 leaves no stale lock: the next start works
            again = group.start("run", name="again", **telegram)
            mark = fake.mark()
            wait_polling(fake, again, since=mark)
        finally:
            group.stop()
            print(group.logs())


def test_only_one_holds_sqlite_files_alone(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    with only_one(url, "run"):
        with pytest.raises(DatabaseProblem, match=rf"another `tocds run` \(pid {os.getpid()}\)"):
            with only_one(url, "run"):
                pass
        with only_one(url, "scheduler"):  # another command: its own lock
            pass
    with only_one(url, "run"):  # released at the block's end
        pass
    server = "postgresql+psycopg://tocds@127.0.0.1/tocds"
    with only_one(server, "run"), only_one(server, "run"):  # PostgreSQL: several workers
        pass


# ── tocds chat and jobs run: who the operator is, and the files ──────────────────────────


def test_chat_without_a_role_keeps_the_place_the_user_has(db_url, cwd):
    from tocds.models import Membership

    import_villages(db_url, cwd)
    ok(tocds("chat", "--user", "Hà", "--role", "office", db=db_url, cwd=cwd, input="/huy\n"))
    for _ in range(2):  # again and again without --role: still the office, still one place
        help_text = ok(tocds("chat", "--user", "Hà", db=db_url, cwd=cwd, input="/trogiup\n"))
        assert "/moi" in help_text and "/baocao (/report)" not in help_text
    assert count_rows(db_url, Membership) == 1
    # A new user without --role: a member of the first village, as before.
    assert "/baocao" in ok(tocds("chat", "--user", "Lan", db=db_url, cwd=cwd, input="/trogiup\n"))


def test_chat_and_jobs_run_write_the_files_with_out(db_url, cwd):
    import_villages(db_url, cwd)
    out = cwd / "files"
    office = ("chat", "--user", "Hà", "--role", "office", "--commune", COMMUNE)
    exported = tocds(*office, "--out", str(out), db=db_url, cwd=cwd, input="/xuat\n/nhantin\n")
    [workbook] = out.glob("*.xlsx")
    assert f"({workbook})" in ok(exported) and workbook.stat().st_size > 0
    workbook.unlink()
    unwritten = tocds(*office, db=db_url, cwd=cwd, input="/xuat\n")
    assert "📎" in ok(unwritten) and "add --out DIR" in unwritten.stderr and list(out.iterdir()) == []

    monday = "2026-11-30T09:00+07:00"
    summary = ok(tocds("jobs", "run", "weekly-summary", "--commune", COMMUNE, "--now", monday, "--out", "files",
                       db=db_url, cwd=cwd))
    assert "messages queued" in summary
    written = sorted(p.suffix for p in out.iterdir())
    assert ".png" in written and ".xlsx" in written, summary


def test_a_chat_left_open_reads_the_catalog_for_each_message(db_url, session, commune):
    from sqlmodel import Session

    from tocds.bot.channels.console import ConsoleChat, sign_in
    from tocds.bot.settings import Settings
    from tocds.models import Indicator, Role
    from tocds.models.db import get_engine
    from tocds.models.types import utcnow

    defaults = Settings(_env_file=None, database_url=db_url).defaults()
    with Session(get_engine(db_url), expire_on_commit=False) as chat_session:
        sign_in(chat_session, "Lan", chat_session.merge(commune.villages["Thôn Tân Hòa"]), Role.MEMBER, None, defaults)
        chat = ConsoleChat(chat_session, "Lan", defaults)
        assert chat.send("cks 1")[0].text.startswith("✅")
        retired = session.get(Indicator, "cks")  # the operator retires it while the chat stays open
        retired.retired_at = utcnow()
        session.add(retired)
        session.commit()
        answer = chat.send("cks 2")[0].text
    assert not answer.startswith("✅"), answer


# ── tocds admin: the commune's days, English that reads right, names it could mean ──────


def test_admin_says_times_in_the_communes_zone_with_plurals_and_articles(db_url, cwd):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from sqlmodel import Session, select

    from tocds.models import Invite, Membership, OrgUnit, Person
    from tocds.models.db import get_engine
    from tocds.models.jobs import WEEKDAYS

    import_villages(db_url, cwd)
    printed = ok(tocds("admin", "invite", "--commune", COMMUNE, "--role", "office", "--uses", "1", db=db_url, cwd=cwd))
    with Session(get_engine(db_url)) as session:
        expires = session.exec(select(Invite)).one().expires_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
        # Someone who joined at 01:09 on 07/12 in Vietnam (18:09 on 06/12 UTC).
        person = Person(name="Bình", locale="vi")
        session.add(person)
        session.flush()
        village = session.exec(select(OrgUnit).where(OrgUnit.level == "village")).first()
        session.add(Membership(person_id=person.id, org_unit_id=village.id, role="member",
                               created_at=datetime(2026, 12, 6, 18, 9, tzinfo=UTC)))
        session.commit()
    assert (f"(Xã Đồng Phú, office, 1 use, expires {expires:%Y-%m-%d %H:%M} Asia/Ho_Chi_Minh "
            f"({WEEKDAYS[expires.weekday()].capitalize()}))") in printed
    members = ok(tocds("admin", "members", "--commune", COMMUNE, db=db_url, cwd=cwd))
    assert "Bình,Thôn Tân Hòa,member,,2026-12-07," in members.splitlines()

    error = refused(tocds("admin", "invite", "--commune", COMMUNE, "--village", "Thôn Tân Hòa", "--role", "office",
                          db=db_url, cwd=cwd))
    assert "an office does not belong to a village" in error


def test_names_it_could_mean_and_every_role_in_chat_help(db_url, cwd):
    import_villages(db_url, cwd)
    without_kind = refused(tocds("admin", "members", "--commune", COMMUNE, "--village", "Tân Hòa", db=db_url, cwd=cwd))
    assert "no village named 'Tân Hòa' in Xã Đồng Phú: did you mean 'Thôn Tân Hòa'?" in without_kind
    near = refused(tocds("admin", "members", "--commune", "Xa Dong Phuc", db=db_url, cwd=cwd))
    assert "did you mean 'Xã Đồng Phú'?" in near
    nothing_near = refused(tocds("admin", "members", "--commune", "Hà Nội", db=db_url, cwd=cwd))
    assert "did you mean" not in nothing_near and "see `tocds admin import`" in nothing_near
    help_text = ok(tocds("chat", "--help", db=db_url, cwd=cwd))
    for role in ("member", "village_leader", "office", "leader", "admin", "province_office", "province_leader"):
        assert role in help_text
