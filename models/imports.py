"""CSV imports for the operator: villages with their figures, and targets.

A file is imported whole or not at all: the first bad cell stops it and names the
file, row and column. Importing the same file twice changes nothing.
"""

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Collection
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from sqlmodel import Session, select

from .indicators import SIZE_NAME, Indicator
from .orgunits import Level, OrgUnit, standing_on
from .targets import Target
from .text import bare_name, fold

NAME_COLUMNS = ("province", "commune", "village")  # the province is optional: every other column is a figure
VILLAGE_COLUMNS = ("commune", "village", "households", "population", "adults")
TARGET_COLUMNS = ("commune", "village", "indicator", "baseline", "target_percent", "start", "deadline")
NAME_LENGTH = 200  # org_unit.name
MAX_WHOLE = 2**31 - 1  # the database's integer
WHOLE = re.compile(r"[0-9]+|[1-9][0-9]{0,2}(?:[. ][0-9]{3})+")  # 1200, or grouped: 1.200, 1 200
SAVE_AS_UTF8 = 'in Excel: File › Save As › "CSV UTF-8 (Comma delimited) (*.csv)", and import that file'
# What Excel saves besides UTF-8, tried only when the bytes are not UTF-8: Vietnamese Windows, Western Windows.
LEGACY_ENCODINGS = ("cp1258", "cp1252")


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
        """A percentage, `80` or `80%`. A number up to 1 without `%` is refused: `0.8` is a
        share written as a fraction (80%) far more often than a target of 0.8%."""
        written = self.text(column).replace(",", ".")
        value = written.removesuffix("%").strip()
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            raise self.problem(column, f"{self.text(column)!r} is not a number") from None
        if not 0 < number <= 100:
            raise self.problem(column, f"{number} is not a percentage between 0 and 100")
        if number <= 1 and not written.endswith("%"):
            raise self.problem(column, f"{self.text(column)} looks like a share written as a fraction: write "
                                       f"{number * 100:g} for {number * 100:g}% (or {self.text(column)}% if you "
                                       f"mean {self.text(column)}%)")
        return number

    def check_not_garbled(self, column: str) -> None:
        """Refuses text that was UTF-8 read as a Windows code page and saved again (mojibake):
        `XÃ£ NghÄ©a Lá»™c` would otherwise become a commune of its own."""
        from ftfy import fix_encoding  # here: the bot, which reads no files, does without it

        value = self.text(column)
        fixed = fix_encoding(value)
        if fixed != value:
            raise self.problem(column, f"{value!r} is garbled text (it reads {fixed!r} once decoded right): the "
                                       f"file went through the wrong encoding; open the original, save it as "
                                       f"CSV UTF-8 ({SAVE_AS_UTF8})")

    def day(self, column: str) -> date:
        value = self.text(column)
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.strptime(value, pattern).date()
            except ValueError:
                continue
        raise self.problem(column, f"{value!r} is not a date (use YYYY-MM-DD or dd/mm/yyyy)")


def decoded(path: Path) -> str:
    """The file's text: UTF-8 (with or without the BOM Excel writes), UTF-16 with its BOM
    (Excel's "Unicode text"), or else a Windows code page when CP1258 and CP1252 read it
    alike; bytes that could be either are refused, naming the row, rather than guessed."""
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as problem:
            raise _not_text(path, data, problem.start, "UTF-16") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        readings = [unicodedata.normalize("NFC", data.decode(name, errors="replace")) for name in LEGACY_ENCODINGS]
        unsure = [n for n, lines in enumerate(zip(*(r.split("\n") for r in readings), strict=True), 1)
                  if len(set(lines)) > 1 or "\ufffd" in lines[0]]
        if not unsure:
            return readings[0]
        raise ImportProblem(path, unsure[0], "", _NOT_UTF8.format(encoding="UTF-8")) from None


_NOT_UTF8 = ("the file is not saved as {encoding}, and this row's letters could be read more than one way; "
             f"save it as CSV UTF-8: {SAVE_AS_UTF8}")


def _not_text(path: Path, data: bytes, where: int, encoding: str) -> "ImportProblem":
    return ImportProblem(path, data[:where].count(b"\n") + 1, "", _NOT_UTF8.format(encoding=encoding))


def read_rows(path: Path, required: tuple[str, ...]) -> list[Row]:
    with io.StringIO(decoded(path), newline="") as handle:
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
            row = Row(path, reader.line_num, values)
            for column in header:
                row.check_not_garbled(column)
            rows.append(row)
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


def place_in_province(session: Session, row: "Row", commune: OrgUnit, name: str, timezone: str,
                      confirmed: Collection[str]) -> None:
    """Puts the commune under the province named (created if new). A commune already under
    another province is refused rather than moved: moving it would change who sees its
    figures, which an operator should decide on purpose, not by a typo in a file."""
    province = find_unit(session, Level.PROVINCE, name)
    if province is None:
        check_new_name(session, row, "province", Level.PROVINCE, None, confirmed)
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


