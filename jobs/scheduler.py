"""When jobs run: per commune, in the commune's time zone, with weekday names.

APScheduler 3 fires the jobs; `runner.run_job` makes each run happen once per period
however often it fires (a restart, a second scheduler, a run missed by hours), so a
generous misfire grace time is safe: a run missed while the process was down still
happens once when it comes back.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import text
from sqlmodel import Session, select

from ..models import Level, OrgUnit
from ..models.db import get_writer
from ..models.types import utcnow
from . import JOBS
from .runner import run_job

log = logging.getLogger(__name__)

MISFIRE_GRACE = 12 * 3600  # seconds: a run missed by up to half a day still happens (once)
RESYNC_MINUTES = 10  # communes imported while running get their schedule this soon


@dataclass(frozen=True)
class When:
    day_of_week: str  # APScheduler's weekday names: mon, tue, …, sun; "*" every day
    hour: int
    minute: int


# The default schedule (the issue's): Friday reminders, Saturday escalation, Monday
# summary of the week that ended, daily alerts.
SCHEDULE = {
    "reminders": When("fri", 15, 0),
    "escalation": When("sat", 9, 0),
    "weekly-summary": When("mon", 7, 30),
    "alerts": When("*", 7, 0),
}


def trigger(when: When, timezone: str) -> CronTrigger:
    return CronTrigger(day_of_week=when.day_of_week, hour=when.hour, minute=when.minute, timezone=timezone)


class Scheduler:
    """Keeps one APScheduler job per commune and job name; `sent` is told when messages are queued."""

    def __init__(self, database_url: str, sent: Callable[[], None] = lambda: None):
        self.database_url = database_url
        self.sent = sent
        self.apscheduler = AsyncIOScheduler(
            job_defaults={"misfire_grace_time": MISFIRE_GRACE, "coalesce": True, "max_instances": 1}
        )

    def communes(self) -> list[tuple[int, str, str]]:
        with Session(get_writer(self.database_url)) as session:
            return [(c.id, c.name, c.timezone) for c in session.exec(
                select(OrgUnit).where(OrgUnit.level == Level.COMMUNE).order_by(OrgUnit.id))]

    def sync(self) -> None:
        """Adds the schedules of communes not yet scheduled."""
        for commune_id, name, timezone in self.communes():
            for job_name, when in SCHEDULE.items():
                if job_name not in JOBS:
                    continue
                job_id = f"{job_name}:{commune_id}"
                if self.apscheduler.get_job(job_id) is None:
                    self.apscheduler.add_job(self.fire, trigger(when, timezone), args=[job_name, commune_id],
                                             id=job_id, name=f"{job_name} for {name}")

    async def fire(self, job_name: str, commune_id: int) -> None:
        try:
            queued = await asyncio.to_thread(self.run, job_name, commune_id)
        except Exception:  # one commune's failure must not stop the others
            log.exception("%s failed for commune %d", job_name, commune_id)
            return
        if queued:
            self.sent()

    def run(self, job_name: str, commune_id: int) -> bool:
        with Session(get_writer(self.database_url), expire_on_commit=False) as session:
            commune = session.get(OrgUnit, commune_id)
            return run_job(session, JOBS[job_name], commune, utcnow()) is not None

    def start(self) -> None:
        self.sync()
        self.apscheduler.add_job(self.sync, "interval", minutes=RESYNC_MINUTES, id="sync")
        self.apscheduler.start()

    def shutdown(self) -> None:
        self.apscheduler.shutdown(wait=False)


LOCK_KEY = 0x746F636473  # "tocds": the PostgreSQL advisory lock that makes one scheduler active
LOCK_RETRY = 10.0  # seconds between tries of a waiting scheduler


async def run_when_leader(scheduler: Scheduler) -> None:
    """Starts the scheduler once this process holds the lock (PostgreSQL); waits otherwise.

    On SQLite there is one machine and no lock: a second scheduler would still send
    nothing twice, since every run is recorded once per period.
    """
    engine = get_writer(scheduler.database_url)
    connection = None
    if engine.dialect.name == "postgresql":
        connection = engine.connect()
        while not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}).scalar():
            connection.rollback()
            log.info("another scheduler is active; waiting")
            await asyncio.sleep(LOCK_RETRY)
        connection.commit()  # the lock is held by the session, not the transaction
    scheduler.start()
    try:
        await asyncio.Event().wait()  # until cancelled
    finally:
        scheduler.shutdown()
        if connection is not None:
            connection.close()
