"""Benchmarks: each figure measured beside its baseline in the same run.

    python tests/benchmarks/run.py [--quick] [--postgres URL] [--only PART …] --json FILE

Not part of the normal test run. `--quick` finishes in under two minutes on two cores;
the scale each part used is written to FILE too. `--only summaries` (readers, bots, fanout,
announce; repeatable) runs those parts alone. The keys:

Bots (`tocds run` on SQLite, and an echo bot on python-telegram-bot, each against its own
loopback fake Bot API server, tests/fake_telegram.py; both processes run through the
whole section, each measured while the other one idles in its long poll):
- telegram_reports_per_s / telegram_echo_per_s / telegram_ratio: a burst of one report
  from each of `telegram_burst` members, queued at once: replies per second, beside the echo
  bot answering the same burst. Both use PTB's AIORateLimiter, so both are held to
  Telegram's 30 messages a second (tocds keeps at most 30 in any one second and 1/s per
  private chat, counted from Telegram's answers; the echo bot uses PTB's default bucket,
  which lets a second burst follow at once): the ratio says whether tocds keeps up with
  what Telegram allows.
- reply_p95_ms / echo_reply_p95_ms / reply_p95_ratio: 50 members report at once
  (`reply_rounds` rounds; after each round's last reply a 1.1 s pause, as no member writes
  twice within a second); the 95th percentile, over every report, of the time from the
  update being queued at the fake (available to getUpdates) until the reply's sendMessage
  arrives at the fake. reply_p50_ms / echo_reply_p50_ms beside them. reply_pace_floor_ms
  is what an even 29/s pace alone would make the p95 of a 50-message burst (tocds's
  sliding window lets the first 30 go at once, as the echo bot's bucket does).
- rss_mb_run / rss_mb_echo / rss_ratio: resident memory (VmRSS from /proc, the process and
  any children it started) of `tocds run` and of the echo bot after each has answered
  `rss_reports` reports (10,000; quick: 600) — the two above and then bursts from all
  members until the count is reached (the two bots fed at the same time here).
  rss_mb_run_start / rss_mb_echo_start: the same when they were ready, before any report;
  rss_curve_run / rss_curve_echo: [reports answered, MiB] after each burst of the top-up,
  to tell a plateau from a leak.
- rss_mb_floor: the same of a process that imports exactly the modules `tocds run` imported
  in this run (read from its `-X importtime` lines, lazy imports included) and does nothing
  else (floor.py); rss_floor_modules / rss_floor_failed: how many, and how many of them did
  not import (optional libraries that `tocds run` tried and went without: `-X importtime`
  lists the tries too). rss_floor_ratio = rss_mb_run / rss_mb_floor; target ≤ 1.25.
- rss_mb_growth_per_1000: the slope of rss_curve_run (least squares) once the first
  quarter of `rss_reports` is answered (the warm-up): MiB per 1,000 more reports; target ≤ 0.3.
  None with fewer than two points after the warm-up (`--quick`: its top-up is one burst).

Summaries (models/summary.py, the code `tocds` runs), on a province store made by
generate.py in a database of the benchmark's own (a new SQLite file; a new
`tocds_bench_*` database on the PostgreSQL server given by --postgres, dropped after):
3,000 villages (100 communes × 30) × 52 weeks × 7 indicators, 1.09 million counts
(quick: 10 weeks, 0.21 million); `summary_store_*` records the scale and rows.
- entries_scan_s_<db>: the baseline, a plain full scan of the entries table by the
  database: `SELECT count(*), sum(count) FROM entry_count` (every row read, nothing but
  the two numbers sent back), median of 5, warm.
- province_summary_s_<db>: what a province leader receives for ISO week 2026-W52 (progress
  as of its Sunday): the province's summary (`province_summary`: its 100 communes' rows
  in one call, each commune's figures and progress added up per commune, not per village)
  written as its text (`province_text`: the communes ranked, the red ones, the villages not
  reporting), in one session; median of 3, warm. province_ratio_<db> = province / scan;
  target ≤ 2.
  province_by_commune_s_<db>: the communes' own summaries, as Monday's job computes them:
  `weekly_summary` for each commune, a session each (each commune has its own hour); for
  information.
- commune_summary_s_<db>: the same for one commune (the 51st), a session of its own;
  median of 10, warm. commune_ratio_<db> = commune / scan; target < 0.05.
- web_overview_province_s_<db>, web_overview_commune_s_<db>: the web desk's overview page
  of the province and of that commune for the same week as of the same day, HTML complete,
  got through Starlette's TestClient by a signed-in province leader (commune office);
  median of 3 (10 for the commune). web_province_ratio_<db> = web / province_summary,
  web_commune_ratio_<db> = web / commune_summary; target ≤ 1.5.
- The summaries are timed in a process settled as `tocds run`, `scheduler` and `serve` settle
  theirs once started (bot/runtime.py spare_the_collector: what start-up built is kept out
  of the garbage collector's full passes, which would otherwise walk it all again during a
  summary); the scan is timed in the same process.
- entries_fetch_s_<db>: for scale, every row of entry_count fetched into Python by the
  same driver (`SELECT * FROM entry_count`, fetchall); median of 3.
- <db> is `sqlite` or `postgres`; the plain keys (entries_scan_s, province_summary_s,
  commune_summary_s) repeat SQLite's. summary_postgres_skipped says why PostgreSQL was
  left out, when it was.

Readers (pure functions, no database), over every message of tests/phrasebook/:
- grammar_us_per_message: the strict quick-report grammar (`parse_report`), microseconds a
  message, median of 5 passes; the baseline.
- reading_us_per_message: what a member's message costs now (`read_report`: the strict
  grammar, then the lenient reader where the grammar reads no report); reading_ratio =
  reading / grammar. phrasebook_messages: how many.

Fan-out:
- fanout_*: Friday's reminders to every member of a commune (`tocds jobs run reminders`)
  against a fake that enforces Telegram's limits (30/s overall, 1/s per chat) and answers
  429 beyond them: messages per second beside the limit, requests over it, and dropped.
- announce_*: one `/thongbao` to the whole commune (every member, on Telegram), sent by the
  outbox's senders against the same fake: the same figures, and announce_share_of_limit
  (messages per second / the limit).
"""

