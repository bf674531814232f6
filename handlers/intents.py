"""What a message means when it is no report: a correction, taking a report back, "nothing
this week", an answer to a yes/no question, a greeting or thanks.

Pure and fast, since every member's message passes here before it is read as a report: the
text is cut into words, folded (no accents, any case), shorthands spelled out (`ko`, `k`,
`j`, `dc`), and looked up in one table, `VOCABULARY`. A message means one of these only as a
whole (`xóa báo cáo`, `dạ không ạ`, `cảm ơn nhiều nha`) or, for a correction, in one of
three shapes, each after optional correction words (`sửa lại`, `nhầm`, `edit`, …):

    indicator [là | thành | đúng là | …] new [chứ không phải old]
    indicator old thành new
    indicator [old] sai [đúng là] new

so that a report (`vneid 5`, `hôm nay đi 15 hộ`) or a question (`ai chưa báo cáo`) is none.
"""

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import accumulate

from ..models.text import fold
from .period_words import named_period

# Every word of the intents, as people write them (accents and case do not matter).
VOCABULARY: dict[str, tuple[str, ...]] = {
    # Whole messages. Answers to a question whose choices carry "yes" / "no", and leaving it:
    "yes": ("đúng", "đúng rồi", "có", "ok", "oke", "okay", "oki", "ừ", "ừm", "uh", "uk", "vâng", "dạ",
            "chuẩn", "yes", "y", "yeah", "yep", "👍"),
    "no": ("không", "không đúng", "không phải", "sai", "no", "n", "nope"),
    "cancel": ("thôi", "thôi khỏi", "khỏi", "hủy", "huỷ", "hủy bỏ", "cancel", "stop"),
    # … and, with no question open:
    "undo": ("xóa báo cáo", "xoá báo cáo", "xóa bc", "rút lại", "rút lại báo cáo", "rút báo cáo",
             "hủy báo cáo", "huỷ báo cáo", "hủy bc", "undo", "take back", "take it back",
             "delete report", "delete my report", "delete the report", "cancel my report",
             "undo my last report", "undo last report", "gửi nhầm xóa báo cáo", "gửi nhầm xoá báo cáo",
             "nhầm xóa báo cáo", "rút lại báo cáo hôm qua", "rút lại báo cáo hôm thứ 2",
             "rút lại báo cáo hôm thứ 3", "rút lại báo cáo hôm thứ 4", "rút lại báo cáo hôm thứ 5",
             "rút lại báo cáo hôm thứ 6", "rút lại báo cáo hôm thứ 7"),
    "nothing": ("tuần này không có gì", "tuần này không có", "tuần này không có gì để báo cáo",
                "tuần này không có gì báo cáo", "tuần này thôn không có gì", "không có gì tuần này",
                "không có gì để báo cáo", "không có gì báo cáo",
                "không có gì để bc", "không có gì bc", "tuần này không làm được gì",
                "tuần này thôn không có gì để báo cáo", "tuần này tổ nghỉ", "tuần này nghỉ",
                "tuần này tổ nghỉ không đi được", "tuần này không đi được",
                "nothing this week", "nothing to report", "nothing to report this week",
                "no report this week"),
    "nothing_last_week": ("tuần trước không có gì", "tuần trước không có", "tuần trước không có gì để báo cáo",
                          "tuần trước không có gì báo cáo", "tuần trước thôn không có gì", "không có gì tuần trước",
                          "tuần rồi không có gì", "tuần qua không có gì", "tuần vừa rồi không có gì",
                          "tuần trước tổ nghỉ", "tuần trước nghỉ", "tuần trước không làm được gì",
                          "tuần trước không đi được", "tuần trước tổ nghỉ không đi được",
                          "nothing last week", "nothing to report last week", "no report last week"),
    "greeting": ("chào", "xin chào", "chào bạn", "chào buổi sáng", "chào buổi chiều", "chào buổi tối",
                 "chào cả nhà", "chào mọi người", "bot ơi", "alo", "hi", "hello", "hey", "good morning",
                 "good afternoon", "good evening", "👋"),
    "thanks": ("cảm ơn", "cám ơn", "cảm ơn nhiều", "camon", "cảm ơn bạn", "cảm ơn cả nhà", "thanks",
               "thank you", "thank", "thx", "tks", "ok", "oke", "okay", "oki", "👍", "🙏"),
    # The commands a member asks for in words (`em muốn báo cáo`, `đổi ngôn ngữ`):
    "guided": ("em muốn báo cáo", "muốn báo cáo", "báo cáo từng bước", "i want to report", "report step by step"),
    "help": ("trợ giúp", "giúp đỡ", "hướng dẫn", "hướng dẫn cách báo cáo", "cách báo cáo",
             "báo cáo thế nào", "báo cáo như thế nào", "help", "how do i report", "how to report"),
    "evidence": ("minh chứng", "gửi minh chứng", "gửi ảnh minh chứng", "gửi ảnh minh chứng thế nào",
                 "gửi minh chứng thế nào", "cách gửi minh chứng", "send evidence", "evidence"),
    "unphoto": ("xóa ảnh", "xoá ảnh", "xóa ảnh minh chứng", "xoá ảnh minh chứng", "xóa minh chứng",
                "xoá minh chứng", "gửi nhầm ảnh", "nhầm ảnh", "gửi nhầm ảnh rồi", "rút ảnh", "rút lại ảnh",
                "hủy ảnh", "huỷ ảnh", "xóa hình", "xoá hình", "gửi nhầm hình", "delete the photo", "delete photo",
                "delete my photo", "wrong photo", "take back the photo"),
    "language": ("đổi ngôn ngữ", "ngôn ngữ", "đổi sang tiếng anh", "đổi sang tiếng việt", "tiếng anh",
                 "tiếng việt", "change language", "language", "english", "vietnamese"),
    # A correction: its words in front, or alone for `/sua` with nothing named.
    "edit": ("sửa", "sửa lại", "xin sửa", "xin sửa lại", "sửa số liệu", "sửa báo cáo", "sửa bc",
             "sửa lại báo cáo", "sửa lại bc", "chỉnh", "chỉnh lại", "điều chỉnh", "điều chỉnh lại",
             "nhầm", "bị nhầm", "gửi nhầm", "ghi nhầm", "nhập nhầm", "báo nhầm", "báo cáo nhầm",
             "bc nhầm", "nhầm rồi", "sai rồi", "edit", "fix", "correction", "correct", "change"),
    # … the words inside it, between the indicator and its counts:
    "edit.to": ("là", "=", "bằng", "to", "is"),
    "edit.right": ("thành", "sửa thành", "đổi thành", "đúng là", "phải là", "đúng ra là", "->", "→",
                   "should be"),
    "edit.not": ("chứ không phải", "chứ không phải là", "không phải", "không phải là", "chứ không",
                 "not", "instead of", "thay vì"),
    "edit.wrong": ("sai", "sai rồi", "bị sai", "nhầm", "nhầm rồi", "bị nhầm", "là sai", "wrong",
                   "is wrong"),
    # … a unit after the right count: `sửa lại định danh 6 người`.
    "edit.unit": ("người", "ng", "hộ", "tài khoản", "tk", "người dân"),
    # A correction without correction words in front (`em nhập sai, hộ 21 mới đúng`, `à quên bdhvs
    # chỉ 2 thôi`): words of error anywhere …
    "edit.error": ("sai", "bị sai", "nhầm", "bị nhầm", "gõ nhầm", "gõ sai", "nhập sai", "nhập nhầm", "ghi sai",
                   "ghi nhầm", "báo sai", "báo nhầm", "quên", "mới đúng", "mới là đúng", "mới chính xác",
                   "typo", "wrong", "my mistake", "mistake"),
    # … and words around the indicator and its one count that say nothing more.
    "edit.aside": ("à", "ơi", "xin lỗi", "sorry", "là", "đúng là", "đúng ra là", "phải là", "chỉ", "thôi",
                   "số", "lại", "rồi", "mới", "should be", "is", "only"),
    # Taking back one indicator's count: these, or the take-back words above, then the indicator
    # (`xóa giúp em báo cáo cks`, `hủy báo cáo thanh toán`).
    "undo.one": ("xóa", "xoá", "hủy", "huỷ", "rút", "rút lại", "bỏ", "delete", "remove"),
    # Left out anywhere: politeness and the bot's name (but a message of nothing else keeps them: `dạ`).
    "filler": ("dạ", "ạ", "em", "anh", "chị", "ơi", "nhé", "nha", "nhen", "giúp", "giùm", "với", "bot",
               "ad", "admin", "please", "pls", "plz", "👍", "🙏"),
    # Left out of a whole message: `xóa báo cáo vừa gửi`, `đúng rồi`, `cảm ơn nhiều`.
    "tail": ("rồi", "đi", "luôn", "nữa", "nhiều", "này", "đó", "vừa gửi", "vừa rồi", "vừa nãy", "lúc nãy",
             "gần nhất", "cuối", "hôm nay"),
}
# How people shorten words on a phone keyboard: the word it stands for.
SHORTHANDS = {"e": "em", "ko": "khong", "k": "khong", "kg": "khong", "khg": "khong", "kh": "khong", "hok": "khong",
              "hk": "khong", "hong": "khong", "khum": "khong", "j": "gi", "dc": "duoc", "vs": "voi",
              "fai": "phai"}

