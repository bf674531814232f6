"""`tocds doctor`: what a server that runs tocds for months needs looked at, one line each —
ok, warning or error, and for anything not ok what to do about it.

It reads and asks; it changes nothing (not the database's schema, not a webhook).
"""

import asyncio
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .channels import Channel, Failed
from .cli.common import shown_local
from .database import DatabaseProblem, describe, reach
from .settings import Settings

OK, WARNING, ERROR = "ok", "warning", "error"
LOW_SPACE_WARNING, LOW_SPACE_ERROR = 1 << 30, 100 << 20  # bytes free beside the evidence
BACKUP_WARNING_AGE, BACKUP_ERROR_AGE = timedelta(hours=36), timedelta(days=7)  # the timer runs daily
PENDING_WARNING = 100  # updates a messenger holds for us: a bot that is not reading them
CLOCK_AHEAD = timedelta(minutes=5)  # how far the database's newest time may be ahead of the clock
RECENT = timedelta(days=7)  # messages given up within this are worth a look
# How long a job may go without a run before it looks stopped: its period, and a day's grace.
OVERDUE = {"daily": timedelta(days=2), "weekly": timedelta(days=8)}
TOKENS = {"telegram": ("TOCDS_TELEGRAM_TOKEN", "@BotFather (/mybots → API Token)"),
          "zalo": ("TOCDS_ZALO_TOKEN", "the Zalo Bot Platform")}


@dataclass(frozen=True)
class Finding:
    status: str  # OK, WARNING or ERROR
    what: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<8} {self.what}: {self.detail}"


def examine(settings: Settings, channels: list[Channel]) -> list[Finding]:
    findings = [database(settings.database_url)]
    findings += asyncio.run(messengers(settings, channels))
    findings.append(evidence_folder(settings.evidence_dir))
    if settings.backup_dir is not None:
        findings.append(backup(settings.backup_dir))
    if findings[0].status != ERROR:
        findings += clock_and_zones(settings)
        findings += jobs(settings)
    else:
        findings.append(clock_and_zones(settings, with_database=False)[0])
    return findings


def database(url: str) -> Finding:
    from ..models.db import HEAD, applied_revisions, get_engine

    try:
        reach(url)
    except DatabaseProblem as problem:
        return Finding(ERROR, "database", str(problem))
    applied = applied_revisions(get_engine(url))
    where = describe(url)
    if applied == {HEAD}:
        return Finding(OK, "database", f"{where}, migrated (revision {HEAD})")
    if not applied:
        return Finding(ERROR, "database", f"{where} has no tocds tables: run `tocds db upgrade`")
    revision = max(applied)
    if revision < HEAD:
        return Finding(WARNING, "database", f"{where} is at revision {revision}, this tocds needs {HEAD}: "
                                            "run `tocds db upgrade` (see Upgrading in docs/reference.md)")
    return Finding(ERROR, "database", f"{where} is at revision {revision}, newer than this tocds ({HEAD}): "
                                      "install the tocds version that made it")


async def messengers(settings: Settings, channels: list[Channel]) -> list[Finding]:
    if not channels:
        return [Finding(WARNING, "messengers", "none configured: set TOCDS_TELEGRAM_TOKEN or TOCDS_ZALO_TOKEN")]
    findings = []
    for channel in channels:
        try:
            findings += await messenger(settings, channel)
        finally:
            await channel.stop()
    return findings


