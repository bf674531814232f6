"""CSV imports for the operator: villages with their figures, and targets.

A file is imported whole or not at all: the first bad cell stops it and names the
file, row and column. Importing the same file twice changes nothing.
"""

import csv
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from sqlmodel import Session, select

from .indicators import SIZE_NAME, Indicator
from .orgunits import Level, OrgUnit
from .targets import Target
from .text import fold

NAME_COLUMNS = ("province", "commune", "village")  # the province is optional: every other column is a figure
VILLAGE_COLUMNS = ("commune", "village", "households", "population", "adults")
TARGET_COLUMNS = ("commune", "village", "indicator", "baseline", "target_percent", "start", "deadline")
NAME_LENGTH = 200  # org_unit.name
MAX_WHOLE = 2**31 - 1  # the database's integer
WHOLE = re.compile(r"[0-9]+|[1-9][0-9]{0,2}(?:[. ][0-9]{3})+")  # 1200, or grouped: 1.200, 1 200


class ImportProblem(ValueError):
    def __init__(self, path: Path, row: int, column: str, message: str):
        where = f"{path}, row {row}" + (f", column {column}" if column else "")
        super().__init__(f"{where}: {message}")


@dataclass
class Row:
    """One CSV row, with the means to complain about one of its cells."""

    path: Path
    number: int  # as a spreadsheet counts: the header is row 1
    values: dict[str, str]

    def text(self, column: str) -> str:
        return (self.values.get(column) or "").strip()

    def problem(self, column: str, message: str) -> ImportProblem:
        return ImportProblem(self.path, self.number, column, message)

    def whole(self, column: str, *, required: bool = True) -> int | None:
        value = self.text(column)
        if not value and not required:
            return None
        if not WHOLE.fullmatch(value):
            raise self.problem(column, f"{value!r} is not a whole number ≥ 0")
        number = int(value.replace(".", "").replace(" ", ""))
        if number > MAX_WHOLE:
            raise self.problem(column, f"{value} is too large")
        return number

    def percent(self, column: str) -> float | None:
        value = self.text(column).replace(",", ".").removesuffix("%")
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            raise self.problem(column, f"{self.text(column)!r} is not a number") from None
        if not 0 < number <= 100:
            raise self.problem(column, f"{number} is not a percentage between 0 and 100")
        return number

    def day(self, column: str) -> date:
        value = self.text(column)
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.strptime(value, pattern).date()
            except ValueError:
                continue
        raise self.problem(column, f"{value!r} is not a date (use YYYY-MM-DD or dd/mm/yyyy)")


def read_rows(path: Path, required: tuple[str, ...]) -> list[Row]:
    with open(path, newline="", encoding="utf-8-sig") as handle:  # Excel writes a BOM
        sample = handle.readline()
        handle.seek(0)
        delimiter = max(",;\t", key=sample.count)
        reader = csv.DictReader(handle, delimiter=delimiter)
        header = [name.strip().lower() for name in reader.fieldnames or []]
        missing = [c for c in required if c not in header]
        if missing:
            raise ImportProblem(path, 1, missing[0], f"missing column; the header needs {','.join(required)}")
        reader.fieldnames = header
        rows = []
        for values in reader:
            extra = values.pop(None, None) or []  # cells beyond the header's columns
            if not any((v or "").strip() for v in values.values()):
                continue
            # line_num, not a count of rows read: the reader skips blank lines, a spreadsheet shows them.
            if any(cell.strip() for cell in extra):
                raise ImportProblem(path, reader.line_num, str(len(header) + 1),
                                    "more cells than the header has columns (write 1650 or 1.650, not 1,650)")
            rows.append(Row(path, reader.line_num, values))
        return rows


@contextmanager
def all_or_nothing(session: Session):
    """Commits the whole file, or rolls all of it back on the first problem."""
    try:
        yield
    except BaseException:
        session.rollback()
        raise
    session.commit()


def find_unit(session: Session, level: Level, name: str) -> OrgUnit | None:
    """The commune or province of that name (accents and case aside)."""
    return session.exec(select(OrgUnit).where(OrgUnit.level == level, OrgUnit.name_key == fold(name))).first()


def place_in_province(session: Session, row: "Row", commune: OrgUnit, name: str, timezone: str) -> None:
    """Puts the commune under the province named (created if new). A commune already under
    another province is refused rather than moved: moving it would change who sees its
    figures, which an operator should decide on purpose, not by a typo in a file."""
    province = find_unit(session, Level.PROVINCE, name)
    if province is None:
        province = OrgUnit(level=Level.PROVINCE, name=name, name_key=fold(name), timezone=timezone)
        session.add(province)
        session.flush()
    if commune.parent_id is None:
        commune.parent_id = province.id
        session.add(commune)
        session.flush()
    elif commune.parent_id != province.id:
        current = session.get(OrgUnit, commune.parent_id)
        raise row.problem("province", f"{commune.name} belongs to {current.name}, not {name}; "
                                      "a commune is not moved to another province by an import")


