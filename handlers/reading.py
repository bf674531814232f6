"""Reading a report written the way people talk:
`hôm nay tổ em đi 15 hộ, hướng dẫn được 6 người kích hoạt VNeID`.

The strict grammar (grammar.py) reads `hộ 15 vneid 6`, and what it reads is saved at once.
This reader goes further — it skips words that carry no number, takes a count before its
indicator (`15 hộ`), number words (`mười hai`) and more day words (`hôm kia`, `thứ 3`,
`28-11`) — so what it reads is only a proposal, saved once the member confirms it.

With the skipped words gone, a message is a row of indicators and numbers. Each indicator
takes a number beside it in that row: the row is paired once from the left and once from
the right. Where the two pairings agree there is one reading; where they differ, both are
offered and the member picks one. Nothing is guessed. Pure, like the grammar.
"""

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from ..models.periods import Period, week_of
from ..models.text import fold
from .grammar import (
    MAX_COUNT,
    VILLAGE_KINDS,
    ParseError,
    Phrases,
    QuickReport,
    numbered_week,
    parse_report,
    report_day,
    tokenize,
    village_names,
    week_report_day,
)
from .period_words import UNIT_WORDS, count_at, named_period


@dataclass(frozen=True)
class Reading:
    """One way to read a message: counts by indicator key, the day and the village named."""

    counts: dict[str, int]
    day: date
    village: str | None
    unused: tuple[str, ...] = ()  # numbers in the message this reading does not count, as typed
    week: Period | None = None  # the week named (`tuần 47`), whose day `day` is


@dataclass(frozen=True)
class Proposal:
    """A message read leniently: one reading to confirm, or several to choose from — or, for
    a message naming several days (`thứ 3 đi 6 hộ, thứ 5 đi 8 hộ`), one reading per day,
    confirmed and saved together."""

    readings: tuple[Reading, ...]
    per_day: bool = False  # the readings are the message's days, not ways to read it


# Words that carry no count: openers and politeness, verbs, units, joiners, and the phrases
# that only look like an indicator (`hỗ trợ` is not `hộ`, `hồ sơ` is not `hộ`, `một số` is
# no number). A filler wins over an indicator alias only when it is longer.
FILLER_WORDS = """
    dạ ạ à nhé nha nhen nè ơi vâng kính gửi xin em anh chị tôi mình ta chúng tổ
    báo cáo bc kết quả tuần tổng hợp cập nhật hôm nay ngày
    đi đã được đc dc có là thì còn nữa rồi xong hết luôn vừa mới thêm
    hướng dẫn hd kích hoạt cài đặt giúp vận động cho làm tạo mở đăng ký dk hoàn thành tất
    thực hiện thăm vào đến tiếp cận tư vấn người ng dân công cá nhân tài khoản tk lượt lần
    trường hợp và với cùng trong đó gồm tổng cộng số lượng sl trên địa tại ở
    sáng chiều trưa tối đêm lúc giờ h phút team
    we i our my helped help visited visit reached activated activate installed set up signed
    registered opened with for and people persons person accounts account users the an of to
"""
FILLER_PHRASES = (
    "hỗ trợ", "hồ sơ", "bà con", "một số", "một vài", "hộ nghèo", "hộ cận nghèo", "hộ kinh doanh",
    "hộ khẩu", "hộ chiếu", "hộ tịch", "hộ lý", "hộ sinh", "người dân", "công dân", "địa bàn",
    "tài khoản", "cá nhân", "trường hợp", "thôn mình", "thôn em", "thôn ta", "xóm mình", "xóm em",
    "ấp mình", "ấp em", "bản mình", "bản em", "làng mình", "xã mình", "tổ mình",
)

# Words that turn a clause around (`5 người chưa có VNeID`): nothing in that clause is counted.
NEGATIONS = frozenset({"khong", "chua", "ko", "k", "kg", "hok", "hong", "khg", "not", "no", "didn't", "didnt",
                       "cant", "can't", "cannot", "never", "chang", "cha"})

