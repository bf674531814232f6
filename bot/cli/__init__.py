"""The `tocds` command line: one module per command group, each adding its commands to the parser.

Heavy libraries are imported inside the commands, so that `tocds --help` answers at once.
"""

import argparse
import os
import sys

from . import (
    admin_calendar,
    admin_imports,
    admin_messages,
    admin_people,
    admin_places,
    admin_privacy,
    admin_report,
    admin_web,
    chat,
    db,
    demo,
    doctor,
    export,
    jobs,
    processes,
    service,
)
from .common import CREATES_DATABASE, EXIT_USAGE, OPENS_DATABASE, CommandError


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from ..logs import configure  # key=value lines on stderr, secrets masked (stdlib only)

    configure(args.verbose)
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_USAGE
    from ..database import DatabaseProblem
    from ..settings import SettingsProblem

    try:
        if args.database:
            from ..database import reach
            from ..settings import get_settings

            reach(get_settings().database_url, create=args.database == CREATES_DATABASE)
        return args.run(args) or 0
    except (CommandError, DatabaseProblem, SettingsProblem) as error:
        print(f"tocds: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `tocds export … | head`: the reader had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tocds",
        description="Chat bot for community digital-technology teams (Tổ công nghệ số cộng đồng).",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more to stderr")
    parser.set_defaults(database=OPENS_DATABASE)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for group in (demo, chat, processes, doctor, service, db):
        group.add_commands(commands)
    admin = commands.add_parser("admin", help="operator tasks").add_subparsers(metavar="ACTION")
    for group in (admin_imports, admin_people, admin_calendar, admin_places, admin_messages, admin_report, admin_privacy, admin_web):
        group.add_commands(admin)
    for group in (jobs, export):
        group.add_commands(commands)
    return parser
