"""When jobs run: per commune (and per province, for the jobs a province has), in the
unit's time zone, with weekday names.

APScheduler 3 fires the jobs; `runner.run_job` makes each run happen once per period
however often it fires (a restart, a second scheduler, a run missed by hours), so a
generous misfire grace time is safe: a run missed while the process was down still
happens once when it comes back.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from ..models import Level, OrgUnit
from ..models.db import get_engine, get_writer
from ..models.jobs import EVERY_DAY, When, schedule_of
from ..models.types import utcnow
from . import JOBS
from .announcement_reminders import ANNOUNCEMENT_REMINDERS, EVERY_MINUTES, units_due
from .runner import run_job

log = logging.getLogger(__name__)

MISFIRE_GRACE = 12 * 3600  # seconds: a run missed by up to half a day still happens (once)
RESYNC_MINUTES = 10  # communes imported while running get their schedule this soon


def trigger(when: When, timezone: str) -> CronTrigger:
    day_of_week = "*" if when.weekday == EVERY_DAY else when.weekday[:3]  # APScheduler's mon … sun
    return CronTrigger(day_of_week=day_of_week, hour=when.at.hour, minute=when.at.minute, timezone=timezone)


class Scheduler:
    """Keeps one APScheduler job per commune and job name; `sent` is told when messages are queued."""

    def __init__(self, database_url: str, sent: Callable[[], None] = lambda: None):
        self.database_url = database_url
        self.sent = sent
        self.apscheduler = AsyncIOScheduler(
            job_defaults={"misfire_grace_time": MISFIRE_GRACE, "coalesce": True, "max_instances": 1}
        )

    def plans(self) -> list[tuple[int, str, str, dict[str, When]]]:
        """Each commune's and province's schedule, of the jobs that run for its level."""
        with Session(get_writer(self.database_url)) as session:
            units = session.exec(select(OrgUnit).where(OrgUnit.level.in_([Level.COMMUNE, Level.PROVINCE]))
                                 .order_by(OrgUnit.id))
            return [(u.id, u.name, u.timezone, {name: when for name, when in schedule_of(session, u.id).items()
                                                 if u.level in JOBS[name].levels}) for u in units]

    def sync(self) -> None:
        """Schedules new communes, and moves jobs whose commune changed its times."""
        for commune_id, name, timezone, schedule in self.plans():
            for job_name, when in schedule.items():
                job_id = f"{job_name}:{commune_id}"
                wanted = trigger(when, timezone)
                existing = self.apscheduler.get_job(job_id)
                if existing is None:
                    self.apscheduler.add_job(self.fire, wanted, args=[job_name, commune_id],
                                             id=job_id, name=f"{job_name} for {name}")
                elif str(existing.trigger) != str(wanted):
                    self.apscheduler.reschedule_job(job_id, trigger=wanted)

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

    def units_due(self) -> list[int]:
        with Session(get_engine(self.database_url)) as session:
            return units_due(session, utcnow())

    async def remind(self) -> None:
        """`announcement-reminders` for each unit with a reminder due."""
        for unit_id in await asyncio.to_thread(self.units_due):
            await self.fire(ANNOUNCEMENT_REMINDERS.name, unit_id)

    def start(self) -> None:
        self.sync()
        self.apscheduler.add_job(self.sync, "interval", minutes=RESYNC_MINUTES, id="sync")
        self.apscheduler.add_job(self.remind, "interval", minutes=EVERY_MINUTES, id=ANNOUNCEMENT_REMINDERS.name,
                                 next_run_time=datetime.now(UTC))
        self.apscheduler.start()

    def shutdown(self) -> None:
        self.apscheduler.shutdown(wait=False)


LOCK_KEY = 0x746F636473  # "tocds": the PostgreSQL advisory lock that makes one scheduler active
LOCK_RETRY = 10.0  # seconds between tries of a waiting scheduler


def take_lead(connection) -> bool:
    """Tries the advisory lock; held by this connection's session until it closes."""
    taken = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}).scalar()
    connection.commit()
    return bool(taken)


async def run_when_leader(scheduler: Scheduler) -> None:
    """Starts the scheduler once this process holds the lock (PostgreSQL); waits otherwise.

    On SQLite there is one machine and no lock: a second scheduler would still send
    nothing twice, since every run is recorded once per period. A database that goes away
    while waiting is waited for too: the process carries on with its other work.
    """
    engine = get_writer(scheduler.database_url)
    connection = None
    if engine.dialect.name == "postgresql":
        while True:
            try:
                connection = connection or engine.connect()
                if take_lead(connection):
                    break
                log.info("another scheduler is active; waiting")
            except SQLAlchemyError:
                log.warning("scheduler: the database is unavailable; trying again", exc_info=True)
                if connection is not None:
                    connection.invalidate()
                    connection = None
            await asyncio.sleep(LOCK_RETRY)
    scheduler.start()
    try:
        await asyncio.Event().wait()  # until cancelled
    finally:
        scheduler.shutdown()
        if connection is not None:
            with contextlib.suppress(SQLAlchemyError):  # a lost connection has let the lock go already
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                connection.commit()
            connection.close()