# Intents are said in a few words; a longer message is a report or chatter (and the shapes'
# regular expressions would take their time over a page of text).
MAX_WORDS = 40
ANSWERS = ("cancel", "no", "yes")  # with a question open
MEANINGS = ("undo", "nothing", "nothing_last_week", "edit", "greeting", "thanks", "guided", "help", "evidence", "unphoto",
            "language")  # with none

_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+|->|[=→👍🙏👋]")
_NUMBER = r"\d+(?:[.,]\d+)*"


@dataclass(frozen=True, slots=True)
class _Word:
    typed: str
    folded: str
    key: str  # folded, shorthand spelled out: what the vocabulary is matched against


@dataclass(frozen=True)
class Intent:
    kind: str  # one of MEANINGS
    args: str = ""  # edit: the message itself, which `correction` reads again


@dataclass(frozen=True)
class Correction:
    """`sửa lại vneid 6`, `vneid là 4 chứ không phải 5`: one count and its right value."""

    indicator: str  # as typed, for the report grammar to look up
    count: str  # the right count, as typed
    old: str | None  # the count it replaces, when named
    triggered: bool  # begins with correction words (`sửa`, `nhầm`, …)
    marked: bool  # names an old count or says it is wrong: a report would not


def _words(text: str) -> list[_Word]:
    words = []
    for match in _WORD.finditer(unicodedata.normalize("NFC", text)):
        folded = fold(match.group())
        words.append(_Word(match.group(), folded, SHORTHANDS.get(folded, folded)))
    return words


