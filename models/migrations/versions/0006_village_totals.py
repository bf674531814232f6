"""running totals: each village's live counts per indicator; counts carry their entry's person; their indexes

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
    op.create_index('ix_village_total_village', 'village_total', ['village_id', 'indicator_key', 'total'], unique=False)
    op.execute(
        "INSERT INTO village_total (village_id, indicator_key, total) "
        "SELECT village_id, indicator_key, sum(count) FROM entry_count "
        "WHERE deleted_at IS NULL GROUP BY village_id, indicator_key"
    )
    with op.batch_alter_table('entry_count', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_entry_count_person_id_person', 'person', ['person_id'], ['id'])
    op.execute("UPDATE entry_count SET person_id = (SELECT person_id FROM entry WHERE entry.id = entry_count.entry_id)")
    with op.batch_alter_table('entry_count', schema=None) as batch_op:
        batch_op.alter_column('person_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index('ix_entry_count_progress')
        batch_op.drop_index('ix_entry_count_village_day')
        batch_op.create_index('ix_entry_count_village_day', ['village_id', 'day', 'indicator_key', 'count',
                                                             'deleted_at', 'person_id', 'entry_id'], unique=False)
        batch_op.create_index('ix_entry_count_day', ['day'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('entry_count', schema=None) as batch_op:
        batch_op.drop_index('ix_entry_count_day')
        batch_op.drop_index('ix_entry_count_village_day')
        batch_op.drop_constraint('fk_entry_count_person_id_person', type_='foreignkey')
        batch_op.drop_column('person_id')
        batch_op.create_index('ix_entry_count_village_day', ['village_id', 'day'], unique=False)
        batch_op.create_index('ix_entry_count_progress',
                              ['village_id', 'indicator_key', 'day', 'count', 'deleted_at'], unique=False)
    op.drop_table('village_total')
