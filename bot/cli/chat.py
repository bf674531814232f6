"""`tocds chat`: the bot in this terminal."""

import sys
from pathlib import Path

from .common import (
    EXIT_USAGE,
    CommandError,
    a,
    commune_named,
    out_folder,
    role_named,
    settings_and_session,
    village_named,
)


def add_commands(commands) -> None:
    chat = commands.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--commune", help="commune name (default: the first)")
    chat.add_argument("--village", help="village name (default: the commune's first village)")
    chat.add_argument("--role", help="member, village_leader, office, leader, admin, province_office or "
                                      "province_leader (default: the place USER already has, else member)")
    chat.add_argument("--user", default="Console", help="your name (default: Console)")
    chat.add_argument("--lang", choices=("vi", "en"), help="language (default: TOCDS_LOCALE)")
    chat.add_argument("--out", type=Path, metavar="DIR", help="write the files the bot sends (XLSX, PNG) there")
    chat.set_defaults(run=cmd_chat)


def cmd_chat(args) -> int:
    from sqlmodel import select

    from ...models import OrgUnit
    from ..channels import render
    from ..channels.console import ConsoleChat, current_place, saved, sign_in

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


def chat_place(session, args):
    """The place `--commune`, `--village` and `--role` name (a member of the first village by default)."""
    from ...models import OrgUnit, Role
    from ...models.people import PROVINCE_ROLES, VILLAGE_ROLES

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
