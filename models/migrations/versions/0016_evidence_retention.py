"""evidence retention: org_unit.evidence_keep_days, evidence.file_deleted_at, the evidence_view log,
and the erasure log of people's data erased

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 20:45:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tocds.models.types

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('org_unit', sa.Column('evidence_keep_days', sa.Integer(), nullable=False, server_default='365'))
    op.add_column('evidence', sa.Column('file_deleted_at', tocds.models.types.UTCDateTime(timezone=True),
                                        nullable=True))
    op.create_table(
        'evidence_view',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('evidence_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=True),
        sa.Column('via', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('at', tocds.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id']),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_evidence_view_evidence_id'), 'evidence_view', ['evidence_id'], unique=False)
    op.create_table(
        'erasure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('at', tocds.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('operator', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_erasure_person_id'), 'erasure', ['person_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_erasure_person_id'), table_name='erasure')
    op.drop_table('erasure')
    op.drop_index(op.f('ix_evidence_view_evidence_id'), table_name='evidence_view')
    op.drop_table('evidence_view')
    op.drop_column('evidence', 'file_deleted_at')
    op.drop_column('org_unit', 'evidence_keep_days')
