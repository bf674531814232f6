"""report_settings: the issuing body, signer and recipients of a unit's report to the level above

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 21:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        'report_settings',
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('parent_body', text(length=200), nullable=True),
        sa.Column('issuer', text(length=200), nullable=True),
        sa.Column('symbol', text(length=40), nullable=True),
        sa.Column('place', text(length=100), nullable=True),
        sa.Column('signer_title', text(length=200), nullable=True),
        sa.Column('signer_name', text(length=200), nullable=True),
        sa.Column('recipients', text(length=2000), nullable=True),
        sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id']),
        sa.PrimaryKeyConstraint('unit_id'),
    )


def downgrade() -> None:
    op.drop_table('report_settings')
