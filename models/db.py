"""The engine, sessions, and bringing the schema up to date with Alembic."""

from functools import cache
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_MS = 10_000
WRITER_OPTION = "tocds_writer"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers (an export, a second process) work while the bot writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
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


def alembic_config(url: str) -> Config:
    """Alembic's config from the installed package: no alembic.ini needed."""
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("tocds.models").joinpath("migrations"))
    )
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def is_up_to_date(engine: Engine, config: Config) -> bool:
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads()) == heads


def upgrade(url: str) -> None:
    """Apply every migration not yet applied (cheap when there is none)."""
    config = alembic_config(url)
    if is_up_to_date(get_engine(url), config):
        return
    with get_writer(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_session(url: str) -> Session:
    """A writing session on an up-to-date database."""
    upgrade(url)
    return Session(get_writer(url), expire_on_commit=False)
