"""Questions a leader types in plain words: `tiến độ vneid`, `thôn Tân Hòa tháng 11`,
`thôn nào chậm nhất`, `so với tuần trước`, `ai chưa báo cáo tuần trước`, and requests such
as `xuất báo cáo tháng 11` or `tạo mã mời cho thôn Tân Hòa`.

A question is read into its parts — what is asked (topic), which indicator, which
village, which period — without accents or case, and answered by the command that
answers it, with that command's permission check. `/tiendo` and `/xephang` read their
arguments with the same reader, and `/thang`, `/quy`, `/xuat`, `/chuabaocao` its period
words, so a command and a question agree.
"""

import re
from dataclasses import dataclass
from datetime import date

from sqlmodel import select

from ..locales import LANGUAGES
from ..models import Level, OrgUnit, Role
from ..models.periods import Period, containing, numbered, parse_period, shifted, week_of
from ..models.queries import indicators
from ..models.text import fold
from .context import Context
from .grammar import VILLAGE_KINDS
from .period_words import named_period, shift
from .report import aliases
from .roles import ROLE_WORDS

# A kind word that names no village: `thôn nào chậm nhất`, `thôn mình đến đâu rồi`. The
# second is the asker's own unit: a member's village, an office's or leader's commune,
# what an answer shows when no village is named.
WHICH_VILLAGE = ("thon nao", "xom nao", "ban nao", "ap nao", "lang nao", "which village")
OWN_UNIT = ("thon minh", "xa minh", "ban minh", "xom minh", "thon em", "xa em", "thon ta", "xa ta",
            "thon cua em", "thon cua minh", "xa cua em", "xa cua minh",
            "our village", "our commune", "my village", "my commune")
# What is asked, by the folded words that ask it (English too). The first topic found
# wins: a request (`xuất báo cáo`, `ai chưa báo cáo`) before the words a report also uses.
TOPICS = {
    "missing": ("chua bao cao", "chua bc", "chua nop", "ai chua", "bao cao chua", "bc chua",
                "chua gui bao cao", "chua gui bc", "chua gui so lieu", "chua co bao cao", "chua co bc",
                "nao chua gui",  # `thôn nào chưa gửi`: who has not, before `thôn nào` asks for a ranking
                "ai khong bao cao", "ai ko bao cao", "ai k bao cao", "ai ko bc", "ai k bc",
                "missing", "not reported", "who has not", "who hasn't", "who hasnt", "haven't reported"),
    "export": ("xuat bao cao", "xuat bc", "xuat file", "xuat excel", "xuat du lieu", "xuat so lieu",
               "tai bao cao", "tai file", "download",
               "file bao cao", "file excel", "excel", "xlsx", "csv", "export", "spreadsheet"),
    "invite": ("ma moi", "tao ma", "link moi", "moi them", "moi thanh vien", "invite"),
    "audit": ("ai da sua", "ai sua", "ai da xoa", "ai xoa", "ai da thay doi", "ai thay doi", "nhat ky",
              "lich su chinh sua", "lich su sua", "lich su thay doi", "who changed", "who edited",
              "who deleted", "audit"),
    "announce": ("gui thong bao", "ra thong bao", "thong bao cho cac thon", "thong bao toi cac thon",
                 "send an announcement", "announce"),
    "review": ("duyet minh chung", "cho duyet", "minh chung nao", "anh nao", "review evidence", "review"),
    "subscribe": ("dang ky nhan", "nhan bao cao", "nhan tin bao cao", "subscribe"),
    "summary": ("tong hop tuan", "tong hop thang", "tong hop quy", "tong hop nam", "bao cao tong hop",
                "tong ket tuan", "tong ket thang", "tong ket quy", "tong ket nam", "so ket", "summary"),
    "compare": ("so voi", "so sanh", "compared with", "compared to", "compare"),
    "ranking": ("xep hang", "bang xep hang", "xep thu", "thu may", "ranking", "rank", *WHICH_VILLAGE, "cham nhat", "thap nhat",
                "kem nhat", "cao nhat", "nhieu nhat", "tot nhat", "nhanh nhat", "dan dau",
                "slowest", "lowest", "worst", "best", "highest"),
    "progress": ("tien do", "den dau", "toi dau", "bao nhieu", "duoc may", "may ho", "may nguoi", "the nao",
                 "ntn", "sao roi", "tinh hinh", "dat chi tieu", "bao cao 6 thang",
                 "progress", "how far", "how many", "how much", "how is", "how are"),
}
# Words that ask for the ranking from the bottom: `thôn nào chậm nhất`, `which village is behind`.
WORST_FIRST = ("cham", "thap", "kem", "yeu nhat", "yeu kem", "it nhat", "cuoi bang", "behind", "slow", "slowest", "low",
               "lowest", "worst", "bottom")