# Vietnamese number words (accented as written), with their values.
_DIGIT_WORDS = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8,
                "chín": 9}
_UNIT_AFTER_TENS = {"mốt": 1, "tư": 4, "lăm": 5, "nhăm": 5}  # `hai mươi mốt`, `mười lăm`
_UNIT_WORDS = {**_DIGIT_WORDS, **_UNIT_AFTER_TENS}
# The same tables as an unaccented message writes them, by the table's id.
_WITHOUT_ACCENTS = {id(table): {fold(word): value for word, value in table.items()}
                    for table in (_DIGIT_WORDS, _UNIT_WORDS)}
# Unaccented, these are everyday words too (`sau` after, `bay` fly, `tam` temporary, `tu` from):
# they count as numbers only in an unaccented message, and not these.
_AMBIGUOUS_UNACCENTED = frozenset({"sau", "bay", "tam", "tu", "mot", "lam"})
_ZERO = "không"  # a number only right after an indicator (`vneid: không`); elsewhere it negates
# After these, a number word is a name: `ông Ba`, `chị Năm`. Unaccented, `đi` and `bà` would
# look the same as `dì` and `ba`: those two count only with accents.
_TITLES = frozenset({"ông", "bà", "anh", "chị", "cô", "chú", "bác", "cậu", "dì", "thím", "mợ", "bố", "mẹ"})
_TITLES_UNACCENTED = frozenset({"ong", "anh", "chi", "co", "chu", "bac", "cau"})

_COUNT = re.compile(r"(?:[0-9]+|[1-9][0-9]{0,2}(?:\.[0-9]{3})+)")
_SIGNED = re.compile(r"[-\u2212][0-9]")
# `28/11`, `28/11/2026`, `28-11`; with a dash the month has two digits (`5-6 người` is a range).
_DATE = re.compile(r"([0-9]{1,2})(?:/([0-9]{1,2})(?:/([0-9]{4}|[0-9]{2}))?|-([0-9]{2})(?:-([0-9]{4}))?)")
# A share, no count; bounded, so that a page of digits is not searched again from each one.
_PERCENT = re.compile(r"(?<![0-9])[0-9]{1,3}(?:[.,][0-9]{1,2})?\s?(?:%|phần trăm|phan tram|percent)", re.I)
_LIST_MARKER = re.compile(r"(?m)^[ \t]*[0-9]{1,2}[.)](?=[ \t])")  # `1. Hộ: 15`, `2) vneid 3`
_GLUED = re.compile(r"([0-9])([^\W\d_])")  # `12hộ` -> `12 hộ`
_SYMBOLS = re.compile(r"[^\w\s.,;:=/\u2212-]")  # emojis, brackets, bullets, quotes, `+`, `!`, `?`
_DASH_ALONE = re.compile(r"(?<![0-9])-(?![0-9])|[\u2013\u2014]")  # `- VNeID: 5` bullets, `–`
_DATE_RANGE = re.compile(r"(/[0-9]{1,2})-([0-9]{1,2}/)")  # `30/11-06/12`: two dates

_WEEKDAYS = {"hai": 0, "ba": 1, "tu": 2, "nam": 3, "sau": 4, "bay": 5}  # thứ hai … thứ bảy
_LAST_WEEKDAY = {"chu nhat": 6, "cn": 6, "sunday": 6, "monday": 0, "tuesday": 1, "wednesday": 2,
                 "thursday": 3, "friday": 4, "saturday": 5}
# Day words and how many days back they are.
_DAYS_BACK = {"hom nay": 0, "sang nay": 0, "chieu nay": 0, "trua nay": 0, "toi nay": 0,
              "today": 0, "hom qua": 1, "toi qua": 1, "sang qua": 1, "chieu qua": 1,
              "dem qua": 1, "yesterday": 1, "hom kia": 2, "hom kia nua": 3}
