"""`tocds scheduler` and `tocds jobs run`: the scheduled work, on its own or by hand."""

import logging
import sys
from pathlib import Path

from .common import CommandError, commune_named, out_folder, province_named, settings_and_session


def add_commands(commands) -> None:
    scheduler = commands.add_parser("scheduler", help="the scheduled jobs alone (one active per database)")
    scheduler.set_defaults(run=cmd_scheduler)

    jobs = commands.add_parser("jobs", help="scheduled work, run by hand").add_subparsers(metavar="ACTION")
    job = jobs.add_parser("run", help="run one job now: reminders, escalation, weekly-summary, alerts, "
                                      "period-report, deadline-reminders, evidence-retention or "
                                      "announcement-reminders")
    job.add_argument("name", help="the job")
    job.add_argument("--commune", help="one commune (default: every commune, and every province for "
                                       "the jobs a province has)")
    job.add_argument("--province", help="one province (weekly-summary, alerts, period-report, deadline-reminders, "
                                        "announcement-reminders)")
    job.add_argument("--now", help="run as of this moment (ISO date-time; default: now)")
    job.add_argument("--out", type=Path, metavar="DIR",
                     help="write the files sent to console chats (summary chart and workbook) there")
    job.set_defaults(run=cmd_jobs_run)


def cmd_scheduler(args) -> int:
    import asyncio

    from ..run import configured_channels, run_scheduler
    from ..settings import get_settings

    settings = get_settings()
    try:
        asyncio.run(run_scheduler(settings, configured_channels(settings)))
    except KeyboardInterrupt:
        pass
    return 0


def cmd_jobs_run(args) -> int:
    import asyncio
    from datetime import UTC, datetime

    from sqlmodel import select

    from ...jobs import JOBS
    from ...jobs.runner import run_job
    from ...models import Level, OrgUnit
    from ..run import configured_channels, deliver_now

    job = JOBS.get(args.name)
    if job is None:
        raise CommandError(f"unknown job {args.name!r}; use one of {', '.join(JOBS)}")
    try:
        now = datetime.fromisoformat(args.now) if args.now else datetime.now(UTC)
    except ValueError:
        raise CommandError(f"--now {args.now!r} is not an ISO date-time, e.g. 2026-11-27T15:00+07:00") from None
    if now.tzinfo is None:
        raise CommandError("--now needs a time zone, e.g. 2026-11-27T15:00+07:00 or …Z")
    settings, session = settings_and_session()
    if args.province and Level.PROVINCE not in job.levels:
        raise CommandError(f"{job.name} runs for communes, not provinces")
    communes = ([commune_named(session, args.commune)] if args.commune else
                [province_named(session, args.province)] if args.province else
                list(session.exec(select(OrgUnit).where(OrgUnit.level.in_(job.levels)).order_by(OrgUnit.id))))
    failed = 0
    for commune in communes:
        try:
            run = run_job(session, job, commune, now)
        except Exception as error:  # one commune's failure must not keep the others waiting
            session.rollback()
            logging.getLogger(__name__).exception("%s failed for %s", job.name, commune.name)
            print(f"{job.name}, {commune.name}, {job.period(commune, now)}: FAILED ({error})")
            failed += 1
            continue
        status = f"{run.messages} messages queued" if run else "already ran for this period: nothing sent"
        print(f"{job.name}, {commune.name}, {job.period(commune, now)}: {status}")
    session.close()  # its transaction would keep the sender (a writer too) waiting on SQLite's lock
    unreachable = asyncio.run(deliver_now(settings, configured_channels(settings), out_folder(args.out)))
    for channel, cause in unreachable.items():
        print(f"{channel}: cannot reach the messenger ({cause}); what was queued stays in the outbox and "
              "`tocds run` or `tocds scheduler` sends it once the network is back", file=sys.stderr)
    return 1 if failed or unreachable else 0
