"""`tocds service`: the systemd unit files of bot/service_files.py, listed, printed or written."""

import sys
from pathlib import Path

from .common import CommandError


def add_commands(commands) -> None:
    service = commands.add_parser(
        "service", help="systemd unit files: list them, print one (FILE), or --write them all to a folder")
    service.add_argument("file", nargs="?", metavar="FILE", help="e.g. tocds@.service, tocds-backup.timer")
    service.add_argument("--user", default="tocds", help="the user tocds runs as (default: tocds)")
    service.add_argument("--folder", type=Path, default=Path("/var/lib/tocds"),
                         help="its working folder, with .env and the SQLite file (default: /var/lib/tocds)")
    service.add_argument("--write", type=Path, metavar="DIR", help="write every file there, e.g. /etc/systemd/system")
    service.set_defaults(run=cmd_service, database=None)


def cmd_service(args) -> int:
    from ..service_files import summary, unit_files

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
