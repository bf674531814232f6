"""The report a commune (or a province) sends to the level above, as a DOCX ready to sign.

Laid out as Nghị định 30/2020/NĐ-CP has an administrative document: the issuing body and the
number on the left, the national name and motto on the right, the place-date line, the title,
the body (each indicator's figures, the villages behind, what is missing), then the
recipients (nơi nhận) and the signature block. A4 portrait, Times New Roman. The sender's
details come from `tocds admin report-settings`; what is not set is a dotted line the office
fills in by hand, as is the document's number (its register gives it).
python-docx is imported when a document is written, so that `tocds --help` stays quick.
"""

import io
from datetime import date

from ..locales import Translator
from ..models.progress import Progress, Status
from ..models.report_settings import ReportSettings
from ..models.summary import WeeklySummary
from .workbook import expected_count, period_words, replaced_notes, status_word, whole_lines

FONT = "Times New Roman"
FONT_SIZE = 13  # points: NĐ30 asks for 13–14 in the body
TABLE_FONT_SIZE = 10
BLANK = "……………"  # a setting not given: written by hand on the printed page
BEHIND = (Status.RED, Status.YELLOW)


def indicator_rows(summary: WeeklySummary, t: Translator) -> list[list[str]]:
    """One row per indicator with a line: name, baseline, in the period, since the start,
    achieved, target, % of the target, % the time-line expects, status — whole numbers
    (`whole_lines`), as the workbook's KPI sheet has them."""
    shown, as_of = whole_lines(summary)[None], summary.as_of
    rows = []
    for indicator in summary.indicators:
        if indicator.key not in shown:
            continue
        whole, line = shown[indicator.key], summary.progress[indicator.key]
        expected = expected_count(whole, as_of)
        rows.append([indicator.name(t.language), t.number(whole.baseline),
                     t.number(summary.totals.get(indicator.key, 0)), t.number(whole.gain),
                     t.number(whole.achieved), _or_dash(whole.target, t.number),
                     _or_dash(whole.ratio, t.percent),
                     _or_dash(expected / whole.target if expected is not None and whole.target else None, t.percent),
                     status_word(line.status(as_of), t) or "–"])
    return rows


def _or_dash(value, written) -> str:
    return "–" if value is None else written(value)


def behind_lines(summary: WeeklySummary, t: Translator) -> list[str]:
    """`Thôn Phú Lợi: VNeID 12% (the time-line expects 30%, behind)`, one line per village
    (a province's: per commune) with an indicator behind or far behind."""
    shown, as_of, lines = whole_lines(summary), summary.as_of, []
    for village in summary.villages:
        parts = []
        for indicator in summary.indicators:
            status = summary.status(village, indicator.key)
            if status not in BEHIND:
                continue
            whole: Progress = shown[village.village.id][indicator.key]
            expected = expected_count(whole, as_of)
            parts.append(t("{indicator} {percent} (the time-line expects {expected}, {status})",
                           indicator=indicator.short(t.language), percent=t.percent(whole.ratio or 0),
                           expected=t.percent(expected / whole.target if whole.target else 0),
                           status=status_word(status, t)))
        if parts:
            lines.append(f"{village.village.name}: {'; '.join(parts)}")
    return lines


def missing_lines(summary: WeeklySummary, t: Translator) -> list[str]:
    """The villages that did not report in the period, and, where the commune requires
    evidence, the counts without approved evidence per indicator."""
    lines = []
    if summary.missing:
        lines.append(t("Not reported in the period: {villages}.", villages=", ".join(v.name for v in summary.missing)))
    verified = summary.verified_totals
    if verified is not None:
        unproven = [(i, summary.totals.get(i.key, 0) - verified.get(i.key, 0)) for i in summary.indicators]
        unproven = [(i, count) for i, count in unproven if count > 0]
        if unproven:
            lines.append(t("Counts without approved evidence: {counts}.", counts=", ".join(
                f"{i.short(t.language)} {t.number(count)}" for i, count in unproven)))
    return lines