@cache
def _phrases(kind: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(word.key for word in _words(phrase)) for phrase in VOCABULARY[kind])


@cache
def _longest(kind: str) -> int:
    return max(map(len, _phrases(kind)))


def _match(keys: Sequence[str], i: int, kind: str) -> int:
    """How many words from keys[i] make the longest phrase of this kind (0: none)."""
    for n in range(min(_longest(kind), len(keys) - i), 0, -1):
        if tuple(keys[i : i + n]) in _phrases(kind):
            return n
    return 0


# Typed with their accents, words that only fold like a filler: `ảnh` (a photo) is not `anh`.
NOT_FILLERS = frozenset({"ảnh"})


def _without_fillers(words: list[_Word]) -> list[_Word]:
    kept = [word for word in words if (word.key,) not in _phrases("filler")
            or unicodedata.normalize("NFC", word.typed.lower()) in NOT_FILLERS]
    return kept or words


def _whole(keys: Sequence[str], kind: str) -> bool:
    """Whether the words are nothing but phrases of this kind, and tails (at least one phrase)."""
    i, found = 0, False
    while i < len(keys):
        if n := _match(keys, i, kind):
            found = True
        elif not (n := _match(keys, i, "tail")):
            return False
        i += n
    return found


def _whole_kind(words: list[_Word], kinds: Sequence[str]) -> str | None:
    keys = [word.key for word in words]
    return next((kind for kind in kinds if _whole(keys, kind)), None)


