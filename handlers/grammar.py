"""Grammar of the one-message report: `hộ 12 vneid 5 bdhvs 3`.

Pure: the caller supplies the alias table, the sender's villages and today's date,
and turns the error codes into words. Layout of a report, all parts but the pairs optional:

    [bc | báo cáo] [day] [[kind] village] [day] alias count, alias count ... [day]

where day is `hôm nay`, `hôm qua` or `dd/mm`, given at most once.
"""

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Generic, Literal, TypeVar, get_args

from ..models.periods import Period, numbered
from ..models.text import fold

MAX_COUNT = 1_000_000  # a count above this is an error "too_large" (also protects the DB integer)
MAX_DAYS_BACK = 14  # today and the 14 days before are accepted (and can be taken back)

ErrorCode = Literal[
    "unknown_key",
    "not_whole",
    "negative",
    "too_large",
    "missing_count",
    "missing_key",
    "repeated_key",
    "bad_date",
    "day_too_old",
    "repeated_day",
    "unknown_village",
    "no_pairs",
    # Found only by the lenient reader (reading.py):
    "unpaired_number",
    "vague_day",
    "unclear",
    "week_not_begun",
    "week_too_old",
]
ERROR_CODES: tuple[ErrorCode, ...] = get_args(ErrorCode)


@dataclass(frozen=True)
class QuickReport:
    """A well-formed report: counts by indicator key, in the order typed."""

    counts: dict[str, int]
    day: date
    village: str | None  # display form from `villages`, or None when not named


@dataclass(frozen=True)
class ParseError:
    """The first thing wrong in a report, for the caller to put into words."""

    code: ErrorCode
    word: str = ""  # the offending text as typed
    key: str = ""  # the indicator concerned
    suggestion: str = ""  # unknown_key: the closest alias, display form
    day: date | None = None  # day_too_old: the day parsed; week_…: the week's first (not begun) or last day
    part: str = ""  # in a message of several days, the day (as typed) of the part that is wrong


_DIGITS = "0123456789"
_MINUS_SIGNS = "-\u2212"  # ASCII hyphen-minus and the Unicode minus sign
_PLAIN = re.compile(r"[0-9]+")
_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+")  # Vietnamese thousands: 1.200.000 (not 0.500)
_DAY_MONTH = re.compile(r"([0-9]{1,2})/([0-9]{1,2})")
_NUMBER_START = re.compile(r"[-\u2212]?[0-9]")  # a word meant as a number, however malformed


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # as typed
    folded: str
    start: int  # offsets into the message, to quote multi-word spans exactly as typed
    end: int


def _is_separator(text: str, pos: int) -> bool:
    ch = text[pos]
    if ch in ",.":
        # Between digits they belong to the number (`1.200`, `2,5`) so its wholeness can be judged;
        # elsewhere `,` separates and `.` ends a sentence (`vneid 5.`).
        return not (0 < pos < len(text) - 1 and text[pos - 1] in _DIGITS and text[pos + 1] in _DIGITS)
    # Control and format characters (zero-width spaces, direction marks) are invisible: treat as space.
    return ch.isspace() or ch in ";:=" or unicodedata.category(ch)[0] == "C"


def _has_digit(text: str) -> bool:
    return any(ch in _DIGITS for ch in text)


def _is_letter(ch: str) -> bool:
    # Combining marks count: decomposed Vietnamese (`ộ` as o + two marks) is still a word.
    return ch.isalpha() or unicodedata.category(ch)[0] == "M"


def tokenize(text: str) -> list[Token]:
    """Words between separators; a letter-run glued to a number (`vneid5`) is two words."""
    tokens: list[Token] = []
    start: int | None = None
    for pos in range(len(text) + 1):
        if pos < len(text) and not _is_separator(text, pos):
            if start is None:
                start = pos
            continue
        if start is None:
            continue
        cuts = [start, pos]
        digit = next((i for i in range(start, pos) if text[i] in _DIGITS), pos)
        if start < digit < pos and all(_is_letter(ch) for ch in text[start:digit]):
            cuts.insert(1, digit)
        tokens += [Token(text[a:b], fold(text[a:b]), a, b) for a, b in zip(cuts, cuts[1:], strict=False)]
        start = None
    return tokens


