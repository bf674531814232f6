"""`tocds db upgrade|backup`: database maintenance."""

import contextlib
import os
import sys
from pathlib import Path

from .common import CREATES_DATABASE, CommandError


def add_commands(commands) -> None:
    db = commands.add_parser("db", help="database maintenance").add_subparsers(metavar="ACTION")
    db.add_parser("upgrade", help="apply migrations (a new SQLite file is made)").set_defaults(
        run=cmd_db_upgrade, database=CREATES_DATABASE)
    backup = db.add_parser(
        "backup", help="copy a SQLite database to FILE while the bot runs (PostgreSQL: use pg_dump)")
    backup.add_argument("file", type=Path, metavar="FILE")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup.set_defaults(run=cmd_db_backup, database=None)  # PostgreSQL: the pg_dump line, no connection


def cmd_db_upgrade(args) -> int:
    from ...models.db import upgrade
    from ..settings import get_settings

    upgrade(get_settings().database_url)
    print("database is up to date", file=sys.stderr)
    return 0


def evidence_not_included(folder: Path) -> str:
    """What a database backup leaves out, and how to copy it."""
    return (f"not included: the evidence photos in {folder} (TOCDS_EVIDENCE_DIR); copy that folder too, e.g.\n"
            f"    rsync -a --delete {folder}/ BACKUP-HOST:tocds-evidence/\n"
            "(its files never change: a copy only gains new photos and loses those deleted after their "
            "keeping days, which --delete deletes from the copy too)")


def cmd_db_backup(args) -> int:
    """An online copy of a SQLite file (sqlite3's backup API): consistent while others write."""
    import sqlite3
    import tempfile

    from sqlalchemy.engine import URL

    from ..database import parse
    from ..settings import get_settings

    url = parse(get_settings().database_url)
    if url.get_backend_name() == "postgresql":
        dump = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                          database=url.database, query=url.query).render_as_string()  # no password
        raise CommandError(
            "this database is PostgreSQL: back it up with pg_dump, e.g.\n"
            f"    pg_dump --format=custom --file={args.file} '{dump}'\n"
            "(the password from PGPASSWORD or ~/.pgpass; restore with pg_restore)\n"
            + evidence_not_included(get_settings().evidence_dir))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise CommandError(f"cannot back up {url.get_backend_name()} database {url.database!r}")
    source = Path(url.database)
    if not source.is_file():
        raise CommandError(f"no database at {source}")
    target = args.file
    if target.exists() and not args.force:
        raise CommandError(f"{target} exists; add --force to replace it")
    if target.resolve() == source.resolve():
        raise CommandError("FILE is the database itself")
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as problem:
        raise CommandError(f"cannot write in {target.parent}: {problem.strerror}") from None
    os.close(handle)
    try:
        with contextlib.closing(sqlite3.connect(source, timeout=30)) as reader, \
                contextlib.closing(sqlite3.connect(temporary)) as copy:
            reader.backup(copy)  # one step: a consistent snapshot (WAL: writers go on meanwhile)
            checked = copy.execute("PRAGMA quick_check").fetchone()[0]
        if checked != "ok":
            raise CommandError(f"the copy failed its check ({checked}); {target} was not written")
        if args.force:
            os.replace(temporary, target)
        else:
            try:
                os.link(temporary, target)  # never replaces a file that appeared meanwhile
            except FileExistsError:
                raise CommandError(f"{target} exists; add --force to replace it") from None
    except sqlite3.Error as problem:
        raise CommandError(f"backup failed: {problem}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    print(f"{source} backed up to {target} ({target.stat().st_size} bytes)", file=sys.stderr)
    print(evidence_not_included(get_settings().evidence_dir), file=sys.stderr)
    return 0
