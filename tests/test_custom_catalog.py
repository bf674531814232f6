"""A commune that tracks its own plan (issue 17): indicators and denominators as data, end to
end through the handlers and jobs, and two communes with different lists in one database.

Xã Nghĩa Lộc follows a plan like seed 004's: VNeID, households on fibre (of its households)
and shops taking QR payments (of its shops, a figure its village CSV carries). Xã Đồng Phú
keeps the built-in indicators.
"""

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import select
from test_jobs import telegram_member

from helpers import MONDAY, NOW, TODAY, Chatter, add_target, live_counts, make_commune
from tocds.figures.chart import default_indicator, progress_chart
from tocds.figures.text import summary_text
from tocds.figures.workbook import HEADER_ROW, summary_workbook
from tocds.jobs import JOBS
from tocds.jobs.runner import run_job
from tocds.locales import translator
from tocds.models import CommuneIndicator, EntryCount, Indicator, IndicatorAlias, OutboxMessage, Role
from tocds.models.exports import write_csv
from tocds.models.periods import week_of
from tocds.models.summary import weekly_summary
from tocds.models.text import fold

VI = translator("vi")
WEEK = week_of(TODAY)

# As `tocds admin indicators` would store them (tests/test_catalog.py covers the import itself).
PLAN = [
    ("cap_quang", "Hộ kết nối cáp quang", "Households with fibre", "Cáp quang", "Fibre", "households", "hộ",
     ["cáp quang", "internet cáp quang", "cq"]),
    ("qr_shop", "Cửa hàng thanh toán bằng mã QR", "Shops taking QR payments", "Cửa hàng QR", "QR shops", "shops",
     "cửa hàng", ["cửa hàng qr", "qr"]),
]


def adopt_plan(session, commune, keys):
    for position, (key, name_vi, name_en, short_vi, short_en, denominator, unit, aliases) in enumerate(PLAN, 10):
        if session.get(Indicator, key) is None:
            session.add(Indicator(key=key, name_vi=name_vi, name_en=name_en, short_vi=short_vi, short_en=short_en,
                                  denominator=denominator, unit=unit, position=position))
            session.flush()
            session.add_all(IndicatorAlias(alias_key=fold(a), alias=a, indicator_key=key) for a in aliases)
    session.add_all(CommuneIndicator(commune_id=commune.unit.id, indicator_key=key, position=n)
                    for n, key in enumerate(keys))
    session.commit()
    session.info.clear()  # the catalog is read once per session


@pytest.fixture
def nghia_loc(session):
    commune = make_commune(session, "Xã Nghĩa Lộc", {"Thôn Đông": (120, 480, 330, 360),
                                                      "Thôn Tây": (90, 350, 250, 270)})
    for village, shops in zip(commune.villages.values(), (10, 6), strict=True):
        village.sizes = {**village.sizes, "shops": shops}
        session.add(village)
    adopt_plan(session, commune, ["vneid", "cap_quang", "qr_shop"])
    return commune


@pytest.fixture
def dong_phu(session, nghia_loc):
    """The built-in catalog's commune, beside Nghĩa Lộc; its list is the built-in seven."""
    commune = make_commune(session)
    keys = ["ho", "vneid", "bdhvs", "cks", "tt", "ssk", "dvc"]
    session.add_all(CommuneIndicator(commune_id=commune.unit.id, indicator_key=k, position=n) for n, k in enumerate(keys))
    session.commit()
    return commune


def member(session, commune, village="Thôn Đông", name="Mai"):
    return Chatter(session, name, [commune.villages[village]], Role.MEMBER)


def test_a_member_reports_the_communes_own_indicators(session, nghia_loc):
    mai = member(session, nghia_loc)
    saved = mai.say("cáp quang 12 qr 3")
    assert saved.startswith("✅ Đã lưu cho Thôn Đông") and saved.endswith("Thôn Đông: Cáp quang 12 · Cửa hàng QR 3")
    # In words, read leniently: asked first, then saved.
    confirm = mai.say("hôm nay tổ em lắp internet cáp quang cho 7 hộ")
    assert confirm.startswith("Hiểu là: Cáp quang 7 (Thôn Đông,") and "Lưu?" in confirm
    assert mai.say("1").endswith("Thôn Đông: Cáp quang 19 · Cửa hàng QR 3")
    assert live_counts(session) == {"cap_quang": 19, "qr_shop": 3}


