"""The `tocds` command line.

Heavy libraries are imported inside the commands, so that `tocds --help` answers at once.
"""

import argparse
import contextlib
import logging
import os
import sys
from pathlib import Path

EXIT_USAGE = 2
# What a command needs of TOCDS_DATABASE_URL (`database=` in its defaults): an existing database,
# one it may create (the commands that set one up), or none of it (the demo makes its own).
OPENS_DATABASE, CREATES_DATABASE = "open", "create"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .logs import configure  # key=value lines on stderr, secrets masked (stdlib only)

    configure(args.verbose)
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_USAGE
    from .database import DatabaseProblem
    from .settings import SettingsProblem

    try:
        if args.database:
            from .database import reach
            from .settings import get_settings

            reach(get_settings().database_url, create=args.database == CREATES_DATABASE)
        return args.run(args) or 0
    except (CommandError, DatabaseProblem, SettingsProblem) as error:
        print(f"tocds: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `tocds export … | head`: the reader had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


class CommandError(Exception):
    """A problem the operator can fix; printed without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tocds",
        description="Chat bot for community digital-technology teams (Tổ công nghệ số cộng đồng).",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more to stderr")
    parser.set_defaults(database=OPENS_DATABASE)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    demo = commands.add_parser("demo", help="play a demo week on a fresh SQLite file")
    demo.add_argument("--out", type=Path, default=Path("tocds-demo"),
                      help="folder for the demo's database and files (default: ./tocds-demo)")
    demo.set_defaults(run=cmd_demo, database=None)

    chat = commands.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--commune", help="commune name (default: the first)")
    chat.add_argument("--village", help="village name (default: the commune's first village)")
    chat.add_argument("--role", help="member, village_leader, office, leader, admin, province_office or "
                                      "province_leader (default: the place USER already has, else member)")
    chat.add_argument("--user", default="Console", help="your name (default: Console)")
    chat.add_argument("--lang", choices=("vi", "en"), help="language (default: TOCDS_LOCALE)")
    chat.add_argument("--out", type=Path, metavar="DIR", help="write the files the bot sends (XLSX, PNG) there")
    chat.set_defaults(run=cmd_chat)

    run = commands.add_parser("run", help="serve every messenger with a token (long polling)")
    run.set_defaults(run=cmd_run)

    serve = commands.add_parser(
        "serve", help="webhook server on TOCDS_LISTEN (POST /telegram, POST /zalo, GET /healthz)")
    serve.set_defaults(run=cmd_serve)

    doctor = commands.add_parser(
        "doctor", help="check the database, messengers, evidence folder, clock, backup and jobs; exit 1 on an error")
    doctor.set_defaults(run=cmd_doctor, database=None)  # it says itself what is wrong with the database

    service = commands.add_parser(
        "service", help="systemd unit files: list them, print one (FILE), or --write them all to a folder")
    service.add_argument("file", nargs="?", metavar="FILE", help="e.g. tocds@.service, tocds-backup.timer")
    service.add_argument("--user", default="tocds", help="the user tocds runs as (default: tocds)")
    service.add_argument("--folder", type=Path, default=Path("/var/lib/tocds"),
                         help="its working folder, with .env and the SQLite file (default: /var/lib/tocds)")
    service.add_argument("--write", type=Path, metavar="DIR", help="write every file there, e.g. /etc/systemd/system")
    service.set_defaults(run=cmd_service, database=None)

    db = commands.add_parser("db", help="database maintenance").add_subparsers(metavar="ACTION")
    db.add_parser("upgrade", help="apply migrations (a new SQLite file is made)").set_defaults(
        run=cmd_db_upgrade, database=CREATES_DATABASE)
    backup = db.add_parser(
        "backup", help="copy a SQLite database to FILE while the bot runs (PostgreSQL: use pg_dump)")
    backup.add_argument("file", type=Path, metavar="FILE")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup.set_defaults(run=cmd_db_backup, database=None)  # PostgreSQL: the pg_dump line, no connection

    admin = commands.add_parser("admin", help="operator tasks").add_subparsers(metavar="ACTION")
    villages = admin.add_parser(
        "import", help="import villages: commune,village,households,population,adults,pop15")
    villages.add_argument("file", type=Path)
    villages.add_argument("--new", action="append", default=[], metavar="NAME",
                          help="a new village, commune or province whose name is near one already there "
                               "(kind word, accents or one letter apart) really is another: import it (repeatable)")
    villages.set_defaults(run=cmd_import, database=CREATES_DATABASE)
    targets = admin.add_parser(
        "targets",
        help="import targets: commune,village,indicator,baseline,target_percent,start,deadline")
    targets.add_argument("file", type=Path)
    targets.set_defaults(run=cmd_targets)
    catalog = admin.add_parser(
        "indicators",
        help="the indicator catalog: import FILE.csv (key,name_vi,name_en,short_vi,short_en,aliases,denominator,"
             "unit[,retired]) or --show it; or a commune's list: --commune C [KEYS | --default]")
    catalog.add_argument("what", nargs="?", metavar="FILE.csv | KEYS",
                         help="the whole catalog to import; with --commune, the keys the commune tracks, "
                              "in its order, comma separated (vneid,bdhvs,cap_quang)")
    catalog.add_argument("--show", action="store_true",
                         help="write the catalog to stdout as CSV, in the format FILE.csv is imported in")
    catalog.add_argument("--commune", help="show or set the indicators this commune tracks")
    catalog.add_argument("--default", action="store_true",
                         help="with --commune: back to every indicator not retired, in the catalog's order")
    catalog.set_defaults(run=cmd_indicators)
    invite = admin.add_parser("invite", help="print an invite code")
    add_place(invite)
    invite.add_argument("--village")
    invite.add_argument("--role", required=True)
    invite.add_argument("--uses", type=int, default=30, help="how many people may join with it")
    invite.add_argument("--days", type=int, default=14, help="how many days it stays valid")
    invite.add_argument("--json", action="store_true", help="print one JSON object")
    invite.set_defaults(run=cmd_invite)

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
        "evidence", help="show or set whether a commune requires evidence: required | optional")
    evidence.add_argument("--commune", required=True)
    evidence.add_argument("setting", nargs="?", choices=("required", "optional"))
    evidence.set_defaults(run=cmd_evidence)

    members = admin.add_parser(
        "members", help="CSV of who belongs to a commune, a village or a province: "
                        "name,unit,role,channel,joined,last_report")
    add_place(members, "its province_office and province_leader people")
    members.add_argument("--village")
    members.set_defaults(run=cmd_members)
    remove = admin.add_parser(
        "remove", help="end a person's place in a commune, village or province (past reports stay)")
    add_place(remove, "a province_office or province_leader")
    remove.add_argument("--person", required=True, help="the name as `tocds admin members` shows it")
    remove.add_argument("--village", help="which place, when the person has several in the commune")
    remove.set_defaults(run=cmd_remove)
    role = admin.add_parser("role", help="give a person another role in their place")
    add_place(role, "province_office ⇄ province_leader")
    role.add_argument("--person", required=True, help="the name as `tocds admin members` shows it")
    role.add_argument("--role", required=True, help="member, village_leader, office, leader, admin, "
                      "province_office or province_leader")
    role.add_argument("--village", help="which place, when the person has several in the commune")
    role.set_defaults(run=cmd_role)

    from .places import add_place_commands  # rename, merge, retire, delete: a module of their own

    add_place_commands(admin)
    sent = admin.add_parser("messages", help="messages sent per messenger and day (for quotas)")
    sent.add_argument("--days", type=int, default=31, help="how many days back (default 31)")
    sent.set_defaults(run=cmd_messages)

    scheduler = commands.add_parser("scheduler", help="the scheduled jobs alone (one active per database)")
    scheduler.set_defaults(run=cmd_scheduler)

    jobs = commands.add_parser("jobs", help="scheduled work, run by hand").add_subparsers(metavar="ACTION")
    job = jobs.add_parser("run", help="run one job now: reminders, escalation, weekly-summary, alerts, "
                                      "period-report or deadline-reminders")
    job.add_argument("name", help="the job")
    job.add_argument("--commune", help="one commune (default: every commune, and every province for "
                                       "the jobs a province has)")
    job.add_argument("--province", help="one province (weekly-summary, alerts, period-report, deadline-reminders)")
    job.add_argument("--now", help="run as of this moment (ISO date-time; default: now)")
    job.add_argument("--out", type=Path, metavar="DIR",
                     help="write the files sent to console chats (summary chart and workbook) there")
    job.set_defaults(run=cmd_jobs_run)

    export = commands.add_parser("export", help="a period's counts per village and indicator")
    exported = export.add_mutually_exclusive_group(required=True)
    exported.add_argument("--commune")
    exported.add_argument("--province", help="every commune of the province (CSV: every village)")
    export.add_argument("--period", required=True, help="2026-W47, 2026-11, 2026-Q4, 2026-H2 or 2026")
    export.add_argument("--format", choices=("xlsx", "csv"),
                        help="default: xlsx when --out ends in .xlsx, otherwise csv")
    export.add_argument("--out", type=Path, help="file to write (default: CSV on stdout; "
                        "XLSX to ./tocds-<commune>-<period>.xlsx, its path printed on stderr)")
    export.set_defaults(run=cmd_export)
    return parser


def add_place(parser: argparse.ArgumentParser, province_help: str = "for province_office and province_leader"):
    """`--commune C` or `--province P`, one of them, for the commands that serve both levels."""
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--commune")
    where.add_argument("--province", help=province_help)


def settings_and_session():
    from ..models.db import open_session
    from .settings import get_settings

    settings = get_settings()
    return settings, open_session(settings.database_url)


def commune_named(session, name: str | None):
    from sqlmodel import select

    from ..models import Level, OrgUnit
    from ..models.imports import find_unit

    if name is None:
        commune = session.exec(select(OrgUnit).where(OrgUnit.level == Level.COMMUNE).order_by(OrgUnit.id)).first()
    else:
        commune = find_unit(session, Level.COMMUNE, name)
    if commune is None:
        communes = session.exec(select(OrgUnit.name).where(OrgUnit.level == Level.COMMUNE)).all()
        raise CommandError(f"no commune named {name!r} in {opened_database()}"
                           f"{could_mean(name or '', communes, '; see `tocds admin import`')}")
    return commune


def could_mean(name: str, names: list[str], otherwise: str = "") -> str:
    """`: did you mean 'Xã Đồng Phú'?` for a near miss or a name without its kind word, else `otherwise`."""
    import difflib

    from ..models.text import fold

    wanted = fold(name)
    by_key = {fold(n): n for n in names}
    close = [n for key, n in by_key.items() if len(wanted) >= 3 and wanted in key]  # `Đồng Tâm`: `Thôn Đồng Tâm`
    close += [by_key[key] for key in difflib.get_close_matches(wanted, by_key, n=3, cutoff=0.7)
              if by_key[key] not in close]
    return f": did you mean {' or '.join(repr(n) for n in close[:3])}?" if close else otherwise


def opened_database() -> str:
    """The database a command works on, named in its answers that something is not there (a typo
    in TOCDS_DATABASE_URL, or the wrong working folder, opens another)."""
    from .database import describe
    from .settings import get_settings

    return describe(get_settings().database_url)


def province_named(session, name: str):
    from ..models import Level
    from ..models.imports import find_unit

    province = find_unit(session, Level.PROVINCE, name)
    if province is None:
        from sqlmodel import select

        from ..models import OrgUnit

        provinces = session.exec(select(OrgUnit.name).where(OrgUnit.level == Level.PROVINCE)).all()
        raise CommandError(f"no province named {name!r} in {opened_database()}" + could_mean(
            name, provinces, "; a village file's province column creates it (see `tocds admin import`)"))
    return province


def unit_named(session, args):
    """The commune of `--commune`, or the province of `--province`."""
    return province_named(session, args.province) if args.province else commune_named(session, args.commune)


def scope_named(session, args):
    """The commune or province named, and the village of `--village` in it (None without one)."""
    if args.province and args.village:
        raise CommandError("--village goes with --commune, not --province")
    unit = unit_named(session, args)
    return unit, village_named(session, unit, args.village) if args.village else None


def place_option(unit) -> str:
    """`--commune 'Xã Đồng Phú'` or `--province 'Tỉnh Đồng Nai'`: the unit as a command names it."""
    return f"--{unit.level} {unit.name!r}"


def village_named(session, commune, name: str | None):
    from sqlmodel import select

    from ..models import OrgUnit
    from ..models.imports import find_village

    if name is None:
        village = session.exec(select(OrgUnit).where(OrgUnit.parent_id == commune.id).order_by(OrgUnit.id)).first()
    else:
        village = find_village(session, commune, name)
    if village is None:
        villages = session.exec(select(OrgUnit.name).where(OrgUnit.parent_id == commune.id)).all()
        raise CommandError(f"no village named {name!r} in {commune.name}{could_mean(name or '', villages)}")
    return village


def a(word: str) -> str:
    """`an office`, `a member`: the article an English noun takes (roles and levels are such nouns)."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def zone_of(session, unit) -> str:
    """The time zone a unit's days are counted in: its commune's (a province's own), else TOCDS_TIMEZONE."""
    from ..models.members import commune_of
    from .settings import get_settings

    return commune_of(session, unit).timezone or get_settings().timezone


def shown_local(moment, zone: str) -> str:
    """`2026-12-21 01:11 Asia/Ho_Chi_Minh (Monday)`: a stored UTC moment as the commune sees it."""
    from zoneinfo import ZoneInfo

    from ..models.jobs import WEEKDAYS

    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%Y-%m-%d %H:%M} {zone} ({WEEKDAYS[local.weekday()].capitalize()})"