# A week named (`tuần trước`, `hai tuần trước`, `tuần cuối tháng 11`: period_words.py) is the
# report's week; after a weekday, which week (`thứ bảy tuần trước`). `tuần 47`, with its
# number, is read apart: the number is never a count.
_WEEK_WORDS = frozenset(word for word, kind in UNIT_WORDS.items() if kind == "week")
_CLAUSE_WORDS = frozenset({"nhung", "but", "song"})
# Day words that name no single day: the member is asked to write the date.
_VAGUE_DAYS = ("hom truoc", "thang truoc")


@dataclass
class _Item:
    kind: str  # "key" or "number"
    value: str | int
    text: str  # as typed
    position: int


@dataclass(frozen=True)
class _Day:
    day: date
    text: str  # as typed
    at: int  # how many items were read before it
    week: Period | None  # the week named, if a week was


@dataclass
class _Scan:
    items: list[_Item] = field(default_factory=list)
    days: list[_Day] = field(default_factory=list)
    village: str | None = None
    error: ParseError | None = None  # what stopped the scan: no reading is offered then
    negation: str | None = None  # a word that negated a clause, as typed
    unknown_words: int = 0  # words skipped that are in no list: a few are fine, a page of them is no report


class _GiveUp(Exception):
    def __init__(self, error: ParseError) -> None:
        super().__init__(error.code)
        self.error = error


@lru_cache(maxsize=8)
def _tables(aliases: tuple[tuple[str, str], ...]) -> tuple[Phrases, Phrases, dict[str, str]]:
    """Alias and filler phrase tables, and each alias word for spotting misspellings."""
    alias_phrases = Phrases((_normalize(alias), (key, alias)) for alias, key in aliases)
    fillers = Phrases((phrase, True) for phrase in (*FILLER_PHRASES, *FILLER_WORDS.split()))
    # One-word aliases (`vneid`, `bdhvs`) and their keys, for spotting misspellings; a word of a
    # longer alias (`danh`, `công`) is an everyday word.
    alias_words = {fold(alias): key for alias, key in aliases if len(fold(alias)) >= 4 and " " not in fold(alias)}
    return alias_phrases, fillers, alias_words


_KINDS = Phrases((kind, True) for kind in VILLAGE_KINDS)
_KIND_FIRST_WORDS = frozenset(kind.split()[0] for kind in VILLAGE_KINDS)  # as written: `bản`, not `bạn`
_DAY_PHRASES = Phrases([(phrase, ("back", n)) for phrase, n in _DAYS_BACK.items()]
                       + [(f"thu {word}", ("weekday", n)) for word, n in _WEEKDAYS.items()]
                       + [(f"t{n + 2}", ("weekday", n)) for n in range(6)]
                       + [(f"thu {n + 2}", ("weekday", n)) for n in range(6)]
                       + [(phrase, ("weekday", n)) for phrase, n in _LAST_WEEKDAY.items()]
                       + [(phrase, ("vague", 0)) for phrase in _VAGUE_DAYS])


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _LIST_MARKER.sub(" ", text)
    text = _SYMBOLS.sub(" ", text)
    text = _DASH_ALONE.sub(" ", text)
    text = _DATE_RANGE.sub(r"\1 \2", text)
    return _GLUED.sub(r"\1 \2", text)


def _has_marks(text: str) -> bool:
    return fold(text) != " ".join(text.casefold().split())


