"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when
TOCDS_TEST_DATABASE_URL names a server), emptied after every test."""

import os
import uuid

import pytest
from fake_telegram import FakeTelegram
from processes import Processes
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from helpers import make_commune, make_province
from tocds import models  # noqa: F401  (every table on the metadata)
from tocds.models.db import get_engine, get_writer, upgrade
from tocds.web import create_desk

# Rows the migrations seed; every other table is emptied between tests.
SEEDED_TABLES = {"indicator", "indicator_alias", "alembic_version"}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    server = os.environ.get("TOCDS_TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'tocds-test.db'}"
        return
    # A database of our own on that server, so nothing else there is touched.
    name = f"tocds_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        get_writer.cache_clear()
        get_engine.cache_clear()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# The catalog as the migrations seed it, read once: a test may change it (tocds admin indicators).
_seeded_catalog: dict[str, list[dict]] = {}


@pytest.fixture
def db_url(database_url):
    """A migrated, empty database (but for the seeded indicator catalog, as seeded)."""
    upgrade(database_url)
    engine = get_engine(database_url)
    catalog = [SQLModel.metadata.tables[name] for name in ("indicator", "indicator_alias")]
    if not _seeded_catalog:
        with engine.connect() as connection:
            _seeded_catalog.update({t.name: [dict(r._mapping) for r in connection.execute(t.select())] for t in catalog})
    yield database_url
    tables = [t for t in reversed(SQLModel.metadata.sorted_tables) if t.name not in SEEDED_TABLES]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
        for table in reversed(catalog):
            connection.execute(table.delete())
        for table in catalog:
            connection.execute(table.insert(), _seeded_catalog[table.name])


@pytest.fixture
def cwd(tmp_path):
    """An empty working directory for a `tocds` process: no stray .env or tocds.db is read."""
    path = tmp_path / "cwd"
    path.mkdir()
    return path


@pytest.fixture
def session(db_url):
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        yield session


@pytest.fixture
def commune(session):
    return make_commune(session)


@pytest.fixture
def world(session):
    """Our commune, a sibling in the same province, and one of another province."""
    ours, sibling, far = make_commune(session), make_commune(session, "Xã Bên Cạnh", {"Thôn Láng Giềng": (50, 200, 150, 160)}), \
        make_commune(session, "Xã Bí Mật", {"Thôn Kín Đáo": (50, 200, 150, 160)})
    make_province(session, "Tỉnh Đồng Nai", [ours, sibling])
    make_province(session, "Tỉnh Xa Xôi", [far])
    return ours, sibling, far


@pytest.fixture
def client(db_url, tmp_path):
    """The web desk through Starlette's TestClient, at http://desk.test/web/."""
    with TestClient(Starlette(routes=[Mount("/web", create_desk(db_url, tmp_path))]), base_url="http://desk.test") as client:
        yield client


@pytest.fixture
def fake():
    """A fake Telegram Bot API server on loopback (test_zalo.py's `fake` is Zalo's)."""
    with FakeTelegram() as server:
        yield server


@pytest.fixture
def procs(fake, tmp_path, db_url):
    """The test's `tocds` processes, against the test module's `fake` messenger server
    (which outlives them); terminated at the end, their logs printed (shown on failure)."""
    group = Processes(tmp_path, {"TOCDS_DATABASE_URL": db_url})
    yield group
    group.stop()
    print(group.logs())
