"""announcement, announcement_receipt, announcement_delivery, office_question: an office's announcements, who got them, who acknowledged; members' questions to the office

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 20:50:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tocds.models.types

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

AUTO = sqlmodel.sql.sqltypes.AutoString
MOMENT = tocds.models.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'announcement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sender_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('audience', AUTO(length=16), nullable=False),
        sa.Column('villages', AUTO(length=512), nullable=False),
        sa.Column('text', AUTO(length=4000), nullable=False),
        sa.Column('urgent', sa.Boolean(), nullable=False),
        sa.Column('sent_at', MOMENT, nullable=False),
        sa.Column('reminded_at', MOMENT, nullable=True),
        sa.ForeignKeyConstraint(['sender_id'], ['person.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_announcement_sender_id'), 'announcement', ['sender_id'], unique=False)
    op.create_index(op.f('ix_announcement_unit_id'), 'announcement', ['unit_id'], unique=False)
    op.create_table(
        'announcement_receipt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('announcement_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('acknowledged_at', MOMENT, nullable=True),
        sa.Column('acknowledged_on', AUTO(length=16), nullable=False),
        sa.ForeignKeyConstraint(['announcement_id'], ['announcement.id']),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('announcement_id', 'person_id'),
    )
    op.create_index(op.f('ix_announcement_receipt_announcement_id'), 'announcement_receipt', ['announcement_id'],
                    unique=False)
    op.create_index(op.f('ix_announcement_receipt_person_id'), 'announcement_receipt', ['person_id'], unique=False)
    op.create_table(
        'announcement_delivery',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('announcement_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('channel', AUTO(length=16), nullable=False),
        sa.Column('outbox_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['announcement_id'], ['announcement.id']),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_announcement_delivery_announcement_id'), 'announcement_delivery', ['announcement_id'],
                    unique=False)
    op.create_table(
        'office_question',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('commune_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('village_id', sa.Integer(), nullable=True),
        sa.Column('channel', AUTO(length=16), nullable=False),
        sa.Column('text', AUTO(length=4000), nullable=False),
        sa.Column('asked_at', MOMENT, nullable=False),
        sa.Column('answered_at', MOMENT, nullable=True),
        sa.Column('answered_by', sa.Integer(), nullable=True),
        sa.Column('answer', AUTO(length=4000), nullable=False),
        sa.ForeignKeyConstraint(['commune_id'], ['org_unit.id']),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.ForeignKeyConstraint(['village_id'], ['org_unit.id']),
        sa.ForeignKeyConstraint(['answered_by'], ['person.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_office_question_commune_id'), 'office_question', ['commune_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_office_question_commune_id'), table_name='office_question')
    op.drop_table('office_question')
    op.drop_index(op.f('ix_announcement_delivery_announcement_id'), table_name='announcement_delivery')
    op.drop_table('announcement_delivery')
    op.drop_index(op.f('ix_announcement_receipt_person_id'), table_name='announcement_receipt')
    op.drop_index(op.f('ix_announcement_receipt_announcement_id'), table_name='announcement_receipt')
    op.drop_table('announcement_receipt')
    op.drop_index(op.f('ix_announcement_unit_id'), table_name='announcement')
    op.drop_index(op.f('ix_announcement_sender_id'), table_name='announcement')
    op.drop_table('announcement')