class _Reader:
    """One left-to-right scan of one message into days, villages, indicators and numbers."""

    def __init__(self, text: str, today: date, aliases: Mapping[str, str], villages: Sequence[str]) -> None:
        self.today = today
        self.typed = text
        self.text = _normalize(text)
        self.tokens = tokenize(self.text)
        self.words = [token.folded for token in self.tokens]
        self.exact = [unicodedata.normalize("NFC", token.text.casefold()) for token in self.tokens]
        self.accented = _has_marks(text)
        self.aliases, self.fillers, self.alias_words = _tables(tuple(aliases.items()))
        self.villages, self.named_villages = village_names(tuple(villages))

    def scan(self) -> _Scan:
        """Reads the message clause by clause: a clause that negates (`chưa ai kích hoạt`,
        `k có ai làm cks`) gives nothing, whatever it names."""
        scan, i = _Scan(), 0
        clause_start, negation = 0, None
        if percent := _PERCENT.search(self.typed):
            scan.error = ParseError("unclear", word=percent.group())
            return scan
        try:
            while i < len(self.tokens):
                if self._ends_clause(i):
                    if negation:
                        del scan.items[clause_start:]
                    clause_start, negation = len(scan.items), None
                if self._negates(i, scan):
                    negation = scan.negation = self.tokens[i].text
                    i += 1
                    continue
                i = self._step(scan, i)
            if negation:
                del scan.items[clause_start:]
        except _GiveUp as give_up:
            scan.error = give_up.error
        return scan

    def names_indicator(self) -> bool:
        return any(self.aliases.match(self.words, i) for i in range(len(self.words)))

    def _ends_clause(self, i: int) -> bool:
        """Whether a new clause starts at word i: after `,` `;` `.` or a new line, or at `nhưng`."""
        if i == 0:
            return False
        between = self.text[self.tokens[i - 1].end:self.tokens[i].start]
        return any(mark in between for mark in ",;.\n") or self.words[i] in _CLAUSE_WORDS

    def _negates(self, i: int, scan: _Scan) -> bool:
        return self.words[i] in NEGATIONS and self._number_words(i, scan) is None and not (
            self.aliases.match(self.words, i))

    def _step(self, scan: _Scan, i: int) -> int:
        token, word = self.tokens[i], self.words[i]
        if not any(ch.isalnum() for ch in token.text):
            return i + 1  # punctuation, bullets
        if (day := self._day(i, scan)) is not None:
            length, value, week = day
            scan.days.append(_Day(value, self._span(i, i + length), len(scan.items), week))
            return i + length
        if (village := self._village(i)) is not None:
            length, name = village
            if scan.village not in (None, name):
                raise _GiveUp(ParseError("unknown_village", word=self._span(i, i + length)))
            scan.village = name
            return i + length
        alias = self.aliases.match(self.words, i)
        filler = self.fillers.match(self.words, i)
        number = self._number_words(i, scan)
        longest = max((m[0] for m in (alias, filler, number) if m), default=0)
        if number and number[0] == longest:
            scan.items.append(_Item("number", number[1], self._span(i, i + number[0]), i))
            return i + number[0]
        if alias and alias[0] == longest:
            scan.items.append(_Item("key", alias[1][0], self._span(i, i + alias[0]), i))
            return i + alias[0]
        if filler:
            return i + filler[0]
        if word[0].isdigit() or _SIGNED.match(token.text):
            scan.items.append(self._digits(token.text, i))
            return i + 1
        if kind := self._kind(i):
            end = i + kind
            while end < len(self.tokens) and not (self.words[end][0].isdigit() or self.aliases.match(self.words, end)):
                end += 1
            raise _GiveUp(ParseError("unknown_village", word=self._span(i, end)))
        if (self.exact[i] == "âm" if self.accented else word == "am") and i + 1 < len(self.tokens) \
                and self.words[i + 1][0].isdigit():
            raise _GiveUp(ParseError("negative", word=self._span(i, i + 2)))
        close = len(word) >= 4 and difflib.get_close_matches(word, self.alias_words, n=1, cutoff=0.8)
        if close:  # `vnied`: a misspelt indicator, read as the one it is closest to (and confirmed)
            scan.items.append(_Item("key", self.alias_words[close[0]], token.text, i))
            return i + 1
        scan.unknown_words += 1
        return i + 1  # a word that carries no count

    def _span(self, start: int, end: int) -> str:
        return " ".join(token.text for token in self.tokens[start:end])

    def _day(self, i: int, scan: _Scan) -> tuple[int, date, Period | None] | None:
        """(words, day, week named) of a day or a week written at i."""
        text = self.tokens[i].text
        if dated := _DATE.fullmatch(text):
            return 1, self._dated(text, dated), None
        if self.words[i] == "ngay" and i + 1 < len(self.tokens) and self.tokens[i + 1].text.isdigit():
            month = self.today.month  # `ngày 28`: this month's (or last month's) 28th
            day_of_month = int(self.tokens[i + 1].text)
            if day_of_month > self.today.day:
                month = month - 1 or 12
            return 2, self._checked(report_day(self._span(i, i + 2), self.today, month, day_of_month)), None
        if (week := self._numbered_week(i)) is not None:
            return self._week(i, *week)
        if (week := self._named_week(i)) is not None and not self._counts_for_indicator(i, scan):
            return self._week(i, *week)
        found = _DAY_PHRASES.match(self.words, i)
        if found is None:
            return None
        length, (kind, n) = found
        if kind == "vague":
            raise _GiveUp(ParseError("vague_day", word=self._span(i, i + length)))
        if kind == "back":
            return length, self.today - timedelta(days=n), None
        after = self._named_week(i + length)
        if after is None:  # the latest such weekday, today included
            return length, self.today - timedelta(days=(self.today.weekday() - n) % 7), None
        qualifier, week = after
        return self._weekday_of(week, n, i, i + length + qualifier)

    def _named_week(self, i: int) -> tuple[int, Period] | None:
        """(words, week) of a week named at i by where it lies (`tuần trước`, `hai tuần
        trước`) or as a month's last (`tuần cuối tháng 11`)."""
        named = named_period(self.words, i, self.today, ("week",)) if i < len(self.words) else None
        if named is not None and named[1] is None:
            raise _GiveUp(ParseError("bad_date", word=self._span(i, i + named[0])))
        return named

    def _counts_for_indicator(self, i: int, scan: _Scan) -> bool:
        """Whether the number at i is the count of the indicator written just before it
        (`hộ 12 vneid 5 tuần trước`: VNeID 5, last week), not so many weeks back."""
        if count_at(self.words, i) is None or not scan.items or scan.items[-1].kind != "key":
            return False
        key = scan.items[-1]
        alias = self.aliases.match(self.words, key.position)
        return key.position + (alias[0] if alias else 1) == i

    def _numbered_week(self, i: int) -> tuple[int, Period] | None:
        """(words, week) of `tuần 47` (the ISO week) or `tuần 30/11`, `tuần 30/11–06/12` (the
        week of that day) at i; the number is the week's, never a count."""
        if self.words[i] not in _WEEK_WORDS or i + 1 == len(self.tokens) or \
                self.text[self.tokens[i].end:self.tokens[i + 1].start].strip():
            return None  # `báo cáo tuần: 45 hộ` names no week
        following = self.tokens[i + 1].text
        if following.isdigit() and len(following) <= 2:
            week = numbered_week(int(following), self.today)
            if week is None:
                raise _GiveUp(ParseError("bad_date", word=self._span(i, i + 2)))
            return 2, week
        if not (dated := _DATE.fullmatch(following)):
            return None
        day = report_day(following, self.today, int(dated[2] or dated[4]), int(dated[1]))
        if isinstance(day, ParseError) and day.code != "day_too_old":  # an old day may name a recent week
            raise _GiveUp(day)
        week = week_of(day.day if isinstance(day, ParseError) else day)
        length = 2
        if i + 2 < len(self.tokens) and (end := _DATE.fullmatch(self.tokens[i + 2].text)) and \
                self._range_end(week, end) in (week.first + timedelta(days=n) for n in range(7)):
            length = 3  # the range's end, in the same week
        return length, week

    @staticmethod
    def _range_end(week: Period, end: re.Match) -> date | None:
        """The end of a range `30/11–06/12` written after a day of `week`, as a date."""
        month, day_of_month = int(end[2] or end[4]), int(end[1])
        try:
            return date(week.first.year + (month < week.first.month), month, day_of_month)
        except ValueError:
            return None

    def _week(self, i: int, length: int, week: Period) -> tuple[int, date, Period | None]:
        """The day a report for the week at i gets, or — with a weekday after it (`tuần trước
        thứ 7`) — that weekday of the week."""
        after = _DAY_PHRASES.match(self.words, i + length)
        if after is not None and after[1][0] == "weekday":
            return self._weekday_of(week, after[1][1], i, i + length + after[0])
        return length, self._checked(week_report_day(self._span(i, i + length), week, self.today)), week

    def _weekday_of(self, week: Period, weekday: int, start: int, end: int) -> tuple[int, date, None]:
        """(words, day) of a weekday of a week named together between words start and end."""
        day = week.first + timedelta(days=weekday)
        return end - start, self._checked(report_day(self._span(start, end), self.today, day.month, day.day,
                                                     day.year)), None

    def _dated(self, text: str, dated: re.Match) -> date:
        month, year = dated[2] or dated[4], dated[3] or dated[5]
        year = year and int(year) + (2000 if len(year) == 2 else 0)
        return self._checked(report_day(text, self.today, int(month), int(dated[1]), year or None))

    @staticmethod
    def _checked(day: date | ParseError) -> date:
        if isinstance(day, ParseError):
            raise _GiveUp(day)
        return day

    def _village(self, i: int) -> tuple[int, str] | None:
        found = [bare] if (bare := self.villages.match(self.words, i)) else []
        kind = self._kind(i)
        if kind and (named := self.named_villages.match(self.words, i + kind)):
            found.append((kind + named[0], named[1]))
        if not found:
            return None
        length, village = max(found, key=lambda match: match[0])
        alias = self.aliases.match(self.words, i)
        return None if alias and alias[0] >= length else (length, village)

    def _kind(self, i: int) -> int:
        """Words of a village kind (`thôn`, `khu phố`) at i; with accents typed they must be
        the kind's own (`bạn` is no `bản`)."""
        kind = _KINDS.match(self.words, i)
        if kind is None or (self.accented and self.exact[i] not in _KIND_FIRST_WORDS):
            return 0
        return kind[0]

    def _digits(self, text: str, i: int) -> _Item:
        if _SIGNED.match(text):
            raise _GiveUp(ParseError("negative", word=text))
        if not _COUNT.fullmatch(text):
            raise _GiveUp(ParseError("not_whole", word=text))
        digits = text.replace(".", "").lstrip("0") or "0"
        if len(digits) > len(str(MAX_COUNT)) or int(digits) > MAX_COUNT:
            raise _GiveUp(ParseError("too_large", word=text))
        return _Item("number", int(digits), text, i)

    def _number_word(self, i: int, table: Mapping[str, int]) -> int | None:
        """The value of the number word at i, if it is one of `table`'s (accents must match
        where the message has accents)."""
        if i >= len(self.tokens):
            return None
        if self.accented:
            return table.get(self.exact[i])
        return None if self.words[i] in _AMBIGUOUS_UNACCENTED else _WITHOUT_ACCENTS[id(table)].get(self.words[i])

    def _is(self, i: int, word: str) -> bool:
        return i < len(self.tokens) and (self.exact[i] == word if self.accented else self.words[i] == fold(word))

    def _number_words(self, i: int, scan: _Scan) -> tuple[int, int] | None:
        """(words, value) of a number written in words at i: `năm`, `mười hai`, `hai mươi mốt`,
        `một trăm`, `một trăm linh năm`; `không` only right after an indicator."""
        if self._is(i, _ZERO):
            previous = scan.items[-1] if scan.items else None
            if previous and previous.kind == "key" and previous.position + len(previous.text.split()) == i:
                return 1, 0
            return None
        if i and (self.exact[i - 1] in _TITLES if self.accented else self.words[i - 1] in _TITLES_UNACCENTED):
            return None
        found = self._below_thousand(i)
        if found and (self._is(i + found[0], "nghìn") or self._is(i + found[0], "ngàn")):
            length, thousands = found[0] + 1, found[1] * 1000  # `một nghìn hai trăm`
            rest = self._below_thousand(i + length)
            return (length + rest[0], thousands + rest[1]) if rest else (length, thousands)
        return found

    def _below_thousand(self, i: int) -> tuple[int, int] | None:
        j, value = i, 0
        hundreds = self._number_word(j, _DIGIT_WORDS)
        if hundreds is not None and self._is(j + 1, "trăm"):
            value, j = hundreds * 100, j + 2
            if self._is(j, "linh") or self._is(j, "lẻ"):
                unit = self._number_word(j + 1, _DIGIT_WORDS)
                return (j + 2 - i, value + unit) if unit is not None else (j - i, value)
        tens = None
        if self._is(j, "mười"):
            tens, j = 1, j + 1
        elif (digit := self._number_word(j, _DIGIT_WORDS)) is not None and self._is(j + 1, "mươi"):
            tens, j = digit, j + 2
        if tens is not None:
            unit = self._number_word(j, _UNIT_WORDS)
            if unit is not None and not (tens == 1 and unit == 1):
                return j + 1 - i, value + tens * 10 + unit
            return j - i, value + tens * 10
        if value:
            return j - i, value
        digit = self._number_word(i, _DIGIT_WORDS)
        if digit is None or self._is(i + 1, "nay") or self._is(i + 1, "ngoái"):
            return None  # `năm nay` is this year
        return 1, digit


