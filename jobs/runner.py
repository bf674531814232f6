"""Running a job once per org unit (a commune; a province for the jobs that have one) and
period, and handing its messages to the outbox.

A run is recorded (job, commune, period) in the same transaction as every message it
will send; the outbox senders deliver them, within the messengers' limits, after a crash
too. Running the same job again for the same period finds the record and sends nothing.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..handlers.messages import Outgoing
from ..models import JobRun, Level, OrgUnit
from ..models.mailbox import queue

log = logging.getLogger(__name__)

QUIET_FROM, QUIET_UNTIL = time(21, 0), time(6, 30)  # no message to anyone in between, local time


@dataclass(frozen=True)
class Delivery:
    channel: str
    chat_id: str
    message: Outgoing


@dataclass(frozen=True)
class Job:
    name: str
    period: Callable[[OrgUnit, datetime], str]  # the period a run at that moment covers
    plan: Callable[[Session, OrgUnit, datetime], list[Delivery]]
    levels: tuple[Level, ...] = (Level.COMMUNE,)  # the units it runs for (JobRun.commune_id is any unit's id)


def quiet_until(now: datetime, timezone: str) -> datetime | None:
    """The end of the quiet hours (UTC) when `now` falls inside them, else None."""
    local = now.astimezone(ZoneInfo(timezone))
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return None
    morning = local.date() + (timedelta(days=1) if local.time() >= QUIET_FROM else timedelta())
    return datetime.combine(morning, QUIET_UNTIL, ZoneInfo(timezone)).astimezone(now.tzinfo)


def run_job(session: Session, job: Job, commune: OrgUnit, now: datetime) -> JobRun | None:
    """Records the run and queues its messages; None when this period already ran."""
    period = job.period(commune, now)
    done = select(JobRun).where(JobRun.job == job.name, JobRun.commune_id == commune.id, JobRun.period == period)
    if session.exec(done).first() is not None:
        session.rollback()  # ends the transaction: a writer's holds SQLite's write lock
        return None
    deliveries = job.plan(session, commune, now)
    wait = quiet_until(now, commune.timezone)
    run = JobRun(job=job.name, commune_id=commune.id, period=period, messages=len(deliveries))
    try:
        session.add(run)
        session.flush()
        for d in deliveries:
            queue(session, d.channel, d.chat_id, d.message.to_dict(), job_run_id=run.id, wait=wait)
        session.commit()
    except IntegrityError:  # another scheduler recorded it a moment ago
        session.rollback()
        return None
    log.info("%s for %s, %s: %d messages%s", job.name, commune.name, period, len(deliveries),
             f", held until {wait:%H:%M} UTC" if wait else "")
    return run
