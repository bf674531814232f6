"""an index for progress: entry counts by village, indicator and day

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 00:55:00
"""

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('entry_count', schema=None) as batch_op:
        batch_op.create_index('ix_entry_count_progress',
                              ['village_id', 'indicator_key', 'day', 'count', 'deleted_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('entry_count', schema=None) as batch_op:
        batch_op.drop_index('ix_entry_count_progress')
