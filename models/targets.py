"""Baselines and targets per village (or commune-wide) and indicator."""

from datetime import date

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select

from .orgunits import Village


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


def replaced_shares(session: Session, commune_id: int, villages: list[Village]) -> dict[str, tuple[int, list[str]]]:
    """Indicator key → the commune's baseline for it and the villages (names, in the order given)
    whose own target replaces their share of the commune's: the villages' baselines then add up
    to less (or more) than the commune's figure, which a printed report says."""
    names = {village.id: village.name for village in villages}
    rows = session.exec(select(Target.org_unit_id, Target.indicator_key, Target.baseline)
                        .where(Target.org_unit_id.in_([commune_id, *names]))).all()
    commune = {key: baseline for unit, key, baseline in rows if unit == commune_id}
    own: dict[str, list[int]] = {}
    for unit, key, _ in rows:
        if unit != commune_id and key in commune:
            own.setdefault(key, []).append(unit)
    order = list(names)
    return {key: (commune[key], [names[v] for v in sorted(ids, key=order.index)]) for key, ids in own.items()}
