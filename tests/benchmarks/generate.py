"""A synthetic province store for the summary benchmarks, in a database of its own.

    python tests/benchmarks/generate.py DATABASE_URL [--communes 100] [--villages 30] [--weeks 52]

One province of `communes` × `villages` villages (3,000 by default), two members per
village and a leader per commune (each with a Telegram account and a membership),
commune-wide targets for the seven default indicators, and a year of reports: every
village reports once a week (a day of that week, counts for all seven indicators), the
weeks running up to ISO week 2026-W52, the week the benchmarks summarise. In that last
week one village in ten has not reported yet and one in thirty said "nothing this week";
one count in 200 was taken back (`deleted_at`). The full scale is 3,000 × 52 × 7 =
1,092,000 `entry_count` rows (156,000 entries); the same seed gives the same store.

Rows are loaded the fast way: `COPY` on PostgreSQL, one `executemany` transaction on
SQLite, in the order they would have arrived (week by week), with the schema made by the
real Alembic migrations. PostgreSQL is then `VACUUM ANALYZE`d, as autovacuum would have
done over a year; SQLite is left as tocds leaves it (tocds never runs ANALYZE).

It refuses, with a message and exit status 2, to touch a database that is not its own:
on PostgreSQL the database's name must start with `tocds_bench` and it must have no
tables (it is created when missing); on SQLite the file must not exist yet (or be
empty). A finished store carries a `tocds_bench_store` table with the scale; the
benchmarks check it (`check_store`) before they measure anything.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tocds.models.db import get_engine, get_writer, upgrade
from tocds.models.periods import Period
from tocds.models.text import fold
from tocds.models.totals import rebuild

PREFIX = "tocds_bench"
MARKER = "tocds_bench_store"
LAST_MONDAY = date(2026, 12, 21)  # ISO week 2026-W52, the week summarised
SUMMARY_WEEK = Period("2026-W52", LAST_MONDAY, LAST_MONDAY + timedelta(days=6))
AS_OF = SUMMARY_WEEK.last  # Sunday: the week is over, as on Monday's summary
KEYS = ("ho", "vneid", "bdhvs", "cks", "tt", "ssk", "dvc")  # the catalog the migrations seed
DENOMINATED = {"ho": 85.0, "vneid": 80.0, "bdhvs": 70.0, "cks": 50.0, "tt": 75.0, "ssk": 80.0}
DVC_GOAL = 1200  # dossiers per commune and year (no denominator)


class Refused(SystemExit):
    """The database is not one the generator or the benchmarks may touch."""

    def __init__(self, message: str):
        super().__init__(2)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Scale:
    communes: int = 100
    villages: int = 30  # per commune
    weeks: int = 52
    seed: int = 20261221

    @property
    def village_count(self) -> int:
        return self.communes * self.villages

    @property
    def first_monday(self) -> date:
        return LAST_MONDAY - timedelta(weeks=self.weeks - 1)


# --------------------------------------------------------------------------- ownership


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise Refused(f"refusing {url}: a benchmark store must be a SQLite file")
    return Path(database)


def _on_server(url: str, statement: str, **params):
    """One statement on the server's `postgres` database, outside any transaction (CREATE
    and DROP DATABASE need that); the first row of its answer."""
    server = make_url(url).set(database="postgres").render_as_string(hide_password=False)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            result = connection.execute(text(statement), params)
            return result.first() if result.returns_rows else None
    finally:
        admin.dispose()


def _database_exists(url: str) -> bool:
    return _on_server(url, "SELECT 1 FROM pg_database WHERE datname = :name",
                      name=make_url(url).database) is not None


def claim(url: str) -> None:
    """Makes sure `url` is a new, empty database of ours (creating it); Refused otherwise."""
    if _is_sqlite(url):
        path = _sqlite_path(url)
        if path.exists() and path.stat().st_size > 0:
            raise Refused(f"refusing {path}: the file exists and is not empty; "
                          "the generator only fills a SQLite file it creates")
        return
    name = make_url(url).database or ""
    if not name.startswith(PREFIX):
        raise Refused(f"refusing database {name!r}: not a benchmark database (its name must start with {PREFIX!r})")
    if not _database_exists(url):
        _on_server(url, f'CREATE DATABASE "{name}"')
        return
    engine = create_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise Refused(f"refusing database {name!r}: it is not empty ({len(tables)} tables)")


def check_store(url: str) -> dict:
    """The scale of a store this generator made; Refused for any other database."""
    if _is_sqlite(url):
        if not _sqlite_path(url).exists():
            raise Refused(f"refusing {url}: no such store")
    elif not (make_url(url).database or "").startswith(PREFIX):
        raise Refused(f"refusing {url}: not a benchmark database (its name must start with {PREFIX!r})")
    engine = create_engine(url)
    try:
        if MARKER not in inspect(engine).get_table_names():
            raise Refused(f"refusing {url}: not a store made by tests/benchmarks/generate.py")
        with engine.connect() as connection:
            return json.loads(connection.execute(text(f"SELECT scale FROM {MARKER}")).scalar_one())
    finally:
        engine.dispose()


def drop(url: str) -> None:
    """Removes a store made by `generate` (and only such a store)."""
    get_writer.cache_clear()
    for engine in (get_engine(url),):
        engine.dispose()
    get_engine.cache_clear()
    if _is_sqlite(url):
        path = _sqlite_path(url)
        for extra in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
        return
    name = make_url(url).database or ""
    if not name.startswith(PREFIX):
        raise Refused(f"refusing to drop {name!r}: not a benchmark database")
    _on_server(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --------------------------------------------------------------------------- the rows


def _rows(scale: Scale) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table's (columns, rows), ids given, in arrival order."""
    rng = random.Random(scale.seed)
    joined = datetime(2025, 12, 1, 2, 0, tzinfo=UTC)
    units = [(1, None, "province", "Tỉnh Bench", "tinh bench", "{}", "Asia/Ho_Chi_Minh", False)]
    villages: list[tuple[int, int]] = []  # (village id, commune id)
    next_id = 2
    communes = []
    for c in range(scale.communes):
        name = f"Xã Bench {c + 1:03d}"
        communes.append(next_id)
        units.append((next_id, 1, "commune", name, fold(name), "{}", "Asia/Ho_Chi_Minh", False))
        next_id += 1
    for commune_id in communes:
        for v in range(scale.villages):
            name = f"Thôn {v + 1:02d}"
            households = rng.randint(150, 600)
            population = households * 4 + rng.randint(-50, 50)
            sizes = {"households": households, "population": population,
                     "adults": int(population * 0.7), "pop15": int(population * 0.78)}
            units.append((next_id, commune_id, "village", name, fold(name), json.dumps(sizes), None, False))
            villages.append((next_id, commune_id))
            next_id += 1

    people, accounts, memberships = [], [], []
    reporters: dict[int, list[int]] = {}
    person_id = 0
    for village_id, _ in villages:
        for role in ("member", "village_leader"):
            person_id += 1
            people.append((person_id, f"Thành viên {person_id}", "vi", joined))
            accounts.append((person_id, person_id, "telegram", str(100_000 + person_id), None))
            memberships.append((person_id, person_id, village_id, role, joined))
            reporters.setdefault(village_id, []).append(person_id)
    for commune_id in communes:
        person_id += 1
        people.append((person_id, f"Lãnh đạo {person_id}", "vi", joined))
        accounts.append((person_id, person_id, "telegram", str(100_000 + person_id), None))
        memberships.append((person_id, person_id, commune_id, "leader", joined))

    targets = []
    for commune_id in communes:
        for key in KEYS:
            percent = DENOMINATED.get(key)
            targets.append((len(targets) + 1, commune_id, key, rng.randint(0, 3000), percent,
                            None if percent is not None else DVC_GOAL, scale.first_monday, date(2026, 12, 31)))

    entries, counts, nothing = [], [], []
    deleted = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
    for week in range(scale.weeks):
        monday = scale.first_monday + timedelta(weeks=week)
        last_week = week == scale.weeks - 1
        for n, (village_id, _) in enumerate(villages):
            if last_week and n % 10 == 9:
                continue  # not reported yet
            if last_week and n % 30 == 14:
                nothing.append((len(nothing) + 1, village_id, monday, reporters[village_id][0], joined))
                continue
            entry_id = len(entries) + 1
            person = reporters[village_id][rng.getrandbits(1)]
            day = monday + timedelta(days=rng.randrange(7))
            entries.append((entry_id, person, village_id, day, "telegram", str(100_000 + person), str(entry_id),
                            datetime(day.year, day.month, day.day, 2, 30, tzinfo=UTC)))
            for key in KEYS:
                counts.append((len(counts) + 1, entry_id, village_id, day, person, key, rng.randint(0, 12),
                               deleted if rng.random() < 0.005 else None))
    return {
        "org_unit": (["id", "parent_id", "level", "name", "name_key", "sizes", "timezone", "requires_evidence"], units),
        "person": (["id", "name", "locale", "created_at"], people),
        "channel_account": (["id", "person_id", "channel", "external_id", "blocked_at"], accounts),
        "membership": (["id", "person_id", "org_unit_id", "role", "created_at"], memberships),
        "target": (["id", "org_unit_id", "indicator_key", "baseline", "target_percent", "target_count",
                    "start", "deadline"], targets),
        "entry": (["id", "person_id", "village_id", "day", "channel", "chat_id", "message_id", "created_at"],
                  entries),
        "entry_count": (["id", "entry_id", "village_id", "day", "person_id", "indicator_key", "count", "deleted_at"],
                        counts),
        "nothing_to_report": (["id", "village_id", "week_start", "person_id", "created_at"], nothing),
    }


