"""membership_event: people removed, roles changed, places left, subscriptions stopped by someone else

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 06:10:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tocds.models.types

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'membership_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', tocds.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('commune_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=True),
        sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('old_role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column('new_role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column('chat', sqlmodel.sql.sqltypes.AutoString(length=96), nullable=False),
        sa.ForeignKeyConstraint(['by_id'], ['person.id']),
        sa.ForeignKeyConstraint(['commune_id'], ['org_unit.id']),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_membership_event_commune_id'), 'membership_event', ['commune_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_membership_event_commune_id'), table_name='membership_event')
    op.drop_table('membership_event')