def role_named(name: str):
    from ..models import Role

    try:
        return Role(name)
    except ValueError:
        raise CommandError(f"unknown role {name!r}; use one of {', '.join(Role)}") from None


def cmd_db_upgrade(args) -> int:
    from ..models.db import upgrade
    from .settings import get_settings

    upgrade(get_settings().database_url)
    print("database is up to date", file=sys.stderr)
    return 0


def cmd_db_backup(args) -> int:
    """An online copy of a SQLite file (sqlite3's backup API): consistent while others write."""
    import sqlite3
    import tempfile

    from sqlalchemy.engine import URL

    from .database import parse
    from .settings import get_settings

    url = parse(get_settings().database_url)
    if url.get_backend_name() == "postgresql":
        dump = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                          database=url.database, query=url.query).render_as_string()  # no password
        raise CommandError(
            "this database is PostgreSQL: back it up with pg_dump, e.g.\n"
            f"    pg_dump --format=custom --file={args.file} '{dump}'\n"
            "(the password from PGPASSWORD or ~/.pgpass; restore with pg_restore)")
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise CommandError(f"cannot back up {url.get_backend_name()} database {url.database!r}")
    source = Path(url.database)
    if not source.is_file():
        raise CommandError(f"no database at {source}")
    target = args.file
    if target.exists() and not args.force:
        raise CommandError(f"{target} exists; add --force to replace it")
    if target.resolve() == source.resolve():
        raise CommandError("FILE is the database itself")
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as problem:
        raise CommandError(f"cannot write in {target.parent}: {problem.strerror}") from None
    os.close(handle)
    try:
        with contextlib.closing(sqlite3.connect(source, timeout=30)) as reader, \
                contextlib.closing(sqlite3.connect(temporary)) as copy:
            reader.backup(copy)  # one step: a consistent snapshot (WAL: writers go on meanwhile)
            checked = copy.execute("PRAGMA quick_check").fetchone()[0]
        if checked != "ok":
            raise CommandError(f"the copy failed its check ({checked}); {target} was not written")
        if args.force:
            os.replace(temporary, target)
        else:
            try:
                os.link(temporary, target)  # never replaces a file that appeared meanwhile
            except FileExistsError:
                raise CommandError(f"{target} exists; add --force to replace it") from None
    except sqlite3.Error as problem:
        raise CommandError(f"backup failed: {problem}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    print(f"{source} backed up to {target} ({target.stat().st_size} bytes)", file=sys.stderr)
    return 0


def imported_whole(load, *args):
    """An operator's file imported whole, or a CommandError saying where it is wrong."""
    from ..models.imports import ImportProblem

    try:
        return load(*args)
    except (ImportProblem, OSError, UnicodeDecodeError) as problem:
        raise CommandError(f"{problem} — nothing was imported") from None


def cmd_import(args) -> int:
    from ..models.imports import import_villages

    settings, session = settings_and_session()
    imported = imported_whole(import_villages, session, args.file, settings.timezone, args.new)
    print(f"{args.file}: {imported.added} villages added, {imported.updated} updated")
    if imported.unused:
        print(f"stored, but no indicator takes a percentage of them yet: {', '.join(imported.unused)} "
              "(tocds admin indicators names a denominator)")
    return 0


def cmd_targets(args) -> int:
    from ..models.imports import import_targets

    _, session = settings_and_session()
    count = imported_whole(import_targets, session, args.file)
    print(f"{args.file}: {count} targets applied")
    return 0


def cmd_indicators(args) -> int:
    """The catalog, imported whole from a CSV or written in the same format; a commune's list."""
    if args.show and (args.what or args.commune or args.default):
        raise CommandError("--show takes nothing else: tocds admin indicators --show > indicators.csv")
    if args.default and (args.what or not args.commune):
        raise CommandError("--default goes with --commune C alone: tocds admin indicators --commune C --default")
    if args.commune:
        return commune_indicators(args)
    if args.show:
        from ..models.catalog import write_catalog

        _, session = settings_and_session()
        write_catalog(session, sys.stdout)
        return 0
    if not args.what:
        raise CommandError("give FILE.csv to import the catalog, --show to write it, "
                           "or --commune C to see a commune's list")
    from ..models.catalog import import_indicators

    path = Path(args.what)
    _, session = settings_and_session()
    imported = imported_whole(import_indicators, session, path)
    changes = [f"{len(keys)} {what}" + (f" ({', '.join(keys)})" if keys else "")
               for what, keys in (("added", imported.added), ("updated", imported.updated),
                                  ("retired", imported.retired), ("tracked again", imported.restored),
                                  ("removed", imported.removed))]
    print(f"{path}: {', '.join(changes)}" + ("; the order changed" if imported.reordered else ""))
    if imported.missing_figures:
        print(f"no village has a figure for {', '.join(imported.missing_figures)} yet: add the column to the "
              "villages' CSV (tocds admin import) for percentages")
    return 0


def commune_indicators(args) -> int:
    """`--commune C`: its list; with KEYS, its own list in that order; with --default, the catalog's."""
    from ..models.catalog import CatalogProblem, has_own_list, set_tracked
    from ..models.queries import tracked

    _, session = settings_and_session()
    commune = commune_named(session, args.commune)
    if args.default or args.what is not None:
        keys = None if args.default else args.what.replace(",", " ").split()
        try:
            set_tracked(session, commune, keys)
        except CatalogProblem as problem:
            raise CommandError(f"{problem} — nothing was changed") from None
        session.commit()
    keys = ", ".join(i.key for i in tracked(session, commune.id))
    source = "its own list" if has_own_list(session, commune) else "the default: every indicator not retired"
    print(f"{commune.name}: {keys} ({source})")
    return 0


def cmd_invite(args) -> int:
    import json

    from ..models.invites import create_invite, role_fits, telegram_link
    from ..models.people import PROVINCE_ROLES

    _, session = settings_and_session()
    role = role_named(args.role)
    place, village = scope_named(session, args)
    unit = village or place
    if not role_fits(unit, role):
        fix = ("use --commune C (and --village V for a team)" if args.province
               else "use --province P" if role in PROVINCE_ROLES
               else "leave out --village" if args.village else "add --village V")
        raise CommandError(f"{a(role)} does not belong to {a(unit.level)}: {fix}")
    try:
        invite = create_invite(session, unit, role, uses=args.uses, days=args.days)
    except ValueError as problem:
        raise CommandError(str(problem)) from None
    session.commit()
    link = telegram_link(session, invite.code)
    if args.json:
        print(json.dumps({"code": invite.code, "expires": invite.expires_at.isoformat(),
                          "uses": invite.uses_left, "org_unit": unit.name, "role": invite.role,
                          "link": link}))
    else:
        zone = zone_of(session, unit)
        uses = f"{invite.uses_left} use{'' if invite.uses_left == 1 else 's'}"
        print(f"{invite.code}  ({unit.name}, {invite.role}, {uses}, expires {shown_local(invite.expires_at, zone)})")
        print(f"Each person sends: /start {invite.code}")
        if link:
            print(f"Telegram link: {link}")
    return 0


def cmd_schedule(args) -> int:
    from datetime import time

    from sqlmodel import select

    from ..jobs import JOBS
    from ..jobs.scheduler import DAILY_ONLY, SCHEDULE, schedule_of
    from ..models import JobSchedule
    from ..models.jobs import EVERY_DAY, WEEKDAYS

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

    from ..models.deadlines import deadlines_of, import_deadlines
    from ..models.due_dates import next_due
    from ..models.periods import local_date

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
    return 0


def cmd_members(args) -> int:
    import csv

    from ..models.members import members_of
    from ..models.periods import local_date

    _, session = settings_and_session()
    unit, village = scope_named(session, args)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(("name", "unit", "role", "channel", "joined", "last_report"))
    zone = zone_of(session, unit)  # the day someone joined, as the commune counts days
    for m in members_of(session, village or unit):
        writer.writerow((m.name, m.unit.name, m.role, " ".join(m.channels), local_date(m.joined, zone).isoformat(),
                         m.last_report.isoformat() if m.last_report else ""))
    return 0


def place_named(session, args):
    """The one place of `--person` in `--commune` (or in `--village`) or `--province`, else how to say which."""
    from ..models.members import members_of
    from ..models.text import fold

    unit, village = scope_named(session, args)
    places = [m for m in members_of(session, village or unit) if fold(m.name) == fold(args.person)]
    where = (village or unit).name
    if not places:
        raise CommandError(f"nobody named {args.person!r} belongs to {where}; "
                           f"see `tocds admin members {place_option(unit)}`")
    if len({m.person_id for m in places}) > 1:
        raise CommandError(f"{len({m.person_id for m in places})} people named {args.person!r} belong to {where}; "
                           "rename one, or remove them in the chat with /thanhvien")
    if len(places) > 1:
        units = ", ".join(m.unit.name for m in places)
        raise CommandError(f"{args.person} has several places in {where} ({units}): add --village V")
    return places[0]


def cmd_remove(args) -> int:
    from ..models import Membership
    from ..models.members import remove
    from ..models.types import utcnow

    _, session = settings_and_session()
    place = place_named(session, args)
    stopped = remove(session, session.get(Membership, place.membership_id), by=None, now=utcnow())
    session.commit()
    print(f"{place.name} no longer belongs to {place.unit.name} ({place.role}); "
          f"chats they subscribed that stopped: {len(stopped)}")
    return 0


def cmd_role(args) -> int:
    from ..models import Membership
    from ..models.invites import role_fits
    from ..models.members import change_role
    from ..models.people import PROVINCE_ROLES, VILLAGE_ROLES
    from ..models.types import utcnow

    _, session = settings_and_session()
    role = role_named(args.role)
    place = place_named(session, args)
    if not role_fits(place.unit, role):
        where = ("--province P" if role in PROVINCE_ROLES else "--commune C --village V" if role in VILLAGE_ROLES
                 else "--commune C")
        raise CommandError(f"{a(role)} does not belong to {a(place.unit.level)}: invite the person where it does "
                           f"(`tocds admin invite {where} --role {role}`)")
    change_role(session, session.get(Membership, place.membership_id), role, by=None, now=utcnow())
    session.commit()
    print(f"{place.name}: {place.role} → {role} in {place.unit.name}")
    return 0


def cmd_messages(args) -> int:
    from datetime import timedelta

    from ..models.queries import messages_sent
    from ..models.types import utcnow

    _, session = settings_and_session()
    rows = messages_sent(session, utcnow() - timedelta(days=args.days))
    print("day,channel,sent")
    for channel, day, count in rows:
        print(f"{day.isoformat()},{channel},{count}")
    return 0


def cmd_scheduler(args) -> int:
    import asyncio

    from .run import configured_channels, run_scheduler
    from .settings import get_settings

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

    from ..jobs import JOBS
    from ..jobs.runner import run_job
    from ..models import Level, OrgUnit
    from .run import configured_channels, deliver_now

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
    asyncio.run(deliver_now(settings, configured_channels(settings), out_folder(args.out)))
    return 1 if failed else 0


def cmd_export(args) -> int:
    from datetime import UTC, datetime

    from ..handlers.export import export_file
    from ..locales import translator
    from ..models.exports import file_name, write_csv
    from ..models.periods import local_date, parse_period, week_of

    settings, session = settings_and_session()
    commune = unit_named(session, args)
    try:
        period = parse_period(args.period)
    except ValueError as problem:
        raise CommandError(str(problem)) from None
    today = local_date(datetime.now(UTC), commune.timezone or settings.timezone)
    if period.first > today:
        raise CommandError(f"{period.label} has not started yet (it begins {period.first:%Y-%m-%d}): periods up to "
                           f"this week ({week_of(today).label}) can be exported")
    kind = args.format or ("xlsx" if args.out and args.out.suffix.lower() == ".xlsx" else "csv")
    if kind == "xlsx":
        out = args.out or Path(file_name(commune, period, kind))  # a workbook never goes to a terminal
        content = export_file(session, commune, period, today, translator(settings.locale), kind).content
        try:
            out.write_bytes(content)
        except OSError as problem:
            raise CommandError(f"cannot write {out}: {problem.strerror}") from None
        if not args.out:
            print(out.resolve(), file=sys.stderr)
        return 0
    try:
        handle = open(args.out, "w", newline="", encoding="utf-8") if args.out else sys.stdout
    except OSError as problem:
        raise CommandError(f"cannot write {args.out}: {problem.strerror}") from None
    try:
        write_csv(session, commune, period, handle)
    finally:
        if args.out:
            handle.close()
    return 0


def cmd_chat(args) -> int:
    from sqlmodel import select

    from ..models import OrgUnit
    from .channels import render
    from .channels.console import ConsoleChat, current_place, saved, sign_in

    settings, session = settings_and_session()
    if session.exec(select(OrgUnit.id).where(OrgUnit.level == "village")).first() is None:
        print("No villages yet: run `tocds demo` to try the bot, or `tocds admin import FILE.csv`.",
              file=sys.stderr)
        return EXIT_USAGE
    folder = out_folder(args.out)
    # Without a place named, USER chats where they already belong (an office worker stays one).
    place = None if args.role or args.commune or args.village else current_place(session, args.user)
    unit, role = place or chat_place(session, args)
    defaults = settings.defaults()
    sign_in(session, args.user, unit, role, args.lang, defaults)
    chat = ConsoleChat(session, args.user, defaults)
    interactive = sys.stdin.isatty()
    if interactive:
        print(f"{args.user} ({role}, {unit.name}). /trogiup for help, Ctrl-D to leave.", file=sys.stderr)
    for line in sys.stdin:
        if not line.strip():
            continue
        for reply in chat.send(line.rstrip("\n")):
            print(render(reply), flush=True)
            path = saved(reply, folder)
            if path:
                print(f"   ({path})", flush=True)
            elif reply.attachment:
                print("   (add --out DIR to write the file)", file=sys.stderr)
        if interactive:
            print(file=sys.stderr)
    return 0


def out_folder(folder: Path | None) -> Path | None:
    """`--out DIR`, made if new, for the files a command writes."""
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as problem:
            raise CommandError(f"cannot make the folder {folder}: {problem.strerror}") from None
    return folder


def chat_place(session, args):
    """The place `--commune`, `--village` and `--role` name (a member of the first village by default)."""
    from ..models import OrgUnit, Role
    from ..models.people import PROVINCE_ROLES, VILLAGE_ROLES

    role = role_named(args.role) if args.role else Role.MEMBER
    commune = commune_named(session, args.commune)
    if role in VILLAGE_ROLES:
        unit = village_named(session, commune, args.village)
    elif args.village:
        raise CommandError(f"{a(role)} belongs to the commune: leave out --village")
    elif role in PROVINCE_ROLES:  # the province of the commune named (or of the first)
        if commune.parent_id is None:
            raise CommandError(f"{commune.name} is in no province: give the village file a province column")
        unit = session.get(OrgUnit, commune.parent_id)
    else:
        unit = commune
    return unit, role


def cmd_run(args) -> int:
    import asyncio

    from .database import only_one
    from .run import configured_channels, run
    from .settings import get_settings

    settings = get_settings()
    channels = configured_channels(settings)
    if not channels:
        print("No messenger to serve: set TOCDS_TELEGRAM_TOKEN (a token from @BotFather) or "
              "TOCDS_ZALO_TOKEN (from the Zalo Bot Platform) in the environment or in .env, "
              "then run `tocds run` again.", file=sys.stderr)
        return EXIT_USAGE
    try:
        with only_one(settings.database_url, "run"):
            asyncio.run(run(settings, channels))
    except KeyboardInterrupt:
        pass
    return 0


def cmd_serve(args) -> int:
    from .run import configured_channels
    from .serve import serve
    from .settings import get_settings

    settings = get_settings()
    channels = configured_channels(settings)
    if not channels:
        raise CommandError("no messenger to serve: set TOCDS_TELEGRAM_TOKEN or TOCDS_ZALO_TOKEN "
                           "in the environment or .env")
    if not settings.webhook_secret:
        raise CommandError("set TOCDS_WEBHOOK_SECRET (any long random text): every webhook request must carry it")
    serve(settings, channels)
    return 0


def cmd_doctor(args) -> int:
    from .doctor import ERROR, examine
    from .run import configured_channels
    from .settings import get_settings

    settings = get_settings()
    findings = examine(settings, configured_channels(settings))
    for finding in findings:
        print(finding.line())
    return 1 if any(f.status == ERROR for f in findings) else 0


def cmd_service(args) -> int:
    from .service_files import summary, unit_files

    files = unit_files(args.user, args.folder.absolute())
    if args.file:
        if args.file not in files:
            raise CommandError(f"no unit file {args.file!r}; the files are {', '.join(files)}")
        print(files[args.file], end="")
        return 0
    if args.write:
        for name, text in files.items():
            try:
                (args.write / name).write_text(text, encoding="utf-8")
            except OSError as problem:
                raise CommandError(f"cannot write {args.write / name}: {problem.strerror}") from None
            print(args.write / name)
        print("then: systemctl daemon-reload && systemctl enable --now tocds@run.service tocds-backup.timer",
              file=sys.stderr)
        return 0
    for name, text in files.items():
        print(f"{name}  {summary(text)}")
    return 0


def cmd_demo(args) -> int:
    from .demo import play

    return play(args.out)
