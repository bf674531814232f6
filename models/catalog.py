"""The indicator catalog as data: imported whole from a CSV, written back in the same
format, and the list of indicators each commune tracks.

The file is the whole catalog, row order is the catalog's order, and it is imported whole
or not at all (`models/imports.py`'s machinery). An indicator that something refers to
(counts, targets, a commune's list, an alert) is never deleted: it is retired, and its
counts stay in the history.

A word (an alias, or a key: an alias of one indicator may be another's key) may belong to
two indicators only where nobody could mean both: no commune tracks both, and nobody
belongs to communes that track one each. Every change here checks that (`ambiguities`).
"""

import csv
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TextIO

from sqlalchemy import case, delete, exists, func, select
from sqlmodel import Session

from .entries import EntryCount
from .imports import ImportProblem, Row, all_or_nothing, read_rows
from .indicators import SIZE_NAME, CommuneIndicator, Indicator, IndicatorAlias
from .jobs import AlertState
from .orgunits import Level, OrgUnit
from .people import Membership, Person
from .targets import Target
from .text import fold
from .totals import CommuneWeekTotal, VillageTotal
from .types import utcnow

COLUMNS = ("key", "name_vi", "name_en", "short_vi", "short_en", "aliases", "denominator", "unit")
RETIRED = "retired"  # the optional column
NAMES = ("name_vi", "name_en", "short_vi", "short_en")
KEY = re.compile(r"[a-z][a-z0-9_]{0,15}")
ALIAS_SEPARATOR = "|"
YES = {"yes", "y", "co", "x", "1", "true"}  # folded: `có` is `co`
NO = {"", "no", "n", "khong", "0", "false"}
CACHES = ("catalog", "words")  # what models/queries.py keeps in session.info


def _length(column: str) -> int:
    return Indicator.__table__.c[column].type.length


ALIAS_LENGTH = IndicatorAlias.__table__.c["alias"].type.length


class CatalogProblem(ValueError):
    """A change to a commune's list that cannot be made; the message says how to fix it."""


class FileProblem(ImportProblem):
    """A problem of the file as a whole, with no row of its own (an indicator left out)."""

    def __init__(self, path: Path, message: str):
        ValueError.__init__(self, f"{path}: {message}")


class CatalogImported(NamedTuple):
    """What an import changed: indicator keys, in the file's order (removed: the catalog's)."""

    added: list[str]
    updated: list[str]  # names, short names, aliases, denominator or unit changed
    retired: list[str]  # retired by this file
    restored: list[str]  # retired before, tracked again
    removed: list[str]  # left out of the file and used nowhere: deleted with their aliases
    reordered: bool  # the indicators that were there already are in another order
    missing_figures: tuple[str, ...] = ()  # denominators no village has a figure for (yet)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.retired or self.restored or self.removed or self.reordered)


def forget(session: Session) -> None:
    """Drops what `models/queries.py` read of the catalog in this session."""
    for name in CACHES:
        session.info.pop(name, None)


# ── ambiguities ─────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Ambiguity:
    """A word that one commune, or one person, could mean for two indicators or more."""

    word: str  # as written (an alias's spelling, or the key)
    folded: str
    keys: tuple[str, ...]  # in catalog order
    commune_ids: tuple[int, ...]  # the commune that tracks them all, or the people's communes
    commune: str | None = None  # the commune that tracks them all
    people: tuple[str, ...] = ()  # or: the people who belong to communes tracking one each
    tracked_in: tuple[tuple[str, tuple[str, ...]], ...] = ()  # for people: each key, the communes tracking it

    def __str__(self) -> str:
        word = f"'{self.word}'"
        if self.commune is not None:
            return f"{word} would mean {_all(self.keys)} in {self.commune}, which tracks {_each(self.keys)}"
        means = _all([f"{key} ({', '.join(communes)})" for key, communes in self.tracked_in])
        who = self.people[0] if len(self.people) == 1 else (
            f"{self.people[0]} and {len(self.people) - 1} other{'s' if len(self.people) > 2 else ''}")
        verb = "belongs" if len(self.people) == 1 else "belong"
        return f"{word} would mean {means} to {who}, who {verb} to {_each(self.commune_ids, 'communes')}"


