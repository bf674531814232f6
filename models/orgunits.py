"""Org units: province → commune → village, with the figures percentages are taken of."""

from enum import StrEnum
from typing import NamedTuple

from sqlalchemy import JSON, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, Session, SQLModel, select


class Level(StrEnum):
    PROVINCE = "province"
    COMMUNE = "commune"
    VILLAGE = "village"


class OrgUnit(SQLModel, table=True):
    __tablename__ = "org_unit"
    __table_args__ = (UniqueConstraint("parent_id", "level", "name_key"),)

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="org_unit.id", index=True)
    level: str = Field(max_length=16)
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=200, description="fold(name), for matching typed names")
    sizes: dict[str, int] = Field(
        default_factory=dict, sa_type=JSON().with_variant(JSONB(), "postgresql"), sa_column_kwargs={"nullable": False},
        description="villages: figure name → value (households, population, adults, pop15, any "
                    "other a village CSV carries), the denominators indicators name",
    )
    timezone: str | None = Field(default=None, max_length=64, description="communes only")
    requires_evidence: bool = Field(default=False, description="communes only: summaries also count verified figures")


class Village(NamedTuple):
    """A village as summaries carry it: plain values, no session behind them (a province's
    summary holds thousands, which as ORM objects cost more to load than to count)."""

    id: int
    parent_id: int
    name: str


def children(session: Session, unit: OrgUnit) -> list[OrgUnit]:
    """A province's communes, or a commune's villages, in org-unit order."""
    return list(session.exec(select(OrgUnit).where(OrgUnit.parent_id == unit.id).order_by(OrgUnit.id)).all())
