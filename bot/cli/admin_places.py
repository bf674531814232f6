"""`tocds admin place rename|merge|retire|delete`: the operator fixes villages, communes and
provinces (models/places.py does the work; this module reads the options and says what happened)."""

import argparse
from datetime import date, timedelta

from .common import (
    CommandError,
    commune_named,
    place_option,
    province_named,
    scope_named,
    settings_and_session,
    village_named,
)


def add_commands(admin) -> None:
    place = admin.add_parser(
        "place", help="fix villages, communes and provinces: rename, merge, retire, delete").add_subparsers(
        metavar="ACTION")
    rename = place.add_parser("rename", help="give a village (--village), commune or province another name")
    _add_place(rename)
    rename.add_argument("--to", required=True, metavar="NAME")
    rename.set_defaults(run=cmd_rename)
    merge = place.add_parser(
        "merge", help="merge a village into another of its commune (a commune, a province: into another of its "
                      "province): entries, members, evidence and targets move; the place merged is deleted")
    _add_place(merge)
    merge.add_argument("--into", required=True, metavar="NAME",
                       help="the place that stays: a village of the same commune, or a commune (province)")
    merge.set_defaults(run=cmd_merge)
    retire = place.add_parser(
        "retire", help="a village no longer counts from a day on (targets, reminders, not reported); "
                       "the periods before keep it")
    retire.add_argument("--commune", required=True)
    retire.add_argument("--village", required=True)
    when = retire.add_mutually_exclusive_group()
    when.add_argument("--from", dest="day", type=_day, metavar="YYYY-MM-DD",
                      help="its first day out (default: this week's Monday, so this week already leaves it out)")
    when.add_argument("--undo", action="store_true", help="the village counts again")
    retire.set_defaults(run=cmd_retire, province=None)
    remove = place.add_parser("delete", help="delete a place nobody used (no reports, no members, nothing under it)")
    _add_place(remove)
    remove.set_defaults(run=cmd_delete)


def _add_place(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--commune")
    where.add_argument("--province")
    parser.add_argument("--village", help="a village of --commune")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _place(session, args):
    unit, village = scope_named(session, args)
    return village or unit


def _changed(session, change, *args) -> None:
    """Makes the change and commits it, or says why not (nothing changed)."""
    from ...models.places import PlaceRefused
    from ...models.types import utcnow

    try:
        change(session, *args, utcnow())
    except PlaceRefused as refused:
        session.rollback()
        raise CommandError(f"{refused} — nothing was changed") from None
    session.commit()


def cmd_rename(args) -> int:
    from ...models.places import rename

    _, session = settings_and_session()
    unit = _place(session, args)
    old = unit.name
    _changed(session, rename, unit, args.to)
    print(f"{old} → {unit.name}")
    return 0


def cmd_merge(args) -> int:
    from ...models import Level
    from ...models.places import merge

    _, session = settings_and_session()
    unit = _place(session, args)
    if unit.level == Level.VILLAGE:
        into = village_named(session, session.get(type(unit), unit.parent_id), args.into)
    else:
        into = province_named(session, args.into) if unit.level == Level.PROVINCE else commune_named(session, args.into)
    name, into_name = unit.name, into.name
    _changed(session, merge, unit, into)
    print(f"{name} merged into {into_name}")
    return 0


def cmd_retire(args) -> int:
    from ...models.places import retire, unretire

    settings, session = settings_and_session()
    village = _place(session, args)
    if args.undo:
        _changed(session, unretire, village)
        print(f"{village.name} counts again")
        return 0
    day = args.day or _this_monday(session, village, settings.timezone)
    _changed(session, retire, village, day)
    print(f"{village.name} is retired from {day:%d/%m/%Y} (`tocds admin place retire "
          f"{place_option(session.get(type(village), village.parent_id))} --village {village.name!r} --undo` "
          "brings it back)")
    return 0


def _this_monday(session, village, timezone: str) -> date:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    commune = session.get(type(village), village.parent_id)
    today = datetime.now(ZoneInfo(commune.timezone or timezone)).date()
    return today - timedelta(days=today.weekday())


def cmd_delete(args) -> int:
    from ...models.places import delete_empty

    _, session = settings_and_session()
    unit = _place(session, args)
    name = unit.name
    _changed(session, delete_empty, unit)
    print(f"{name} deleted")
    return 0
