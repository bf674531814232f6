"""running totals: each village's live counts per indicator; one covering index for the counts

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 04:40:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'village_total',
        sa.Column('village_id', sa.Integer(), nullable=False),
        sa.Column('indicator_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['indicator_key'], ['indicator.key']),
        sa.ForeignKeyConstraint(['village_id'], ['org_unit.id']),
        sa.PrimaryKeyConstraint('village_id', 'indicator_key'),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO village_total (village_id, indicator_key, total) "
        "SELECT village_id, indicator_key, sum(count) FROM entry_count "
        "WHERE deleted_at IS NULL GROUP BY village_id, indicator_key"
    )
    with op.batch_alter_table('entry_count', schema=None) as batch_op:
        batch_op.drop_index('ix_entry_count_progress')
        batch_op.drop_index('ix_entry_count_village_day')
        batch_op.create_index('ix_entry_count_village_day',
                              ['village_id', 'day', 'indicator_key', 'count', 'deleted_at', 'entry_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('entry_count', schema=None) as batch_op:
        batch_op.drop_index('ix_entry_count_village_day')
        batch_op.create_index('ix_entry_count_village_day', ['village_id', 'day'], unique=False)
        batch_op.create_index('ix_entry_count_progress',
                              ['village_id', 'indicator_key', 'day', 'count', 'deleted_at'], unique=False)
    op.drop_table('village_total')
