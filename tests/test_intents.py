"""Intents in words (handlers/intents.py), written the way volunteers type on their phones."""

import importlib

import pytest

from tocds.handlers.intents import Correction, Intent, answer, correction, read
from tocds.models.text import fold

# The indicator words the product seeds (keys and aliases), folded as dispatch passes them.
SEED = importlib.import_module("tocds.models.migrations.versions.0001_initial_schema").DEFAULT_INDICATORS
INDICATORS = frozenset(fold(word) for key, *_, aliases in SEED for word in [key, *aliases])


@pytest.mark.parametrize(
    ("text", "indicator", "count", "old"),
    [
        ("sửa lại vneid 6", "vneid", "6", None),
        ("sua lai vneid 6", "vneid", "6", None),
        ("Sửa lại VNEID 6 ạ", "VNEID", "6", None),
        ("sua lai vneid6", "vneid", "6", None),
        ("sửa vneid thành 6", "vneid", "6", None),
        ("sua vneid thanh 6 nhe", "vneid", "6", None),
        ("sửa giúp em vneid 5 thành 6", "vneid", "6", "5"),
        ("bot ơi sửa lại hộ 12 😅", "hộ", "12", None),
        ("dạ em sửa lại định danh 6 ạ", "định danh", "6", None),
        ("nhầm, vneid là 4 chứ không phải 5", "vneid", "4", "5"),
        ("nham, vneid la 4 chu ko phai 5", "vneid", "4", "5"),
        ("nhầm vneid là 4 chứ k phải 5 ạ", "vneid", "4", "5"),
        ("Nhầm rồi, hvs là 3 chứ ko fai 2", "hvs", "3", "2"),
        ("vneid 5 sai, đúng là 4", "vneid", "4", "5"),
        ("vneid5 sai,dung la 4", "vneid", "4", "5"),
        ("vneid 5 sai rồi, đúng là 4 ạ", "vneid", "4", "5"),
        ("vneid sai rồi, sửa thành 6", "vneid", "6", None),
        ("vneid 5 -> 6", "vneid", "6", "5"),
        ("vneid 5→6", "vneid", "6", "5"),
        ("định danh là 4 chứ ko phải 5", "định danh", "4", "5"),
        ("ssk 1.200 chu k phai 1.300", "ssk", "1.200", "1.300"),
        ("sửa lại sổ sức khỏe = 7", "sổ sức khỏe", "7", None),
        ("change vneid to 6", "vneid", "6", None),
        ("edit vneid 6", "vneid", "6", None),
        ("vneid is 4 not 5", "vneid", "4", "5"),
        ("vneid should be 6", "vneid", "6", None),
        ("fix vneid 5 to 6", "vneid", "6", "5"),
    ],
)
def test_a_correction_names_the_indicator_the_right_count_and_maybe_the_old_one(text, indicator, count, old):
    assert read(text, INDICATORS) == Intent("edit", text)
    wanted = correction(text)
    assert (wanted.indicator, wanted.count, wanted.old) == (indicator, count, old)


def test_a_correction_without_correction_words_must_name_an_indicator():
    # `sửa …` is a correction whatever follows (a misspelt indicator gets the grammar's suggestion) …
    assert read("sửa lại vnied 6", INDICATORS) == Intent("edit", "sửa lại vnied 6")
    # … but without it, only a known indicator makes one: `hoàn thành` is not `thành`.
    assert correction("bdhvs hoàn thành 5") == Correction("bdhvs hoàn", "5", None, False, True)
    assert read("bdhvs hoàn thành 5", INDICATORS) is None
    assert read("vnied 5 sai, đúng là 4", INDICATORS) is None


@pytest.mark.parametrize(
    ("text", "indicator", "count"),
    [
        ("em nhập sai, hộ 21 mới đúng", "hộ", "21"),
        ("e nhap sai ho 21 moi dung", "ho", "21"),
        ("à quên bdhvs chỉ 2 thôi", "bdhvs", "2"),
        ("dạ em ghi nhầm, định danh 8 mới đúng ạ", "định danh", "8"),
        ("xin lỗi gõ nhầm, đúng là 5", "", "5"),
        ("sorry typo, vneid should be 6", "vneid", "6"),
    ],
)
def test_words_of_error_with_one_count_are_a_correction(text, indicator, count):
    assert read(text, INDICATORS) == Intent("edit", text)
    wanted = correction(text)
    assert (wanted.indicator, wanted.count, wanted.old, wanted.marked) == (indicator, count, None, True)


@pytest.mark.parametrize("text", ["hôm qua quên báo, vneid 5", "quên chưa báo vneid 5", "tuần này chỉ được 5 vneid thôi",
                                  "vneid chỉ 2 thôi", "em nhập sai, cây 21 mới đúng", "nhập sai hộ 20 vneid 5"])
def test_words_of_error_around_a_report_leave_it_a_report(text):
    assert read(text, INDICATORS) is None


@pytest.mark.parametrize(("text", "indicator"), [("xóa giúp em báo cáo cks", "cks"), ("hủy báo cáo thanh toán", "thanh toán"),
                                                 ("rút lại định danh", "định danh"), ("xoá báo cáo vneid nhé", "vneid")])
def test_taking_back_one_indicator(text, indicator):
    assert read(text, INDICATORS) == Intent("undo", indicator)


def test_taking_back_something_else_is_no_intent():
    assert read("xóa báo cáo thôn", INDICATORS) is None
    assert read("hủy cuộc họp", INDICATORS) is None