def near_names(name: str, other: str) -> bool:
    """Whether two names of places would be taken for one: the same without the kind word
    and accents, or one letter apart (numbers aside: `Xóm 1` and `Xóm 2` are two villages)."""
    from rapidfuzz.distance import Levenshtein  # here: the bot, which imports no places, does without it

    mine, theirs = bare_name(name), bare_name(other)
    if mine == theirs:
        return True
    if re.findall(r"[0-9]+", mine) != re.findall(r"[0-9]+", theirs):
        return False
    return min(len(mine), len(theirs)) > 3 and Levenshtein.distance(mine, theirs) <= 1


def check_new_name(session: Session, row: "Row", column: str, level: Level, parent_id: int | None,
                   confirmed: Collection[str]) -> None:
    """A new place whose name is near one already there (of its parent, for a village) is
    refused unless the operator confirmed it (`--new NAME`): a duplicate raises the targets,
    lowers progress and is "not reported" every week."""
    name = " ".join(row.text(column).split())
    if fold(name) in confirmed:
        return
    query = select(OrgUnit).where(OrgUnit.level == level)
    if level == Level.VILLAGE:
        query = query.where(OrgUnit.parent_id == parent_id)
    near = next((unit for unit in session.exec(query.order_by(OrgUnit.id)) if near_names(name, unit.name)), None)
    if near is not None:
        raise row.problem(column, f"{name!r} would be a new {level}, but {near.name!r} is already there (the same "
                                  f"name but for the kind word, accents or one letter): write {near.name!r}; if it "
                                  f"really is another {level}, import again with --new {name!r}")


def find_village(session: Session, commune: OrgUnit, name: str) -> OrgUnit | None:
    return session.exec(
        select(OrgUnit).where(OrgUnit.parent_id == commune.id, OrgUnit.name_key == fold(name))
    ).first()


class VillagesImported(NamedTuple):
    added: int
    updated: int
    unused: tuple[str, ...] = ()  # figure columns no indicator takes a percentage of (yet)


def import_villages(session: Session, path: Path, timezone: str, new: Collection[str] = ()) -> VillagesImported:
    """Creates or updates communes and villages with their figures: every column besides
    province, commune and village is a figure (households, population, adults, pop15, or any
    other an indicator may name as its denominator). An empty cell takes the figure away; a
    column left out of the file leaves it as it is. A `province` cell places the commune
    under that province (an empty one leaves the commune where it is). A new place whose
    name is near one already there is refused unless its name is among `new`."""
    confirmed = {fold(name) for name in new}
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
                check_new_name(session, row, "commune", Level.COMMUNE, None, confirmed)
                commune = OrgUnit(level=Level.COMMUNE, name=names["commune"],
                                  name_key=fold(names["commune"]), timezone=timezone)
                session.add(commune)
                session.flush()
            if names["province"]:
                place_in_province(session, row, commune, names["province"], timezone, confirmed)
            village = find_village(session, commune, names["village"])
            sizes = dict(village.sizes) if village is not None else {}
            sizes.update((c, v) for c, v in given.items() if v is not None)
            for column in (c for c, v in given.items() if v is None):
                sizes.pop(column, None)
            if village is None:
                check_new_name(session, row, "village", Level.VILLAGE, commune.id, confirmed)
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
            if percent is not None and count is not None:
                raise row.problem("target_count", f"both a percent ({row.text('target_percent')}) and a count "
                                                  f"({row.text('target_count')}): keep the one the plan sets and "
                                                  "empty the other cell")
            start, deadline = row.day("start"), row.day("deadline")
            if deadline <= start:
                raise row.problem("deadline", "the deadline must come after the start")
            baseline = row.whole("baseline", required=False) or 0
            goal = count if count is not None else _percent_goal(session, unit, known[key].denominator, percent, start)
            if goal is not None and baseline >= goal:
                raise row.problem("baseline", f"the baseline {baseline} is already at or above the target "
                                              f"({_goal_text(known[key].denominator, percent, goal)}): check the "
                                              "baseline, the target and the villages' figures")
            target = session.exec(
                select(Target).where(Target.org_unit_id == unit.id, Target.indicator_key == key)
            ).first() or Target(org_unit_id=unit.id, indicator_key=key, start=start, deadline=deadline)
            target.baseline = baseline
            target.target_percent, target.target_count = percent, count
            target.start, target.deadline = start, deadline
            session.add(target)
            session.flush()
    return len(rows)


def _percent_goal(session: Session, unit: OrgUnit, denominator: str, percent: float, start: date) -> float | None:
    """The count a percentage target asks for: of the village's figure, or of its commune's
    villages' (those standing at the start); None when no village has the figure yet."""
    if unit.level == Level.VILLAGE:
        villages = [unit]
    else:
        villages = session.exec(select(OrgUnit).where(OrgUnit.parent_id == unit.id, standing_on(start))).all()
    figure = sum(village.sizes.get(denominator) or 0 for village in villages)
    return percent / 100 * figure if figure else None


def _goal_text(denominator: str | None, percent: float | None, goal: float) -> str:
    return f"{goal:g}" if percent is None else f"{percent:g}% of {denominator} = {goal:.0f}"
