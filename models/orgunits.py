"""Org units: province → commune → village, with the figures percentages are taken of."""

from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple

from sqlalchemy import JSON, UniqueConstraint, or_
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, Session, SQLModel, select

from .types import UTCDateTime, utcnow


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
    evidence_keep_days: int = Field(default=365, description="communes only: days an evidence file is kept after "
                                                             "its decision (`tocds admin evidence --keep-days`)")
    retired_on: date | None = Field(
        default=None, description="villages: the first day it no longer counts (targets, denominators, reminders, "
                                  "not reported); the periods that begin before it keep it")


class Village(NamedTuple):
    """A village as summaries carry it: plain values, no session behind them (a province's
    summary holds thousands, which as ORM objects cost more to load than to count)."""

    id: int
    parent_id: int
    name: str


def standing_on(day: date):
    """The units not retired by that day (a retired village stays in the periods before it)."""
    return or_(OrgUnit.retired_on.is_(None), OrgUnit.retired_on > day)


def children(session: Session, unit: OrgUnit, on: date | None = None) -> list[OrgUnit]:
    """A province's communes, or a commune's villages, in org-unit order; with `on`, only
    those standing on that day (not retired by then)."""
    query = select(OrgUnit).where(OrgUnit.parent_id == unit.id)
    if on is not None:
        query = query.where(standing_on(on))
    return list(session.exec(query.order_by(OrgUnit.id)).all())


class PlaceEvent(SQLModel, table=True):
    """The operator's changes to places: a village, commune or province renamed, merged into
    another, retired (or back), deleted. Kept by names, since a merged or deleted place is
    gone; `commune_id` is the commune the office sees it in (None: a province's, or a commune
    deleted since)."""

    __tablename__ = "place_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    commune_id: int | None = Field(default=None, foreign_key="org_unit.id", index=True)
    level: str = Field(max_length=16)
    action: str = Field(max_length=16, description="rename | merge | retire | unretire | delete")
    name: str = Field(max_length=200, description="the place's name before the change")
    new_name: str = Field(default="", max_length=200, description="rename: the new name; merge: the place it went into")
    on_day: date | None = Field(default=None, description="retire: the first day it no longer counts")
    detail: str = Field(default="", max_length=200, description="merge: what moved, e.g. entries=3 members=1 (targets_dropped: both had one; the other's kept)")
