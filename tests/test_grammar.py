"""The one-message report grammar: `hộ 12 vneid 5 bdhvs 3`."""

import unicodedata
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tocds.handlers.grammar import (
    ERROR_CODES,
    MAX_COUNT,
    MAX_DAYS_BACK,
    ParseError,
    QuickReport,
    parse_report,
)
from tocds.handlers.reading import attempts_report

# The product's seed: indicator key -> aliases (display form); keys are aliases too.
SEED = {
    "ho": ["ho", "hộ", "hộ gia đình", "tuyên truyền"],
    "vneid": ["vneid", "định danh", "định danh điện tử", "vneid mức 2"],
    "bdhvs": ["bdhvs", "học vụ số", "bình dân học vụ số", "hvs"],
    "cks": ["cks", "chữ ký số", "chữ ký điện tử", "ký số"],
    "tt": ["tt", "thanh toán", "thanh toán điện tử", "không tiền mặt"],
    "ssk": ["ssk", "sổ sức khỏe", "sổ sức khoẻ", "sổ sức khỏe điện tử"],
    "dvc": ["dvc", "dịch vụ công", "dvc trực tuyến"],
}
ALIASES = {alias: key for key, names in SEED.items() for alias in names}
TODAY = date(2026, 3, 15)
VILLAGES = ["Tân Hòa", "Phú Lợi"]


@pytest.fixture
def aliases() -> dict[str, str]:
    return dict(ALIASES)


@pytest.fixture
def parse(aliases):
    def parse(text: str, today: date = TODAY, villages=VILLAGES):
        return parse_report(text, today=today, aliases=aliases, villages=villages)

    return parse


def report(day: date = TODAY, village: str | None = None, **counts: int) -> QuickReport:
    return QuickReport(counts, day, village)


def test_pairs_in_typed_order(parse):
    result = parse("hộ 12 vneid 5 bdhvs 3")
    assert result == report(ho=12, vneid=5, bdhvs=3)
    assert list(result.counts) == ["ho", "vneid", "bdhvs"]
    assert list(parse("bdhvs 3 hộ 12").counts) == ["bdhvs", "ho"]


@pytest.mark.parametrize("alias", ["ho", "hộ", "HỘ", "Hộ", "HO", "hỘ"])
def test_aliases_fold_accents_and_case(parse, alias):
    assert parse(f"{alias} 7") == report(ho=7)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("hộ gia đình 4", "ho"),
        ("HO GIA DINH 4", "ho"),
        ("tuyên truyền 4", "ho"),
        ("định danh điện tử 4", "vneid"),
        ("dinh danh 4", "vneid"),
        ("hoc vu so 4", "bdhvs"),
        ("Bình Dân Học Vụ Số 4", "bdhvs"),
        ("chu ky so 4", "cks"),
        ("không tiền mặt 4", "tt"),
        ("sổ sức khoẻ 4", "ssk"),
        ("so suc khoe dien tu 4", "ssk"),
        ("dvc trực tuyến 4", "dvc"),
        ("vneid mức 2 4", "vneid"),  # the alias ending in a digit wins over `vneid` + count 2
        ("vneid mức 2: 4", "vneid"),
    ],
)
def test_multi_word_aliases_longest_first(parse, text, key):
    assert parse(text) == report(**{key: 4})


def test_short_alias_when_longer_does_not_fit(parse):
    assert parse("vneid 2 hộ 3") == report(vneid=2, ho=3)


@pytest.mark.parametrize(
    "text",
    [
        "vneid:5 bdhvs:3",
        "vneid=5 bdhvs=3",
        "vneid: 5; bdhvs = 3",
        "vneid 5; bdhvs 3",
        "vneid 5,bdhvs 3",
        "vneid 5, bdhvs 3",
        "vneid 5\nbdhvs 3",
        "vneid\t5\tbdhvs\t3",
        "  vneid 5 ,; bdhvs\r\n3  ",
        "vneid5 bdhvs3",
        "VNEID5,BDHVS3",
        "vneid 5. bdhvs 3.",
        "vneid\u200b5\u200bbdhvs\u00a03",
    ],
)
def test_separators(parse, text):
    assert parse(text) == report(vneid=5, bdhvs=3)


def test_glued_vietnamese_alias(parse):
    assert parse("hộ12 dinhdanh 3") == ParseError("unknown_key", word="dinhdanh", suggestion="định danh")
    assert parse("hộ12") == report(ho=12)
    assert parse(unicodedata.normalize("NFD", "hộ12")) == report(ho=12)  # decomposed accents, as some keyboards send


@pytest.mark.parametrize("prefix", ["bc", "BC", "bc:", "báo cáo", "Báo cáo:", "BAO CAO"])
def test_report_prefix_is_ignored(parse, prefix):
    assert parse(f"{prefix} vneid 5") == report(vneid=5)


