"""One Alembic history that builds exactly the tables the models declare."""

import sys
from datetime import UTC, datetime
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from processes import clean_env
from sqlalchemy import String
from sqlmodel import Session, SQLModel, select

from tocds.models import Indicator, IndicatorAlias, OrgUnit
from tocds.models.db import get_engine


def lengths_aside_on_sqlite(context, inspected, metadata, inspected_type, metadata_type) -> bool | None:
    """SQLite keeps no string lengths (0010 widens `indicator.denominator` only where they
    count: copying a table others refer to is refused while SQLite checks foreign keys)."""
    if context.dialect.name == "sqlite" and isinstance(inspected_type, String) and isinstance(
            getattr(metadata_type, "impl_instance", metadata_type), String):  # AutoString decorates a String
        return False
    return None  # Alembic's own comparison


def test_the_migrations_match_the_models(db_url):
    with get_engine(db_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": lengths_aside_on_sqlite})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_the_default_indicators_are_seeded(db_url):
    with Session(get_engine(db_url)) as session:
        keys = session.exec(select(Indicator.key).order_by(Indicator.position)).all()
        assert keys == ["ho", "vneid", "bdhvs", "cks", "tt", "ssk", "dvc"]
        aliases = {a.alias: a.indicator_key for a in session.exec(select(IndicatorAlias))}
        assert aliases["định danh"] == "vneid"
        assert aliases["học vụ số"] == "bdhvs"
        assert aliases["hộ"] == "ho"


def test_head_names_the_newest_migration(db_url):
    """`upgrade` skips Alembic when the database is at HEAD: HEAD must be the script's head."""
    from alembic.script import ScriptDirectory

    from tocds.models.db import HEAD, alembic_config, applied_revisions

    assert ScriptDirectory.from_config(alembic_config(db_url)).get_heads() == [HEAD]
    assert applied_revisions(get_engine(db_url)) == {HEAD}


def test_0010_keeps_every_figure_and_word_and_goes_back(tmp_path):
    """Villages' four figure columns become named sizes (an empty one stays absent), the
    aliases keep their words, targets give the same goals; the downgrade restores the columns."""
    import sqlite3
    from datetime import date

    from alembic import command

    from tocds.models.db import alembic_config, get_writer, upgrade
    from tocds.models.queries import communes_progress

    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    config = alembic_config(url)

    def migrate(step, revision):
        with get_writer(url).begin() as connection:
            config.attributes["connection"] = connection
            step(config, revision)

    migrate(command.upgrade, "0009")
    with sqlite3.connect(path) as old:
        old.executescript("""
            INSERT INTO org_unit (id, parent_id, level, name, name_key, households, population, adults, pop15,
                                  timezone, requires_evidence)
                VALUES (1, NULL, 'commune', 'X', 'x', NULL, NULL, NULL, NULL, 'Asia/Ho_Chi_Minh', 0),
                       (2, 1, 'village', 'T', 't', 120, 480, 330, 360, NULL, 0),
                       (3, 1, 'village', 'U', 'u', 80, 300, 200, NULL, NULL, 0);
            INSERT INTO target (id, org_unit_id, indicator_key, baseline, target_percent, target_count, start, deadline)
                VALUES (1, 1, 'ho', 0, 50.0, NULL, '2026-01-01', '2026-12-31');
        """)
        aliases_before = sorted(old.execute("SELECT alias_key, alias, indicator_key FROM indicator_alias"))
    upgrade(url)
    with Session(get_engine(url)) as session:
        sizes = dict(session.execute(select(OrgUnit.name, OrgUnit.sizes).where(OrgUnit.level == "village")).all())
        assert sizes == {"T": {"households": 120, "population": 480, "adults": 330, "pop15": 360},
                         "U": {"households": 80, "population": 300, "adults": 200}}
        after = sorted((a.alias_key, a.alias, a.indicator_key) for a in session.exec(select(IndicatorAlias)))
        assert after == aliases_before
        units = dict(session.execute(select(Indicator.key, Indicator.unit)).all())
        assert (units["ho"], units["vneid"], units["dvc"]) == ("hộ", "người", "hồ sơ")
        _, lines = communes_progress(session, [1], date(2026, 6, 1))
        assert (lines[2]["ho"].target, lines[3]["ho"].target) == (60, 40)  # half of each one's households
    get_engine(url).dispose()
    migrate(command.downgrade, "0009")
    with sqlite3.connect(path) as old:
        assert sorted(old.execute("SELECT name, households, population, adults, pop15 FROM org_unit")) == [
            ("T", 120, 480, 330, 360), ("U", 80, 300, 200, None), ("X", None, None, None, None)]
        assert sorted(old.execute("SELECT alias_key, alias, indicator_key FROM indicator_alias")) == aliases_before


def test_0012_keeps_the_figures_and_goes_back(db_url, session):
    """On PostgreSQL the figures become JSONB and back (SQLite: no change); nothing is lost either way."""
    from datetime import date

    from alembic import command
    from sqlalchemy import inspect

    from helpers import add_target, make_commune
    from tocds.models.db import alembic_config, get_writer, upgrade
    from tocds.models.queries import communes_progress

    commune = make_commune(session, "Xã X", {"Thôn T": (120, 480, 330, None), "Thôn U": (80, None, None, 200)})
    add_target(session, commune.unit, "ho", percent=50)
    session.close()
    config = alembic_config(db_url)
    engine = get_engine(db_url)

    def migrate(step, revision):
        with get_writer(db_url).begin() as connection:
            config.attributes["connection"] = connection
            step(config, revision)

    def figures() -> tuple[str, dict]:
        kind = next(c["type"] for c in inspect(engine).get_columns("org_unit") if c["name"] == "sizes")
        with Session(engine) as reading:
            sizes = dict(reading.execute(select(OrgUnit.name, OrgUnit.sizes).where(OrgUnit.level == "village")).all())
        return type(kind).__name__, sizes

    expected = {"Thôn T": {"households": 120, "population": 480, "adults": 330},
                "Thôn U": {"households": 80, "pop15": 200}}
    migrate(command.downgrade, "0011")
    assert figures() == ("JSON", expected)
    upgrade(db_url)
    assert figures() == ("JSONB" if engine.dialect.name == "postgresql" else "JSON", expected)
    with Session(engine) as reading:
        _, lines = communes_progress(reading, [commune.unit.id], date(2026, 6, 1))
    assert [lines[v.id]["ho"].target for v in commune.villages.values()] == [60, 40]  # half of each one's households


def test_upgrading_a_database_of_the_first_release(tmp_path):
    """docs/reference.md, "Upgrading": a database made by the first migrations, holding a commune's reports,
    brought to HEAD by `tocds db upgrade`; its reports, people and villages are all there, and
    the bot goes on working on it."""
    import subprocess
    from zoneinfo import ZoneInfo

    from alembic import command
    from processes import Processes
    from sqlalchemy import MetaData, create_engine

    from tocds.models.db import HEAD, alembic_config, applied_revisions
    from tocds.models.periods import week_of

    url = f"sqlite:///{tmp_path / 'tocds.db'}"
    command.upgrade(alembic_config(url), "0001")
    old = create_engine(url)
    tables = MetaData()
    tables.reflect(old)  # the first release's tables, as they were
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()  # the commune's day, as the chat's
    with old.begin() as connection:
        insert = lambda table, **row: connection.execute(tables.tables[table].insert().values(**row))  # noqa: E731
        insert("org_unit", id=1, level="commune", name="Xã Đồng Phú", name_key="xa dong phu", timezone="Asia/Ho_Chi_Minh")
        insert("org_unit", id=2, parent_id=1, level="village", name="Thôn Tân Hòa", name_key="thon tan hoa",
               households=420, population=1650, adults=1180, pop15=1290)
        insert("person", id=1, name="Lan", locale="vi", created_at=now)
        insert("membership", id=1, person_id=1, org_unit_id=2, role="member", created_at=now)
        insert("entry", id=1, person_id=1, village_id=2, day=today, channel="console", chat_id="Lan",
               message_id="1", created_at=now)
        insert("entry_count", id=1, entry_id=1, village_id=2, day=today, indicator_key="vneid", count=7)
    old.dispose()

    group = Processes(tmp_path, {"TOCDS_DATABASE_URL": url})
    upgraded = group.run("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert applied_revisions(create_engine(url)) == {HEAD}
    week = week_of(today).label
    exported = group.run("export", "--commune", "Xã Đồng Phú", "--period", week)
    assert exported.returncode == 0, exported.stderr
    assert "Xã Đồng Phú,Thôn Tân Hòa,vneid,7" in exported.stdout.splitlines()
    members = group.run("admin", "members", "--commune", "Xã Đồng Phú")
    assert members.stdout.splitlines()[1].startswith("Lan,Thôn Tân Hòa,member,")
    chat = subprocess.run([str(Path(sys.executable).parent / "tocds"), "chat", "--user", "Lan"], input="vneid 2\n",
                          capture_output=True, text=True, cwd=tmp_path, timeout=60,
                          env={**clean_env(), "TOCDS_DATABASE_URL": url})
    assert chat.returncode == 0 and chat.stdout.startswith("✅"), chat.stdout + chat.stderr
    again = group.run("export", "--commune", "Xã Đồng Phú", "--period", week)
    assert "Xã Đồng Phú,Thôn Tân Hòa,vneid,9" in again.stdout.splitlines()  # the old report and the new