def answer(text: str) -> str | None:
    """`dạ không ạ` → "no", `ok` → "yes", `thôi` → "cancel": a word answering an open question."""
    words = _words(text)
    return None if len(words) > MAX_WORDS else _whole_kind(_without_fillers(words), ANSWERS)


def read(text: str, indicators: Collection[str] = ()) -> Intent | None:
    """What a message asks with no question open, if it is one of the intents.

    `indicators` are the folded indicator aliases: a correction without correction words in
    front (`vneid 5 sai, đúng là 4`) must name one, so that `bdhvs hoàn thành 5` stays a report.
    """
    typed = _words(text)
    if len(typed) > MAX_WORDS:
        return None
    words = _without_fillers(typed)
    # As typed first: a filler folds like other words (`nha` is `nhé` and `nhà`, `anh` is a
    # person and `tiếng Anh`).
    if kind := _whole_kind(typed, MEANINGS) or _whole_kind(words, MEANINGS):
        return Intent(kind)
    if week := _week_with_nothing(words):
        return Intent("nothing", week)
    if taken_back := _taken_back(words, indicators):
        return Intent("undo", taken_back)
    wanted = _correction(words)
    # Without correction words in front, the indicator must be one (or none: `gõ nhầm, đúng là 5`
    # mends the latest report).
    if wanted and (wanted.triggered or (wanted.marked and (not wanted.indicator or fold(wanted.indicator) in indicators))):
        return Intent("edit", text)
    # Correction words inside a message that names an indicator and a number, in no shape above
    # (`hôm thứ 2 em báo vneid 5, sửa lại là 6`): which count, the member picks from the /sua list.
    keys = [word.key for word in words]
    if (any(keys[i] in _EDIT_ANYWHERE and _match(keys, i, "edit") for i in range(len(keys)))
            and any(key[0].isdigit() for key in keys) and any(key in indicators for key in keys)):
        return Intent("edit")
    return None


_EDIT_ANYWHERE = frozenset({"sua", "nham", "chinh"})  # correction words that no report holds


@cache
def _nothing_without_its_week() -> frozenset[tuple[str, ...]]:
    """"Nothing last week"'s phrases without their week (`không có gì`, `tổ nghỉ`, `nothing`):
    what says "nothing" beside any week named."""
    last_week = {("tuan", "truoc"), ("last", "week")}
    return frozenset(phrase[2:] if phrase[:2] in last_week else phrase[:-2]
                     for phrase in _phrases("nothing_last_week") if {phrase[:2], phrase[-2:]} & last_week)


def _week_with_nothing(words: list[_Word]) -> str | None:
    """`hai tuần trước không có gì`, `không có gì tuần cuối tháng 11`: the week's words as typed
    (for `/khong`), when the rest says nothing to report."""
    keys = [word.key for word in words]
    for i in range(len(keys)):
        # Only how many words name the week counts here: `/khong` reads them again for its day.
        named = named_period(keys, i, date.today(), kinds=("week",))
        if named and tuple(keys[:i] + keys[i + named[0]:]) in _nothing_without_its_week():
            return " ".join(word.typed for word in words[i:i + named[0]])
    return None