def _sqlite_value(value):
    # As SQLAlchemy stores them on SQLite: ISO dates, naive UTC datetimes with microseconds.
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _load_sqlite(url: str, tables: dict) -> None:
    import sqlite3

    connection = sqlite3.connect(_sqlite_path(url), isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA cache_size=-262144")  # 256 MB while loading
        connection.execute("BEGIN")
        for table, (columns, rows) in tables.items():
            marks = ", ".join("?" for _ in columns)
            connection.executemany(
                f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})',
                ([_sqlite_value(v) for v in row] for row in rows),
            )
        connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def _load_postgres(url: str, tables: dict) -> None:
    import psycopg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as connection:
        with connection.cursor() as cursor:
            for table, (columns, rows) in tables.items():
                with cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                               f"(SELECT coalesce(max(id), 1) FROM \"{table}\"))")
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")


def generate(url: str, scale: Scale = Scale()) -> dict:
    """Creates the store at `url` (refusing a database that is not new and ours); what it holds."""
    claim(url)
    started = time.perf_counter()
    upgrade(url)
    get_engine(url).dispose()
    tables = _rows(scale)
    (_load_sqlite if _is_sqlite(url) else _load_postgres)(url, tables)
    sizes = {table: len(rows) for table, (_, rows) in tables.items()}
    store = {**asdict(scale), "villages_total": scale.village_count, "rows": sizes,
             "summary_week": SUMMARY_WEEK.label, "generate_s": round(time.perf_counter() - started, 2)}
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            rebuild(connection)  # the running totals, as tocds keeps them for counts it writes itself
            connection.execute(text(f"CREATE TABLE {MARKER} (scale TEXT NOT NULL)"))
            connection.execute(text(f"INSERT INTO {MARKER} (scale) VALUES (:scale)"), {"scale": json.dumps(store)})
        if not _is_sqlite(url):
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                for table in ("village_total", "commune_week_total"):
                    connection.execute(text(f"VACUUM ANALYZE {table}"))
    finally:
        engine.dispose()
    return store


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="sqlite:///NEW-FILE, or postgresql+psycopg://…/tocds_bench_<name>")
    parser.add_argument("--communes", type=int, default=Scale.communes)
    parser.add_argument("--villages", type=int, default=Scale.villages, help="per commune")
    parser.add_argument("--weeks", type=int, default=Scale.weeks)
    args = parser.parse_args()
    try:
        store = generate(args.url, Scale(args.communes, args.villages, args.weeks))
    except Refused as refused:
        print(f"generate.py: {refused}", file=sys.stderr)
        return 2
    print(json.dumps(store, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
