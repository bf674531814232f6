"""web_session: the web desk's one-time sign-in links and its sessions

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 21:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tocds.models.types

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'web_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('places', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column('csrf', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('expires_at', tocds.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', tocds.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_web_session_person_id', 'web_session', ['person_id'])


def downgrade() -> None:
    op.drop_index('ix_web_session_person_id', table_name='web_session')
    op.drop_table('web_session')
