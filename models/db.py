"""The engine, sessions, and bringing the schema up to date with Alembic.

Alembic is imported only when a migration is due: a process on an up-to-date database
(every start but the first after an upgrade) does without its ~16 MB of modules.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources

from sqlalchemy import Engine, event, inspect
from sqlmodel import Session, create_engine

HEAD = "0020"  # the newest migration's revision; tests/test_migrations.py keeps it true
SQLITE_BUSY_TIMEOUT_MS = 10_000
# Each pooled connection keeps its own page cache (2 MiB by default), which a long-running bot
# fills over the first thousands of reports. A message reads a few pages and the file's pages
# stay in the OS's cache, so a small one costs no speed (the province summary measured the
# same with 256 KiB as with 2 MiB) and keeps `tocds run`'s memory flat.
SQLITE_CACHE_KIB = 256
WRITER_OPTION = "tocds_writer"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers (an export, a second process) work while the bot writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # A writer takes the write lock at the start: a transaction that read first and then
    # writes would otherwise fail at once (SQLITE_BUSY_SNAPSHOT) when another process wrote
    # in between, instead of waiting its turn. Readers begin deferred and block nobody.
    immediate = connection.get_execution_options().get(WRITER_OPTION)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@cache
def get_engine(url: str) -> Engine:
    """One engine per URL for the life of the process."""
    if url.startswith("sqlite"):
        # pysqlite's own transaction handling is switched off (isolation_level=None) so that
        # SQLAlchemy's BEGIN and SAVEPOINT work as written: SQLAlchemy's documented recipe.
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "isolation_level": None}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


@cache
def get_writer(url: str) -> Engine:
    """The engine for sessions that write (handlers, imports, the mailroom)."""
    return get_engine(url).execution_options(**{WRITER_OPTION: True})


def alembic_config(url: str):
    """Alembic's config from the installed package: no alembic.ini needed."""
    from alembic.config import Config

    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("tocds.models").joinpath("migrations"))
    )
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def applied_revisions(engine: Engine) -> set[str]:
    """The revisions the database says it has (none for a new database)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return set()
        return set(connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())


def upgrade(url: str) -> None:
    """Apply every migration not yet applied (cheap when there is none)."""
    if applied_revisions(get_engine(url)) == {HEAD}:
        return
    from alembic import command

    config = alembic_config(url)
    with get_writer(url).connect() as connection, checked_foreign_keys_after(connection):
        with connection.begin():
            config.attributes["connection"] = connection
            command.upgrade(config, "head")


@contextmanager
def checked_foreign_keys_after(connection) -> Iterator[None]:
    """SQLite: foreign keys enforced after the migrations, not during them. Alembic alters a
    SQLite table by copying it and dropping the old one, which SQLite refuses while rows of
    other tables refer to it (a commune's villages, memberships and reports do): an older
    database with data in it could not be upgraded. The migrations keep every row, and what
    they leave is checked before the connection goes back to enforcing."""
    if connection.dialect.name != "sqlite":
        yield
        return
    sqlite = connection.connection.driver_connection  # outside a transaction: the pragma is a no-op inside one
    sqlite.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        broken = sqlite.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the migrations left rows pointing nowhere (table, row, parent): {broken[:5]}")
    finally:
        sqlite.execute("PRAGMA foreign_keys=ON")


def open_session(url: str) -> Session:
    """A writing session on an up-to-date database."""
    upgrade(url)
    return Session(get_writer(url), expire_on_commit=False)
