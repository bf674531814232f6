"""One Alembic history that builds exactly the tables the models declare."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import Session, SQLModel, select

from tocds.models import Indicator, IndicatorAlias
from tocds.models.db import get_engine


def test_the_migrations_match_the_models(db_url):
    with get_engine(db_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
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
