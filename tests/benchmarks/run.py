"""Benchmarks: each figure measured beside its baseline in the same run.

    python tests/benchmarks/run.py [--quick] --json FILE

So far:
- telegram_reports_per_s / telegram_echo_per_s: quick reports answered per second by
  `tocds run` (python-telegram-bot, durable inbox and outbox, SQLite) against a loopback
  fake Bot API server, beside an echo bot on python-telegram-bot through the same fake.
  Both use PTB's AIORateLimiter, so both are held to Telegram's 30 messages a second: the
  ratio says whether tocds keeps up with what Telegram allows.
- fanout_*: Friday's reminders to every member of a commune (`tocds jobs run reminders`)
  against a fake that enforces Telegram's limits (30/s overall, 1/s per chat) and answers
  429 beyond them: messages per second beside the limit, requests over it, and dropped.
Not part of the normal test run.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the tests' fakes and helpers

from fake_telegram import FakeTelegram  # noqa: E402
from processes import Processes, wait_until  # noqa: E402
from sqlmodel import Session  # noqa: E402

from tocds.models import ChannelAccount, Level, OrgUnit, Person, Role  # noqa: E402
from tocds.models.db import get_writer, upgrade  # noqa: E402
from tocds.models.invites import join  # noqa: E402
from tocds.models.text import fold  # noqa: E402

FIRST_USER = 10_000


def members(database_url: str, count: int) -> None:
    """A commune of 10 villages and `count` members who joined on Telegram."""
    upgrade(database_url)
    with Session(get_writer(database_url)) as session:
        commune = OrgUnit(level=Level.COMMUNE, name="Xã Bench", name_key="xa bench", timezone="Asia/Ho_Chi_Minh")
        session.add(commune)
        session.flush()
        villages = []
        for n in range(10):
            village = OrgUnit(parent_id=commune.id, level=Level.VILLAGE, name=f"Thôn {n}",
                              name_key=fold(f"Thôn {n}"), households=1000, population=4000, adults=3000, pop15=3200)
            session.add(village)
            villages.append(village)
        session.flush()
        for n in range(count):
            person = Person(name=f"Member {n}")
            session.add(person)
            session.flush()
            session.add(ChannelAccount(person_id=person.id, channel="telegram", external_id=str(FIRST_USER + n)))
            join(session, person, villages[n % 10], Role.MEMBER)
        session.commit()


def burst(fake: FakeTelegram, count: int, text: str) -> float:
    """Queues one message from each of `count` users at once; seconds until all are answered."""
    start_sent = fake.sent_count()
    started = time.perf_counter()
    for n in range(count):
        fake.send_text(FIRST_USER + n, text)
    fake.wait_sent(start_sent + count, timeout=600)
    return time.perf_counter() - started


def ready(fake: FakeTelegram) -> None:
    wait_until(lambda: len(fake.calls_of("getUpdates")) >= 1, 60, "the bot to poll")
    time.sleep(0.5)


def measure(count: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        database_url = f"sqlite:///{work / 'bench.db'}"
        members(database_url, count)
        results = {}
        with FakeTelegram() as fake:
            env = {"TOCDS_TELEGRAM_TOKEN": fake.token, "TOCDS_TELEGRAM_API_URL": fake.api_url,
                   "TOCDS_DATABASE_URL": database_url}
            processes = Processes(work, env)
            try:
                processes.start("run")
                ready(fake)
                results["telegram_reports_per_s"] = count / burst(fake, count, "vneid 1 bdhvs 2")
            finally:
                processes.stop()
        with FakeTelegram() as fake:
            env = {"TOCDS_TELEGRAM_TOKEN": fake.token, "TOCDS_TELEGRAM_API_URL": fake.api_url}
            echo = subprocess.Popen([sys.executable, str(HERE / "echo_bot.py")], env={**env, "PATH": ""},
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                ready(fake)
                results["telegram_echo_per_s"] = count / burst(fake, count, "vneid 1 bdhvs 2")
            finally:
                echo.terminate()
                echo.wait(10)
        results["telegram_ratio"] = results["telegram_reports_per_s"] / results["telegram_echo_per_s"]
        return results


def fanout(count: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        database_url = f"sqlite:///{work / 'fanout.db'}"
        members(database_url, count)
        with FakeTelegram() as fake:
            fake.set_rate_limits(per_second=30, per_chat_per_second=1)
            env = {"TOCDS_TELEGRAM_TOKEN": fake.token, "TOCDS_TELEGRAM_API_URL": fake.api_url,
                   "TOCDS_DATABASE_URL": database_url}
            started = time.perf_counter()
            done = Processes(work, env).run("jobs", "run", "reminders", "--now", "2026-11-27T15:00+07:00",
                                            timeout=3600)
            elapsed = time.perf_counter() - started
            if done.returncode != 0:
                raise SystemExit(done.stderr)
            sent = fake.accepted
            return {
                "fanout_msgs_per_s": sent / elapsed,
                "fanout_limit_per_s": 30.0,
                "fanout_over_limit": fake.over_limit,
                "fanout_dropped": count - sent,
            }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller burst (under two minutes)")
    parser.add_argument("--json", type=Path, required=True, help="file to write the figures to")
    args = parser.parse_args()
    figures = measure(300 if args.quick else 1500)
    figures.update(fanout(500 if args.quick else 5000))
    args.json.write_text(json.dumps(figures, indent=2) + "\n")
    for key, value in figures.items():
        print(f"{key}: {value:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