@pytest.mark.parametrize(
    ("count", "value"),
    [("0", 0), ("007", 7), ("1200", 1200), ("1.200", 1200), ("12.345", 12345), ("1.000.000", MAX_COUNT)],
)
def test_whole_counts(parse, count, value):
    assert parse(f"vneid {count}") == report(vneid=value)


@pytest.mark.parametrize(
    "count", ["2,5", "2.5", "1.20", "1.2000", "1234.567", "0.500", "3/4", "5abc", "năm", "+3", "-"]
)
def test_not_whole(parse, count):
    assert parse(f"vneid {count} hộ 1") == ParseError("not_whole", word=count, key="vneid")


@pytest.mark.parametrize("count", ["-3", "\u22123", "-1.200"])
def test_negative(parse, count):
    assert parse(f"hộ 1 vneid {count}") == ParseError("negative", word=count, key="vneid")


@pytest.mark.parametrize("count", ["1000001", "1.200.000", "99999999999999999999999", "9" * 5000])
def test_too_large(parse, count):
    assert parse(f"vneid {count}") == ParseError("too_large", word=count, key="vneid")


@pytest.mark.parametrize(
    ("text", "word", "key"), [("ho 4 HỘ 2", "HỘ", "ho"), ("vneid 1 bdhvs 3 định danh 2", "định danh", "vneid")]
)
def test_repeated_key(parse, text, word, key):
    assert parse(text) == ParseError("repeated_key", word=word, key=key)


@pytest.mark.parametrize(
    ("text", "word", "key"),
    [
        ("vneid", "vneid", "vneid"),
        ("hộ 2 vneid", "vneid", "vneid"),
        ("vneid bdhvs 3", "vneid", "vneid"),
        ("định danh hộ 3", "định danh", "vneid"),
        ("hộ 2 vneid hôm qua", "vneid", "vneid"),
    ],
)
def test_missing_count(parse, text, word, key):
    assert parse(text) == ParseError("missing_count", word=word, key=key)


@pytest.mark.parametrize(
    ("text", "word"), [("5 vneid 3", "5"), ("vneid 3 4", "4"), ("hộ 1 -2", "-2"), ("vneid 1 1.200", "1.200")]
)
def test_missing_key(parse, text, word):
    assert parse(text) == ParseError("missing_key", word=word)


@pytest.mark.parametrize(
    ("text", "word", "suggestion"),
    [
        ("vnied 5", "vnied", "vneid"),
        ("hộ 1 bdvhs 2", "bdvhs", "bdhvs"),
        ("hoc vu xo 5", "hoc vu xo", "học vụ số"),
        ("Chữ kí số 2", "Chữ kí số", "chữ ký số"),
        ("xyz 5", "xyz", ""),
        ("abc vneid 5", "abc", ""),
        ("vneid 5 👍", "👍", ""),
    ],
)
def test_unknown_key(parse, text, word, suggestion):
    assert parse(text) == ParseError("unknown_key", word=word, suggestion=suggestion)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("vneid 5", TODAY),
        ("hôm nay vneid 5", TODAY),
        ("hom nay vneid 5", TODAY),
        ("hôm qua vneid 5", TODAY - timedelta(days=1)),
        ("HOM QUA vneid 5", TODAY - timedelta(days=1)),
        ("vneid 5 hôm qua", TODAY - timedelta(days=1)),
        ("bc hôm qua: vneid 5", TODAY - timedelta(days=1)),
        ("15/3 vneid 5", TODAY),
        ("vneid 5 09/03", date(2026, 3, 9)),
        ("bc 1/3 vneid 5", TODAY - timedelta(days=MAX_DAYS_BACK)),  # 14 days back: accepted
    ],
)
def test_day(parse, text, day):
    assert parse(text) == report(day, vneid=5)


def test_day_wraps_to_last_year_in_january(parse):
    assert parse("31/12 vneid 5", today=date(2026, 1, 3)) == report(date(2025, 12, 31), vneid=5)
    assert parse("vneid 5 hôm qua", today=date(2026, 1, 1)) == report(date(2025, 12, 31), vneid=5)


def test_leap_day(parse):
    assert parse("29/2 vneid 5", today=date(2028, 3, 5)) == report(date(2028, 2, 29), vneid=5)
    assert parse("29/2 vneid 5", today=date(2026, 3, 5)) == ParseError("bad_date", word="29/2")


@pytest.mark.parametrize(
    ("text", "word", "day"),
    [
        ("28/02 vneid 5", "28/02", date(2026, 2, 28)),  # 15 days back
        ("vneid 5 16/3", "16/3", date(2025, 3, 16)),  # a future date means last year's
    ],
)
def test_day_too_old(parse, text, word, day):
    assert parse(text) == ParseError("day_too_old", word=word, day=day)


