"""Opening the operator's database (`TOCDS_DATABASE_URL`): what is wrong with it, in one line
that says how to fix it, before a command starts its work.

A SQLite file is created only by the commands that set a database up (`tocds db upgrade`,
`tocds admin import`): elsewhere a missing file is a typo in its name, and an empty database
made from it would only say later that nothing is in it.
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

URL_EXAMPLES = ("sqlite:///tocds.db (a file in the working folder), sqlite:////var/lib/tocds/tocds.db "
                "(an absolute path: four slashes) or postgresql+psycopg://tocds@127.0.0.1/tocds")


class DatabaseProblem(Exception):
    """The database cannot be used as configured; the message says how to fix it."""


def parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseProblem(f"TOCDS_DATABASE_URL={url!r} is not a database URL: write {URL_EXAMPLES}") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseProblem(f"TOCDS_DATABASE_URL: tocds runs on SQLite or PostgreSQL, not "
                              f"{parsed.get_backend_name()}: write {URL_EXAMPLES}")
    if parsed.get_backend_name() == "sqlite" and (parsed.host or parsed.database in (None, "", ":memory:")):
        raise DatabaseProblem(f"TOCDS_DATABASE_URL={url!r} names no SQLite file: write {URL_EXAMPLES}")
    return parsed


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL)."""
    parsed = parse(url)
    return Path(parsed.database).resolve() if parsed.get_backend_name() == "sqlite" else None


def describe(url: str) -> str:
    """Which database this is, as an operator recognises it: the file, or the server without its password."""
    file = sqlite_file(url)
    return f"SQLite file {file}" if file else f"PostgreSQL {parse(url).render_as_string(hide_password=True)}"


def reach(url: str, create: bool = False) -> None:
    """Checks that the database can be opened (and, unless `create`, that a SQLite file exists)."""
    from ..models.db import get_engine

    file = sqlite_file(url)
    if file and not file.parent.is_dir():
        raise DatabaseProblem(f"the folder {file.parent} does not exist: create it (mkdir -p {file.parent}) "
                              f"or correct TOCDS_DATABASE_URL={url!r}")
    if file and not create and not file.exists():
        raise DatabaseProblem(f"no database at {file} (TOCDS_DATABASE_URL={url!r}): correct the file name, "
                              "or make a new database with `tocds db upgrade` or `tocds admin import FILE.csv`")
    try:
        with get_engine(url).connect():
            pass
    except ModuleNotFoundError as missing:
        raise DatabaseProblem(f"{describe(url)} needs the driver {missing.name!r}, which is not installed: "
                              "pip install 'tocds[postgres]' and write postgresql+psycopg://…") from None
    except DBAPIError as problem:
        reason = str(problem.orig).strip().splitlines()[0] if problem.orig else str(problem)
        raise DatabaseProblem(f"cannot open {describe(url)}: {reason} — check TOCDS_DATABASE_URL (user, password, "
                              "host, database name) and that the server runs") from None



@contextmanager
def only_one(url: str, command: str) -> Iterator[None]:
    """On SQLite, the one `tocds <command>` process of this database file: a second one stops at
    once, naming the first (two would poll the same bot and wait on each other's writes). On
    PostgreSQL several processes are welcome ("Scaling past one machine" in docs/developers.md).

    The lock is the operating system's on a file beside the database, held while the block
    runs: a killed process leaves no stale lock behind.
    """
    file = sqlite_file(url)
    if file is None:
        yield
        return
    with open(file.with_name(f"{file.name}.{command}.lock"), "a+", encoding="ascii") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            first = lock.read().strip() or "?"
            raise DatabaseProblem(
                f"another `tocds {command}` (pid {first}) already serves {file}: stop it first (kill {first}, "
                "or systemctl stop tocds), or use PostgreSQL to run several") from None
        lock.truncate(0)
        lock.write(str(os.getpid()))
        lock.flush()
        yield
