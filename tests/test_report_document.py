"""The report to the level above (DOCX, Nghị định 30/2020 layout): `/baocaoky` in the chat,
`tocds export --format docx` and `tocds admin report-settings`, read back with python-docx
against the tests' own reckoning of the figures."""

import io
from datetime import date

import docx
import pytest
from processes import Processes

from helpers import NOW, TODAY, Chatter, add_target, live_counts, make_commune, make_province
from tocds.locales import translator
from tocds.models import Indicator, Role
from tocds.models.report_settings import report_settings, set_report_settings

VI, EN = translator("vi"), translator("en")
TAN_HOA, PHU_LOI = "Thôn Tân Hòa", "Thôn Phú Lợi"
HOUSEHOLDS = {TAN_HOA: 100, PHU_LOI: 80}  # make_commune's villages
START, DEADLINE = date(2026, 1, 1), date(2026, 12, 31)
SETTINGS = {"parent_body": "UBND HUYỆN TRẢNG BOM", "issuer": "UBND XÃ ĐỒNG PHÚ", "symbol": "BC-UBND",
            "place": "Đồng Phú", "signer_title": "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH", "signer_name": "Nguyễn Văn An",
            "recipients": "UBND huyện Trảng Bom\nLưu: VT"}


@pytest.fixture
def commune(session):
    """Households: the commune's target (baseline 45, 60% of the households) shared by households;
    VNeID: Tân Hòa's own count alone. Evidence required. Lan (Tân Hòa) reports today; Phú Lợi never."""
    place = make_commune(session)
    place.unit.requires_evidence = True
    session.commit()
    add_target(session, place.unit, "ho", baseline=45, percent=60, start=START, deadline=DEADLINE)
    add_target(session, place.villages[TAN_HOA], "vneid", count=200, start=START, deadline=DEADLINE)
    Chatter(session, "Lan", [place.villages[TAN_HOA]], Role.MEMBER).say("ho 3 vneid 5", NOW)
    return place


@pytest.fixture
def office(session, commune):
    return Chatter(session, "Chị Hạnh", [commune.unit], Role.OFFICE)


def read_back(content: bytes):
    return docx.Document(io.BytesIO(content))


def paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def cell_lines(cell) -> list[str]:
    return [p.text for p in cell.paragraphs]


def name(session, key: str) -> str:
    return session.get(Indicator, key).name_vi


def test_the_report_reads_back_with_the_periods_figures(session, commune, office):
    set_report_settings(session, commune.unit.id, **SETTINGS)
    [reply] = office.chat.send("/baocaoky tháng 11", NOW)
    assert reply.attachment.name == "tocds-xa-dong-phu-2026-11.docx"
    assert reply.text.startswith("Xã Đồng Phú, kỳ 2026-11 (01/11/2026–30/11/2026): báo cáo gửi cấp trên, sẵn để ký.")
    document = read_back(reply.attachment.content)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4 portrait

    # The letterhead: the issuing body and the number left, the national name and motto right.
    letterhead, figures, signature = document.tables
    left, right = letterhead.rows[0].cells
    assert cell_lines(left) == ["UBND HUYỆN TRẢNG BOM", "UBND XÃ ĐỒNG PHÚ", "Số: ……………/BC-UBND"]
    assert cell_lines(right) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                                 "Đồng Phú, ngày 25 tháng 11 năm 2026"]
    text = paragraphs(document)
    assert text[:2] == ["BÁO CÁO", "Kết quả thực hiện các chỉ tiêu chuyển đổi số cộng đồng, kỳ 2026-11 (01/11–30/11/2026)"]

    # The figures, against the tests' own reckoning.
    counted = live_counts(session)
    households = sum(HOUSEHOLDS.values())
    target = round(0.6 * households)
    achieved = 45 + counted["ho"]
    elapsed = (TODAY - START).days / (DEADLINE - START).days
    expected = round(45 + (target - 45) * elapsed)
    table = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in figures.rows}
    assert table[name(session, "ho")] == [
        "45", VI.number(counted["ho"]), VI.number(counted["ho"]), VI.number(achieved), VI.number(target),
        VI.percent(achieved / target), VI.percent(expected / target), "chậm nhiều hoặc quá hạn"]
    # VNeID: Phú Lợi has no target, so the commune's line is counts only.
    assert table[name(session, "vneid")] == ["0", "5", "5", "5", "–", "–", "–", "–"]

    # Villages behind, then what is missing: Phú Lợi's silence and the counts without approved evidence.
    assert any(line.startswith(f"- {TAN_HOA}: Hộ ") for line in text)
    assert any(line.startswith(f"- {PHU_LOI}: Hộ {VI.percent(20 / 48)} ") for line in text)  # 20 of 48 households
    assert f"- Chưa báo cáo trong kỳ: {PHU_LOI}." in text
    assert f"- Số liệu chưa có minh chứng được duyệt: Hộ {counted['ho']}, VNeID {counted['vneid']}." in text

    recipients, signer = signature.rows[0].cells
    assert cell_lines(recipients) == ["Nơi nhận:", "- UBND huyện Trảng Bom", "- Lưu: VT"]
    assert cell_lines(signer) == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "(Ký, ghi rõ họ tên, đóng dấu)", "", "",
                                  "Nguyễn Văn An"]


