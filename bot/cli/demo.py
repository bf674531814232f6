"""`tocds demo`: a demo week on a fresh SQLite file."""

from pathlib import Path


def add_commands(commands) -> None:
    demo = commands.add_parser("demo", help="play a demo week on a fresh SQLite file")
    demo.add_argument("--out", type=Path, default=Path("tocds-demo"),
                      help="folder for the demo's database and files (default: ./tocds-demo)")
    demo.set_defaults(run=cmd_demo, database=None)


def cmd_demo(args) -> int:
    from ..demo import play

    return play(args.out)