def _pair(items: list[_Item], from_right: bool) -> tuple[list[tuple[_Item, _Item]], list[_Item]]:
    """Neighbours of different kinds paired, scanning from one end; the rest left over."""
    row = items[::-1] if from_right else items
    pairs, rest, i = [], [], 0
    while i < len(row):
        if i + 1 < len(row) and row[i].kind != row[i + 1].kind:
            key, number = sorted(row[i:i + 2], key=lambda item: item.kind != "key")
            pairs.append((key, number))
            i += 2
        else:
            rest.append(row[i])
            i += 1
    pairs.sort(key=lambda pair: min(pair[0].position, pair[1].position))
    rest.sort(key=lambda item: item.position)
    return pairs, rest


def _reading(pairs, rest, day: _Day | None, village: str | None, today: date, strict: bool) -> Reading | ParseError:
    """The reading a pairing makes for a day (none named: today), or what is wrong with it.
    `strict`: every indicator named must have its number (when two pairings are offered, each
    may leave one out)."""
    counts: dict[str, int] = {}
    for key, number in pairs:
        if key.value in counts:
            return ParseError("repeated_key", word=key.text, key=key.value)
        counts[key.value] = number.value
    if not counts:
        first = (rest or [None])[0]
        if first is None:
            return ParseError("no_pairs")
        if first.kind == "key":
            return ParseError("missing_count", word=first.text, key=first.value)
        return ParseError("unpaired_number", word=first.text)
    for item in rest:
        if strict and item.kind == "key" and item.value not in counts:
            return ParseError("missing_count", word=item.text, key=item.value)
    unused = tuple(item.text for item in rest if item.kind == "number")
    return Reading(counts, day.day if day else today, village, unused, day.week if day else None)


