"""Alembic environment: runs on the connection tocds hands over, or on the URL."""

from alembic import context
from sqlmodel import SQLModel

from tocds import models  # noqa: F401  (registers every table on SQLModel.metadata)
from tocds.bot.settings import get_settings
from tocds.models.db import get_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    with get_engine(url).begin() as connection:
        run_migrations(connection)
