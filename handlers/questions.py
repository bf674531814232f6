"""Questions a leader types in plain words: `tiến độ vneid`, `thôn Tân Hòa tháng 11`,
`xếp hạng bdhvs`, `ai chưa báo cáo`.

A question is read into its parts — what is asked (topic), which indicator, which
village, which period — without accents or case, and answered by the command that
answers it, with that command's permission check. `/tiendo` reads its arguments with
the same reader, so `/tiendo vneid Tân Hòa` and `tiến độ vneid thôn Tân Hòa` agree.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import select

from ..models import Level, OrgUnit
from ..models.periods import Period, parse_period, week_of
from ..models.text import fold
from .context import Context
from .grammar import VILLAGE_KINDS
from .report import aliases

# What is asked, by the folded words that ask it (English too).
TOPICS = {
    "missing": ("chua bao cao", "ai chua", "chua nop", "missing", "not reported", "who has not"),
    "ranking": ("xep hang", "bang xep hang", "ranking", "rank"),
    "progress": ("tien do", "den dau", "bao nhieu", "the nao", "progress", "how far", "how many"),
}
FOLDED_KINDS = tuple(fold(kind) for kind in VILLAGE_KINDS)  # the report grammar's kind words
# Phrases that end a village's name typed in a question ("thôn X tháng 11", "thôn X tiến độ").
QUESTION_PHRASES = [phrase.split() for phrases in TOPICS.values() for phrase in phrases] + [
    [word] for word in ("tuan", "thang", "quy", "nam", "week", "month", "quarter", "year")]

_PERIOD_PATTERNS = (
    # (regex on folded text, kind); the number group is optional ("tháng này")
    (re.compile(r"\b(?:tuan|week)(?:\s+(nay|truoc|this|last))?\b"), "week"),
    (re.compile(r"\b(?:thang|month)(?:\s+(nay|truoc|this|last|\d{1,2}))?\b"), "month"),
    (re.compile(r"\b(?:quy|quarter)(?:\s+(nay|this|[1-4]|i{1,3}|iv))?\b"), "quarter"),
    (re.compile(r"\b(?:nam|year)\s+(nay|this|\d{4})\b"), "year"),
    (re.compile(r"\b(\d{4}-(?:w\d{1,2}|q[1-4]|h[12]|\d{1,2}))\b"), "label"),
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


@dataclass
class Question:
    topic: str | None = None  # missing | ranking | progress
    indicator: str | None = None  # an indicator key
    village: OrgUnit | None = None
    unknown_village: str | None = None  # "thôn X" named, but X is none of the villages this person may see
    period: Period | None = None
    bad_period: str | None = None  # a period written that does not exist (tháng 13, 2026-W60)

    @property
    def understood(self) -> bool:
        return any((self.topic, self.indicator, self.village, self.unknown_village, self.period, self.bad_period))


def topic_of(text: str) -> str | None:
    """What is asked, from the words alone (cheap: a member's every message passes here)."""
    folded = fold(text)
    return next((topic for topic, phrases in TOPICS.items() if any(_has(folded, p) for p in phrases)), None)


def _has(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", text) is not None


def _remove(text: str, phrase: str) -> str:
    return re.sub(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", " ", text, count=1)


def visible_villages(context: Context) -> list[OrgUnit]:
    """The villages this person may ask about: their own, and every village of their communes."""
    villages = {v.id: v for v in context.villages()}
    commune_ids = [c.id for c in context.communes()]
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
    folded = fold(text).replace("/", " ")
    indicator_words = sorted(((fold(a), k) for a, k in aliases(context).items()), key=lambda p: -len(p[0]))
    folded, question.village = _village(context, folded)
    if question.village is None:
        stop = [phrase.split() for phrase, _ in indicator_words] + QUESTION_PHRASES
        unknown = _unknown_village(folded, stop)
        question.unknown_village = unknown and as_typed(text, unknown)
    question.topic = topic_of(folded)
    question.indicator = next((key for phrase, key in indicator_words if _has(folded, phrase)), None)
    question.period, bad_period = _period(folded, context.today(question.village))
    question.bad_period = bad_period and as_typed(text, bad_period)
    return question


def _village(context: Context, folded: str) -> tuple[str, OrgUnit | None]:
    """The village named in the text (full name, or the name after its kind word), and
    the text without it."""
    candidates = []
    for village in visible_villages(context):
        candidates.append((village.name_key, village))
        bare = village.name_key.split(" ", 1)
        if len(bare) == 2 and bare[0] in FOLDED_KINDS:
            candidates.append((bare[1], village))
    for phrase, village in sorted(candidates, key=lambda c: -len(c[0])):
        if _has(folded, phrase):
            return _remove(folded, phrase), village
    return folded, None


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
    for pattern, kind in _PERIOD_PATTERNS:
        match = pattern.search(folded)
        if match is None:
            continue
        word = match.group(1)
        try:
            return period_of(kind, word, today), None
        except ValueError:
            return None, match.group(0)
    return None, None


def period_of(kind: str, word: str | None, today: date) -> Period:
    """`tháng 11`, `quý III`, `tuần trước`, `năm nay` (kind and word) as a period of today's year."""
    last = word in ("truoc", "last")
    if kind == "label":
        return parse_period(word.upper())
    if kind == "week":
        return week_of(today - timedelta(days=7) if last else today)
    if kind == "month":
        if word and word.isdigit():
            return parse_period(f"{today.year}-{int(word):02d}")
        first = today.replace(day=1)
        month = (first - timedelta(days=1)) if last else first
        return parse_period(f"{month.year}-{month.month:02d}")
    if kind == "quarter":
        number = _ROMAN.get(word) or (int(word) if word and word.isdigit() else (today.month - 1) // 3 + 1)
        return parse_period(f"{today.year}-Q{number}")
    return parse_period(str(today.year) if word in (None, "nay", "this") else word)


def command_for(question: Question) -> str | None:
    """The command that answers the question (its permission applies)."""
    if question.topic == "missing":
        return "chuabaocao"
    if question.topic == "ranking":
        return "xephang"
    return "tiendo" if question.understood else None