async def messenger(settings: Settings, channel: Channel) -> list[Finding]:
    variable, source = TOKENS[channel.name]
    try:
        await channel.start()
    except Failed as failure:
        if failure.temporary:
            return [Finding(ERROR, channel.name, f"cannot reach its API ({failure}): check the network, DNS or "
                                                 "firewall, and the API URL setting")]
        return [Finding(ERROR, channel.name, f"the token was refused ({failure}): set {variable} to the token "
                                             f"from {source}")]
    findings = [Finding(OK, channel.name, f"token valid, the bot is {channel.username}")]
    try:
        info = await channel.webhook_info()
    except Failed as failure:
        return [*findings, Finding(WARNING, f"{channel.name} webhook", f"cannot be read ({failure})")]
    if info is None:
        return findings
    wanted = f"{settings.webhook_url.rstrip('/')}/{channel.name}" if settings.webhook_url else ""
    webhook = f"{channel.name} webhook"
    if info.url == wanted:
        findings.append(Finding(OK, webhook, f"registered at {wanted}" if wanted else
                                "none: updates are fetched by `tocds run` (long polling)"))
    elif not info.url:
        findings.append(Finding(WARNING, webhook, f"not registered: `tocds serve` registers {wanted} when it "
                                                  "starts (with `tocds run` instead, unset TOCDS_WEBHOOK_URL)"))
    elif wanted:
        findings.append(Finding(ERROR, webhook, f"points at {info.url}, not {wanted}: restart `tocds serve` "
                                                "(it registers the webhook), or correct TOCDS_WEBHOOK_URL"))
    else:
        findings.append(Finding(WARNING, webhook, f"registered at {info.url}, but TOCDS_WEBHOOK_URL is not set: "
                                                  "`tocds run` removes it when it starts; for `tocds serve` set "
                                                  "TOCDS_WEBHOOK_URL"))
    if info.pending is not None and info.pending >= PENDING_WARNING:
        findings.append(Finding(WARNING, f"{channel.name} updates", f"{info.pending} waiting to be read: is "
                                                                    "`tocds run` (or `serve`) running?"))
    return findings


def evidence_folder(folder: Path) -> Finding:
    folder = folder.resolve()
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir():
        return Finding(ERROR, "evidence folder", f"{existing} is a file, not a folder: move it, or set "
                                                 "TOCDS_EVIDENCE_DIR to a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        return Finding(ERROR, "evidence folder", f"{existing} is not writable by this user: give it to the user "
                                                 f"tocds runs as (chown), or set TOCDS_EVIDENCE_DIR")
    free = shutil.disk_usage(existing).free
    where = str(folder) if existing == folder else f"{folder} (made at the first photo)"
    room = f"{free / (1 << 30):.1f} GB free"
    if free < LOW_SPACE_ERROR:
        return Finding(ERROR, "evidence folder", f"{where}: only {room}: free some space")
    if free < LOW_SPACE_WARNING:
        return Finding(WARNING, "evidence folder", f"{where}: only {room}: photos will soon have no room")
    return Finding(OK, "evidence folder", f"{where}, writable, {room}")


def backup(folder: Path) -> Finding:
    folder = folder.resolve()
    copies = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")] if folder.is_dir() else []
    if not copies:
        return Finding(ERROR, "backup", f"no backup in {folder} (TOCDS_BACKUP_DIR): enable the backup timer "
                                        "(`tocds service backup`) or run `tocds db backup` from cron")
    newest = max(copies, key=lambda p: p.stat().st_mtime)
    age = datetime.now() - datetime.fromtimestamp(newest.stat().st_mtime)
    said = f"the newest, {newest.name}, is {hours(age)} old"
    if age > BACKUP_ERROR_AGE:
        return Finding(ERROR, "backup", f"{said}: the daily backup has stopped (systemctl status tocds-backup.timer)")
    if age > BACKUP_WARNING_AGE:
        return Finding(WARNING, "backup", f"{said}: yesterday's did not run (systemctl status tocds-backup.timer)")
    return Finding(OK, "backup", said)


def hours(age: timedelta) -> str:
    return f"{age.days} days" if age.days >= 2 else f"{int(age.total_seconds() // 3600)} h"


