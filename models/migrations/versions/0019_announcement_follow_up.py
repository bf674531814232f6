"""announcement: the chat it came from (the delivery report goes there), its photo or document,
the reminder's time and when the delivery report went

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08 10:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tocds.models.types

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

AUTO = sqlmodel.sql.sqltypes.AutoString
MOMENT = tocds.models.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.add_column('announcement', sa.Column('channel', AUTO(length=16), nullable=False, server_default=''))
    op.add_column('announcement', sa.Column('chat_id', AUTO(length=64), nullable=False, server_default=''))
    op.add_column('announcement', sa.Column('file_kind', AUTO(length=16), nullable=False, server_default=''))
    op.add_column('announcement', sa.Column('file_ref', AUTO(length=512), nullable=False, server_default=''))
    op.add_column('announcement', sa.Column('remind_at', MOMENT, nullable=True))
    op.add_column('announcement', sa.Column('reported_at', MOMENT, nullable=True))
    # Those sent before showed their deliveries on request: no late report for them.
    op.execute("UPDATE announcement SET reported_at = sent_at")
    op.create_index(op.f('ix_announcement_remind_at'), 'announcement', ['remind_at'], unique=False)
    op.create_index(op.f('ix_announcement_reported_at'), 'announcement', ['reported_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_announcement_reported_at'), table_name='announcement')
    op.drop_index(op.f('ix_announcement_remind_at'), table_name='announcement')
    with op.batch_alter_table('announcement') as table:
        for column in ('reported_at', 'remind_at', 'file_ref', 'file_kind', 'chat_id', 'channel'):
            table.drop_column(column)