import argparse
import itertools
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the tests' fakes and helpers
sys.path.insert(0, str(HERE))  # generate.py

from fake_telegram import FakeTelegram  # noqa: E402
from generate import AS_OF, SUMMARY_WEEK, Refused, Scale, check_store, drop, generate  # noqa: E402
from processes import Processes, wait_until  # noqa: E402
from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session  # noqa: E402

from tocds.bot.runtime import spare_the_collector  # noqa: E402
from tocds.figures.text import province_text  # noqa: E402
from tocds.locales import translator  # noqa: E402
from tocds.models import ChannelAccount, Level, OrgUnit, Person, Role  # noqa: E402
from tocds.models.db import get_engine, get_writer, upgrade  # noqa: E402
from tocds.models.invites import join  # noqa: E402
from tocds.models.summary import province_summary, weekly_summary  # noqa: E402
from tocds.models.text import fold  # noqa: E402

FIRST_USER = 10_000
_SENT = itertools.count()


def report() -> str:
    """The next burst's report, `vneid 1 bdhvs 1` … `vneid 9 bdhvs 9`: a member's reports differ
    from one burst to the next, as the same report again within 30 minutes is asked about."""
    n = next(_SENT)
    return f"vneid {n % 9 + 1} bdhvs {n // 9 % 9 + 1}"


AT_ONCE = 50  # members reporting at once, for the reply times
TOCDS_PACE_PER_S = 29  # bot/channels/telegram.py OVERALL_PER_SECOND
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1/postgres"


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
                              name_key=fold(f"Thôn {n}"),
                              sizes={"households": 100_000, "population": 400_000, "adults": 300_000, "pop15": 320_000})
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


