"""evidence files and review; communes requiring evidence

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 00:08:48.040206
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tocds.models.types

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('stored_path', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True))
        batch_op.add_column(sa.Column('size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('fetch_failures', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('reviewed_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', tocds.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('review_reason', sqlmodel.sql.sqltypes.AutoString(length=512),
                                      nullable=False, server_default=''))
        batch_op.create_index('ix_evidence_status_received', ['status', 'received_at'], unique=False)
        batch_op.create_foreign_key('fk_evidence_reviewed_by_person', 'person', ['reviewed_by'], ['id'])

    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requires_evidence', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.drop_column('requires_evidence')

    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_constraint('fk_evidence_reviewed_by_person', type_='foreignkey')
        batch_op.drop_index('ix_evidence_status_received')
        for column in ('review_reason', 'reviewed_at', 'reviewed_by', 'fetch_failures', 'size',
                       'stored_path', 'sha256'):
            batch_op.drop_column(column)
