"""`tocds admin import|targets|indicators`: the operator's files, imported whole."""

import sys
from pathlib import Path

from .common import CREATES_DATABASE, CommandError, commune_named, imported_whole, settings_and_session


def add_commands(admin) -> None:
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


def cmd_import(args) -> int:
    from ...models.imports import import_villages

    settings, session = settings_and_session()
    imported = imported_whole(import_villages, session, args.file, settings.timezone, args.new)
    print(f"{args.file}: {imported.added} villages added, {imported.updated} updated")
    if imported.unused:
        print(f"stored, but no indicator takes a percentage of them yet: {', '.join(imported.unused)} "
              "(tocds admin indicators names a denominator)")
    return 0


def cmd_targets(args) -> int:
    from ...models.imports import import_targets

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
        from ...models.catalog import write_catalog

        _, session = settings_and_session()
        write_catalog(session, sys.stdout)
        return 0
    if not args.what:
        raise CommandError("give FILE.csv to import the catalog, --show to write it, "
                           "or --commune C to see a commune's list")
    from ...models.catalog import import_indicators

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
    from ...models.catalog import CatalogProblem, has_own_list, set_tracked
    from ...models.queries import tracked

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
