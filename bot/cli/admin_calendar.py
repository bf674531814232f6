"""`tocds admin schedule|deadlines|evidence`: when jobs run, when reports are due, what they need
(and how long evidence files are kept: admin_privacy)."""

import sys
from pathlib import Path

from .admin_privacy import days, keeping, views
from .common import (
    CommandError,
    a,
    add_place,
    commune_named,
    imported_whole,
    place_option,
    settings_and_session,
    unit_named,
    zone_of,
)


def add_commands(admin) -> None:
    schedule = admin.add_parser(
        "schedule", help="show a commune's or a province's schedule, or set one job's day and time: "
                         "JOB WEEKDAY HH:MM")
    add_place(schedule, "the jobs that run for the province")
    schedule.add_argument("change", nargs="*", metavar="JOB WEEKDAY HH:MM",
                          help="e.g. reminders thursday 16:30; WEEKDAY monday … sunday or daily; "
                               "JOB default goes back to the default")
    schedule.set_defaults(run=cmd_schedule)

    deadlines = admin.add_parser(
        "deadlines", help="a commune's or a province's reporting deadlines: show them, or import FILE.csv "
                          "(period_kind,due[,remind_days]), which replaces them")
    add_place(deadlines, "the province's own deadlines")
    deadlines.add_argument("file", nargs="?", type=Path, metavar="FILE.csv",
                           help="rows such as month,10 (the 10th of the month after), quarter,15, half,06-10 "
                                "or year,11-20 (that day, the first after the period's first day)")
    deadlines.set_defaults(run=cmd_deadlines)

    evidence = admin.add_parser(
        "evidence", help="show or set whether a commune requires evidence (required | optional), how long "
                         "its files are kept (--keep-days), and who saw them (--views)")
    evidence.add_argument("--commune", required=True)
    evidence.add_argument("setting", nargs="?", choices=("required", "optional"))
    evidence.add_argument("--keep-days", type=days, metavar="N",
                          help="days a file is kept after its decision (default 365); then only its hash, size "
                               "and decision stay")
    evidence.add_argument("--views", action="store_true", help="CSV of every time a file was shown: who, how, when")
    evidence.set_defaults(run=cmd_evidence)


def cmd_schedule(args) -> int:
    from datetime import time

    from sqlmodel import select

    from ...jobs import JOBS
    from ...models import JobSchedule
    from ...models.jobs import DAILY_ONLY, EVERY_DAY, SCHEDULE, WEEKDAYS, schedule_of

    _, session = settings_and_session()
    unit = unit_named(session, args)
    jobs = [job for job in SCHEDULE if unit.level in JOBS[job].levels]
    if args.change:
        job, *when = args.change
        if job not in jobs:
            raise CommandError(f"{job!r} is not a job of {a(unit.level)}; use one of {', '.join(jobs)}")
        own = session.get(JobSchedule, (unit.id, job))
        if when == ["default"]:
            if own is not None:
                session.delete(own)
        elif len(when) == 2 and job in DAILY_ONLY and when[0].lower() != EVERY_DAY:
            raise CommandError(f"{job} runs every day (it sends only on the days it has something to send): "
                               f"change its time with {job} daily HH:MM")
        elif len(when) == 2 and when[0].lower() in (*WEEKDAYS, EVERY_DAY):
            try:
                at = time.fromisoformat(when[1])
            except ValueError:
                raise CommandError(f"{when[1]!r} is not a time of day; write HH:MM, e.g. 16:30") from None
            session.merge(JobSchedule(commune_id=unit.id, job=job, weekday=when[0].lower(), at=at))
        else:
            raise CommandError("write JOB WEEKDAY HH:MM (WEEKDAY: monday … sunday or daily), or JOB default")
        session.commit()
    own = {s.job for s in session.exec(select(JobSchedule).where(JobSchedule.commune_id == unit.id))}
    print("job,weekday,time,timezone,source")
    for job, when in schedule_of(session, unit.id).items():
        if job in jobs:
            print(f"{job},{when.weekday},{when.at:%H:%M},{unit.timezone},{unit.level if job in own else 'default'}")
    print("A running scheduler picks a change up within 10 minutes.", file=sys.stderr)
    return 0


def cmd_deadlines(args) -> int:
    """Imports the commune's or province's deadlines (whole or nothing), then shows them with the
    next due day of each, in the file's format (the extra columns are ignored when imported back)."""
    from datetime import UTC, datetime

    from ...models.deadlines import deadlines_of, import_deadlines
    from ...models.due_dates import next_due
    from ...models.periods import local_date

    settings, session = settings_and_session()
    unit = unit_named(session, args)
    if args.file:
        imported_whole(import_deadlines, session, unit, args.file)
    deadlines = deadlines_of(session, unit)
    today = local_date(datetime.now(UTC), unit.timezone or settings.timezone)
    print("period_kind,due,remind_days,next_due,period")
    for deadline in deadlines:
        day, period = next_due(deadline.period_kind, deadline.rule, today)
        print(f"{deadline.period_kind},{deadline.due},{deadline.remind_days},{day.isoformat()},{period.label}")
    if not deadlines:
        print(f"{unit.name} has no reporting deadlines: import them with "
              f"tocds admin deadlines {place_option(unit)} FILE.csv", file=sys.stderr)
    return 0


def cmd_evidence(args) -> int:
    """Communes that require evidence see, in summaries and exports, the counts backed by
    approved evidence beside all counts."""
    _, session = settings_and_session()
    commune = commune_named(session, args.commune)
    if args.setting:
        commune.requires_evidence = args.setting == "required"
        session.add(commune)
        session.commit()
    print(f"{commune.name}: evidence {'required' if commune.requires_evidence else 'optional'}")
    if args.views:
        views(session, commune, zone_of(session, commune))
    else:
        keeping(args, session, commune)
    return 0
