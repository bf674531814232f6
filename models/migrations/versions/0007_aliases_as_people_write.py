"""aliases as people write them: longer names, the other spelling of `ký`, English names

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 05:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# What volunteers were seen writing (issue 14) besides the aliases of 0001; an English
# user's words are the indicators' English short names.
ALIASES = {
    "ho": ["hộ dân", "hộ gđ", "households", "household"],
    "vneid": ["định danh mức 2", "định danh điện tử mức 2", "tài khoản định danh", "vneid level 2"],
    "bdhvs": ["bình dân học vụ", "học vụ", "bdhv", "digital literacy"],
    "cks": ["chữ kí số", "kí số", "chữ ký số cá nhân", "ký điện tử", "digital signature",
            "digital signatures"],
    "tt": ["tài khoản thanh toán", "không dùng tiền mặt", "thanh toán không dùng tiền mặt",
           "e-payment", "e-payment account", "e-payment accounts"],
    "ssk": ["sổ sk", "e-health book", "e-health books", "e-health"],
    "dvc": ["dịch vụ công trực tuyến", "dvctt", "hồ sơ dvc", "hồ sơ dịch vụ công", "hồ sơ trực tuyến",
            "public services", "public service"],
}

alias_table = sa.table(
    'indicator_alias',
    sa.column('alias_key', sa.String),
    sa.column('alias', sa.String),
    sa.column('indicator_key', sa.String),
)


def upgrade() -> None:
    from tocds.models.text import fold

    op.bulk_insert(alias_table, [
        {"alias_key": fold(alias), "alias": alias, "indicator_key": key}
        for key, aliases in ALIASES.items()
        for alias in aliases
    ])


def downgrade() -> None:
    from tocds.models.text import fold

    keys = [fold(alias) for aliases in ALIASES.values() for alias in aliases]
    op.execute(alias_table.delete().where(alias_table.c.alias_key.in_(keys)))