def test_an_indicator_the_commune_does_not_track_is_not_read(session, nghia_loc):
    mai = member(session, nghia_loc)
    reply = mai.say("hộ 12 bdhvs 3")
    assert reply.startswith("⚠️ Chưa lưu.")
    assert reply.endswith("Ví dụ: vneid 12 cáp quang 5 cửa hàng qr 3 — hoặc gửi /baocao để được hướng dẫn từng bước.")
    assert session.exec(select(EntryCount)).all() == []


def test_the_guided_report_offers_the_communes_list_in_its_order(session, nghia_loc):
    mai = member(session, nghia_loc)
    assert mai.say("/baocao").endswith("Chọn chỉ tiêu:\n1. VNeID\n2. Cáp quang\n3. Cửa hàng QR\n4. Hủy")
    assert mai.say("3").startswith("Cửa hàng QR được bao nhiêu?")
    assert mai.say("4").endswith("\n3. Cửa hàng QR ✓4\n4. Lưu\n5. Hủy")
    assert mai.say("4").startswith("✅ Đã lưu cho Thôn Đông")
    assert live_counts(session) == {"qr_shop": 4}


def test_a_week_above_a_custom_denominator_waits_for_a_yes(session, nghia_loc):
    mai = member(session, nghia_loc)
    question = mai.say("qr 15")  # Thôn Đông has 10 shops
    assert "Cửa hàng QR 15 nhiều hơn shops của thôn (10)." in question
    assert session.exec(select(EntryCount)).all() == []


def test_summary_export_chart_ranking_and_alerts_follow_the_list(session, nghia_loc):
    dong, tay = nghia_loc.villages.values()
    add_target(session, nghia_loc.unit, "cap_quang", percent=50, start=MONDAY - timedelta(days=60),
               deadline=MONDAY + timedelta(days=60))
    member(session, nghia_loc).say("cáp quang 40 qr 2")
    member(session, nghia_loc, "Thôn Tây", "Tú").say("vneid 3")

    summary = weekly_summary(session, nghia_loc.unit, WEEK, TODAY)
    assert [i.key for i in summary.indicators] == ["vneid", "cap_quang", "qr_shop"]
    text = summary_text(summary, VI)
    assert "Cáp quang" in text and "Cửa hàng QR" in text and "Hộ" not in text and "Học vụ số" not in text

    sheet = load_workbook(io.BytesIO(summary_workbook(summary, VI))).worksheets[0]
    header = [cell.value for cell in sheet[HEADER_ROW]]
    assert header[:4] == ["Thôn", "VNeID", "Cáp quang", "Cửa hàng QR"]

    exported = io.StringIO()
    write_csv(session, nghia_loc.unit, WEEK, exported)
    rows = list(csv.reader(io.StringIO(exported.getvalue())))
    assert rows[1:] == [["Xã Nghĩa Lộc", "Thôn Đông", "vneid", "0"], ["Xã Nghĩa Lộc", "Thôn Đông", "cap_quang", "40"],
                        ["Xã Nghĩa Lộc", "Thôn Đông", "qr_shop", "2"], ["Xã Nghĩa Lộc", "Thôn Tây", "vneid", "3"],
                        ["Xã Nghĩa Lộc", "Thôn Tây", "cap_quang", "0"], ["Xã Nghĩa Lộc", "Thôn Tây", "qr_shop", "0"]]

    assert default_indicator(summary) == "cap_quang"  # the first with a target: the chart's
    assert progress_chart(summary, VI).startswith(b"\x89PNG")
    with pytest.raises(ValueError):
        progress_chart(summary, VI, "ho")  # not tracked here

    leader = Chatter(session, "Chủ tịch", [nghia_loc.unit], Role.LEADER)
    ranking = leader.say("/xephang").split("\n")
    assert ranking[0] == "🏆 Xã Nghĩa Lộc — Cáp quang"
    assert ranking[1].startswith("1. ") and "Thôn Đông" in ranking[1]
    assert leader.say("/xephang qr").startswith("🏆 Xã Nghĩa Lộc — Cửa hàng QR\n1. ▫️ Thôn Đông — 2")
    unknown = leader.say("/xephang bdhvs")  # not a word anyone here may write
    assert unknown == "Không hiểu “bdhvs”. vneid, cap_quang, qr_shop"

    Chatter(session, "Hạnh", [nghia_loc.unit], Role.OFFICE).say("/nhantin")
    assert run_job(session, JOBS["alerts"], nghia_loc.unit, NOW).messages == 1  # Thôn Tây: 0 of 45 households
    [alert] = [m for m in session.exec(select(OutboxMessage)) if m.payload["text"].startswith("🔴")]
    assert "• Thôn Tây — Cáp quang: 0/45" in alert.payload["text"]