def _all(things: Sequence[str]) -> str:
    return f"both {things[0]} and {things[1]}" if len(things) == 2 else (
        f"any of {', '.join(things[:-1])} and {things[-1]}")


def _each(things: Sequence, noun: str = "") -> str:
    both = "both" if len(things) == 2 else f"all {len(things)}"
    return f"{both} {noun}".strip()


def ambiguities(session: Session, lists: Mapping[int, Sequence[str] | None] | None = None) -> list[Ambiguity]:
    """Every word that some commune, or some person, could mean for two indicators they
    track (retired indicators are tracked by nobody). `lists` puts a commune's list as it
    would be (None: the default, every indicator not retired) in place of the stored one.

    A handful of statements whatever the number of people: the catalog, the communes and
    their lists, and the places of the people who belong to more than one commune."""
    catalog = session.execute(select(Indicator.key).where(Indicator.retired_at.is_(None))
                              .order_by(Indicator.position, Indicator.key)).scalars().all()
    order = {key: n for n, key in enumerate(catalog)}
    answering: dict[str, dict[str, None]] = {key: {key: None} for key in catalog}  # word → its keys
    spelling = {key: key for key in catalog}
    for folded, key, alias in session.execute(
            select(IndicatorAlias.alias_key, IndicatorAlias.indicator_key, IndicatorAlias.alias)
            .order_by(IndicatorAlias.alias_key, IndicatorAlias.indicator_key)):
        if key in order:
            answering.setdefault(folded, {})[key] = None
            spelling.setdefault(folded, alias)
    shared = {word: frozenset(keys) for word, keys in sorted(answering.items()) if len(keys) > 1}
    if not shared:
        return []

    names = dict(session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.level == Level.COMMUNE)
                                 .order_by(OrgUnit.id)).all())
    own: dict[int, list[str]] = defaultdict(list)
    for commune_id, key in session.execute(select(CommuneIndicator.commune_id, CommuneIndicator.indicator_key)
                                           .order_by(CommuneIndicator.commune_id, CommuneIndicator.position)):
        own[commune_id].append(key)
    for commune_id, keys in (lists or {}).items():
        if keys:
            own[commune_id] = list(keys)
        else:
            own.pop(commune_id, None)
    everything = frozenset(catalog)
    tracks = {commune_id: frozenset(k for k in own[commune_id] if k in order) if own.get(commune_id) else everything
              for commune_id in names}

    def in_order(keys) -> tuple[str, ...]:
        return tuple(sorted(keys, key=order.__getitem__))

    found: list[Ambiguity] = []
    for commune_id, keys in tracks.items():
        for word, meaning in shared.items():
            if len(both := meaning & keys) > 1:
                found.append(Ambiguity(spelling[word], word, in_order(both), (commune_id,), commune=names[commune_id]))

    # People with places in two communes or more: a village's commune is its parent.
    commune_of = case((OrgUnit.level == Level.COMMUNE, OrgUnit.id), else_=OrgUnit.parent_id)
    places = (select(Membership.person_id, commune_of.label("commune_id"))
              .join(OrgUnit, OrgUnit.id == Membership.org_unit_id)
              .where(OrgUnit.level.in_((Level.COMMUNE, Level.VILLAGE)))
              .subquery())
    spread = (select(places.c.person_id).group_by(places.c.person_id)
              .having(func.count(places.c.commune_id.distinct()) > 1))
    communes_of: dict[tuple[int, str], set[int]] = defaultdict(set)
    for person_id, name, commune_id in session.execute(
            select(places.c.person_id, Person.name, places.c.commune_id).distinct()
            .join(Person, Person.id == places.c.person_id)
            .where(places.c.person_id.in_(spread))
            .order_by(Person.name, places.c.person_id, places.c.commune_id)):
        if commune_id in tracks:  # (a village is always a commune's; this keeps a stray one harmless)
            communes_of[(person_id, name)].add(commune_id)
    people: dict[tuple[str, tuple[int, ...]], list[str]] = {}  # (word, communes) → who
    for (_, name), communes in communes_of.items():
        if len(communes) < 2:
            continue
        together = frozenset().union(*(tracks[c] for c in communes))
        for word, meaning in shared.items():
            if len(meaning & together) > 1 and not any(len(meaning & tracks[c]) > 1 for c in communes):
                people.setdefault((word, tuple(sorted(communes))), []).append(name)
    for (word, communes), who in people.items():
        meant = in_order(shared[word] & frozenset().union(*(tracks[c] for c in communes)))
        tracked_in = tuple((key, tuple(names[c] for c in communes if key in tracks[c])) for key in meant)
        found.append(Ambiguity(spelling[word], word, meant, communes, people=tuple(who), tracked_in=tracked_in))
    return found


