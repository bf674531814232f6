"""One Alembic history that builds exactly the tables the models declare."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
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