def clock_and_zones(settings: Settings, with_database: bool = True) -> list[Finding]:
    """The time zone and clock the bot's days and reminders hang on."""
    now = datetime.now().astimezone()
    local = now.astimezone(ZoneInfo(settings.timezone))
    said = f"{shown_local(now, settings.timezone)}, UTC{local.isoformat()[-6:]}{synchronised()}"
    findings = [Finding(OK, "clock", said)]
    if not with_database:
        return findings
    from sqlalchemy import func
    from sqlmodel import Session, select

    from ..models import InboxUpdate, JobRun, OrgUnit
    from ..models.db import get_engine

    with Session(get_engine(settings.database_url)) as session:
        newest = max((t for t in (session.exec(select(func.max(InboxUpdate.received_at))).one(),
                                  session.exec(select(func.max(JobRun.ran_at))).one()) if t), default=None)
        zones = set(session.exec(select(OrgUnit.timezone).distinct()))
    if newest is not None and newest.tzinfo is None:
        newest = newest.replace(tzinfo=ZoneInfo("UTC"))
    if newest is not None and newest > now + CLOCK_AHEAD:
        findings[0] = Finding(ERROR, "clock", f"{said}, but the database has times up to {newest:%d/%m/%Y %H:%M} "
                                              "UTC, later than now: set the clock (timedatectl set-ntp true)")
    wrong = sorted(zone for zone in zones if zone and not known_zone(zone))
    if wrong:
        findings.append(Finding(ERROR, "time zones", f"communes with an unknown time zone: {', '.join(wrong)}: "
                                                     "install the tzdata package"))
    return findings


def known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def synchronised() -> str:
    """", synchronised by NTP" where systemd can say so (nothing where it cannot)."""
    if shutil.which("timedatectl") is None:
        return ""
    try:
        answer = subprocess.run(["timedatectl", "show", "-p", "NTPSynchronized", "--value"],
                                capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return {"yes": ", synchronised by NTP", "no": ", NOT synchronised by NTP (timedatectl set-ntp true)"}.get(answer, "")


def jobs(settings: Settings) -> Iterator[Finding]:
    """Each job's last run (a stopped scheduler shows here first), and what was given up lately."""
    from sqlalchemy import func
    from sqlmodel import Session, select

    from ..models import InboxUpdate, JobRun, OrgUnit, OutboxMessage
    from ..models.db import get_engine
    from ..models.jobs import EVERY_DAY, SCHEDULE
    from ..models.types import utcnow

    now = utcnow()
    with Session(get_engine(settings.database_url)) as session:
        if session.exec(select(OrgUnit.id)).first() is None:
            yield Finding(WARNING, "jobs", "no commune yet: import the villages (`tocds admin import FILE.csv`)")
            return
        last = dict(session.exec(select(JobRun.job, func.max(JobRun.ran_at)).group_by(JobRun.job)).all())
        unsent = given_up(session, OutboxMessage, OutboxMessage.created_at >= now - RECENT)
        unhandled = given_up(session, InboxUpdate, InboxUpdate.received_at >= now - RECENT)
    for job, when in SCHEDULE.items():
        ran = last.get(job)
        if ran is None:
            yield Finding(WARNING, f"job {job}", "has never run: is `tocds run` or `tocds scheduler` running?")
            continue
        ran = ran if ran.tzinfo else ran.replace(tzinfo=ZoneInfo("UTC"))
        said = f"last ran {shown_local(ran, settings.timezone)}"
        if now - ran > OVERDUE["daily" if when.weekday == EVERY_DAY else "weekly"]:
            yield Finding(WARNING, f"job {job}", f"{said}: overdue — is `tocds run` or `tocds scheduler` running?")
        else:
            yield Finding(OK, f"job {job}", said)
    if unsent[False]:
        yield Finding(WARNING, "messages", f"{unsent[False]} given up unsent in 7 days (outbox.gave_up says why; "
                                           "a blocked chat, or the messenger down for hours)")
    if unhandled[False]:
        yield Finding(WARNING, "updates", f"{unhandled[False]} given up unhandled in 7 days (inbox.gave_up says why; "
                                          "the logs have the traceback)")
    if unhandled[True] or unsent[True]:
        yield Finding(OK, "erased", f"given up in 7 days because their person was erased, no failure: "
                                    f"updates {unhandled[True]}, messages {unsent[True]}")


def given_up(session, table, recent) -> dict[bool, int]:
    """How many recent rows of the inbox or outbox were given up: {erased: count}; those a
    person's erasure gave up are no failure."""
    from sqlalchemy import func
    from sqlmodel import select

    from ..models.mailbox import ERASED

    erased = table.gave_up == ERASED
    counts = dict(session.exec(select(erased, func.count()).where(table.gave_up.is_not(None), recent)
                               .group_by(erased)).all())
    return {flag: counts.get(flag, 0) for flag in (False, True)}


