"""org_unit.sizes as JSONB on PostgreSQL: a figure is read without parsing the village's text again

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 13:30:00

Progress reads every denominator of every village of a province (thousands): from JSON text
PostgreSQL parses the whole document once per figure read, from JSONB it looks the key up.
SQLite keeps JSON as text either way: nothing changes there.
"""

from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def _retype(kind: str) -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"ALTER TABLE org_unit ALTER COLUMN sizes DROP DEFAULT, "
                   f"ALTER COLUMN sizes TYPE {kind} USING sizes::{kind}, "
                   f"ALTER COLUMN sizes SET DEFAULT '{{}}'::{kind}")


def upgrade() -> None:
    _retype('jsonb')


def downgrade() -> None:
    _retype('json')