def _per_day(scan: _Scan, today: date) -> Proposal | ParseError:
    """A message naming several days: each day with the counts after it (`thứ 3 đi 6 hộ, thứ
    5 đi 8 hộ`) — or before it, when the message begins with counts (`6 hộ thứ 3, 8 hộ thứ
    5`) — read as one reading of its own. A day named again adds to its reading; a day without
    counts, or counts without a day, leave the message unclear."""
    days = scan.days
    leading = days[0].at == 0
    bounds = [day.at for day in days] + [len(scan.items)] if leading else [0] + [day.at for day in days]
    if not leading and bounds[-1] != len(scan.items):
        return ParseError("repeated_day", word=days[-1].text)  # counts after the last day: which day?
    readings: dict[date, Reading] = {}
    for day, start, end in zip(days, bounds, bounds[1:], strict=False):
        items = scan.items[start:end]
        if not items:
            return ParseError("repeated_day", word=day.text)  # `hôm qua hôm nay 3 vneid`: which day has the 3?
        left, right = _pair(items, False), _pair(items, True)
        reading = _reading(*left, day, scan.village, today, strict=True)
        if isinstance(reading, Reading) and left[0] != right[0]:
            reading = ParseError("unclear", word=" ".join(item.text for item in items))
        if isinstance(reading, ParseError):
            return ParseError(reading.code, reading.word, reading.key, reading.suggestion, reading.day, part=day.text)
        if (earlier := readings.get(day.day)) is not None:
            if repeated := earlier.counts.keys() & reading.counts.keys():
                key = next(iter(repeated))
                return ParseError("repeated_key", word=key, key=key, part=day.text)
            reading = Reading({**earlier.counts, **reading.counts}, day.day, scan.village,
                              earlier.unused + reading.unused, earlier.week or reading.week)
        readings[day.day] = reading
    return Proposal(tuple(readings.values()), per_day=True)


