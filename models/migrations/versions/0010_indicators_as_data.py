"""indicators as data: a unit and a retirement per indicator, a list per commune, aliases
shared between indicators nobody could confuse, and a village's figures as named sizes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 07:30:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tocds.models.types

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# The four figures a village had as columns until now, and the unit of each default indicator.
FIGURES = ('households', 'population', 'adults', 'pop15')
UNITS = {'ho': 'hộ', 'vneid': 'người', 'bdhvs': 'người', 'cks': 'người', 'tt': 'người', 'ssk': 'người',
         'dvc': 'hồ sơ'}

indicator = sa.table('indicator', sa.column('key', sa.String), sa.column('unit', sa.String))
org_unit = sa.table('org_unit', sa.column('id', sa.Integer), sa.column('sizes', sa.JSON),
                    *(sa.column(name, sa.Integer) for name in FIGURES))


def upgrade() -> None:
    # Altered in place, never copied: SQLite cannot copy a table others refer to while it
    # checks foreign keys (and keeps no lengths, so only PostgreSQL widens the column).
    if op.get_bind().dialect.name != 'sqlite':
        op.alter_column('indicator', 'denominator', type_=sqlmodel.sql.sqltypes.AutoString(length=32),
                        existing_type=sqlmodel.sql.sqltypes.AutoString(length=16), existing_nullable=True)
    op.add_column('indicator', sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
    op.add_column('indicator', sa.Column('retired_at', tocds.models.types.UTCDateTime(timezone=True), nullable=True))
    for key, unit in UNITS.items():
        op.execute(indicator.update().where(indicator.c.key == key).values(unit=unit))

    # An alias belongs to (word, indicator) now, not to the word alone.
    op.create_table(
        'indicator_alias_new',
        sa.Column('alias_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('indicator_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('alias', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(['indicator_key'], ['indicator.key']),
        sa.PrimaryKeyConstraint('alias_key', 'indicator_key'),
    )
    op.execute('INSERT INTO indicator_alias_new (alias_key, indicator_key, alias) '
               'SELECT alias_key, indicator_key, alias FROM indicator_alias')
    op.drop_index(op.f('ix_indicator_alias_indicator_key'), table_name='indicator_alias')
    op.drop_table('indicator_alias')
    op.rename_table('indicator_alias_new', 'indicator_alias')
    op.create_index(op.f('ix_indicator_alias_indicator_key'), 'indicator_alias', ['indicator_key'], unique=False)

    op.create_table(
        'commune_indicator',
        sa.Column('commune_id', sa.Integer(), nullable=False),
        sa.Column('indicator_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['commune_id'], ['org_unit.id']),
        sa.ForeignKeyConstraint(['indicator_key'], ['indicator.key']),
        sa.PrimaryKeyConstraint('commune_id', 'indicator_key'),
    )

    # A village's figures move into one named set, without a value lost or made up.
    op.add_column('org_unit', sa.Column('sizes', sa.JSON(), nullable=False, server_default='{}'))
    connection = op.get_bind()
    for row in connection.execute(sa.select(org_unit.c.id, *(org_unit.c[name] for name in FIGURES))).all():
        sizes = {name: value for name, value in zip(FIGURES, row[1:], strict=True) if value is not None}
        if sizes:
            connection.execute(org_unit.update().where(org_unit.c.id == row[0]).values(sizes=sizes))
    for name in FIGURES:
        op.execute(f'ALTER TABLE org_unit DROP COLUMN {name}')


def downgrade() -> None:
    for name in FIGURES:
        op.add_column('org_unit', sa.Column(name, sa.Integer(), nullable=True))
    connection = op.get_bind()
    for row_id, sizes in connection.execute(sa.select(org_unit.c.id, org_unit.c.sizes)).all():
        known = {name: sizes[name] for name in FIGURES if name in (sizes or {})}
        if known:
            connection.execute(org_unit.update().where(org_unit.c.id == row_id).values(**known))
    op.execute('ALTER TABLE org_unit DROP COLUMN sizes')

    op.drop_table('commune_indicator')

    # Back to one indicator per word: where two shared one, the first (by key) keeps it.
    op.create_table(
        'indicator_alias_old',
        sa.Column('alias_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('alias', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('indicator_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(['indicator_key'], ['indicator.key']),
        sa.PrimaryKeyConstraint('alias_key'),
    )
    op.execute('INSERT INTO indicator_alias_old (alias_key, alias, indicator_key) '
               'SELECT alias_key, alias, indicator_key FROM indicator_alias AS a '
               'WHERE indicator_key = (SELECT min(b.indicator_key) FROM indicator_alias AS b '
               'WHERE b.alias_key = a.alias_key)')
    op.drop_index(op.f('ix_indicator_alias_indicator_key'), table_name='indicator_alias')
    op.drop_table('indicator_alias')
    op.rename_table('indicator_alias_old', 'indicator_alias')
    op.create_index(op.f('ix_indicator_alias_indicator_key'), 'indicator_alias', ['indicator_key'], unique=False)

    # Retired indicators come back as tracked ones; a denominator keeps its longer column.
    op.execute('ALTER TABLE indicator DROP COLUMN retired_at')
    op.execute('ALTER TABLE indicator DROP COLUMN unit')