# ── the import ──────────────────────────────────────────────────────────────────────────


class _Line(NamedTuple):
    """One row of the file, checked."""

    row: Row
    key: str
    values: dict[str, str | None]  # the indicator's columns
    aliases: dict[str, str]  # fold(alias) → as written
    retired: bool


def _name(row: Row, column: str) -> str:
    value = " ".join(row.text(column).split())
    if not value:
        raise row.problem(column, f"empty: every indicator needs {', '.join(NAMES)} "
                                  "(the short names label buttons: Hộ, VNeID)")
    if len(value) > _length(column):
        raise row.problem(column, f"more than {_length(column)} characters; shorten it")
    return value


def _line(row: Row, seen: dict[str, int]) -> _Line:
    written = row.text("key")
    if not written:
        raise row.problem("key", "empty: every indicator needs a key, as members write it (cap_quang)")
    key = fold(written)
    if not KEY.fullmatch(key):
        raise row.problem("key", f"{written!r} is not a key: write a letter, then letters a-z, digits or _, "
                                 "16 characters at most (cap_quang)")
    if key in seen:
        raise row.problem("key", f"{key} is already on row {seen[key]}: each indicator has one row")
    values: dict[str, str | None] = {column: _name(row, column) for column in NAMES}

    denominator = row.text("denominator").lower()
    if denominator and not re.fullmatch(SIZE_NAME, denominator):
        raise row.problem("denominator", f"{row.text('denominator')!r} is not a figure's name: write the column of "
                                         "the villages' CSV it is a share of (households, population, adults, pop15, "
                                         "smartphone_owners), or leave it empty for a count without a percentage")
    values["denominator"] = denominator or None
    unit = " ".join(row.text("unit").split())
    if len(unit) > _length("unit"):
        raise row.problem("unit", f"more than {_length('unit')} characters; write what one count is: hộ, người, hồ sơ")
    values["unit"] = unit or None

    aliases: dict[str, str] = {}
    for alias in (" ".join(a.split()) for a in row.text("aliases").split(ALIAS_SEPARATOR)):
        if not alias:
            continue
        folded = fold(alias)
        if max(len(alias), len(folded)) > ALIAS_LENGTH:
            raise row.problem("aliases", f"{alias!r} is longer than {ALIAS_LENGTH} characters; "
                                         f"shorten it (aliases are separated by {ALIAS_SEPARATOR})")
        if not any(ch.isalpha() for ch in folded):
            raise row.problem("aliases", f"{alias!r} has no letter: members would write it as a count; "
                                         "remove it or write a word")
        aliases.setdefault(folded, alias)  # the same word twice in a row: the first spelling

    retired = fold(row.text(RETIRED))
    if retired not in YES | NO:
        raise row.problem(RETIRED, f"{row.text(RETIRED)!r}: write yes (or có, x) to retire the indicator, "
                                   "or leave it empty to keep it tracked")
    return _Line(row, key, values, aliases, retired in YES)


def _uses(session: Session, keys: list[str]) -> dict[str, list[str]]:
    """Key → what refers to it (`12 counts`, `1 target`), for the keys referred to."""
    found: dict[str, list[str]] = defaultdict(list)
    for model, one, many in ((EntryCount, "count", "counts"), (Target, "target", "targets"),
                             (CommuneIndicator, "commune's list", "communes' lists"),
                             (AlertState, "alert state", "alert states")):
        rows = session.execute(select(model.indicator_key, func.count()).where(model.indicator_key.in_(keys))
                               .group_by(model.indicator_key))
        for key, n in rows:
            found[key].append(f"{n} {one if n == 1 else many}")
    return found