def _taken_back(words: list[_Word], indicators: Collection[str]) -> str | None:
    """`xóa báo cáo cks`, `hủy báo cáo thanh toán`: the indicator taken back, as typed."""
    keys = [word.key for word in words]
    start = _match(keys, 0, "undo") or _match(keys, 0, "undo.one")
    end = len(keys)
    while end > start and _match(keys, end - 1, "tail") == 1:
        end -= 1
    named = words[start:end]
    if start and named and " ".join(keys[start:end]) in indicators:
        return " ".join(word.typed for word in named)
    return None


@cache
def _alternatives(kind: str) -> str:
    """The phrases of a kind as a regular expression on words joined by single spaces."""
    phrases = sorted((" ".join(phrase) for phrase in _phrases(kind)), key=len, reverse=True)
    return "(?:" + "|".join(map(re.escape, phrases)) + ")"


@cache
def _shapes() -> tuple[re.Pattern, ...]:
    indicator = r"(?P<ind>[^\W\d_]+(?: [^\W\d_]+)*?)"  # words without digits
    to, right = _alternatives("edit.to"), _alternatives("edit.right")
    new, old = rf"(?P<new>{_NUMBER})", rf"(?P<old>{_NUMBER})"
    return (  # the most telling first: `vneid sai rồi, sửa thành 6` is not indicator `vneid sai rồi sửa`
        re.compile(rf"{indicator}(?: {old})?(?: {to})? (?P<wrong>{_alternatives('edit.wrong')})"
                   rf"(?: (?:{right}|{to}))? {new}"),
        re.compile(rf"{indicator} {old} (?:{right}|{to}) {new}"),
        re.compile(rf"{indicator}(?: (?:(?P<right>{right})|{to}))? {new}(?: {_alternatives('edit.unit')})?"
                   rf"(?: {_alternatives('edit.not')} {old})?"),
    )


def correction(text: str) -> Correction | None:
    """The indicator, the right count and the old one of a correction, or None if it is none."""
    return _correction(_without_fillers(_words(text)))


def _correction(words: list[_Word]) -> Correction | None:
    all_words = words
    start = _match([word.key for word in words], 0, "edit")
    if erred := _error_correction(all_words, triggered=bool(start)):
        return erred  # its indicator is only the indicator's words: `gõ nhầm, đúng là 5` names none
    words = words[start:]
    joined = " ".join(word.key for word in words)
    found = next(filter(None, (shape.fullmatch(joined) for shape in _shapes())), None)
    if found is None:
        return None
    offsets = list(accumulate((len(word.key) + 1 for word in words[:-1]), initial=0))  # each word's place in `joined`

    def typed(group: str) -> str:
        """The words of a group as typed (`định danh`, `1.200`), for the replies to quote."""
        first, last = found.span(group)
        return " ".join(word.typed for word, at in zip(words, offsets, strict=True) if first <= at < last)

    groups = found.groupdict()
    old = typed("old") if groups.get("old") else None
    return Correction(typed("ind"), typed("new"), old, triggered=bool(start),
                      marked=bool(old or groups.get("right") or groups.get("wrong")))


def _error_correction(words: list[_Word], triggered: bool) -> Correction | None:
    """`em nhập sai, hộ 21 mới đúng`, `à quên bdhvs chỉ 2 thôi`, `gõ nhầm, đúng là 5`: words of
    error, one count, and around them nothing but the indicator's words (or none)."""
    keys = [word.key for word in words]
    counts, named, erred, i = [], [], False, 0
    while i < len(keys):
        if n := _match(keys, i, "edit.error"):
            erred = True
        elif keys[i][0].isdigit():
            counts.append(i)
            n = 1
        elif not (n := _match(keys, i, "edit.aside")):
            named.append(i)
            n = 1
        i += n
    if len(counts) != 1 or (named and named != list(range(named[0], named[-1] + 1))):
        return None
    if not erred:
        return None  # `tuần này chỉ được 5 vneid thôi` is a report: `chỉ … thôi` alone says no error
    [at] = counts
    indicator = " ".join(words[i].typed for i in named)
    return Correction(indicator, words[at].typed, None, triggered=triggered, marked=True)
