"""Running totals: each village's live counts per indicator, and each commune's per ISO week,
kept beside the entries.

Progress since a target's start would otherwise add up every count a village ever
reported, each time a summary, an alert or a question asks. `VillageTotal` holds that sum,
changed in the same transaction as the counts themselves: a listener on every session's
flush turns the counts added, edited or taken back into one upsert (`total = total +
delta`), which the database applies atomically, so concurrent reports need no lock of
their own. A trend's bars (a commune's or a province's weeks since a target's start) would
read every count of those weeks: `CommuneWeekTotal` holds them added up per commune and
week, kept by the same listener. Only rows written around the ORM (a bulk load) need
`rebuild`; a commune merged into another moves its villages around the ORM, and
`rebuild_weeks` counts the commune's weeks afresh.
"""

from collections import Counter
from datetime import date

from sqlalchemy import Connection, Date, Index, delete, event, func, inspect, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Field, Session, SQLModel

from .entries import EntryCount
from .orgunits import OrgUnit


class week_start(FunctionElement):
    """The Monday of a date's ISO week, in SQL."""

    type = Date()
    inherit_cache = True


@compiles(week_start, "sqlite")
def _week_start_sqlite(element, compiler, **kw):
    # 'weekday 0' moves forward to Sunday (or stays); six days back is that week's Monday.
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


@compiles(week_start, "postgresql")
def _week_start_postgresql(element, compiler, **kw):
    return f"CAST(date_trunc('week', {compiler.process(element.clauses, **kw)}) AS DATE)"


class VillageTotal(SQLModel, table=True):
    """The sum of a village's live counts of one indicator, whatever their day."""

    __tablename__ = "village_total"
    __table_args__ = (
        # With the total in the index, a commune's rows are read from it alone: upserts leave
        # a village's rows scattered over the table, which PostgreSQL would rather scan whole.
        Index("ix_village_total_village", "village_id", "indicator_key", "total"),
        {"sqlite_with_rowid": False},  # SQLite keeps the rows in key order
    )

    village_id: int = Field(foreign_key="org_unit.id", primary_key=True)
    indicator_key: str = Field(foreign_key="indicator.key", primary_key=True)
    total: int = 0


class CommuneWeekTotal(SQLModel, table=True):
    """The sum of the live counts of one indicator dated in one ISO week, over a commune's villages."""

    __tablename__ = "commune_week_total"
    __table_args__ = (
        Index("ix_commune_week_total_commune", "commune_id", "week_start", "indicator_key", "total"),
        {"sqlite_with_rowid": False},
    )

    commune_id: int = Field(foreign_key="org_unit.id", primary_key=True)
    week_start: date = Field(primary_key=True, description="the week's Monday")
    indicator_key: str = Field(foreign_key="indicator.key", primary_key=True)
    total: int = 0


def _was(count: EntryCount, attribute: str):
    """An attribute's value before this flush."""
    history = inspect(count).attrs[attribute].history
    if history.deleted:
        return history.deleted[0]
    return history.unchanged[0] if history.unchanged else getattr(count, attribute)


def _changes(session: OrmSession) -> Counter:
    """(village id, indicator key, day) → how much this flush changes the live counts."""
    deltas: Counter = Counter()
    for count in session.new:
        if isinstance(count, EntryCount) and count.deleted_at is None:
            deltas[(count.village_id, count.indicator_key, count.day)] += count.count
    for count, removed in [(c, False) for c in session.dirty] + [(c, True) for c in session.deleted]:
        if not isinstance(count, EntryCount):
            continue
        if _was(count, "deleted_at") is None:
            deltas[(_was(count, "village_id"), _was(count, "indicator_key"), _was(count, "day"))] -= _was(count, "count")
        if not removed and count.deleted_at is None:
            deltas[(count.village_id, count.indicator_key, count.day)] += count.count
    return deltas


def _upsert(connection: Connection, table: type[SQLModel], keys: list[str], deltas: Counter) -> None:
    """Adds each delta to its row's total (a new row: the delta). Sorted rows lock in one order,
    so two transactions never wait for each other in a circle."""
    rows = [{**dict(zip(keys, key, strict=True)), "total": d} for key, d in sorted(deltas.items()) if d]
    if not rows:
        return
    if connection.dialect.name == "postgresql":  # imported here: on SQLite the PostgreSQL dialect (~2 MB) stays out
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table).values(rows)
    connection.execute(statement.on_conflict_do_update(
        index_elements=keys, set_={"total": table.total + statement.excluded.total}))


@event.listens_for(OrmSession, "after_flush")
def _keep_totals(session: OrmSession, _flush_context) -> None:
    deltas = _changes(session)
    if not any(deltas.values()):
        return
    connection = session.connection()
    by_village: Counter = Counter()
    for (village, key, _), delta in deltas.items():
        by_village[(village, key)] += delta
    _upsert(connection, VillageTotal, ["village_id", "indicator_key"], by_village)
    parents = dict(connection.execute(select(OrgUnit.id, OrgUnit.parent_id).where(
        OrgUnit.id.in_({village for village, _, _ in deltas}))).all())
    by_week: Counter = Counter()
    for (village, key, day), delta in deltas.items():
        by_week[(parents[village], date.fromordinal(day.toordinal() - day.weekday()), key)] += delta
    _upsert(connection, CommuneWeekTotal, ["commune_id", "week_start", "indicator_key"], by_week)


REBUILD = (
    "INSERT INTO village_total (village_id, indicator_key, total) "
    "SELECT village_id, indicator_key, sum(count) FROM entry_count "
    "WHERE deleted_at IS NULL GROUP BY village_id, indicator_key"
)


def _weeks_counted(communes=None):
    """The live counts added up per commune, ISO week and indicator (of some communes, or all)."""
    monday = week_start(EntryCount.day)
    statement = (
        select(OrgUnit.parent_id, monday, EntryCount.indicator_key, func.sum(EntryCount.count))
        .join(OrgUnit, OrgUnit.id == EntryCount.village_id)
        .where(EntryCount.deleted_at.is_(None))
        .group_by(OrgUnit.parent_id, monday, EntryCount.indicator_key)
    )
    return statement if communes is None else statement.where(OrgUnit.parent_id.in_(communes))


def rebuild(connection: Connection | Session) -> None:
    """Every total counted afresh from the entries (after counts were loaded around the ORM)."""
    connection.execute(text("DELETE FROM village_total"))
    connection.execute(text(REBUILD))
    connection.execute(delete(CommuneWeekTotal))
    connection.execute(CommuneWeekTotal.__table__.insert().from_select(
        ["commune_id", "week_start", "indicator_key", "total"], _weeks_counted()))


def rebuild_weeks(session: Session, communes: list[int]) -> None:
    """The communes' weekly totals counted afresh (their villages changed around the ORM)."""
    session.execute(delete(CommuneWeekTotal).where(CommuneWeekTotal.commune_id.in_(communes)))
    session.execute(CommuneWeekTotal.__table__.insert().from_select(
        ["commune_id", "week_start", "indicator_key", "total"], _weeks_counted(communes)))
