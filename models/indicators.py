"""The indicator catalog: what members count, the words they use for it, and which
indicators each commune tracks, in its order."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from .types import UTCDateTime

# A village's figure that an indicator may take as its denominator: a name of letters,
# digits and underscores (`households`, `smartphone_owners`), as a village CSV's column.
SIZE_NAME = r"[a-z][a-z0-9_]{0,31}"


class Indicator(SQLModel, table=True):
    key: str = Field(primary_key=True, max_length=16)
    name_vi: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    short_vi: str = Field(max_length=40, description="a label that fits a button")
    short_en: str = Field(max_length=40)
    denominator: str | None = Field(
        default=None, max_length=32, description="the village figure for %, or None: count only"
    )
    unit: str | None = Field(default=None, max_length=40, description="what one count is: hộ, người, hồ sơ")
    position: int = 0
    retired_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime(timezone=True),
        description="no longer offered or reported; its counts stay in the history",
    )

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_vi

    def short(self, locale: str) -> str:
        return self.short_en if locale == "en" else self.short_vi


class IndicatorAlias(SQLModel, table=True):
    """A word members write for an indicator. Two indicators may share a word only where
    nobody could mean both: no commune tracks both, and nobody belongs to two communes
    that track one each (`models/catalog.py` checks)."""

    __tablename__ = "indicator_alias"

    alias_key: str = Field(primary_key=True, max_length=64, description="fold(alias)")
    indicator_key: str = Field(primary_key=True, foreign_key="indicator.key", index=True)
    alias: str = Field(max_length=64, description="as people write it")


class CommuneIndicator(SQLModel, table=True):
    """The indicators a commune tracks, in its order. A commune without rows tracks every
    indicator of the catalog that is not retired, in the catalog's order."""

    __tablename__ = "commune_indicator"

    commune_id: int = Field(foreign_key="org_unit.id", primary_key=True)
    indicator_key: str = Field(foreign_key="indicator.key", primary_key=True)
    position: int = 0