_V = TypeVar("_V")


class Phrases(Generic[_V]):
    """Multi-word phrases looked up folded, longest first; the first value given for a phrase wins."""

    def __init__(self, entries: Iterable[tuple[str, _V]]) -> None:
        self._table: dict[tuple[str, ...], _V] = {}
        for phrase, value in entries:
            words = tuple(token.folded for token in tokenize(phrase))
            if words:
                self._table.setdefault(words, value)
        self._longest = max(map(len, self._table), default=0)

    def match(self, words: Sequence[str], i: int) -> tuple[int, _V] | None:
        """(number of words, value) of the longest phrase starting at words[i]."""
        for n in range(min(self._longest, len(words) - i), 0, -1):
            value = self._table.get(tuple(words[i : i + n]))
            if value is not None:
                return n, value
        return None

    def closest(self, words: Sequence[str]) -> _V | None:
        """Value of the phrase nearest to `words`, if any is near enough."""
        by_text = {" ".join(phrase): value for phrase, value in self._table.items()}
        found = difflib.get_close_matches(" ".join(words), by_text, n=1, cutoff=0.6)
        return by_text[found[0]] if found else None


_BC = Phrases([("bc", True), ("báo cáo", True)])
_DAY_WORDS = Phrases([("hôm nay", 0), ("hôm qua", 1)])  # value: days back
VILLAGE_KINDS = ("thôn", "xóm", "ấp", "bản", "khu phố", "tổ dân phố", "tdp", "kp", "làng", "village")
_VILLAGE_KINDS = Phrases((kind, True) for kind in VILLAGE_KINDS)


def without_kind(village: str) -> str | None:
    """`Thôn Tân Hòa` -> `Tân Hòa`: the name as typed after a kind word, if it starts with one."""
    tokens = tokenize(village)
    kind = _VILLAGE_KINDS.match([token.folded for token in tokens], 0)
    if kind is None or kind[0] == len(tokens):
        return None
    return village[tokens[kind[0]].start :]


def earliest_day(today: date) -> date:
    """The oldest day a report may be for, or be taken back from."""
    return today - timedelta(days=MAX_DAYS_BACK)


def report_day(word: str, today: date, month: int, day_of_month: int, year: int | None = None) -> date | ParseError:
    """The day a report names as `day_of_month/month[/year]`: without a year, the latest such
    date not after today (on 3 January, `31/12` is last year's); a day that does not exist,
    is in the future or more than MAX_DAYS_BACK ago is an error."""
    if year is None:
        this_year = (month, day_of_month) <= (today.month, today.day)
        year = today.year if this_year else today.year - 1
    try:
        day = date(year, month, day_of_month)
    except ValueError:
        return ParseError("bad_date", word=word)
    if day > today:
        return ParseError("bad_date", word=word)
    if day < earliest_day(today):
        return ParseError("day_too_old", word=word, day=day)
    return day


def numbered_week(number: int, today: date) -> Period | None:
    """ISO week `number` of today's ISO year; in a year's first weeks, a number above the
    current one is last year's week when that week is still in the report window (`tuần 52`
    on 4 January). None for a number no such year has."""
    year, this_week, _ = today.isocalendar()
    try:
        last_year = numbered("week", year - 1, number)
    except ValueError:
        last_year = None
    if number > this_week and last_year is not None and last_year.last >= earliest_day(today):
        return last_year
    try:
        return numbered("week", year, number)
    except ValueError:
        return None


def week_report_day(word: str, week: Period, today: date) -> date | ParseError:
    """The day a report for a whole week is saved on: today in the current week, the last day
    of a week that has ended. A week not begun, or wholly before `earliest_day`, is an error."""
    if week.first > today:
        return ParseError("week_not_begun", word=word, day=week.first)
    if week.last < earliest_day(today):
        return ParseError("week_too_old", word=word, day=week.last)
    return min(week.last, today)


