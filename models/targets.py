"""Baselines and targets per village (or commune-wide) and indicator."""

from datetime import date

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel


class Target(SQLModel, table=True):
    """A target for one org unit and indicator.

    On a commune it applies to every village without a target of its own: the
    percentage, start and deadline as they are, and the baseline shared out in
    proportion to each village's denominator.
    """

    __table_args__ = (
        UniqueConstraint("org_unit_id", "indicator_key"),
        CheckConstraint(
            "target_percent IS NOT NULL OR target_count IS NOT NULL", name="target_has_goal"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    org_unit_id: int = Field(foreign_key="org_unit.id", index=True)
    indicator_key: str = Field(foreign_key="indicator.key")
    baseline: int = 0
    target_percent: float | None = None
    target_count: int | None = Field(default=None, description="an absolute goal, e.g. for dvc")
    start: date
    deadline: date
