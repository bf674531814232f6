"""Running totals: each village's live counts per indicator, kept beside the entries.

Progress since a target's start would otherwise add up every count a village ever
reported, each time a summary, an alert or a question asks. `VillageTotal` holds that sum,
changed in the same transaction as the counts themselves: a listener on every session's
flush turns the counts added, edited or taken back into one upsert (`total = total +
delta`), which the database applies atomically, so concurrent reports need no lock of
their own. Only rows written around the ORM (a bulk load) need `rebuild`.
"""

from collections import Counter

from sqlalchemy import Connection, Index, event, inspect, text
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, SQLModel

from .entries import EntryCount


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


def _was(count: EntryCount, attribute: str):
    """An attribute's value before this flush."""
    history = inspect(count).attrs[attribute].history
    if history.deleted:
        return history.deleted[0]
    return history.unchanged[0] if history.unchanged else getattr(count, attribute)


def _changes(session: OrmSession) -> Counter:
    """(village id, indicator key) → how much this flush changes its live total."""
    deltas: Counter = Counter()
    for count in session.new:
        if isinstance(count, EntryCount) and count.deleted_at is None:
            deltas[(count.village_id, count.indicator_key)] += count.count
    for count, removed in [(c, False) for c in session.dirty] + [(c, True) for c in session.deleted]:
        if not isinstance(count, EntryCount):
            continue
        if _was(count, "deleted_at") is None:
            deltas[(_was(count, "village_id"), _was(count, "indicator_key"))] -= _was(count, "count")
        if not removed and count.deleted_at is None:
            deltas[(count.village_id, count.indicator_key)] += count.count
    return deltas


@event.listens_for(OrmSession, "after_flush")
def _keep_totals(session: OrmSession, _flush_context) -> None:
    deltas = _changes(session)
    rows = [{"village_id": v, "indicator_key": k, "total": d} for (v, k), d in sorted(deltas.items()) if d]
    if not rows:
        return
    # Sorted rows lock in one order, so two transactions never wait for each other in a circle.
    connection = session.connection()
    if connection.dialect.name == "postgresql":  # imported here: on SQLite the PostgreSQL dialect (~2 MB) stays out
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(VillageTotal).values(rows)
    connection.execute(statement.on_conflict_do_update(
        index_elements=["village_id", "indicator_key"],
        set_={"total": VillageTotal.total + statement.excluded.total},
    ))


REBUILD = (
    "INSERT INTO village_total (village_id, indicator_key, total) "
    "SELECT village_id, indicator_key, sum(count) FROM entry_count "
    "WHERE deleted_at IS NULL GROUP BY village_id, indicator_key"
)


def rebuild(connection: Connection | Session) -> None:
    """Every total counted afresh from the entries (after counts were loaded around the ORM)."""
    connection.execute(text("DELETE FROM village_total"))
    connection.execute(text(REBUILD))
