"""Periods named by where they lie from today — `tuần này`, `tuần trước` (`tuần trc`, `tuần
rồi`, `tuần qua`, `tuần vừa rồi`, `last week`), `tuần trước nữa`, `hai tuần trước` (`2 tuần
trước`, `two weeks ago`), `tuần sau`, `tháng trước`, `năm ngoái` — and a month's last week
(`tuần cuối tháng 11`). The report reader (reading.py) and the questions (questions.py) both
read them here, from folded words (`models.text.fold`: no accents, lower case). Pure."""

from collections.abc import Collection, Sequence
from datetime import date

from ..models.periods import Period, containing, numbered, shifted, week_of

KINDS = ("week", "month", "quarter", "year")
UNIT_WORDS = {"tuan": "week", "week": "week", "weeks": "week", "thang": "month", "month": "month",
              "months": "month", "quy": "quarter", "quarter": "quarter", "quarters": "quarter",
              "nam": "year", "year": "year", "years": "year"}
# After the unit (`tuần trước`, `tháng tới`, `năm ngoái`): periods from the current one.
SHIFTS = {("truoc", "nua"): -2, ("trc", "nua"): -2, ("vua", "roi"): -1, ("vua", "qua"): -1, ("nay",): 0,
          ("truoc",): -1, ("trc",): -1, ("qua",): -1, ("roi",): -1, ("ngoai",): -1, ("sau",): 1, ("toi",): 1}
# Before it, in English (`last week`).
ENGLISH_SHIFTS = {"this": 0, "last": -1, "next": 1}
# `hai tuần trước`, `2 weeks ago`: so many periods back.
COUNT_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9,
               "muoi": 10, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
AGO = frozenset({"truoc", "trc", "ago"})
WEEKDAY_WORD = "thu"  # `thứ hai`, `thứ 3`: a weekday, never so many weeks


def shift(words: Sequence[str]) -> int | None:
    """Periods from the current one that the words after a unit say (`trước nữa`: -2), or the
    English word before it (`last`: -1); None for other words."""
    return SHIFTS.get(tuple(words), ENGLISH_SHIFTS.get(" ".join(words)))


def count_at(words: Sequence[str], i: int) -> int | None:
    """The number of periods back written at i (`hai`, `2`), not a weekday's (`thứ hai`)."""
    if i > 0 and words[i - 1] == WEEKDAY_WORD:
        return None
    word = words[i]
    return int(word) if word.isdecimal() and len(word) <= 2 else COUNT_WORDS.get(word)


def named_period(words: Sequence[str], i: int, today: date,
                 kinds: Collection[str] = KINDS) -> tuple[int, Period | None] | None:
    """(words read, period) of a period of one of `kinds` named at words[i] by where it lies
    from today, or of a month's last week; the period is None for a month that does not exist
    (`tuần cuối tháng 13`). None: no such words at i."""
    at = words[i:i + 6]
    if (back := count_at(words, i)) is not None and len(at) >= 3 and \
            UNIT_WORDS.get(at[1]) in kinds and at[2] in AGO:  # `hai tuần trước`, `2 weeks ago`
        return 3, shifted(containing(UNIT_WORDS[at[1]], today), -back)
    if "week" in kinds and at[:2] == ["tuan", "cuoi"]:
        return _month_end_week(at, today)
    if at[0] in ENGLISH_SHIFTS and len(at) >= 2 and UNIT_WORDS.get(at[1]) in kinds:  # `last week`
        return 2, shifted(containing(UNIT_WORDS[at[1]], today), ENGLISH_SHIFTS[at[0]])
    if UNIT_WORDS.get(at[0]) not in kinds:
        return None
    for length in (2, 1):  # `tuần trước nữa` before `tuần trước`
        if len(at) > length and (steps := SHIFTS.get(tuple(at[1:1 + length]))) is not None:
            return 1 + length, shifted(containing(UNIT_WORDS[at[0]], today), steps)
    return None


def _month_end_week(at: Sequence[str], today: date) -> tuple[int, Period | None] | None:
    """`tuần cuối tháng 11` (`tuần cuối của tháng 11`): the week holding that month's last day,
    of this year or last, whichever is nearer today (in January, `tuần cuối tháng 12` is the
    December just gone; on 25/11, `tuần cuối tháng 11` the week about to begin); `tuần cuối
    tháng này` / `tháng trước`: of that month."""
    month_at = 3 if at[2:3] == ["cua"] else 2
    if at[month_at:month_at + 1] != ["thang"] or len(at) <= month_at + 1:
        return None
    length = month_at + 2
    said = at[month_at + 1]
    if said.isdecimal():
        if not 1 <= int(said) <= 12:
            return length, None
        weeks = (week_of(numbered("month", year, int(said)).last) for year in (today.year, today.year - 1))
        return length, min(weeks, key=lambda week: max(week.first - today, today - week.last))
    for words in (at[month_at + 1:month_at + 3], at[month_at + 1:month_at + 2]):
        if (steps := SHIFTS.get(tuple(words))) is not None:
            return month_at + 1 + len(words), week_of(shifted(containing("month", today), steps).last)
    return None