@pytest.mark.parametrize("word", ["31/02", "00/05", "12/13", "0/0", "31/4"])
def test_bad_date(parse, word):
    assert parse(f"{word} vneid 5") == ParseError("bad_date", word=word)
    assert parse(f"vneid 5 {word}") == ParseError("bad_date", word=word)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("hôm qua vneid 5 hôm nay", "hôm nay"),
        ("14/3 vneid 5 14/3", "14/3"),
        ("hôm qua Hôm Nay vneid 5", "Hôm Nay"),
    ],
)
def test_repeated_day(parse, text, word):
    assert parse(text) == ParseError("repeated_day", word=word)


def test_day_in_the_middle_is_not_a_day(parse):
    assert parse("vneid 5 hôm qua bdhvs 3") == ParseError("unknown_key", word="hôm qua")
    assert parse("vneid 5 14/3 bdhvs 3") == ParseError("missing_key", word="14/3")


@pytest.mark.parametrize(
    "text",
    [
        "thôn Tân Hòa vneid 5",
        "Tân Hòa vneid 5",
        "tan hoa: vneid 5",
        "THÔN TÂN HOÀ vneid 5",
        "xóm Tân Hòa vneid 5",
        "khu phố tân hòa vneid 5",
        "tdp Tân Hòa vneid 5",
        "tổ dân phố Tân Hòa vneid 5",
        "ấp Tân Hòa vneid5",
        "làng Tân Hòa vneid 5",
        "village tan hoa vneid 5",
        "bc thôn Tân Hòa vneid 5",
    ],
)
def test_village(parse, text):
    assert parse(text) == report(village="Tân Hòa", vneid=5)


def test_village_with_day_before_or_after(parse):
    yesterday = TODAY - timedelta(days=1)
    assert parse("bc hôm qua thôn Phú Lợi vneid 5") == report(yesterday, "Phú Lợi", vneid=5)
    assert parse("Phú Lợi hôm qua vneid 5") == report(yesterday, "Phú Lợi", vneid=5)
    assert parse("hôm qua Phú Lợi vneid 5 hôm nay") == ParseError("repeated_day", word="hôm nay")


def test_village_named_with_its_kind(parse):
    villages = ["Thôn 1", "Thôn 2", "Ấp Bình Minh"]
    assert parse("thôn 2 vneid 5", villages=villages) == report(village="Thôn 2", vneid=5)
    assert parse("xóm 2 vneid 5", villages=villages) == report(village="Thôn 2", vneid=5)
    assert parse("Bình Minh vneid 5", villages=villages) == report(village="Ấp Bình Minh", vneid=5)
    assert parse("2 vneid 5", villages=villages) == ParseError("missing_key", word="2")


def test_alias_wins_over_a_village_of_the_same_name(parse):
    assert parse("hộ 5", villages=["Hộ"]) == report(ho=5)
    assert parse("thôn Hộ hộ 5", villages=["Hộ"]) == report(village="Hộ", ho=5)


def test_no_village_named(parse):
    assert parse("vneid 5", villages=[]) == report(vneid=5)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("thôn Mỹ Lộc vneid 5", "Mỹ Lộc"),
        ("xóm Mỹ Lộc 5", "Mỹ Lộc"),
        ("thôn Mỹ  Lộc hôm qua vneid 5", "Mỹ  Lộc"),
        ("thôn 3 vneid 5", "3"),
        ("thôn vneid 5", "thôn"),
    ],
)
def test_unknown_village(parse, text, word):
    assert parse(text) == ParseError("unknown_village", word=word)


@pytest.mark.parametrize("text", ["hôm qua", "bc hôm nay", "12/3", "thôn Tân Hòa", "Phú Lợi hôm qua"])
def test_no_pairs(parse, text):
    assert parse(text) == ParseError("no_pairs")


@pytest.mark.parametrize(
    "text",
    ["", "   ", "xin chào", "ok", "👍", "bc", "Báo cáo", "hôm nay trời đẹp quá", "thôn mình vui", "\x00\x07",
     "مرحبا"],  # fmt: skip
)
def test_not_a_report(parse, text):
    assert parse(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\x00vneid\x075", report(vneid=5)),
        ("\u202evneid 5\u202c", report(vneid=5)),  # RTL override marks
        ("مرحبا 5", ParseError("unknown_key", word="مرحبا")),
        ("vneid 5 " * 625, ParseError("repeated_key", word="vneid", key="vneid")),
        ("9" * 5000, ParseError("missing_key", word="9" * 5000)),
        ("x" * 5000 + " 1", ParseError("unknown_key", word="x" * 5000)),
        (",", None),
        ("1", ParseError("missing_key", word="1")),
    ],
)
def test_odd_text(parse, text, expected):
    assert parse(text) == expected


