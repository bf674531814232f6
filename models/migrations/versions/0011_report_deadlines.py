"""report_deadline: when a commune's monthly, quarterly, 6-month and yearly reports are due

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 08:30:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'report_deadline',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('period_kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('due', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('remind_days', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('unit_id', 'period_kind'),
    )


def downgrade() -> None:
    op.drop_table('report_deadline')