FILE_FORMATS = ("csv",)  # a request for the CSV rather than the workbook (`xuất csv tháng 11`)
FOLDED_KINDS = tuple(fold(kind) for kind in VILLAGE_KINDS)  # the report grammar's kind words
COMMUNE_KINDS = ("xa", "phuong", "thi tran", "dac khu", "commune", "ward")  # folded: `xã Đồng Phú`, `Đồng Phú`
# Phrases that end a village's name typed in a question ("thôn X tháng 11", "thôn X tiến độ").
QUESTION_PHRASES = [phrase.split() for phrases in TOPICS.values() for phrase in phrases] + [
    [word] for word in ("tuan", "thang", "quy", "nam", "week", "month", "quarter", "year", "this", "last", "next")] + [
    word.split() for word in ROLE_WORDS]

# Periods as questions write them, in folded text. A period named by where it lies from today
# (`tuần trước`, `hai tuần trước`, `tháng này`, `năm ngoái`, `tuần cuối tháng 11`) is read by
# period_words.py, as reports read it; these patterns read the rest. The first found wins, so
# the longer forms come first (`6 tháng đầu năm` before `tháng`); `tuần sau` and `tháng tới`
# are read as not begun, said so rather than read as this one.
_UNITS = {"week": ("tuan|week", r"\d{1,2}"), "month": ("thang|month", r"\d{1,2}"),
          "quarter": ("quy|quarter", r"[1-4]|i{1,3}|iv"), "year": ("nam|year", r"\d{4}")}
_HALVES_AND_DAYS = (
    # (regex, kind); group 1, when there is one, says which (`6 tháng đầu năm`, `tuần 16/11`)
    (re.compile(r"\b(?:6 thang|nua)\s+(dau|cuoi)(?:\s+nam)?\b"), "half"),
    (re.compile(r"\b(first|second)\s+half\b"), "half"),
    (re.compile(r"\b(?:6 thang|half year|half-year)\b"), "half"),  # the current half (`báo cáo 6 tháng`)
    (re.compile(r"\b(?:tuan|week)\s+(\d{1,2}[ /]\d{1,2})\b"), "week of"),  # `tuần 16/11`: the week of that day
)
# Of each kind, after the periods named by where they lie: `tháng 11`, `tuần thứ 48`, the unit
# alone (the current one); a year only with its number (a bare `năm` is also "five").
_NUMBERED = {kind: re.compile(rf"\b(?:{words})(?:\s+(?:thu\s+(?=\d))?({number}))?\b" if kind != "year" else
                              rf"\b(?:{words})\s+({number})\b") for kind, (words, number) in _UNITS.items()}
