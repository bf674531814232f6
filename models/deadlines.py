"""Reporting deadlines as data: when a commune's (or a province's) monthly, quarterly, 6-month
and yearly reports are due at the level above, imported from a CSV (`tocds admin deadlines`)."""

from datetime import date
from pathlib import Path

from sqlalchemy import UniqueConstraint, delete
from sqlmodel import Field, Session, SQLModel, select

from .due_dates import KINDS, Due, parse_due, period_due_on, period_kind
from .imports import Row, all_or_nothing, read_rows
from .orgunits import OrgUnit
from .periods import Period

DEADLINE_COLUMNS = ("period_kind", "due")  # and, optionally, remind_days
REMIND_DAYS = 3  # a reminder this many days before, unless the file says otherwise
MAX_REMIND_DAYS = 60


class ReportDeadline(SQLModel, table=True):
    """When a unit's report on a kind of period is due (`due_dates` reads `due`)."""

    __tablename__ = "report_deadline"
    __table_args__ = (UniqueConstraint("unit_id", "period_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="org_unit.id", description="a commune or a province")
    period_kind: str = Field(max_length=8, description="month, quarter, half or year")
    due: str = Field(max_length=16, description="as given: 10 (month, quarter), 06-10 or 10/06 (half, year)")
    remind_days: int = Field(default=REMIND_DAYS, description="the office is reminded this many days before")

    @property
    def rule(self) -> Due:
        return parse_due(self.period_kind, self.due)


def deadlines_of(session: Session, unit: OrgUnit) -> list[ReportDeadline]:
    """The unit's deadlines, month first, then quarter, half and year."""
    rows = session.exec(select(ReportDeadline).where(ReportDeadline.unit_id == unit.id)).all()
    return sorted(rows, key=lambda d: KINDS.index(d.period_kind))


def import_deadlines(session: Session, unit: OrgUnit, path: Path) -> list[ReportDeadline]:
    """The file becomes the unit's whole calendar (a kind left out has no deadline any more),
    or nothing changes: the first bad cell stops it with its row and column."""
    rows = read_rows(path, DEADLINE_COLUMNS)
    with all_or_nothing(session):
        session.execute(delete(ReportDeadline).where(ReportDeadline.unit_id == unit.id))
        seen: dict[str, int] = {}
        for row in rows:
            deadline = _deadline(row, unit)
            if deadline.period_kind in seen:
                raise row.problem("period_kind", f"{deadline.period_kind} is already due on row "
                                  f"{seen[deadline.period_kind]}: one deadline per kind of period; remove one row")
            seen[deadline.period_kind] = row.number
            session.add(deadline)
        session.flush()
    return deadlines_of(session, unit)


def _deadline(row: Row, unit: OrgUnit) -> ReportDeadline:
    try:
        kind = period_kind(row.text("period_kind"))
    except ValueError as problem:
        raise row.problem("period_kind", str(problem)) from None
    try:
        parse_due(kind, row.text("due"))
    except ValueError as problem:
        raise row.problem("due", str(problem)) from None
    remind = row.whole("remind_days", required=False)
    if remind is None:
        remind = REMIND_DAYS
    elif remind > MAX_REMIND_DAYS:
        raise row.problem("remind_days", f"{remind} days is too early: write 0 to {MAX_REMIND_DAYS} "
                          "(0: only on the day itself)")
    return ReportDeadline(unit_id=unit.id, period_kind=kind, due=row.text("due"), remind_days=remind)


def falling_due(deadlines: list[ReportDeadline], day: date) -> list[tuple[ReportDeadline, Period]]:
    """The deadlines due on `day`, each with the (latest) period it is for."""
    due = ((deadline, period_due_on(deadline.period_kind, deadline.rule, day)) for deadline in deadlines)
    return [(deadline, period) for deadline, period in due if period is not None]
