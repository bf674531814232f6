"""commune_week_total: each commune's live counts per ISO week and indicator (a trend's bars), counted from the entries

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 20:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

# The Monday of a count's ISO week, as each database writes it.
MONDAY = {"sqlite": "date(entry_count.day, 'weekday 0', '-6 days')",
          "postgresql": "CAST(date_trunc('week', entry_count.day) AS DATE)"}


def upgrade() -> None:
    op.create_table(
        'commune_week_total',
        sa.Column('commune_id', sa.Integer(), nullable=False),
        sa.Column('week_start', sa.Date(), nullable=False),
        sa.Column('indicator_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['commune_id'], ['org_unit.id']),
        sa.ForeignKeyConstraint(['indicator_key'], ['indicator.key']),
        sa.PrimaryKeyConstraint('commune_id', 'week_start', 'indicator_key'),
        sqlite_with_rowid=False,
    )
    op.create_index('ix_commune_week_total_commune', 'commune_week_total',
                    ['commune_id', 'week_start', 'indicator_key', 'total'], unique=False)
    monday = MONDAY[op.get_bind().dialect.name]
    op.execute(
        "INSERT INTO commune_week_total (commune_id, week_start, indicator_key, total) "
        f"SELECT org_unit.parent_id, {monday}, entry_count.indicator_key, sum(entry_count.count) "
        "FROM entry_count JOIN org_unit ON org_unit.id = entry_count.village_id "
        f"WHERE entry_count.deleted_at IS NULL GROUP BY org_unit.parent_id, {monday}, entry_count.indicator_key"
    )


def downgrade() -> None:
    op.drop_index('ix_commune_week_total_commune', table_name='commune_week_total')
    op.drop_table('commune_week_total')