def find_village(session: Session, commune: OrgUnit, name: str) -> OrgUnit | None:
    return session.exec(
        select(OrgUnit).where(OrgUnit.parent_id == commune.id, OrgUnit.name_key == fold(name))
    ).first()


class VillagesImported(NamedTuple):
    added: int
    updated: int
    unused: tuple[str, ...] = ()  # figure columns no indicator takes a percentage of (yet)


def import_villages(session: Session, path: Path, timezone: str) -> VillagesImported:
    """Creates or updates communes and villages with their figures: every column besides
    province, commune and village is a figure (households, population, adults, pop15, or any
    other an indicator may name as its denominator). An empty cell takes the figure away; a
    column left out of the file leaves it as it is. A `province` cell places the commune
    under that province (an empty one leaves the commune where it is)."""
    added = updated = 0
    rows = read_rows(path, VILLAGE_COLUMNS)
    figures = [column for column in rows[0].values if column and column not in NAME_COLUMNS] if rows else []
    for column in figures:
        if not re.fullmatch(SIZE_NAME, column):
            raise ImportProblem(path, 1, column, "a figure's column is named with letters a-z, digits and _ "
                                                 "(smartphone_owners); rename it or remove the column")
    with all_or_nothing(session):
        for row in rows:
            names = {c: " ".join(row.text(c).split()) for c in NAME_COLUMNS}
            for column, name in names.items():
                if not name and column != "province":
                    raise row.problem(column, "empty name")
                if len(name) > NAME_LENGTH:
                    raise row.problem(column, f"a name of more than {NAME_LENGTH} characters")
            given = {c: row.whole(c, required=c in VILLAGE_COLUMNS) for c in figures}
            commune = find_unit(session, Level.COMMUNE, names["commune"])
            if commune is None:
                commune = OrgUnit(level=Level.COMMUNE, name=names["commune"],
                                  name_key=fold(names["commune"]), timezone=timezone)
                session.add(commune)
                session.flush()
            if names["province"]:
                place_in_province(session, row, commune, names["province"], timezone)
            village = find_village(session, commune, names["village"])
            sizes = dict(village.sizes) if village is not None else {}
            sizes.update((c, v) for c, v in given.items() if v is not None)
            for column in (c for c, v in given.items() if v is None):
                sizes.pop(column, None)
            if village is None:
                village = OrgUnit(parent_id=commune.id, level=Level.VILLAGE,
                                  name=names["village"], name_key=fold(names["village"]))
                added += 1
            elif village.sizes != sizes:
                updated += 1
            village.sizes = sizes  # a new dict: the JSON column sees the change
            session.add(village)
            session.flush()
    denominators = {i.denominator for i in session.exec(select(Indicator)).all()}
    return VillagesImported(added, updated, tuple(c for c in figures if c not in denominators))


def import_targets(session: Session, path: Path) -> int:
    """Creates or replaces targets; returns how many rows were applied."""
    known = {i.key: i for i in session.exec(select(Indicator)).all()}
    rows = read_rows(path, TARGET_COLUMNS)
    with all_or_nothing(session):
        for row in rows:
            commune = find_unit(session, Level.COMMUNE, row.text("commune"))
            if commune is None:
                raise row.problem("commune", f"no commune {row.text('commune')!r}: import the villages first")
            unit = commune
            if row.text("village"):
                unit = find_village(session, commune, row.text("village"))
                if unit is None:
                    raise row.problem("village", f"no village {row.text('village')!r} in {commune.name}")
            key = fold(row.text("indicator"))
            if key not in known:
                raise row.problem("indicator", f"unknown indicator {row.text('indicator')!r}; use one of {', '.join(sorted(known))}")
            percent = row.percent("target_percent")
            if percent is not None and known[key].denominator is None:
                raise row.problem("target_percent", f"{key} is counted, not a share of anything: give target_count instead")
            count = row.whole("target_count", required=False)
            if percent is None and count is None:
                raise row.problem("target_percent", "give target_percent (or target_count)")
            start, deadline = row.day("start"), row.day("deadline")
            if deadline <= start:
                raise row.problem("deadline", "the deadline must come after the start")
            target = session.exec(
                select(Target).where(Target.org_unit_id == unit.id, Target.indicator_key == key)
            ).first() or Target(org_unit_id=unit.id, indicator_key=key, start=start, deadline=deadline)
            target.baseline = row.whole("baseline", required=False) or 0
            target.target_percent, target.target_count = percent, count
            target.start, target.deadline = start, deadline
            session.add(target)
            session.flush()
    return len(rows)