def import_indicators(session: Session, path: Path) -> CatalogImported:
    """Makes the catalog what the file says, or changes nothing (the first problem is
    raised as an `ImportProblem` naming the row and column, with how to fix it)."""
    rows = read_rows(path, COLUMNS)
    if not rows:
        raise FileProblem(path, "no indicators: the file is the whole catalog, one row per indicator "
                                "(`tocds admin indicators --show` writes the current one)")
    seen: dict[str, int] = {}
    lines: list[_Line] = []
    for row in rows:
        line = _line(row, seen)
        seen[line.key] = row.number
        lines.append(line)
    if all(line.retired for line in lines):
        raise FileProblem(path, f"every indicator is retired: empty the {RETIRED} column of those to keep tracking")

    forget(session)
    try:
        with all_or_nothing(session):
            return _apply(session, path, lines)
    finally:
        forget(session)


def _apply(session: Session, path: Path, lines: list[_Line]) -> CatalogImported:
    existing = {i.key: i for i in session.execute(select(Indicator)).scalars()}
    before = [i.key for i in sorted(existing.values(), key=lambda i: (i.position, i.key))]
    old_aliases: dict[str, set[str]] = defaultdict(set)
    for key, alias in session.execute(select(IndicatorAlias.indicator_key, IndicatorAlias.alias)):
        old_aliases[key].add(alias)

    wanted = {line.key for line in lines}
    left_out = [key for key in before if key not in wanted]
    if left_out and (used := _uses(session, left_out)):
        key = next(k for k in left_out if k in used)
        raise FileProblem(path, f"indicator {key} is in use ({', '.join(used[key])}) but has no row: keep its row; "
                                f"to stop offering it, write yes in its {RETIRED} column")

    now = utcnow()
    added, updated, retired, restored = [], [], [], []
    for position, line in enumerate(lines):
        indicator = existing.get(line.key)
        if indicator is None:
            indicator = Indicator(key=line.key, position=position, **line.values)
            added.append(line.key)
        else:
            if any(getattr(indicator, c) != v for c, v in line.values.items()) or (
                    old_aliases[line.key] != set(line.aliases.values())):
                updated.append(line.key)
            for column, value in line.values.items():
                setattr(indicator, column, value)
            indicator.position = position
        if line.retired and indicator.retired_at is None:
            indicator.retired_at = now
            if line.key not in added:
                retired.append(line.key)
        elif not line.retired and indicator.retired_at is not None:
            indicator.retired_at = None
            restored.append(line.key)
        session.add(indicator)
    session.flush()

    # Each indicator's words are the file's; the indicators left out go with theirs.
    session.execute(delete(IndicatorAlias).where(IndicatorAlias.indicator_key.in_([*wanted, *left_out])))
    if left_out:
        for totals in (VillageTotal, CommuneWeekTotal):  # unused: no counts
            session.execute(delete(totals).where(totals.indicator_key.in_(left_out)))
        for key in left_out:
            session.delete(existing[key])
    session.add_all(IndicatorAlias(alias_key=folded, indicator_key=line.key, alias=alias)
                    for line in lines for folded, alias in line.aliases.items())
    session.flush()
    forget(session)

    by_key = {line.key: line for line in lines}
    if found := ambiguities(session):
        ambiguity = found[0]
        # The row to change: the (last) one where the word is an alias rather than the key.
        line = max((by_key[k] for k in ambiguity.keys if ambiguity.folded in by_key[k].aliases),
                   key=lambda line: line.row.number)
        more = f" (and {len(found) - 1} more like it)" if len(found) > 1 else ""
        fix = ("give one of them another word" if ambiguity.commune is None else
               f"give one of them another word; or import the file without the shared word, give "
               f"{ambiguity.commune} a list without one of them (tocds admin indicators --commune C KEYS), "
               "then import it again")
        raise line.row.problem("aliases", f"{ambiguity}{more}: {fix}")
    if empty := _communes_tracking_nothing(session):
        raise FileProblem(path, f"{empty[0]} would track nothing: every indicator of its list is retired; "
                                "give it another list first (tocds admin indicators --commune C KEYS or --default)")

    kept = [line.key for line in lines if line.key in existing]
    return CatalogImported(added, updated, retired, restored, left_out,
                           reordered=kept != [key for key in before if key in wanted],
                           missing_figures=_missing_figures(session, lines))