def test_without_settings_the_office_fills_dotted_lines_and_last_month_is_the_default(session, commune, office):
    [reply] = office.chat.send("/periodreport", NOW)
    assert reply.attachment.name == "tocds-xa-dong-phu-2026-10.docx"  # the month that ended last
    document = read_back(reply.attachment.content)
    left, right = document.tables[0].rows[0].cells
    assert cell_lines(left)[1:] == ["……………", "Số: ……………/……………"]
    assert cell_lines(right)[-1] == "……………, ngày 25 tháng 11 năm 2026"
    assert "- Chưa báo cáo trong kỳ: Thôn Tân Hòa, Thôn Phú Lợi." in paragraphs(document)


def test_a_member_cannot_ask_for_the_report(session, commune):
    member = Chatter(session, "Mai", [commune.villages[TAN_HOA]], Role.MEMBER)
    reply = member.chat.send("/baocaoky", NOW)
    assert reply[0].attachment is None


def test_the_report_speaks_english_to_an_english_reader(session, commune):
    office = Chatter(session, "Anna", [commune.unit], Role.OFFICE, language="en")
    document = read_back(office.chat.send("/periodreport 2026-11", NOW)[0].attachment.content)
    assert cell_lines(document.tables[0].rows[0].cells[1])[:2] == ["SOCIALIST REPUBLIC OF VIET NAM",
                                                                   "Independence - Freedom - Happiness"]
    assert paragraphs(document)[0] == "REPORT"


def test_settings_and_the_document_from_the_command_line(session, commune, db_url, tmp_path):
    cli = Processes(tmp_path, {"TOCDS_DATABASE_URL": db_url})
    set_up = cli.run("admin", "report-settings", "--commune", "Xã Đồng Phú", "--issuer", "UBND XÃ ĐỒNG PHÚ",
                     "--signer-title", "TM. ỦY BAN NHÂN DÂN|CHỦ TỊCH", "--recipients", "UBND huyện|Lưu: VT")
    assert set_up.returncode == 0, set_up.stderr
    assert "  signer-title: TM. ỦY BAN NHÂN DÂN | CHỦ TỊCH" in set_up.stdout.splitlines()
    assert "  signer-name: (not set: a dotted line)" in set_up.stdout.splitlines()
    session.expire_all()
    settings = report_settings(session, commune.unit.id)
    assert (settings.issuer, settings.recipient_list) == ("UBND XÃ ĐỒNG PHÚ", ["UBND huyện", "Lưu: VT"])
    cleared = cli.run("admin", "report-settings", "--commune", "Xã Đồng Phú", "--recipients", "")
    assert "  recipients: (not set: a dotted line)" in cleared.stdout.splitlines()

    made = cli.run("export", "--commune", "Xã Đồng Phú", "--period", "2026-11", "--out", "bao-cao.docx")
    assert (made.returncode, made.stdout, made.stderr) == (0, "", "")
    document = read_back((tmp_path / "bao-cao.docx").read_bytes())
    assert cell_lines(document.tables[0].rows[0].cells[0])[1] == "UBND XÃ ĐỒNG PHÚ"
    assert cell_lines(document.tables[2].rows[0].cells[1])[:2] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]


def test_a_provinces_report_adds_up_its_communes(session, commune):
    province = make_province(session, "Tỉnh Đồng Nai", [commune])
    officer = Chatter(session, "Hà", [province], Role.PROVINCE_OFFICE)
    [reply] = officer.chat.send("/baocaoky 2026-11", NOW)
    document = read_back(reply.attachment.content)
    table = {row.cells[0].text: row.cells[2].text for row in document.tables[1].rows}
    assert table[name(session, "ho")] == "3"  # Xã Đồng Phú's households in November: its one row added up
