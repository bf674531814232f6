"""audit.reason: why the commune office changed a count older than the days a report may be for

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 09:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit') as batch:
        batch.add_column(sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit') as batch:
        batch.drop_column('reason')