@lru_cache(maxsize=64)
def village_names(villages: tuple[str, ...]) -> "tuple[Phrases[str], Phrases[str]]":
    """The sender's villages as typed bare (`Tân Hòa`) and after a kind word, which need not be
    the village's own (`xóm 1` for `Thôn 1`); a bare `1` must stay a number, so `Thôn 1` needs
    its kind word."""
    short_names = [(name, village) for village in villages if (name := without_kind(village))]
    bare = Phrases([(village, village) for village in villages]
                   + [(name, village) for name, village in short_names if not _has_digit(name)])
    return bare, Phrases([(village, village) for village in villages] + short_names)


class _Stop(Exception):
    """Carries the first error out of the left-to-right scan."""

    def __init__(self, error: ParseError) -> None:
        super().__init__(error.code)
        self.error = error


@lru_cache(maxsize=8)
def _alias_phrases(aliases: tuple[tuple[str, str], ...]) -> "Phrases[tuple[str, str]]":
    """The aliases' phrase table: built once for the catalog, not for every message."""
    return Phrases((alias, (key, alias)) for alias, key in aliases)


class _Parser:
    """One left-to-right scan of one message; `i` is the cursor into `tokens`."""

    def __init__(self, text: str, today: date, aliases: Mapping[str, str], villages: Sequence[str]) -> None:
        self.text = text
        self.today = today
        self.tokens = tokenize(text)
        self.words = [token.folded for token in self.tokens]
        self.i = 0
        self.aliases = _alias_phrases(tuple(aliases.items()))
        self.villages, self.named_villages = village_names(tuple(villages))

    def parse(self) -> QuickReport | ParseError | None:
        try:
            return self._report()
        except _Stop as stop:
            return stop.error

    def looks_like_report(self) -> bool:
        """Has a digit or an indicator alias anywhere."""
        return _has_digit(self.text) or any(self.aliases.match(self.words, i) for i in range(len(self.words)))

    def _report(self) -> QuickReport | None:
        if bc := _BC.match(self.words, 0):
            self.i = bc[0]
        if self.i == len(self.tokens):
            return None
        day = self._day()
        village = self._village()
        day = self._once(day, self._day())  # the day may also follow the village: `thôn Tân Hòa hôm qua`
        counts: dict[str, int] = {}
        while self.i < len(self.tokens):
            if self.i + self._day_length(self.i) == len(self.tokens):
                day = self._once(day, self._day())
                break
            key, alias = self._alias(counts)
            counts[key] = self._count(key, alias)
        if not counts:
            raise _Stop(ParseError("no_pairs"))
        return QuickReport(counts, self.today if day is None else day[0], village)

    def _span(self, start: int, end: int) -> str:
        """Words start..end-1 exactly as typed, separators included."""
        return self.text[self.tokens[start].start : self.tokens[end - 1].end]

    def _day_length(self, i: int) -> int:
        if words := _DAY_WORDS.match(self.words, i):
            return words[0]
        return 1 if i < len(self.tokens) and _DAY_MONTH.fullmatch(self.tokens[i].text) else 0

    def _day(self) -> tuple[date, str] | None:
        """The day at the cursor, if one is there, and its text as typed."""
        start = self.i
        length = self._day_length(start)
        if not length:
            return None
        self.i += length
        word = self._span(start, self.i)
        if words := _DAY_WORDS.match(self.words, start):
            return self.today - timedelta(days=words[1]), word
        day_month = _DAY_MONTH.fullmatch(word)
        assert day_month is not None  # _day_length checked it
        day = report_day(word, self.today, int(day_month[2]), int(day_month[1]))
        if isinstance(day, ParseError):
            raise _Stop(day)
        return day, word

    @staticmethod
    def _once(day: tuple[date, str] | None, later: tuple[date, str] | None) -> tuple[date, str] | None:
        """The day given, refusing a second one."""
        if day is not None and later is not None:
            raise _Stop(ParseError("repeated_day", word=later[1]))
        return later or day

    def _village(self) -> str | None:
        """The village named at the cursor, if any; aliases win a tie (`hộ` stays an indicator)."""
        alias = self.aliases.match(self.words, self.i)
        alias_length = alias[0] if alias else 0
        kind = _VILLAGE_KINDS.match(self.words, self.i)
        kind_length = kind[0] if kind else 0
        found = [bare] if (bare := self.villages.match(self.words, self.i)) else []
        if kind_length and (named := self.named_villages.match(self.words, self.i + kind_length)):
            found.append((kind_length + named[0], named[1]))
        if found:
            length, village = max(found, key=lambda match: match[0])
            if length > alias_length:
                self.i += length
                return village
        if kind_length <= alias_length:
            return None
        start = end = self.i + kind_length
        # The name runs to the next number, alias or day; a first number is a name (`thôn 3`).
        while end < len(self.tokens) and not (
            self._starts_phrase(end) or (end > start and _has_digit(self.tokens[end].text))
        ):
            end += 1
        word = self._span(start, end) if end > start else self._span(self.i, start)
        raise _Stop(ParseError("unknown_village", word=word))

    def _starts_phrase(self, i: int) -> bool:
        return bool(self.aliases.match(self.words, i) or _DAY_WORDS.match(self.words, i))

    def _alias(self, counts: Mapping[str, int]) -> tuple[str, str]:
        """Read the alias at the cursor: its indicator key and its text as typed."""
        start = self.i
        match = self.aliases.match(self.words, start)
        if match is None:
            if _NUMBER_START.match(self.tokens[start].text):
                raise _Stop(ParseError("missing_key", word=self.tokens[start].text))
            # Several unknown words are one guess at a multi-word alias (`hoc vu xo`).
            end = start + 1
            while end < len(self.tokens) and not (
                self._starts_phrase(end) or _has_digit(self.tokens[end].text)
            ):
                end += 1
            closest = self.aliases.closest(self.words[start:end])
            raise _Stop(
                ParseError("unknown_key", word=self._span(start, end), suggestion=closest[1] if closest else "")
            )
        length, (key, _) = match
        self.i += length
        alias = self._span(start, self.i)
        if key in counts:
            raise _Stop(ParseError("repeated_key", word=alias, key=key))
        return key, alias

    def _count(self, key: str, alias: str) -> int:
        """Read the count at the cursor for indicator `key`, typed as `alias`."""
        if self.i == len(self.tokens) or self._starts_phrase(self.i):
            raise _Stop(ParseError("missing_count", word=alias, key=key))
        word = self.tokens[self.i].text
        negative = word[0] in _MINUS_SIGNS
        number = word[1:] if negative else word
        if not (_PLAIN.fullmatch(number) or _GROUPED.fullmatch(number)):
            raise _Stop(ParseError("not_whole", word=word, key=key))
        if negative:
            raise _Stop(ParseError("negative", word=word, key=key))
        digits = number.replace(".", "").lstrip("0") or "0"
        # Length first: int() refuses strings of more than 4300 digits.
        if len(digits) > len(str(MAX_COUNT)) or int(digits) > MAX_COUNT:
            raise _Stop(ParseError("too_large", word=word, key=key))
        self.i += 1
        return int(digits)


def parse_report(
    text: str, *, today: date, aliases: Mapping[str, str], villages: Sequence[str] = ()
) -> QuickReport | ParseError | None:
    """Parse a report message; None when it is plainly not an attempt at one.

    `aliases` maps display aliases (keys included) to indicator keys; `villages` are the
    display names of the sender's villages.
    """
    parser = _Parser(text, today, aliases, villages)
    result = parser.parse()
    # A message without numbers or indicators is chat (`xin chào`, `hôm nay trời đẹp`),
    # unless it is nothing but a day or village (`hôm qua`): then the pairs are missing.
    if isinstance(result, ParseError) and result.code != "no_pairs" and not parser.looks_like_report():
        return None
    return result