WEEK_ERRORS = ("week_not_begun", "week_too_old")

# Longer than this, a message is a page of text, not a report written in words: only the
# strict grammar reads it (Telegram allows 4,096 characters).
LONGEST_READ = 1000


def read_report(
    text: str, *, today: date, aliases: Mapping[str, str], villages: Sequence[str] = ()
) -> QuickReport | Proposal | ParseError | None:
    """A report as typed: the strict grammar's report (saved at once), else a lenient
    Proposal to confirm, else what is wrong with it, or None when it is plainly no report."""
    strict = parse_report(text, today=today, aliases=aliases, villages=villages)
    if isinstance(strict, QuickReport) or len(text) > LONGEST_READ:
        return strict
    reader = _Reader(text, today, aliases, villages)
    scan = reader.scan()
    if scan.error is None and scan.unknown_words > max(12, 4 * len(scan.items)):
        return strict  # a page of words that are in no list is no report, whatever numbers it holds
    if scan.error is not None:
        if scan.error.code in WEEK_ERRORS and not reader.names_indicator():
            return strict  # `tuần 40 thôn mình` names no indicator: maybe a question, not a report refused
        # The same problem: the strict grammar knows which indicator it concerns.
        return strict if isinstance(strict, ParseError) and strict.code == scan.error.code else scan.error
    if not scan.items:
        if scan.negation:
            return ParseError("unclear", word=scan.negation)
        only_a_day = (scan.days or scan.village) and not scan.unknown_words  # `hôm kia`: the counts are missing
        return ParseError("no_pairs") if only_a_day else strict
    if len({day.day for day in scan.days}) > 1:
        return _per_day(scan, today)
    day = scan.days[0] if scan.days else None
    left, right = _pair(scan.items, False), _pair(scan.items, True)
    agreed = left[0] == right[0]
    readings = [_reading(*left, day, scan.village, today, strict=agreed)]
    if not agreed:
        readings.append(_reading(*right, day, scan.village, today, strict=False))
    found = {tuple(r.counts.items()): r for r in readings if isinstance(r, Reading)}
    if found:
        return Proposal(tuple(found.values()))
    # `hoc vu xo 5`, `abc 3`: the strict grammar's word not understood (and its guess at a
    # misspelt name) says more than "what does 5 count?".
    unknown_word = isinstance(strict, ParseError) and strict.code == "unknown_key" and (
        strict.suggestion or readings[0].code == "unpaired_number")
    return strict if unknown_word else readings[0]


def attempts_report(text: str, aliases: Mapping[str, str]) -> bool:
    """Whether the text names an indicator (`hỗ trợ` and `hồ sơ` are no `hộ`) and a count beside
    it, however faulty: in a team's group, chatter (`cách cài VNeID cho người già`) does not."""
    scan = _Reader(text, date.today(), aliases, ()).scan()
    kinds = {item.kind for item in scan.items}
    if scan.error is not None:  # a bad number after an indicator (`VNeID 2,5`)
        return scan.error.code in ("not_whole", "negative", "too_large") and "key" in kinds
    return kinds == {"key", "number"}
