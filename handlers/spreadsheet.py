"""The weekly summary as an XLSX workbook, one sheet per view.

1. the period: villages × indicators, with a totals row and whether each village reported;
2. progress: village × indicator since the start against the target, coloured by status;
3. who reported what: person × village, their counts per indicator.

Every sheet starts with the commune, the period and its first and last day (real dates);
the column headers follow at `HEADER_ROW`. Numbers are numbers (formatted, not text).
openpyxl is imported when a workbook is written, so that `tocds --help` stays quick.
"""

import io
from datetime import date

from ..locales import Translator
from ..models.progress import Status
from ..models.summary import WeeklySummary

HEADER_ROW = 4
STATUS_FILLS = {Status.GREEN: "C6EFCE", Status.YELLOW: "FFEB9C", Status.RED: "FFC7CE"}
HEADER_FILL = "DDEBF7"
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0%"


def status_word(status: Status | None, t: Translator) -> str:
    return {Status.GREEN: t("on track"), Status.YELLOW: t("behind"),
            Status.RED: t("far behind or overdue"), None: ""}[status]


def summary_workbook(summary: WeeklySummary, t: Translator) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    _week_sheet(book.active, summary, t)
    _progress_sheet(book.create_sheet(), summary, t)
    _reporters_sheet(book.create_sheet(), summary, t)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _date_format(t: Translator) -> str:
    return "dd/mm/yyyy" if t.language == "vi" else "d mmm yyyy"


def _heading(sheet, summary: WeeklySummary, t: Translator, title: str, as_of: date | None = None) -> None:
    """Rows 1–3: commune and view; the period's first and last day; the day progress is for."""
    from openpyxl.styles import Font

    sheet.title = title[:31]
    sheet["A1"] = summary.commune.name
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["B1"] = f"{title} · {summary.period.label}"
    sheet["B1"].font = Font(bold=True, size=13)
    sheet["A2"], sheet["B2"], sheet["C2"], sheet["D2"] = t("From"), summary.period.first, t("To"), summary.period.last
    for cell in (sheet["B2"], sheet["D2"]):
        cell.number_format = _date_format(t)
    if as_of is not None:
        sheet["A3"], sheet["B3"] = t("Progress as of"), as_of
        sheet["B3"].number_format = _date_format(t)


def _header(sheet, names: list[str]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    for column, name in enumerate(names, 1):
        cell = sheet.cell(HEADER_ROW, column, name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", start_color=HEADER_FILL, end_color=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _finish(sheet, frozen: str, widths: dict[int, float] | None = None) -> None:
    """Freeze the headers (and the name columns), size the columns to their content."""
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = frozen
    longest: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=HEADER_ROW):
        for cell in row:
            if cell.value is None:
                continue
            text = cell.value if isinstance(cell.value, str) else f"{cell.value:,.0f}" if isinstance(
                cell.value, int | float) else str(cell.value)
            longest[cell.column] = max(longest.get(cell.column, 0), len(text))
    for column in range(1, sheet.max_column + 1):
        width = (widths or {}).get(column) or min(max(longest.get(column, 0) + 2, 11), 40)
        sheet.column_dimensions[get_column_letter(column)].width = width


def _week_sheet(sheet, summary: WeeklySummary, t: Translator) -> None:
    from openpyxl.styles import Font

    _heading(sheet, summary, t, t("Week"))
    keys = [i.key for i in summary.indicators]
    _header(sheet, [t("Village"), *(i.short(t.language) for i in summary.indicators), t("Reported")])
    row = HEADER_ROW
    for village in summary.villages:
        row += 1
        sheet.cell(row, 1, village.village.name)
        for column, key in enumerate(keys, 2):
            sheet.cell(row, column, village.week.get(key, 0)).number_format = COUNT_FORMAT
        if not village.reported:
            reported = t("not reported")
        elif village.week:
            reported = t("yes")
        else:
            reported = t("nothing to report this week")
        sheet.cell(row, len(keys) + 2, reported)
    row += 1
    totals = summary.totals
    sheet.cell(row, 1, t("Total")).font = Font(bold=True)
    for column, key in enumerate(keys, 2):
        cell = sheet.cell(row, column, totals.get(key, 0))
        cell.number_format, cell.font = COUNT_FORMAT, Font(bold=True)
    _finish(sheet, f"B{HEADER_ROW + 1}", {1: 28})


def _progress_sheet(sheet, summary: WeeklySummary, t: Translator) -> None:
    from openpyxl.styles import Font, PatternFill

    _heading(sheet, summary, t, t("Progress"), summary.as_of)
    _header(sheet, [t("Village"), t("Indicator"), t("Baseline"), t("Since the start"), t("Achieved"),
                    t("Target"), t("Share of the target reached (%)"), t("Expected by {day}", day=t.day_month(summary.as_of)),
                    t("Status")])
    names = {i.key: i.short(t.language) for i in summary.indicators}
    rows = [(v.village.name, v.progress[i.key]) for v in summary.villages for i in summary.indicators]
    rows += [(t("Total"), line) for line in summary.progress.values()]
    first_total = HEADER_ROW + 1 + len(rows) - len(summary.progress)
    for row, (name, line) in enumerate(rows, HEADER_ROW + 1):
        status = line.status(summary.as_of)
        has_goal = line.target is not None
        values = [name, names[line.indicator_key], line.baseline, line.gain, line.achieved,
                  line.target, line.ratio if has_goal else None,
                  line.baseline + line.expected_gain(summary.as_of) if has_goal and line.start and line.deadline
                  else None,
                  status_word(status, t)]
        for column, value in enumerate(values, 1):
            cell = sheet.cell(row, column, value)
            if column in (3, 4, 5, 6, 8):
                cell.number_format = COUNT_FORMAT
            elif column == 7:
                cell.number_format = PERCENT_FORMAT
            if row >= first_total:
                cell.font = Font(bold=True)
        if status is not None:
            colour = STATUS_FILLS[status]
            sheet.cell(row, 9).fill = PatternFill("solid", start_color=colour, end_color=colour)
    sheet.auto_filter.ref = f"A{HEADER_ROW}:I{HEADER_ROW + len(rows)}"
    _finish(sheet, f"C{HEADER_ROW + 1}", {1: 28})


def _reporters_sheet(sheet, summary: WeeklySummary, t: Translator) -> None:
    _heading(sheet, summary, t, t("Who reported what"))
    keys = [i.key for i in summary.indicators]
    _header(sheet, [t("Person"), t("Village"), *(i.short(t.language) for i in summary.indicators)])
    row = HEADER_ROW
    for village in summary.villages:
        for person, counts in village.reporters:
            row += 1
            sheet.cell(row, 1, person)
            sheet.cell(row, 2, village.village.name)
            for column, key in enumerate(keys, 3):
                sheet.cell(row, column, counts.get(key, 0)).number_format = COUNT_FORMAT
    _finish(sheet, f"C{HEADER_ROW + 1}", {1: 24, 2: 28})