def test_reminders_give_an_example_of_the_communes_own_report(session, nghia_loc):
    from tocds.jobs.reminders import plan

    telegram_member(session, "Mai", nghia_loc.villages["Thôn Đông"], "301")
    friday = NOW + timedelta(days=2, hours=3)
    [delivery] = [d for d in plan(session, nghia_loc.unit, friday) if d.chat_id == "301"]
    assert "Gửi một tin như: vneid 12 cáp quang 5 — hoặc /khong" in delivery.message.text


def test_two_communes_with_different_lists_in_one_database(session, nghia_loc, dong_phu):
    lan = member(session, dong_phu, "Thôn Tân Hòa", "Lan")
    mai = member(session, nghia_loc)
    assert lan.say("hộ 12 vneid 5").startswith("✅ Đã lưu cho Thôn Tân Hòa")
    assert mai.say("hộ 12").startswith("⚠️ Chưa lưu.")  # Nghĩa Lộc does not count households reached
    assert lan.say("cáp quang 3").startswith("⚠️ Chưa lưu.")  # nor Đồng Phú fibre
    lan.say("/baocao")
    assert [c.label for c in lan.last[-1].choices][:3] == ["Hộ", "VNeID", "Học vụ số"]
    dong_phu_week = weekly_summary(session, dong_phu.unit, WEEK, TODAY)
    assert [i.key for i in dong_phu_week.indicators] == ["ho", "vneid", "bdhvs", "cks", "tt", "ssk", "dvc"]
    assert dong_phu_week.totals == {"ho": 12, "vneid": 5}


def test_a_member_of_both_communes_cannot_count_one_communes_indicator_for_the_other(session, nghia_loc, dong_phu):
    both = Chatter(session, "Hùng", [nghia_loc.villages["Thôn Đông"], dong_phu.villages["Thôn Tân Hòa"]], Role.MEMBER)
    refused = both.say("thôn Tân Hòa cáp quang 3")
    assert refused.startswith("⚠️ Chưa lưu: Thôn Tân Hòa không theo dõi Cáp quang.")
    assert both.say("thôn Đông cáp quang 3").startswith("✅ Đã lưu cho Thôn Đông")
    assert live_counts(session) == {"cap_quang": 3}


def test_a_retired_indicator_is_no_longer_read_but_its_counts_stay_in_the_periods_figures(session, nghia_loc):
    from datetime import UTC, datetime

    mai = member(session, nghia_loc)
    mai.say("cáp quang 12 qr 3")
    qr = session.get(Indicator, "qr_shop")
    qr.retired_at = datetime(2026, 11, 26, tzinfo=UTC)
    session.add(qr)
    session.commit()
    session.info.clear()

    later = NOW + timedelta(days=1)
    assert mai.say("qr 2", later).startswith("⚠️ Chưa lưu.")  # no longer a word anyone here may write
    assert "Cửa hàng QR" not in mai.say("/baocao", later)
    summary = weekly_summary(session, nghia_loc.unit, WEEK, TODAY)
    assert [i.key for i in summary.indicators] == ["vneid", "cap_quang", "qr_shop"]  # counted this week
    assert summary.totals == {"cap_quang": 12, "qr_shop": 3}
    exported = io.StringIO()
    write_csv(session, nghia_loc.unit, WEEK, exported)
    assert ["Xã Nghĩa Lộc", "Thôn Đông", "qr_shop", "3"] in list(csv.reader(io.StringIO(exported.getvalue())))
    next_week = weekly_summary(session, nghia_loc.unit, week_of(TODAY + timedelta(days=7)), TODAY + timedelta(days=7))
    assert [i.key for i in next_week.indicators] == ["vneid", "cap_quang"]