_WRITTEN = (
    (re.compile(r"\bq([1-4])\b"), "quarter"),
    (re.compile(r"\b(20\d\d(?:-(?:w\d{1,2}|q[1-4]|h[12]|\d{1,2}))?)\b"), "label"),  # 2026-W47 … 2026
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_HALVES = {"dau": 1, "first": 1, "cuoi": 2, "second": 2}


@dataclass
class Question:
    topic: str | None = None  # a key of TOPICS
    indicator: str | None = None  # an indicator key
    village: OrgUnit | None = None
    commune: OrgUnit | None = None  # a commune of the asker's province, named
    unknown_village: str | None = None  # "thôn X" named, but X is none of the villages this person may see
    period: Period | None = None
    bad_period: str | None = None  # a period written that does not exist (tháng 13, 2026-W60)
    own_unit: bool = False  # `thôn mình`, `xã mình`: the asker's own unit, as without a name
    worst_first: bool = False  # a ranking from the bottom
    role: Role | None = None  # for an invite: `tổ trưởng`, `thành viên`
    file_format: str | None = None  # for an export: csv

    @property
    def understood(self) -> bool:
        return any((self.topic, self.indicator, self.village, self.commune, self.unknown_village, self.period,
                    self.bad_period, self.own_unit))


def _fold(text: str) -> str:
    return fold(text).replace("’", "'")  # phones type `hasn’t`


def _phrases(phrases) -> re.Pattern:
    """Any of the folded phrases, as whole words."""
    alternatives = "|".join(re.escape(phrase) for phrase in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


_TOPIC_PATTERNS = {topic: _phrases(phrases) for topic, phrases in TOPICS.items()}
_WORST_FIRST, _OWN_UNIT, _FILE_FORMATS = _phrases(WORST_FIRST), _phrases(OWN_UNIT), _phrases(FILE_FORMATS)
_ROLE_WORDS = _phrases(ROLE_WORDS)
_UNNAMED = _phrases(WHICH_VILLAGE + OWN_UNIT)  # a kind word that names no village: `thôn nào`, `thôn mình`


def topic_of(text: str) -> str | None:
    """What is asked, from the words alone (cheap: a member's every message passes here)."""
    folded = _fold(text)
    return next((topic for topic, pattern in _TOPIC_PATTERNS.items() if pattern.search(folded)), None)


def _has(text: str, phrase: str) -> bool:
    return _phrases((phrase,)).search(text) is not None


def _remove(text: str, phrase: str) -> str:
    return _phrases((phrase,)).sub(" ", text, count=1)


def visible_villages(context: Context) -> list[OrgUnit]:
    """The villages this person may ask about: their own, and every village of their communes
    (and of their provinces' communes)."""
    villages = {v.id: v for v in context.villages()}
    commune_ids = [c.id for c in context.communes()] + [c.id for c in context.province_communes()]
    if commune_ids:
        for village in context.session.exec(
            select(OrgUnit).where(OrgUnit.parent_id.in_(commune_ids), OrgUnit.level == Level.VILLAGE)
            .order_by(OrgUnit.id)
        ).all():
            villages.setdefault(village.id, village)
    return list(villages.values())


def as_typed(text: str, folded_phrase: str) -> str:
    """The words of `text` that fold to `folded_phrase`, as the person typed them."""
    words, wanted = text.replace("/", " ").split(), folded_phrase.split()
    for i in range(len(words) - len(wanted) + 1):
        if [fold(w) for w in words[i:i + len(wanted)]] == wanted:
            return " ".join(words[i:i + len(wanted)])
    return folded_phrase


def read(context: Context, text: str) -> Question:
    """The parts of a question, found anywhere in the text."""
    question = Question()
    folded = _fold(text).replace("/", " ")
    keys = set(aliases(context).values())
    words = aliases(context) | {i.short(language): i.key for i in indicators(context.session)
                                for language in LANGUAGES if i.key in keys}
    indicator_words = sorted(((fold(word), key) for word, key in words.items()), key=lambda p: -len(p[0]))
    folded, unit = _unit(context, folded)
    if unit is not None and unit.level == Level.COMMUNE:
        question.commune = unit
    else:
        question.village = unit
    if unit is None:
        stop = [phrase.split() for phrase, _ in indicator_words] + QUESTION_PHRASES
        unknown = _unknown_village(_UNNAMED.sub(" ", folded), stop)
        question.unknown_village = unknown and as_typed(text, unknown)
    question.topic = topic_of(folded)
    question.indicator = next((key for phrase, key in indicator_words if _has(folded, phrase)), None)
    question.period, bad_period = _period(folded, context.today(question.village))
    question.bad_period = bad_period and as_typed(text, bad_period)
    question.own_unit = bool(_OWN_UNIT.search(folded))
    question.worst_first = bool(_WORST_FIRST.search(folded))
    role = _ROLE_WORDS.search(folded)
    question.role = role and ROLE_WORDS[role.group(0)]
    file_format = _FILE_FORMATS.search(folded)
    question.file_format = file_format and file_format.group(0)
    return question


def village_names(village: OrgUnit) -> list[str]:
    """The folded names a village is asked by: its full name, and the name after its kind word."""
    bare = village.name_key.split(" ", 1)
    return [village.name_key, bare[1]] if len(bare) == 2 and bare[0] in FOLDED_KINDS else [village.name_key]


def commune_names(commune: OrgUnit) -> list[str]:
    """The folded names a commune is asked by: its full name, and the name after its kind word."""
    kind = next((kind for kind in COMMUNE_KINDS if commune.name_key.startswith(kind + " ")), None)
    return [commune.name_key, commune.name_key.removeprefix(kind + " ")] if kind else [commune.name_key]


def _unit(context: Context, folded: str) -> tuple[str, OrgUnit | None]:
    """The village (or, for a province's people, the commune) named in the text (full name,
    or the name after its kind word), and the text without it. The longest name wins, so
    `xã Đồng Phú` is the commune even beside a `Thôn Đồng Phú`."""
    candidates = [(name, village) for village in visible_villages(context) for name in village_names(village)]
    candidates += [(name, commune) for commune in context.province_communes() for name in commune_names(commune)]
    for phrase, unit in sorted(candidates, key=lambda c: -len(c[0])):
        if _has(folded, phrase):
            return _remove(folded, phrase), unit
    return folded, None


def named_commune(context: Context, words: str) -> tuple[OrgUnit | None, str]:
    """A commune of the asker's provinces named in a command's words (`/tuan xã Đồng Phú tuần
    trước`), and the words without it; None (and the words as they are) for anyone else."""
    if not context.provinces():
        return None, words
    folded = _fold(words).replace("/", " ")
    for commune in context.province_communes():
        for phrase in sorted(commune_names(commune), key=len, reverse=True):
            if _has(folded, phrase):
                return commune, _remove(folded, phrase)
    return None, words


def _unknown_village(folded: str, stop: list[list[str]]) -> str | None:
    """`thôn X …`: the words after a kind word up to the next phrase of the question (an
    indicator, a topic, a period) — a village this person may not see, whether or not it
    exists anywhere."""
    words = folded.split()

    def starts_phrase(j: int) -> bool:
        return words[j][0].isdigit() or any(words[j:j + len(phrase)] == phrase for phrase in stop)

    for i in range(len(words)):
        for kind in FOLDED_KINDS:
            start = i + len(kind.split())
            if " ".join(words[i:start]) == kind:
                end = next((j for j in range(start, len(words)) if starts_phrase(j)), len(words))
                if end > start:
                    return " ".join(words[start:end])
    return None


def _period(folded: str, today: date) -> tuple[Period | None, str | None]:
    """The period the words name, or the words that name one that does not exist."""
    words = re.findall(r"[a-z0-9]+", folded)
    found = _matched(_HALVES_AND_DAYS, folded, today)
    for kind, pattern in _NUMBERED.items():
        found = found or _named(words, kind, today) or _matched([(pattern, kind)], folded, today)
    return found or _matched(_WRITTEN, folded, today) or (None, None)


def _matched(patterns, folded: str, today: date) -> tuple[Period | None, str | None] | None:
    """(period, None) for the first pattern found, (None, its words) when they name none."""
    for pattern, kind in patterns:
        match = pattern.search(folded)
        if match is None:
            continue
        word = match.group(1) if pattern.groups else None
        try:
            return period_of(kind, word, today), None
        except ValueError:
            return None, match.group(0)
    return None


def _named(words: list[str], kind: str, today: date) -> tuple[Period | None, str | None] | None:
    """A period of that kind named by where it lies (`tuần trước`, `hai tháng trước`, `tuần
    cuối tháng 11`), as `_matched` gives it."""
    for i in range(len(words)):
        if (named := named_period(words, i, today, (kind,))) is not None:
            length, period = named
            return (period, None) if period else (None, " ".join(words[i:i + length]))
    return None


def period_of(kind: str, word: str | None, today: date) -> Period:
    """`tháng 11`, `quý III`, `tuần 48`, `tuần trước`, `6 tháng đầu năm` (kind and word) as a
    period of today's year; no word: the current one. ValueError for a word that names none."""
    if kind == "label":
        return parse_period(word.upper())
    if kind == "week of":
        day, month = (int(number) for number in re.split("[ /]", word))
        return week_of(date(today.year, month, day))
    current = containing(kind, today)
    if word is None:
        return current
    steps = shift(word.split())
    if steps is not None:
        return shifted(current, steps)
    if kind == "year":
        return parse_period(word)
    number = _HALVES.get(word) or _ROMAN.get(word) or int(word)
    return numbered(kind, today.year, number)


def period_named(words: str, today: date, kind: str | None = None) -> Period:
    """The period a command's words name: as a question names it (`tháng 11`, `quý này`,
    `2026-Q4`), or — after a command of that kind (`/thang 11`, `/quy III`, `/quy q3`) — the
    bare number or word. ValueError when the words name no period."""
    folded = _fold(words)
    period, bad = _period(folded, today)
    if period is not None:
        return period
    if bad is None and kind is not None:
        return period_of(kind, folded.removeprefix("q"), today)
    raise ValueError(f"not a period: {words!r}")


@dataclass(frozen=True)
class Comparison:
    """Two periods side by side, earlier first, and why they are the ones compared."""

    earlier: Period
    later: Period
    # "same days": the later period is under way, and both are cut to the days it has had;
    # "complete": it began today, so the two periods before it are compared; None: both are over.
    rule: str | None = None


def compared(period: Period | None, today: date) -> Comparison:
    """The period asked and the one after it when that one is under way, otherwise the one
    before it (`so với tuần trước`: last week and this; no period: this week and last). A
    period under way is never set against a whole one: its days so far are compared with the
    same days of the other (Monday to today's weekday; the first 25 days of both months), and
    on its first day, which has barely begun, the two whole periods before it are."""
    period = period or containing("week", today)
    following = shifted(period, 1)
    earlier, later = (period, following) if following.first <= today <= following.last else (shifted(period, -1), period)
    if not later.first <= today <= later.last:
        return Comparison(earlier, later)
    if today == later.first:
        return Comparison(shifted(earlier, -1), shifted(later, -1), "complete")
    days_so_far = today - later.first
    return Comparison(Period(earlier.label, earlier.first, min(earlier.first + days_so_far, earlier.last)),
                      Period(later.label, later.first, today), "same days")


# The summary command of each kind of period (`tổng hợp tháng 11` → /thang); a half has
# none of its own: /tiendo answers for it.
SUMMARY_COMMANDS = {"week": "tuan", "month": "thang", "quarter": "quy", "half": "tiendo", "year": "nam"}


def summary_request(question: Question, text: str) -> tuple[str, str]:
    """`tổng hợp tháng 11` → /thang 2026-11; `tổng kết năm` (no period, a unit) → /nam."""
    unit = next((kind for kind, (words, _) in _UNITS.items() if re.search(rf"\b(?:{words})\b", _fold(text))),
                "week")
    name = SUMMARY_COMMANDS[question.period.kind if question.period else unit]
    if name == "tiendo" or question.bad_period:
        return "tiendo", text
    return name, question.period.label if question.period else ""


def request_for(question: Question, text: str) -> tuple[str, str] | None:
    """The command that answers the question (its permission applies), and its arguments."""
    period = question.bad_period or (question.period.label if question.period else "")
    village = question.village.name if question.village else question.unknown_village
    commune = question.commune.name if question.commune else ""  # a province's commune: its reply
    name, words = summary_request(question, text)
    requests = {
        "missing": ("chuabaocao", f"{period} {commune}"),
        "export": ("xuat", f"{period} {question.file_format or ''} {commune}"),
        "invite": ("moi", f"{village or ''} {question.role.value if question.role else ''}"),
        "audit": ("nhatky", ""),
        "review": ("duyet", ""),
        "announce": ("thongbao", ""),
        "subscribe": ("nhantin", ""),
        "summary": (name, words if name == "tiendo" else f"{words} {commune}"),
        "ranking": ("xephang", text),
    }
    if question.topic in requests:
        name, args = requests[question.topic]
        return name, args.strip()
    return ("tiendo", text) if question.understood else None
