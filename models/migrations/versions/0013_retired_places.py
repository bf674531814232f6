"""org_unit.retired_on and place_event: villages retired from a day on, and the operator's changes to places

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 19:50:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tocds.models.types

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('org_unit', sa.Column('retired_on', sa.Date(), nullable=True))
    op.create_table(
        'place_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', tocds.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('commune_id', sa.Integer(), nullable=True),
        sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('new_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('on_day', sa.Date(), nullable=True),
        sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(['commune_id'], ['org_unit.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_place_event_commune_id'), 'place_event', ['commune_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_place_event_commune_id'), table_name='place_event')
    op.drop_table('place_event')
    op.execute('ALTER TABLE org_unit DROP COLUMN retired_on')  # as 0010: SQLite drops a column in place