def _communes_tracking_nothing(session: Session) -> list[str]:
    """Communes with a list of their own in which every indicator is retired."""
    tracking = (select(CommuneIndicator.commune_id)
                .join(Indicator, Indicator.key == CommuneIndicator.indicator_key)
                .where(Indicator.retired_at.is_(None)))
    return list(session.execute(
        select(OrgUnit.name).where(OrgUnit.id.in_(select(CommuneIndicator.commune_id)), OrgUnit.id.not_in(tracking))
        .order_by(OrgUnit.id)).scalars())


def _missing_figures(session: Session, lines: list[_Line]) -> tuple[str, ...]:
    """The denominators of tracked indicators that no village has a figure for, when there are villages."""
    is_village = OrgUnit.level == Level.VILLAGE
    if not session.execute(select(exists().where(is_village))).scalar():
        return ()
    names = dict.fromkeys(line.values["denominator"] for line in lines
                          if line.values["denominator"] and not line.retired)
    return tuple(name for name in names if not session.execute(
        select(exists().where(is_village, OrgUnit.sizes[name].as_integer().is_not(None)))).scalar())


def write_catalog(session: Session, handle: TextIO) -> None:
    """The whole catalog as CSV, in the import's format (with the `retired` column), so
    that what is written can be edited and imported back. Aliases are in folded order."""
    aliases: dict[str, list[str]] = defaultdict(list)
    for key, alias in session.execute(select(IndicatorAlias.indicator_key, IndicatorAlias.alias)
                                      .order_by(IndicatorAlias.alias_key, IndicatorAlias.alias)):
        aliases[key].append(alias)
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow((*COLUMNS, RETIRED))
    for i in session.execute(select(Indicator).order_by(Indicator.position, Indicator.key)).scalars():
        writer.writerow((i.key, i.name_vi, i.name_en, i.short_vi, i.short_en, ALIAS_SEPARATOR.join(aliases[i.key]),
                         i.denominator or "", i.unit or "", "yes" if i.retired_at else ""))


# ── a commune's list ────────────────────────────────────────────────────────────────────


def has_own_list(session: Session, commune: OrgUnit) -> bool:
    return session.execute(select(exists().where(CommuneIndicator.commune_id == commune.id))).scalar()


def set_tracked(session: Session, commune: OrgUnit, keys: Sequence[str] | None) -> None:
    """Gives the commune its own list of indicators, in that order; `None` takes it back to
    the default (every indicator not retired, in the catalog's order). The keys must be
    known and not retired, each once, at least one; a list that makes a word mean two
    indicators to someone in the commune is refused. Flushes, does not commit."""
    if keys is not None:
        keys = [fold(key) for key in keys if key.strip()]
        if not keys:
            raise CatalogProblem("give at least one indicator (to go back to every indicator, use the default)")
        catalog = {i.key: i for i in session.execute(select(Indicator)).scalars()}
        offered = ", ".join(i.key for i in sorted(catalog.values(), key=lambda i: (i.position, i.key))
                            if i.retired_at is None)
        seen: set[str] = set()
        for key in keys:
            if key not in catalog:
                raise CatalogProblem(f"unknown indicator {key!r}; use one of {offered} "
                                     "(or add it to the catalog: tocds admin indicators FILE.csv)")
            if catalog[key].retired_at is not None:
                raise CatalogProblem(f"{key} is retired: leave it out, or empty its retired column in the catalog")
            if key in seen:
                raise CatalogProblem(f"{key} is in the list twice")
            seen.add(key)
    found = [a for a in ambiguities(session, {commune.id: keys}) if commune.id in a.commune_ids]
    if found:
        if found[0].commune is None:
            fix = "leave out the one the other commune tracks, or give one of them another word in the catalog"
        elif keys is None:
            fix = "the default is every indicator not retired: keep a list of its own without one of them"
        else:
            fix = "leave one of them out"
        raise CatalogProblem(f"{found[0]}: {fix}")
    session.execute(delete(CommuneIndicator).where(CommuneIndicator.commune_id == commune.id))
    session.add_all(CommuneIndicator(commune_id=commune.id, indicator_key=key, position=position)
                    for position, key in enumerate(keys or ()))
    session.flush()
    forget(session)