def test_the_command_reads_the_same_shapes():
    # `/sua vneid 6` hands "vneid 6" over: not marked as a correction, but read as one.
    assert correction("vneid 6") == Correction("vneid", "6", None, False, False)
    assert correction("vneid") is None
    assert correction("6") is None
    assert correction("vneid 5 bdhvs 3") is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("xóa báo cáo", "undo"),
        ("xoá báo cáo vừa gửi", "undo"),
        ("xoa bao cao vua gui", "undo"),
        ("XÓA BC", "undo"),
        ("rút lại", "undo"),
        ("rut lai bao cao nha", "undo"),
        ("hủy báo cáo", "undo"),
        ("huỷ báo cáo vừa rồi ạ", "undo"),
        ("dạ em xin rút lại", None),  # "xin" is no filler: not sure enough
        ("undo", "undo"),
        ("delete my report", "undo"),
        ("tuần này không có gì", "nothing"),
        ("tuần này ko có gì", "nothing"),
        ("tuan nay k co j", "nothing"),
        ("Tuần này không có gì ạ 🙏", "nothing"),
        ("không có gì để báo cáo", "nothing"),
        ("ko co gi de bc", "nothing"),
        ("dạ tuần này thôn ko có gì", "nothing"),
        ("nothing this week", "nothing"),
        ("Nothing to report", "nothing"),
        ("sửa", "edit"),
        ("sua lai", "edit"),
        ("em muốn sửa lại", None),  # no indicator, no number: not a correction yet
        ("nhầm rồi", "edit"),
        ("gửi nhầm", "edit"),
        ("chào bot", "greeting"),
        ("xin chào", "greeting"),
        ("Xin chao a", "greeting"),
        ("alo", "greeting"),
        ("alô bot ơi", "greeting"),
        ("hi", "greeting"),
        ("Hello", "greeting"),
        ("👋", "greeting"),
        ("cảm ơn", "thanks"),
        ("cám ơn", "thanks"),
        ("cam on nhieu nha", "thanks"),
        ("dạ em cảm ơn ạ", "thanks"),
        ("thanks", "thanks"),
        ("thank you", "thanks"),
        ("ok", "thanks"),
        ("oke", "thanks"),
        ("OK ạ", "thanks"),
        ("👍", "thanks"),
        ("👍🏻👍🏻", "thanks"),
        ("ok cảm ơn", "thanks"),
    ],
)
def test_whole_messages_that_ask_something(text, kind):
    assert read(text, INDICATORS) == (Intent(kind) if kind else None)


@pytest.mark.parametrize(
    "text",
    [
        # reports, strict and as people write them
        "vneid 5",
        "hộ 12 vneid 5 bdhvs 3",
        "hôm nay đi 15 hộ",
        "báo cáo tuần: hộ 12",
        "bc: ho 12, vneid 5",
        "hỗ trợ 7 người cài vneid",
        "hôm nay tổ em đi 15 hộ, hướng dẫn được 6 người kích hoạt VNeID",
        "dạ em báo cáo vneid 5 ạ",
        "vneid là 6",
        "vneid = 6",
        "cập nhật vneid 6",
        "bdhvs hoàn thành 5",
        "hoàn thành 5 hồ sơ dvc",
        "thôn Tân Hòa vneid 5",
        "hôm qua vneid 2",
        "tuần này vneid 5",
        "vneid 5 ok",
        "ok vneid 5",
        "👍 vneid 5",
        # questions
        "ai chưa báo cáo",
        "tiến độ vneid",
        "tien do vneid thon tan hoa",
        "xuất báo cáo tháng 11",
        "ai đã sửa số liệu",
        "thôn nào chậm nhất",
        "tuần này thế nào",
        "báo cáo tuần này",
        # chatter, and answers that mean something only to an open question
        "không có gì",  # "you're welcome", not "nothing this week"
        "không",
        "có",
        "đúng",
        "thôi",
        "hủy",
        "sai",
        "chiều nay 2 giờ họp ở nhà văn hóa nhé",
        "đã sửa xong loa ở nhà văn hóa",
        "chào bot, vneid 5",
        "",
        "🙂",
        "...",
    ],
)
def test_reports_questions_and_chatter_are_no_intent(text):
    assert read(text, INDICATORS) is None


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("đúng", "yes"), ("dung roi", "yes"), ("có", "yes"), ("co", "yes"), ("ok", "yes"), ("oke", "yes"),
        ("Ok ạ", "yes"), ("ừ", "yes"), ("uh", "yes"), ("vâng", "yes"), ("dạ", "yes"), ("dạ vâng", "yes"),
        ("ừ đúng rồi", "yes"), ("yes", "yes"), ("Y", "yes"),
        ("không", "no"), ("ko", "no"), ("k", "no"), ("K ạ", "no"), ("dạ không ạ", "no"), ("khong dung", "no"),
        ("no", "no"), ("n", "no"), ("sai", "no"), ("sai rồi", "no"), ("hông", "no"),
        ("thôi", "cancel"), ("hủy", "cancel"), ("huỷ", "cancel"), ("huy di", "cancel"), ("cancel", "cancel"),
        ("STOP", "cancel"), ("thôi nhé", "cancel"),
        ("có lẽ", None), ("không biết", None), ("hủy báo cáo", None), ("vneid 5", None), ("ok vneid 5", None),
        ("5", None), ("", None),
    ],
)
def test_words_that_answer_an_open_question(text, word):
    assert answer(text) == word