def reply_times(fake: FakeTelegram, rounds: int) -> list[float]:
    """Seconds from each report being queued to its reply's sendMessage reaching the fake."""
    times: list[float] = []
    for _ in range(rounds):
        mark = fake.mark()
        start_sent = fake.sent_count()
        queued: dict[int, float] = {}
        text = report()
        for n in range(AT_ONCE):
            user = FIRST_USER + n
            queued[user] = time.monotonic()
            fake.send_text(user, text)
        fake.wait_sent(start_sent + AT_ONCE, timeout=120)
        answered: dict[int, float] = {}
        for call in fake.calls_of("sendMessage", since=mark):
            chat = int(str(call.params.get("chat_id")))
            if call.ok and chat in queued and chat not in answered:
                answered[chat] = call.at
        times.extend(answered[user] - queued[user] for user in queued)
        time.sleep(1.1)
    return times


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def rss_mb(pid: int) -> float:
    """VmRSS of a process and of its descendants, in MiB, from /proc."""
    total_kb, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except FileNotFoundError:
            continue
        total_kb += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
        for task in Path(f"/proc/{current}/task").iterdir():
            children = (task / "children").read_text().split()
            pending.extend(int(child) for child in children)
    return total_kb / 1024


def top_up(fake: FakeTelegram, members_count: int, answered: int, target: int, pid: int,
           curve: list[list[float]]) -> None:
    """Bursts of reports from all members until `target` reports have been answered in all;
    the process's memory after each burst goes to `curve` as [reports answered, MiB]."""
    while answered < target:
        count = min(members_count, target - answered)
        burst(fake, count, report())
        answered += count
        curve.append([answered, round(rss_mb(pid), 1)])


def imported_modules(log: str) -> list[str]:
    """The modules a process imported (or tried to), once each in order, from its
    `-X importtime` lines (`import time: self | cumulative | <indent>name`)."""
    return list(dict.fromkeys(
        line.rsplit("|", 1)[1].strip() for line in log.splitlines()
        if line.startswith("import time:") and not line.endswith("imported package")))


