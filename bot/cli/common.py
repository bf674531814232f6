"""What the command groups share: the error an operator can fix, the database a command needs,
and the places, people and roles named on the command line."""

import argparse
from pathlib import Path

EXIT_USAGE = 2
# What a command needs of TOCDS_DATABASE_URL (`database=` in its defaults): an existing database,
# one it may create (the commands that set one up), or none of it (the demo makes its own).
OPENS_DATABASE, CREATES_DATABASE = "open", "create"


class CommandError(Exception):
    """A problem the operator can fix; printed without a traceback."""


def add_place(parser: argparse.ArgumentParser, province_help: str = "for province_office and province_leader"):
    """`--commune C` or `--province P`, one of them, for the commands that serve both levels."""
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--commune")
    where.add_argument("--province", help=province_help)


def settings_and_session():
    from ...models.db import open_session
    from ..settings import get_settings

    settings = get_settings()
    return settings, open_session(settings.database_url)


def commune_named(session, name: str | None):
    from sqlmodel import select

    from ...models import Level, OrgUnit
    from ...models.imports import find_unit

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

    from ...models.text import fold

    wanted = fold(name)
    by_key = {fold(n): n for n in names}
    close = [n for key, n in by_key.items() if len(wanted) >= 3 and wanted in key]  # `Đồng Tâm`: `Thôn Đồng Tâm`
    close += [by_key[key] for key in difflib.get_close_matches(wanted, by_key, n=3, cutoff=0.7)
              if by_key[key] not in close]
    return f": did you mean {' or '.join(repr(n) for n in close[:3])}?" if close else otherwise


def opened_database() -> str:
    """The database a command works on, named in its answers that something is not there (a typo
    in TOCDS_DATABASE_URL, or the wrong working folder, opens another)."""
    from ..database import describe
    from ..settings import get_settings

    return describe(get_settings().database_url)


def province_named(session, name: str):
    from ...models import Level
    from ...models.imports import find_unit

    province = find_unit(session, Level.PROVINCE, name)
    if province is None:
        from sqlmodel import select

        from ...models import OrgUnit

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

    from ...models import OrgUnit
    from ...models.imports import find_village

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
    from ...models.members import zone_of as commune_zone
    from ..settings import get_settings

    return commune_zone(session, unit, get_settings().timezone)


def shown_local(moment, zone: str) -> str:
    """`2026-12-21 01:11 Asia/Ho_Chi_Minh (Monday)`: a stored UTC moment as the commune sees it."""
    from zoneinfo import ZoneInfo

    from ...models.jobs import WEEKDAYS

    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%Y-%m-%d %H:%M} {zone} ({WEEKDAYS[local.weekday()].capitalize()})"


def role_named(name: str):
    from ...models import Role

    try:
        return Role(name)
    except ValueError:
        raise CommandError(f"unknown role {name!r}; use one of {', '.join(Role)}") from None


def imported_whole(load, *args):
    """An operator's file imported whole, or a CommandError saying where it is wrong."""
    from ...models.imports import ImportProblem

    try:
        return load(*args)
    except (ImportProblem, OSError, UnicodeDecodeError) as problem:
        raise CommandError(f"{problem} — nothing was imported") from None


def out_folder(folder: Path | None) -> Path | None:
    """`--out DIR`, made if new, for the files a command writes."""
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as problem:
            raise CommandError(f"cannot make the folder {folder}: {problem.strerror}") from None
    return folder
