"""`tocds export`: a period's counts per village and indicator, as CSV or XLSX, or its report upward as DOCX."""

import sys
from pathlib import Path

from .common import CommandError, settings_and_session, unit_named

BINARY = ("xlsx", "docx")


def add_commands(commands) -> None:
    export = commands.add_parser("export", help="a period's counts per village and indicator")
    exported = export.add_mutually_exclusive_group(required=True)
    exported.add_argument("--commune")
    exported.add_argument("--province", help="every commune of the province (CSV: every village)")
    export.add_argument("--period", required=True, help="2026-W47, 2026-11, 2026-Q4, 2026-H2 or 2026")
    export.add_argument("--format", choices=("xlsx", "csv", "docx"),
                        help="docx: the report upward, ready to sign; default: xlsx or docx when --out ends "
                             "in .xlsx or .docx, otherwise csv")
    export.add_argument("--out", type=Path, help="file to write (default: CSV on stdout; XLSX and DOCX to "
                        "./tocds-<commune>-<period>.xlsx (.docx), its path printed on stderr)")
    export.set_defaults(run=cmd_export)


def cmd_export(args) -> int:
    from datetime import UTC, datetime

    from ...handlers.export import export_file
    from ...locales import translator
    from ...models.exports import file_name, write_csv
    from ...models.periods import local_date, parse_period, week_of

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
    suffix = args.out.suffix.lower().lstrip(".") if args.out else ""
    kind = args.format or (suffix if suffix in BINARY else "csv")
    if kind in BINARY:
        out = args.out or Path(file_name(commune, period, kind))  # a workbook or document never goes to a terminal
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