def test_error_codes():
    assert set(ERROR_CODES) == {
        "unknown_key", "not_whole", "negative", "too_large", "missing_count", "missing_key",
        "repeated_key", "bad_date", "day_too_old", "repeated_day", "unknown_village", "no_pairs",
        "unpaired_number", "vague_day", "unclear", "week_not_begun", "week_too_old",
    }  # fmt: skip


# --- properties ---

# Hypothesis tests cannot take function-scoped fixtures, so they use the module constants.
FRAGMENTS = [
    *ALIASES, *VILLAGES, "bc", "báo cáo", "thôn", "hôm nay", "hôm qua", "31/12", "1.200", "2,5", "-3", "\u22125",
    "0", "999999999", "vneid5", "/", ".", ",", ";", ":", "=", "\n", "\t", " ", "đ", "👍", "\u0301", "\u200b", "x",
]  # fmt: skip


def _check(result):
    if isinstance(result, ParseError):
        assert result.code in ERROR_CODES
    elif result is not None:
        assert set(result.counts) <= set(ALIASES.values())
        assert all(0 <= count <= MAX_COUNT for count in result.counts.values())


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_never_raises(text):
    _check(parse_report(text, today=TODAY, aliases=ALIASES, villages=VILLAGES))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3) | st.integers().map(str), max_size=20),
    st.sampled_from(["", " "]),
)
def test_report_like_text_never_raises(parts, glue):
    _check(parse_report(glue.join(parts), today=TODAY, aliases=ALIASES, villages=VILLAGES))


def _accentless(text: str) -> str:
    """As typed on a keyboard without Vietnamese input."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@st.composite
def valid_reports(draw):
    """(text, today, counts, day, village) of a well-formed report."""
    today = draw(st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)))
    keys = draw(st.lists(st.sampled_from(list(SEED)), min_size=1, unique=True))
    counts, pairs = {}, []
    for key in keys:
        alias = draw(st.sampled_from(SEED[key]))
        alias = _accentless(alias) if draw(st.booleans()) else alias
        alias = getattr(alias, draw(st.sampled_from(["lower", "upper", "title", "strip"])))()
        count = draw(st.integers(0, MAX_COUNT))
        number = f"{count:,}".replace(",", ".") if draw(st.booleans()) else str(count)
        # glued (`vneid5`) only when the alias ends in a letter: `vneid mức 2` + `5` would read 25
        glue = draw(st.sampled_from([" ", ":", "=", ": ", " = ", "\t", "" if alias[-1].isalpha() else " "]))
        counts[key] = count
        pairs.append(alias + glue + number + draw(st.sampled_from([" ", ", ", ",", ";", "; ", "\n", ". "])))
    back = draw(st.integers(0, MAX_DAYS_BACK))
    day = today - timedelta(days=back)
    day_texts = [f"{day.day}/{day.month}", f"{day.day:02}/{day.month:02}"]
    day_texts += {0: ["hôm nay", "hom nay", "HÔM NAY"], 1: ["hôm qua", "Hom Qua"]}.get(back, [])
    day_text = draw(st.sampled_from(day_texts))
    village = draw(st.sampled_from([None, *VILLAGES]))
    village_text = "" if village is None else draw(st.sampled_from(["", "thôn ", "Xóm ", "tdp "])) + village
    placement = draw(st.sampled_from(["none", "start", "after village", "end"]))
    parts = [
        draw(st.sampled_from(["", "bc", "Báo cáo:"])),
        day_text if placement == "start" else "",
        village_text,
        day_text if placement == "after village" else "",
        "".join(pairs),
        day_text if placement == "end" else "",
    ]
    return " ".join(filter(None, parts)), today, counts, today if placement == "none" else day, village


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_reports())
def test_valid_reports_parse_exactly(case):
    text, today, counts, day, village = case
    result = parse_report(text, today=today, aliases=ALIASES, villages=VILLAGES)
    assert result == QuickReport(counts, day, village), text
    assert list(result.counts) == list(counts)


@pytest.mark.parametrize(
    ("text", "named"),
    [("Chiều nay 2 giờ họp", False), ("cảm ơn", False), ("VNEID 2,5", True), ("", False),
     ("ai xong hoc vu so chua", False),  # names an indicator, but counts nothing: a question in the group
     ("cách cài VNeID cho người già", False), ("Hỗ trợ 7 người", False), ("danh sách 35 hộ nghèo", False),
     ("hồ sơ 3 bộ", False), ("12 hộ", True), ("vnied 6", True), ("hôm nay tổ em đi 15 hộ", True)],
)
def test_attempts_report(text, named):
    assert attempts_report(text, ALIASES) is named
