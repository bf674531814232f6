"""Period exports in the contract's formats."""

import csv
from typing import TextIO

from sqlmodel import Session

from .orgunits import Level, OrgUnit, children
from .periods import Period
from .queries import communes_table

CSV_HEADER = ("commune", "village", "indicator", "count")


def write_csv(session: Session, unit: OrgUnit, period: Period, handle: TextIO) -> None:
    """One row per village × indicator, 0 where nothing was reported (DESIGN.md, export), of a
    commune or of every commune of a province (the same four columns)."""
    communes = children(session, unit) if unit.level == Level.PROVINCE else [unit]
    table = communes_table(session, [c.id for c in communes], period.first, period.last)
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows((commune.name, village, key, count)
                     for commune in communes for village, key, count in table.get(commune.id, []))


def file_name(commune: OrgUnit, period: Period, kind: str) -> str:
    """`tocds-<commune key>-<period>.<kind>`, e.g. tocds-xa-dong-phu-2026-Q4.xlsx."""
    return f"tocds-{commune.name_key.replace(' ', '-')}-{period.label}.{kind}"
