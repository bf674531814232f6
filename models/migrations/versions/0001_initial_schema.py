"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 20:45:32.552640
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tocds.models.types

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('conversation',
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('chat_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('sender_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('updated_at', tocds.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel', 'chat_id', 'sender_id')
    )
    indicator_table = op.create_table('indicator',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('name_vi', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('short_vi', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('short_en', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('denominator', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('org_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('households', sa.Integer(), nullable=True),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('adults', sa.Integer(), nullable=True),
    sa.Column('pop15', sa.Integer(), nullable=True),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['org_unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('parent_id', 'level', 'name_key')
    )
    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_unit_parent_id'), ['parent_id'], unique=False)

    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('created_at', tocds.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('channel_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('blocked_at', tocds.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'external_id')
    )
    with op.batch_alter_table('channel_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channel_account_person_id'), ['person_id'], unique=False)

    op.create_table('entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('chat_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', tocds.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['village_id'], ['org_unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'chat_id', 'message_id')
    )
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entry_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_village_id'), ['village_id'], unique=False)

    alias_table = op.create_table('indicator_alias',
    sa.Column('alias_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('alias', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('indicator_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_key'], ['indicator.key'], ),
    sa.PrimaryKeyConstraint('alias_key')
    )
    with op.batch_alter_table('indicator_alias', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_alias_indicator_key'), ['indicator_key'], unique=False)

    op.create_table('invite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('uses_left', sa.Integer(), nullable=False),
    sa.Column('expires_at', tocds.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', tocds.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['person.id'], ),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', tocds.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id', 'org_unit_id')
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_person_id'), ['person_id'], unique=False)

    op.create_table('nothing_to_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', tocds.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['village_id'], ['org_unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('village_id', 'week_start')
    )
    op.create_table('target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('indicator_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('baseline', sa.Integer(), nullable=False),
    sa.Column('target_percent', sa.Float(), nullable=True),
    sa.Column('target_count', sa.Integer(), nullable=True),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.CheckConstraint('target_percent IS NOT NULL OR target_count IS NOT NULL', name='target_has_goal'),
    sa.ForeignKeyConstraint(['indicator_key'], ['indicator.key'], ),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('org_unit_id', 'indicator_key')
    )
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_org_unit_id'), ['org_unit_id'], unique=False)

    op.create_table('entry_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('indicator_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('deleted_at', tocds.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], ),
    sa.ForeignKeyConstraint(['indicator_key'], ['indicator.key'], ),
    sa.ForeignKeyConstraint(['village_id'], ['org_unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entry_id', 'indicator_key')
    )
    with op.batch_alter_table('entry_count', schema=None) as batch_op:
        batch_op.create_index('ix_entry_count_village_day', ['village_id', 'day'], unique=False)

    op.create_table('audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', tocds.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('entry_count_id', sa.Integer(), nullable=False),
    sa.Column('old_count', sa.Integer(), nullable=True),
    sa.Column('new_count', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['entry_count_id'], ['entry_count.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_count_id'), ['entry_count_id'], unique=False)

    seed_indicators(indicator_table, alias_table)



# The default catalog (DESIGN.md section 3): key, Vietnamese and English names, short
# labels for buttons, the village column that is the denominator, and the words
# members type for it besides the key (accents and case do not matter).
DEFAULT_INDICATORS = [
    ("ho", "Hộ được tuyên truyền, hướng dẫn", "Households reached", "Hộ", "Households",
     "households", ["hộ", "hộ gia đình", "tuyên truyền"]),
    ("vneid", "Tài khoản định danh điện tử (VNeID) mức 2 được kích hoạt",
     "VNeID level 2 accounts activated", "VNeID", "VNeID", "population",
     ["định danh", "định danh điện tử", "vneid mức 2"]),
    ("bdhvs", "Người hoàn thành \"Bình dân học vụ số\"",
     "People who finished \"Bình dân học vụ số\"", "Học vụ số", "Digital literacy", "adults",
     ["học vụ số", "bình dân học vụ số", "hvs"]),
    ("cks", "Chữ ký số / chữ ký điện tử cá nhân", "Personal digital signatures",
     "Chữ ký số", "Digital signature", "adults",
     ["chữ ký số", "chữ ký điện tử", "ký số"]),
    ("tt", "Tài khoản thanh toán điện tử / không dùng tiền mặt", "E-payment accounts",
     "Thanh toán", "E-payment", "pop15",
     ["thanh toán", "thanh toán điện tử", "không tiền mặt"]),
    ("ssk", "Sổ sức khỏe điện tử", "E-health books", "Sổ sức khỏe", "E-health book",
     "population", ["sổ sức khỏe", "sổ sức khỏe điện tử"]),
    ("dvc", "Hồ sơ dịch vụ công trực tuyến được hỗ trợ", "Online public-service dossiers",
     "Dịch vụ công", "Public services", None, ["dịch vụ công", "dvc trực tuyến"]),
]


def seed_indicators(indicator_table, alias_table) -> None:
    from tocds.models.text import fold

    op.bulk_insert(indicator_table, [
        {"key": key, "name_vi": name_vi, "name_en": name_en, "short_vi": short_vi,
         "short_en": short_en, "denominator": denominator, "position": position}
        for position, (key, name_vi, name_en, short_vi, short_en, denominator, _)
        in enumerate(DEFAULT_INDICATORS)
    ])
    op.bulk_insert(alias_table, [
        {"alias_key": fold(alias), "alias": alias, "indicator_key": key}
        for key, *_, aliases in DEFAULT_INDICATORS
        for alias in aliases
    ])


def downgrade() -> None:
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_count_id'))

    op.drop_table('audit')
    with op.batch_alter_table('entry_count', schema=None) as batch_op:
        batch_op.drop_index('ix_entry_count_village_day')

    op.drop_table('entry_count')
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_org_unit_id'))

    op.drop_table('target')
    op.drop_table('nothing_to_report')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_person_id'))
        batch_op.drop_index(batch_op.f('ix_membership_org_unit_id'))

    op.drop_table('membership')
    op.drop_table('invite')
    with op.batch_alter_table('indicator_alias', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_alias_indicator_key'))

    op.drop_table('indicator_alias')
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entry_village_id'))
        batch_op.drop_index(batch_op.f('ix_entry_person_id'))

    op.drop_table('entry')
    with op.batch_alter_table('channel_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channel_account_person_id'))

    op.drop_table('channel_account')
    op.drop_table('person')
    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_unit_parent_id'))

    op.drop_table('org_unit')
    op.drop_table('indicator')
    op.drop_table('conversation')