def place_date(settings: ReportSettings, day: date, t: Translator) -> str:
    """`Đồng Phú, ngày 06 tháng 12 năm 2026`: NĐ30 writes a day below 10 and the months 1 and 2 with a 0."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return t("{place}, day {day} month {month} year {year}", place=settings.place or BLANK,
             day=f"{day.day:02d}", month=month, year=day.year)


def period_document(summary: WeeklySummary, t: Translator, settings: ReportSettings,
                    replaced: dict[str, tuple[int, list[str]]] | None = None) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(FONT_SIZE)
    style.paragraph_format.space_after = Pt(3)

    left, right = _two_columns(document)
    _lines(left, [(settings.parent_body or "", False), (settings.issuer or BLANK, True),
                  (t("No.: {number}/{symbol}", number=BLANK, symbol=settings.symbol or BLANK), False)])
    _lines(right, [(t("SOCIALIST REPUBLIC OF VIET NAM"), True), (t("Independence - Freedom - Happiness"), True)])
    right.paragraphs[-1].runs[0].underline = True
    dated = right.add_paragraph()
    dated.alignment = WD_ALIGN_PARAGRAPH.CENTER
    dated.add_run(place_date(settings, summary.today, t)).italic = True

    for text, size in ((t("REPORT"), FONT_SIZE + 1),
                       (t("Results on the community digital transformation indicators, {period}",
                          period=period_words(summary, t)), FONT_SIZE)):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold, run.font.size = True, Pt(size)

    document.add_paragraph(t("{unit} reports its results in the period {period}, figures as of {day}:",
                             unit=settings.issuer or summary.commune.name, period=period_words(summary, t),
                             day=t.date(summary.as_of)))
    _heading(document, t("I. Results per indicator"))
    _figures_table(document, summary, t)
    for note in replaced_notes(summary, whole_lines(summary), t, replaced or {}):
        document.add_paragraph(note).runs[0].italic = True
    _heading(document, t("II. Villages behind the time-line"))
    _items(document, behind_lines(summary, t) or [t("None: every village with a target is on track.")])
    _heading(document, t("III. What is missing"))
    _items(document, missing_lines(summary, t) or [t("Nothing: every village reported.")])

    recipients, signature = _two_columns(document)
    _lines(recipients, [(t("Recipients:"), True)])
    recipients.paragraphs[-1].runs[0].italic = True
    for name in settings.recipient_list or [BLANK]:
        recipients.add_paragraph().add_run(f"- {name}").font.size = Pt(11)
    _lines(signature, [(line, True) for line in (settings.signer_title or BLANK).splitlines()])
    _lines(signature, [(t("(signature, full name, seal)"), False), ("", False), ("", False),
                       (settings.signer_name or BLANK, True)])
    signature.paragraphs[-4].runs[0].italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _two_columns(document):
    """Two cells side by side without borders (the letterhead, the signature block)."""
    return document.add_table(rows=1, cols=2).rows[0].cells


def _paragraph(cell):
    """The cell's next paragraph: its first, while still empty, then new ones."""
    first = cell.paragraphs[0]
    return first if len(cell.paragraphs) == 1 and not first.runs else cell.add_paragraph()


def _lines(cell, lines: list[tuple[str, bool]]) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for text, bold in lines:
        paragraph = _paragraph(cell)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(text).bold = bold


def _heading(document, text: str) -> None:
    document.add_paragraph().add_run(text).bold = True


def _items(document, lines: list[str]) -> None:
    for line in lines:
        document.add_paragraph(f"- {line}")


def _figures_table(document, summary: WeeklySummary, t: Translator) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    names = [t("Indicator"), t("Baseline"), t("In the period"), t("Since the start"), t("Achieved"), t("Target"),
             t("Share of the target reached (%)"),
             t("Time-line by {day}, share of the target (%)", day=t.day_month(summary.as_of)), t("Status")]
    rows = indicator_rows(summary, t)
    table = document.add_table(rows=1 + len(rows), cols=len(names))
    table.style = "Table Grid"
    for number, values in enumerate([names, *rows]):
        for column, value in enumerate(values):
            paragraph = table.rows[number].cells[column].paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if column in (0, len(names) - 1) else WD_ALIGN_PARAGRAPH.RIGHT
            run = paragraph.add_run(value)
            run.font.size, run.bold = Pt(TABLE_FONT_SIZE), number == 0
