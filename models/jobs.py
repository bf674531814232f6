"""What scheduled work remembers: who receives summaries, which runs happened, alert states."""

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select

from .types import UTCDateTime, utcnow


class Subscription(SQLModel, table=True):
    """A chat (the office's group, a leader's private chat) that receives a commune's summaries."""

    __table_args__ = (UniqueConstraint("channel", "chat_id", "commune_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    commune_id: int = Field(foreign_key="org_unit.id", index=True)
    person_id: int = Field(foreign_key="person.id", description="who subscribed it")
    language: str = Field(default="vi", max_length=8, description="the subscriber's, when subscribed")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class JobRun(SQLModel, table=True):
    """One run of a job for a commune and period; recorded before anything is sent, once."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "commune_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=32)
    commune_id: int = Field(foreign_key="org_unit.id")
    period: str = Field(max_length=32, description="the week or day it covers, e.g. 2026-W47")
    ran_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    messages: int = 0


class AlertState(SQLModel, table=True):
    """The last colour seen per village and indicator: an alert goes out when it turns red."""

    __tablename__ = "alert_state"

    village_id: int = Field(foreign_key="org_unit.id", primary_key=True)
    indicator_key: str = Field(foreign_key="indicator.key", primary_key=True, max_length=16)
    status: str = Field(max_length=8)
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EVERY_DAY = "daily"


class JobSchedule(SQLModel, table=True):
    """A commune's own time for a job, instead of the default (weekday names, local time)."""

    __tablename__ = "job_schedule"

    commune_id: int = Field(foreign_key="org_unit.id", primary_key=True)
    job: str = Field(primary_key=True, max_length=32)
    weekday: str = Field(max_length=16, description="monday … sunday, or daily")
    at: time = Field(description="local time of day")


@dataclass(frozen=True)
class When:
    weekday: str  # monday … sunday, or daily
    at: time  # local time


# The default schedule (the issues'): Friday reminders, Saturday escalation, Monday
# summary of the week that ended, daily alerts; every day, the reports of the periods that
# closed (sent only on the day after one ends) and the reminders of reports due at the level
# above (only on the days the commune's deadlines set); every night, evidence files past their
# keeping period are deleted, and the inbox and outbox rows past TOCDS_MAILROOM_KEEP_DAYS. A commune may have its own (JobSchedule).
SCHEDULE = {
    "reminders": When("friday", time(15, 0)),
    "escalation": When("saturday", time(9, 0)),
    "weekly-summary": When("monday", time(7, 30)),
    "alerts": When(EVERY_DAY, time(7, 0)),
    "period-report": When(EVERY_DAY, time(7, 0)),
    "deadline-reminders": When(EVERY_DAY, time(8, 0)),
    "evidence-retention": When(EVERY_DAY, time(3, 0)),  # sends nothing: at night
}

# Besides these, every few minutes (jobs/announcement_reminders.EVERY_MINUTES):
# `announcement-reminders`, for the units with one due (the time each announcement's sender
# chose, not the commune's).

# Jobs that act only on some days (a period's close, a deadline) and so must run on each:
# a commune may move their time of day, not their weekday.
DAILY_ONLY = ("period-report", "deadline-reminders", "evidence-retention")


def schedule_of(session: Session, commune_id: int) -> dict[str, When]:
    """The commune's schedule: its own times where it has them, the defaults elsewhere."""
    own = session.exec(select(JobSchedule).where(JobSchedule.commune_id == commune_id)).all()
    return {**SCHEDULE, **{s.job: When(s.weekday, s.at) for s in own if s.job in SCHEDULE}}
