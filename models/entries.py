"""What members report: entries, their counts, "nothing this week", and the audit trail.

An *entry* is one report (who, which village, which day, from which message); its
counts are one row per indicator. Counts are never deleted: a deletion sets
`deleted_at`, and every change is kept in `audit`.
"""

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .types import UTCDateTime, utcnow


class Entry(SQLModel, table=True):
    # A redelivered message must be applied once.
    __table_args__ = (UniqueConstraint("channel", "chat_id", "message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    village_id: int = Field(foreign_key="org_unit.id", index=True)
    day: date
    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    message_id: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EntryCount(SQLModel, table=True):
    """One indicator's count in an entry.

    `village_id`, `day` and `person_id` repeat the entry's so that totals, and who
    reported what, are one indexed read of this table, without a join.
    """

    __tablename__ = "entry_count"
    __table_args__ = (
        UniqueConstraint("entry_id", "indicator_key"),
        # Every read of the counts is a range of days of some villages: with the rest of the
        # row in the index too, the database never has to look at the table.
        Index("ix_entry_count_village_day", "village_id", "day", "indicator_key", "count", "deleted_at", "person_id",
              "entry_id"),
        # Counts dated after a day, or before a target's start: usually none, found at once.
        Index("ix_entry_count_day", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entry.id")
    village_id: int = Field(foreign_key="org_unit.id")
    day: date
    person_id: int = Field(foreign_key="person.id")
    indicator_key: str = Field(foreign_key="indicator.key")
    count: int
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NothingToReport(SQLModel, table=True):
    """A village's explicit "nothing this week" (`/khong`)."""

    __tablename__ = "nothing_to_report"
    __table_args__ = (UniqueConstraint("village_id", "week_start"),)

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="org_unit.id")
    week_start: date = Field(description="the Monday of the ISO week")
    person_id: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Audit(SQLModel, table=True):
    """Who changed what, when: old → new."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    person_id: int = Field(foreign_key="person.id")
    action: str = Field(max_length=16, description="edit | delete")
    entry_count_id: int = Field(foreign_key="entry_count.id", index=True)
    old_count: int | None = None
    new_count: int | None = None
    reason: str | None = Field(default=None, max_length=512, description="why a count older than the report window changed")


class Evidence(SQLModel, table=True):
    """A photo or file a member sent to prove an entry (minh chứng).

    The file is fetched from the messenger after the message is handled and kept on disk
    under its SHA-256 (`sha256`, `stored_path`); the office then approves it or marks it
    "Chờ hoàn thiện" with a reason.
    """

    __table_args__ = (
        UniqueConstraint("channel", "chat_id", "message_id"),
        Index("ix_evidence_status_received", "status", "received_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entry.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    message_id: str = Field(max_length=64)
    kind: str = Field(max_length=16, description="photo | document")
    file_ref: str = Field(max_length=512, description="the channel's file id or URL")
    caption: str = Field(default="", max_length=1024)
    status: str = Field(default="pending", max_length=24, description="pending | approved | needs_completion | withdrawn")
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sha256: str | None = Field(default=None, max_length=64)
    stored_path: str | None = Field(default=None, max_length=512, description="relative to TOCDS_EVIDENCE_DIR")
    size: int | None = None
    fetch_failures: int = 0
    reviewed_by: int | None = Field(default=None, foreign_key="person.id")
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    review_reason: str = Field(default="", max_length=512)
    file_deleted_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime,
        description="when the file was deleted (retention, taken back, a person erased); hash, size and decision stay")