def floor_mb(modules: list[str], folder: Path) -> tuple[float, int]:
    """The resident memory of a process that imported `modules` and nothing else, and how
    many of them would not import on their own."""
    listing = folder / "modules.txt"
    listing.write_text("\n".join(modules), encoding="utf-8")
    floor = subprocess.Popen([sys.executable, str(HERE / "floor.py"), str(listing)], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
    try:
        failed = int(floor.stdout.readline())
        return rss_mb(floor.pid), failed
    finally:
        floor.terminate()
        floor.wait(10)


def growth_per_1000(curve: list[list[float]], warm_up: int) -> float | None:
    """MiB per 1,000 reports after `warm_up` reports: the least-squares slope of the curve."""
    points = [(answered, mib) for answered, mib in curve if answered >= warm_up]
    if len(points) < 2:
        return None
    return 1000 * statistics.linear_regression(*zip(*points, strict=True)).slope


def bots(count: int, rounds: int, rss_reports: int) -> dict:
    """Throughput, reply times and memory of `tocds run` and of the echo bot."""
    results: dict = {"telegram_burst": count, "reply_members_at_once": AT_ONCE, "reply_rounds": rounds,
                     "rss_reports": rss_reports}
    with tempfile.TemporaryDirectory() as folder, FakeTelegram() as fake, FakeTelegram() as echo_fake:
        work = Path(folder)
        database_url = f"sqlite:///{work / 'bench.db'}"
        members(database_url, count)
        env = {"TOCDS_TELEGRAM_TOKEN": fake.token, "TOCDS_TELEGRAM_API_URL": fake.api_url,
               "TOCDS_DATABASE_URL": database_url}
        processes = Processes(work, env)
        echo_env = {"TOCDS_TELEGRAM_TOKEN": echo_fake.token, "TOCDS_TELEGRAM_API_URL": echo_fake.api_url}
        echo = subprocess.Popen([sys.executable, str(HERE / "echo_bot.py")], env={**echo_env, "PATH": ""},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            bot = processes.start("run", PYTHONPROFILEIMPORTTIME="1")  # which modules: for the floor
            ready(fake)
            ready(echo_fake)
            results["rss_mb_run_start"] = rss_mb(bot.pid)
            results["rss_mb_echo_start"] = rss_mb(echo.pid)

            results["telegram_reports_per_s"] = count / burst(fake, count, report())
            results["telegram_echo_per_s"] = count / burst(echo_fake, count, report())
            results["telegram_ratio"] = results["telegram_reports_per_s"] / results["telegram_echo_per_s"]
            time.sleep(1.1)  # past tocds's one-message-a-second pace per chat

            tocds_times = reply_times(fake, rounds)
            echo_times = reply_times(echo_fake, rounds)
            results["reply_p95_ms"] = 1000 * percentile(tocds_times, 95)
            results["echo_reply_p95_ms"] = 1000 * percentile(echo_times, 95)
            results["reply_p95_ratio"] = results["reply_p95_ms"] / results["echo_reply_p95_ms"]
            results["reply_p50_ms"] = 1000 * percentile(tocds_times, 50)
            results["echo_reply_p50_ms"] = 1000 * percentile(echo_times, 50)
            results["reply_pace_floor_ms"] = 1000 * (math.ceil(0.95 * AT_ONCE) - 1) / TOCDS_PACE_PER_S

            done = count + rounds * AT_ONCE
            curves: dict[str, list[list[float]]] = {"rss_curve_run": [], "rss_curve_echo": []}
            feeders = [threading.Thread(target=top_up, args=(f, count, done, rss_reports, pid, curves[name]))
                       for f, pid, name in ((fake, bot.pid, "rss_curve_run"), (echo_fake, echo.pid, "rss_curve_echo"))]
            for feeder in feeders:
                feeder.start()
            for feeder in feeders:
                feeder.join()
            fake.wait_idle(quiet=1.0, timeout=60)
            echo_fake.wait_idle(quiet=1.0, timeout=60)
            results["rss_mb_run"] = rss_mb(bot.pid)
            results["rss_mb_echo"] = rss_mb(echo.pid)
            results["rss_ratio"] = results["rss_mb_run"] / results["rss_mb_echo"]
            results["rss_answered_run"] = fake.sent_count()
            results["rss_answered_echo"] = echo_fake.sent_count()
            results.update(curves)
            modules = imported_modules(bot.log())
            results["rss_mb_floor"], results["rss_floor_failed"] = floor_mb(modules, work)
            results["rss_floor_modules"] = len(modules)
            results["rss_floor_ratio"] = results["rss_mb_run"] / results["rss_mb_floor"]
            results["rss_mb_growth_per_1000"] = growth_per_1000(curves["rss_curve_run"], rss_reports // 4)
        finally:
            processes.stop()
            echo.terminate()
            echo.wait(10)
    return results


# --------------------------------------------------------------------------- summaries


def timed(action, repeat: int) -> float:
    """The median of `repeat` timings, after one untimed run (a warm cache)."""
    action()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def measure_summaries(url: str) -> dict:
    check_store(url)  # a store generate.py made, or Refused
    engine = get_engine(url)
    with Session(engine) as session:
        communes = list(session.execute(
            select(OrgUnit.id).where(OrgUnit.level == Level.COMMUNE).order_by(OrgUnit.id)).scalars())
        province_id = session.execute(select(OrgUnit.id).where(OrgUnit.level == Level.PROVINCE)).scalar_one()
    vietnamese = translator("vi")
    one = communes[len(communes) // 2]

    def scan() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT count(*), sum(count) FROM entry_count")).one()

    scan()  # connected, so that the pool and the driver are part of what start-up built
    spare_the_collector()

    def summary(commune_id: int) -> None:
        with Session(engine) as session:
            weekly_summary(session, session.get(OrgUnit, commune_id), SUMMARY_WEEK, AS_OF)

    def province() -> None:
        with Session(engine) as session:
            summary = province_summary(session, session.get(OrgUnit, province_id), SUMMARY_WEEK, AS_OF)
            province_text(summary, vietnamese)

    def fetch() -> None:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT * FROM entry_count").fetchall()

    figures = {"entries_scan_s": timed(scan, 5)}
    figures["commune_summary_s"] = timed(lambda: summary(one), 10)
    figures["province_summary_s"] = timed(province, 3)
    figures["province_by_commune_s"] = timed(lambda: [summary(c) for c in communes], 3)
    figures["entries_fetch_s"] = timed(fetch, 3)
    figures.update(measure_overviews(url, province_id, one))
    figures["web_province_ratio"] = figures["web_overview_province_s"] / figures["province_summary_s"]
    figures["web_commune_ratio"] = figures["web_overview_commune_s"] / figures["commune_summary_s"]
    figures["province_ratio"] = figures["province_summary_s"] / figures["entries_scan_s"]
    figures["commune_ratio"] = figures["commune_summary_s"] / figures["entries_scan_s"]
    return figures


def measure_overviews(url: str, province_id: int, commune_id: int) -> dict:
    """The desk's overview pages, each by a person signed in with a one-time link."""
    from starlette.applications import Starlette
    from starlette.routing import Mount
    from starlette.testclient import TestClient

    from tocds.models.web_sessions import make_link
    from tocds.web import create_desk

    moment = datetime.combine(AS_OF, datetime.min.time().replace(hour=5), tzinfo=UTC)  # noon in Vietnam
    app = Starlette(routes=[Mount("/web", create_desk(url, Path(tempfile.gettempdir()), clock=lambda: moment))])
    figures = {}
    for name, unit_id, role, repeat in (("province", province_id, Role.PROVINCE_LEADER, 3),
                                         ("commune", commune_id, Role.OFFICE, 10)):
        with Session(get_engine(url)) as session:
            reader = Person(name=f"Bench {name}")
            session.add(reader)
            session.flush()
            join(session, reader, session.get(OrgUnit, unit_id), role)
            token = make_link(session, reader.id)
            session.commit()
        with TestClient(app, base_url="http://desk.bench") as client:
            assert client.get(f"/web/login/{token}").status_code == 200
            page = f"/web/unit/{unit_id}?period={SUMMARY_WEEK.label}"

            def overview(page=page, client=client) -> None:
                response = client.get(page)
                assert response.status_code == 200 and "</html>" in response.text

            figures[f"web_overview_{name}_s"] = timed(overview, repeat)
    return figures


def summaries(scale: Scale, postgres: str | None) -> dict:
    results: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        stores = {"sqlite": f"sqlite:///{Path(folder) / 'tocds_bench_store.db'}"}
        if postgres:
            name = f"tocds_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            stores["postgres"] = make_url(postgres).set(database=name).render_as_string(hide_password=False)
        for db, url in stores.items():
            try:
                store = generate(url, scale)
            except Exception as error:  # no server: SQLite's figures still count (Refused goes through)
                if db == "sqlite":
                    raise
                results[f"summary_{db}_skipped"] = f"{type(error).__name__}: {error}"
                continue
            try:
                results[f"summary_store_{db}"] = store
                results.update({f"{key}_{db}": value for key, value in measure_summaries(url).items()})
            finally:
                drop(url)
    for key in ("entries_scan_s", "province_summary_s", "commune_summary_s", "web_overview_province_s",
                "web_overview_commune_s"):
        results[key] = results[f"{key}_sqlite"]
    return results


# --------------------------------------------------------------------------- fan-out


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


def announce_fanout(count: int) -> dict:
    """One announcement (`/thongbao`, the whole commune) to `count` members on Telegram, sent
    by the outbox's senders against the fake enforcing Telegram's limits."""
    import asyncio

    from tocds.bot.channels.console import sign_in
    from tocds.bot.run import configured_channels, deliver_now
    from tocds.bot.settings import Settings
    from tocds.handlers.context import Defaults
    from tocds.handlers.dispatch import handle
    from tocds.handlers.messages import Incoming

    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite:///{Path(folder) / 'announce.db'}"
        members(database_url, count)
        defaults = Defaults()
        with Session(get_writer(database_url)) as session:
            commune = session.exec(select(OrgUnit).where(OrgUnit.level == Level.COMMUNE)).scalars().one()
            sign_in(session, "Văn phòng", commune, Role.OFFICE, "vi", defaults)
            noon = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)  # no quiet hours
            for n, words in enumerate(("/thongbao", "1", "Tập huấn thứ Bảy, 7:30, tại nhà văn hóa", "1")):
                handle(session, Incoming("console", "van phong", "van phong", f"announce-{n}", text=words), noon, defaults)
        with FakeTelegram() as fake:
            fake.set_rate_limits(per_second=30, per_chat_per_second=1)
            settings = Settings(database_url=database_url, telegram_token=fake.token, telegram_api_url=fake.api_url)
            telegram = [channel for channel in configured_channels(settings) if channel.name == "telegram"]
            started = time.perf_counter()
            asyncio.run(deliver_now(settings, telegram))
            elapsed = time.perf_counter() - started
            sent = fake.accepted
            return {
                "announce_msgs_per_s": sent / elapsed,
                "announce_limit_per_s": 30.0,
                "announce_share_of_limit": sent / elapsed / 30.0,
                "announce_over_limit": fake.over_limit,
                "announce_dropped": count - sent,
            }


# --------------------------------------------------------------------------- readers


def phrasebook_messages() -> list[str]:
    """Every message of the phrasebook (the last of a `first >> then` line), as typed."""
    messages = []
    for path in sorted((HERE.parent / "phrasebook").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#") and " => " in line:
                messages.append(line.rsplit(" => ", 1)[0].split(" >> ")[-1].replace("\\n", "\n").strip())
    return messages


def readers() -> dict:
    """The report grammar and the lenient reader, per message of the phrasebook."""
    from tocds.handlers.grammar import parse_report
    from tocds.handlers.reading import read_report
    from tocds.models import Indicator, IndicatorAlias

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'catalog.db'}"
        upgrade(url)
        with Session(get_engine(url)) as session:
            aliases = {key: key for key in session.scalars(select(Indicator.key))}
            aliases.update((a.alias, a.indicator_key) for a in session.scalars(select(IndicatorAlias)))
        get_engine(url).dispose()
    messages = phrasebook_messages()
    villages = ["Thôn Tân Hòa", "Thôn Phú Lợi", "Ấp Bàu Sen"]
    today = date(2026, 11, 25)  # the phrasebook's Wednesday

    def per_message(read) -> float:
        return 1e6 * timed(lambda: [read(m, today=today, aliases=aliases, villages=villages) for m in messages],
                           5) / len(messages)

    grammar, reading = per_message(parse_report), per_message(read_report)
    return {"phrasebook_messages": len(messages), "grammar_us_per_message": grammar,
            "reading_us_per_message": reading, "reading_ratio": reading / grammar}


PARTS = ("readers", "summaries", "bots", "fanout", "announce")  # in the order they run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller scales (under two minutes)")
    parser.add_argument("--json", type=Path, required=True, help="file to write the figures to")
    parser.add_argument("--postgres", default=os.environ.get("TOCDS_BENCH_POSTGRES", DEFAULT_POSTGRES),
                        help="a PostgreSQL server to create the tocds_bench_* store on ('' for none)")
    parser.add_argument("--only", choices=PARTS, action="append",
                        help="run this part alone (again for several); all of them by default")
    args = parser.parse_args()
    started = time.perf_counter()
    figures: dict = {"quick": args.quick}
    parts = {
        "readers": readers,
        "summaries": lambda: summaries(Scale(weeks=10) if args.quick else Scale(), args.postgres or None),
        "bots": lambda: bots(300, 4, 600) if args.quick else bots(1500, 10, 10_000),
        "fanout": lambda: fanout(500 if args.quick else 5000),
        "announce": lambda: announce_fanout(500 if args.quick else 5000),
    }
    for name in args.only or PARTS:
        try:
            figures.update(parts[name]())
        except Refused as refused:
            print(f"run.py: {refused}", file=sys.stderr)
            return 2
    figures["elapsed_s"] = time.perf_counter() - started
    args.json.write_text(json.dumps(figures, indent=2) + "\n")
    for key, value in figures.items():
        print(f"{key}: {value:.4g}" if isinstance(value, float) else f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
