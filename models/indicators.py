"""The indicator catalog: what members count, and the words they use for it."""

from sqlmodel import Field, SQLModel


class Indicator(SQLModel, table=True):
    key: str = Field(primary_key=True, max_length=16)
    name_vi: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    short_vi: str = Field(max_length=40, description="a label that fits a button")
    short_en: str = Field(max_length=40)
    denominator: str | None = Field(
        default=None, max_length=16, description="village column for %, or None: count only"
    )
    position: int = 0

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_vi

    def short(self, locale: str) -> str:
        return self.short_en if locale == "en" else self.short_vi


class IndicatorAlias(SQLModel, table=True):
    __tablename__ = "indicator_alias"

    alias_key: str = Field(primary_key=True, max_length=64, description="fold(alias)")
    alias: str = Field(max_length=64, description="as people write it")
    indicator_key: str = Field(foreign_key="indicator.key", index=True)
