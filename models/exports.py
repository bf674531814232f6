"""Period exports in the contract's formats."""

import csv
from typing import TextIO

from sqlmodel import Session

from .orgunits import OrgUnit
from .periods import Period
from .queries import commune_table

CSV_HEADER = ("commune", "village", "indicator", "count")


def write_csv(session: Session, commune: OrgUnit, period: Period, handle: TextIO) -> None:
    """One row per village × indicator, 0 where nothing was reported (DESIGN.md, export)."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(
        (commune.name, village, key, count)
        for village, key, count in commune_table(session, commune.id, period.first, period.last)
    )


def file_name(commune: OrgUnit, period: Period, kind: str) -> str:
    """`tocds-<commune key>-<period>.<kind>`, e.g. tocds-xa-dong-phu-2026-Q4.xlsx."""
    return f"tocds-{commune.name_key.replace(' ', '-')}-{period.label}.{kind}"
