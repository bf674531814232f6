"""A period's summary as an XLSX workbook, one sheet per view.

The weekly summary job and exports of any period (week, month, quarter, half, year) share it:

1. the period: villages × indicators, with a totals row and whether each village reported
   (and, for a commune that requires evidence, the counts with approved evidence beside);
2. progress: village × indicator since the start against the target, coloured by status;
3. who reported what: person × village, their counts per indicator;
4. the reporting calendar: village × each ISO week of the period, reported or not;
5. KPI: the commune's figures per indicator, as the province's KPI tracker asks for them;
6. one sheet per village: its indicators in the period and against the target.

A province's workbook (`province_workbook`) is made of the same sheets: the period and
progress of its communes (a commune's row has no figure for an indicator it does not track),
then each commune's period sheet.

Every sheet starts with the commune, the period, its first and last day and the day it was
made (real dates); the column headers follow at `HEADER_ROW`, repeated on each printed page
(A4 landscape, fit to the page's width). Numbers are numbers (formatted, not text), and whole:
a commune's baseline or target shared out among its villages is rounded so that they add up
(`whole_numbers`), with a note where a village's own target replaces its share.
openpyxl is imported when a workbook is written, so that `tocds --help` stays quick.
"""

import io
import re
from datetime import date

from ..locales import Translator
from ..models.orgunits import Level
from ..models.progress import Progress, Status, whole_numbers
from ..models.summary import ProvinceSummary, VillageWeek, WeeklySummary
from .calendar import CALENDAR_WORDS, reporting_weeks
from .text import is_week

HEADER_ROW = 4
STATUS_FILLS = {Status.GREEN: "C6EFCE", Status.YELLOW: "FFEB9C", Status.RED: "FFC7CE"}
# The reporting calendar: reported, "nothing this week", not reported.
CALENDAR_FILLS = {"entries": "C6EFCE", "nothing": "EDEDED", None: "FFC7CE"}
HEADER_FILL = "DDEBF7"
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0%"
# Excel refuses these in a sheet's title, and titles longer than 31 characters.
TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")
TITLE_LENGTH = 31
# A text starting with one of these is a formula to a spreadsheet (typed again, for `+ - @`).
FORMULA_STARTS = ("=", "+", "-", "@")


def status_word(status: Status | None, t: Translator) -> str:
    return {Status.GREEN: t("on track"), Status.YELLOW: t("behind"),
            Status.RED: t("far behind or overdue"), None: ""}[status]


def summary_workbook(summary: WeeklySummary, t: Translator,
                     replaced: dict[str, tuple[int, list[str]]] | None = None) -> bytes:
    """`replaced`: indicator key → the commune's baseline and the villages whose own target
    replaces their share of it (`replaced_shares`), noted under the progress and KPI sheets."""
    from openpyxl import Workbook

    book = Workbook()
    shown = whole_lines(summary)
    _period_sheet(book.active, summary, t)
    _progress_sheet(book.create_sheet(), summary, shown, t, replaced or {})
    _reporters_sheet(book.create_sheet(), summary, t)
    _calendar_sheet(book.create_sheet(), summary, t)
    _kpi_sheet(book.create_sheet(), summary, shown, t, replaced or {})
    for village in summary.villages:
        _village_sheet(book.create_sheet(), summary, village, shown, t)
    _keep_texts_as_text(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def province_workbook(province: ProvinceSummary, t: Translator) -> bytes:
    """Communes × indicators in the period (with how many villages did not report), their
    progress, then one sheet per commune: its villages × indicators (`province_summary(…, villages=True)`)."""
    from openpyxl import Workbook

    if province.communes is None:
        raise ValueError("a province's workbook lists each commune's villages: province_summary(…, villages=True)")
    book = Workbook()
    completeness = (t("Villages not reported"), lambda _, row, t: _not_reported(province, row))
    shown = whole_lines(province.overview)
    _period_sheet(book.active, province.overview, t, reported=completeness)
    _progress_sheet(book.create_sheet(), province.overview, shown, t, {})
    _kpi_sheet(book.create_sheet(), province.overview, shown, t, {})
    for commune in province.communes:
        _period_sheet(book.create_sheet(), commune, t, title=commune.commune.name)
    _keep_texts_as_text(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def whole_lines(summary: WeeklySummary) -> dict[int | None, dict[str, Progress]]:
    """Each row's lines (row id → indicator key → line; None: the total's) in whole households
    or people: per indicator the rows' baselines and targets by `whole_numbers`, the total
    their sum, so a printed column adds up to its total."""
    shown: dict[int | None, dict[str, Progress]] = {v.village.id: {} for v in summary.villages}
    shown[None] = {}
    for key in summary.progress:
        rows = [v for v in summary.villages if key in v.progress]
        lines = [v.progress[key] for v in rows]
        baselines = whole_numbers([line.baseline for line in lines])
        with_target = [n for n, line in enumerate(lines) if line.target is not None]
        targets = dict(zip(with_target, whole_numbers([lines[n].target for n in with_target]), strict=True))
        for n, (village, line) in enumerate(zip(rows, lines, strict=True)):
            shown[village.village.id][key] = line._replace(baseline=baselines[n], target=targets.get(n))
        shown[None][key] = Progress.total([shown[v.village.id][key] for v in rows])
    return shown


def period_words(summary: WeeklySummary, t: Translator) -> str:
    """`30/11–06/12/2026` for a week; `2026-11 (01/11–30/11/2026)` for a longer period."""
    period = summary.period
    days = t.span(period.first, period.last)
    return days if is_week(summary) else f"{period.label} ({days})"


def _not_reported(province: ProvinceSummary, row: VillageWeek) -> str:
    commune = next(c for c in province.reporting if c.commune.id == row.village.id)
    return f"{commune.missing}/{commune.villages}"


def _part_word(summary: WeeklySummary, t: Translator) -> str:
    """What a row of the summary is: a village, or a province's commune."""
    return t("Commune") if summary.commune.level == Level.PROVINCE else t("Village")


def _keep_texts_as_text(book) -> None:
    """Names people chose (`=HYPERLINK(…)`, `+84 …`, `@Lan`) are stored as text with
    Excel's quote prefix: never run as formulas, on opening or when a cell is edited.
    The workbook writes no formula of its own."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    cell.data_type, cell.quotePrefix = "s", True


def sheet_title(sheet, name: str) -> str:
    """`name` as Excel takes it: no forbidden character, at most 31 characters, and unlike
    (case aside) the workbook's other sheets — two long names with one prefix get " (2)"."""
    base = TITLE_FORBIDDEN.sub("-", name).strip().strip("'") or "-"
    taken = {other.title.casefold() for other in sheet.parent.worksheets if other is not sheet}
    title, number = base[:TITLE_LENGTH], 1
    while title.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        title = base[:TITLE_LENGTH - len(suffix)].rstrip() + suffix
    return title


def _date_format(t: Translator) -> str:
    return "dd/mm/yyyy" if t.language == "vi" else "d mmm yyyy"


def _heading(sheet, summary: WeeklySummary, t: Translator, title: str, as_of: date | None = None) -> None:
    """Rows 1–3: commune and view; the period's first and last day; the day progress is for."""
    from openpyxl.styles import Font

    sheet.title = sheet_title(sheet, title)
    sheet["A1"] = summary.commune.name
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["B1"] = f"{title} · {period_words(summary, t)}"
    sheet["B1"].font = Font(bold=True, size=13)
    sheet["A2"], sheet["B2"], sheet["C2"], sheet["D2"] = t("From"), summary.period.first, t("To"), summary.period.last
    sheet["E2"], sheet["F2"] = t("Made on"), summary.today
    for cell in (sheet["B2"], sheet["D2"], sheet["F2"]):
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


def _fill(cell, colour: str) -> None:
    from openpyxl.styles import PatternFill

    cell.fill = PatternFill("solid", start_color=colour, end_color=colour)


def _finish(sheet, frozen: str, widths: dict[int, float] | None = None) -> None:
    """Freeze the headers (and the name columns), size the columns to their content; printed
    on A4 landscape, as wide as the page, the heading and column headers on every page."""
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = frozen
    sheet.page_setup.paperSize, sheet.page_setup.orientation = sheet.PAPERSIZE_A4, "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0  # 0: as many pages down as it takes
    sheet.print_title_rows = f"1:{HEADER_ROW}"
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


def _reported_word(summary: WeeklySummary, village: VillageWeek, t: Translator) -> str:
    if not village.reported:
        return t("not reported")
    if village.week:
        return t("yes")
    return t("nothing to report")  # the sheet names its week: "this week" would be wrong for a past one


def _verified_names(summary: WeeklySummary, t: Translator) -> list[str]:
    """Headers of the columns with approved evidence; none when the commune does not require it."""
    if not summary.commune.requires_evidence:
        return []
    return [t("{indicator} with approved evidence", indicator=i.short(t.language)) for i in summary.indicators]


def _period_sheet(sheet, summary: WeeklySummary, t: Translator, title: str | None = None,
                  reported=None) -> None:
    """Villages × indicators in the period, then the verified counts if any, whether reported; totals.
    `reported`: another last column, as (header, function of the summary, the row and `t`).
    An indicator a row does not track (a province's commune) is an empty cell."""
    from openpyxl.styles import Font

    _heading(sheet, summary, t, title or (t("Week") if is_week(summary) else t("Period")))
    keys = [i.key for i in summary.indicators]
    verified = _verified_names(summary, t)
    reported_header, reported_cell = reported or (t("Reported"), _reported_word)
    _header(sheet, [_part_word(summary, t), *(i.short(t.language) for i in summary.indicators), *verified,
                    reported_header])
    row = HEADER_ROW
    for village in summary.villages:
        row += 1
        counts = [village.week.get(key, 0) if key in village.progress else None for key in keys]
        if verified:
            counts += [(village.verified or {}).get(key, 0) for key in keys]
        sheet.cell(row, 1, village.village.name)
        for column, count in enumerate(counts, 2):
            sheet.cell(row, column, count).number_format = COUNT_FORMAT
        sheet.cell(row, len(counts) + 2, reported_cell(summary, village, t))
    row += 1
    totals = [summary.totals.get(key, 0) for key in keys]
    if verified:
        totals += [(summary.verified_totals or {}).get(key, 0) for key in keys]
    sheet.cell(row, 1, t("Total")).font = Font(bold=True)
    for column, total in enumerate(totals, 2):
        cell = sheet.cell(row, column, total)
        cell.number_format, cell.font = COUNT_FORMAT, Font(bold=True)
    _finish(sheet, f"B{HEADER_ROW + 1}", {1: 28})


def _progress_names(summary: WeeklySummary, t: Translator) -> list[str]:
    return [t("Baseline"), t("Since the start"), t("Achieved"), t("Target"), t("Share of the target reached (%)"),
            t("Expected by {day}", day=t.day_month(summary.as_of)), t("Status")]


def expected_count(shown: Progress, as_of: date) -> int | None:
    """Where the time-line puts a line in whole households or people; None without one."""
    return round(shown.expected(as_of)) if shown.target is not None and shown.start and shown.deadline else None


def _progress_cells(sheet, row: int, column: int, line: Progress, shown: Progress, as_of: date, t: Translator,
                    bold: bool = False) -> None:
    """The `_progress_names` columns from `column` on, of `shown` (the line in whole numbers,
    `whole_lines`); the status, the line's own, in a coloured cell."""
    from openpyxl.styles import Font

    status = line.status(as_of)
    values = [shown.baseline, shown.gain, shown.achieved, shown.target, shown.ratio,
              expected_count(shown, as_of), status_word(status, t)]
    formats = [COUNT_FORMAT] * 4 + [PERCENT_FORMAT, COUNT_FORMAT, None]
    for offset, (value, number_format) in enumerate(zip(values, formats, strict=True)):
        cell = sheet.cell(row, column + offset, value)
        if number_format:
            cell.number_format = number_format
        if bold:
            cell.font = Font(bold=True)
    if status is not None:
        _fill(sheet.cell(row, column + len(values) - 1), STATUS_FILLS[status])


def _progress_sheet(sheet, summary: WeeklySummary, shown: dict[int | None, dict[str, Progress]], t: Translator,
                    replaced: dict[str, tuple[int, list[str]]]) -> None:
    from openpyxl.styles import Font

    _heading(sheet, summary, t, t("Progress"), summary.as_of)
    _header(sheet, [_part_word(summary, t), t("Indicator"), *_progress_names(summary, t)])
    names = {i.key: i.short(t.language) for i in summary.indicators}
    rows = [(v.village.name, v.progress[i.key], shown[v.village.id][i.key]) for v in summary.villages
            for i in summary.indicators if i.key in v.progress]
    rows += [(t("Total"), line, shown[None][key]) for key, line in summary.progress.items()]
    first_total = HEADER_ROW + 1 + len(rows) - len(summary.progress)
    for row, (name, line, whole) in enumerate(rows, HEADER_ROW + 1):
        bold = row >= first_total
        for column, value in enumerate((name, names[line.indicator_key]), 1):
            sheet.cell(row, column, value).font = Font(bold=bold)
        _progress_cells(sheet, row, 3, line, whole, summary.as_of, t, bold)
    sheet.auto_filter.ref = f"A{HEADER_ROW}:I{HEADER_ROW + len(rows)}"
    _notes(sheet, HEADER_ROW + len(rows) + 2, summary, shown, t, replaced)
    _finish(sheet, f"C{HEADER_ROW + 1}", {1: 28})


def replaced_notes(summary: WeeklySummary, shown: dict[int | None, dict[str, Progress]], t: Translator,
                   replaced: dict[str, tuple[int, list[str]]]) -> list[str]:
    """Why the villages' baselines do not add up to the commune's: one line per indicator
    where a village's own target replaces its share of the commune's."""
    return [t("{indicator}: {villages} have their own target, in place of their share of the commune's "
              "(baseline {baseline}); the villages' baselines add up to {total}.",
              indicator=indicator.short(t.language), villages=", ".join(replaced[indicator.key][1]),
              baseline=t.number(replaced[indicator.key][0]), total=t.number(shown[None][indicator.key].baseline))
            for indicator in summary.indicators if indicator.key in replaced and indicator.key in shown[None]]


def _notes(sheet, row: int, summary: WeeklySummary, shown: dict[int | None, dict[str, Progress]], t: Translator,
           replaced: dict[str, tuple[int, list[str]]]) -> None:
    from openpyxl.styles import Font

    for offset, note in enumerate(replaced_notes(summary, shown, t, replaced)):
        sheet.cell(row + offset, 1, note).font = Font(italic=True)


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


def _calendar_sheet(sheet, summary: WeeklySummary, t: Translator) -> None:
    """Village × ISO week: reported, nothing to report, or not; weeks not begun by the
    as-of day are left empty. A week at the period's edge counts only its days inside."""
    from openpyxl.styles import Alignment

    _heading(sheet, summary, t, t("Reporting calendar"), summary.as_of)
    period, weeks = summary.period, summary.weeks
    _header(sheet, [t("Village"), *(t.span(max(week.first, period.first), min(week.last, period.last))
                                     for week in weeks), t("Weeks reported")])
    for row, (village, marks, reported) in enumerate(reporting_weeks(summary), HEADER_ROW + 1):
        sheet.cell(row, 1, village.name)
        for column, how in enumerate(marks, 2):
            cell = sheet.cell(row, column, t(CALENDAR_WORDS[how]))
            cell.alignment = Alignment(horizontal="center")
            _fill(cell, CALENDAR_FILLS[how])
        sheet.cell(row, len(weeks) + 2, reported)
    _finish(sheet, f"B{HEADER_ROW + 1}", {1: 28} | {column: 14 for column in range(2, len(weeks) + 2)})


def _kpi_sheet(sheet, summary: WeeklySummary, shown: dict[int | None, dict[str, Progress]], t: Translator,
               replaced: dict[str, tuple[int, list[str]]]) -> None:
    """The commune's line per indicator it tracks (the progress sheet's totals), the figures
    an office types into the province's KPI tracker (seed 004): baseline, achieved, target,
    the share of the target reached and the share the time-line expects by the as-of day."""
    _heading(sheet, summary, t, t("KPI"), summary.as_of)
    as_of = summary.as_of
    _header(sheet, [t("Indicator"), t("Baseline"), t("Achieved"), t("Target"), t("Share of the target reached (%)"),
                    t("Time-line by {day}, share of the target (%)", day=t.day_month(as_of)), t("Deadline"), t("Status")])
    lines = summary.progress  # none for a commune without villages
    indicators = [i for i in summary.indicators if i.key in lines]
    for row, indicator in enumerate(indicators, HEADER_ROW + 1):
        line, whole = lines[indicator.key], shown[None][indicator.key]
        status, expected = line.status(as_of), expected_count(whole, as_of)
        values = [indicator.name(t.language), whole.baseline, whole.achieved, whole.target, whole.ratio,
                  expected / whole.target if expected is not None and whole.target else None,
                  line.deadline if whole.target is not None else None, status_word(status, t)]
        formats = [None, COUNT_FORMAT, COUNT_FORMAT, COUNT_FORMAT, PERCENT_FORMAT, PERCENT_FORMAT,
                   _date_format(t), None]
        for column, (value, number_format) in enumerate(zip(values, formats, strict=True), 1):
            cell = sheet.cell(row, column, value)
            if number_format:
                cell.number_format = number_format
        if status is not None:
            _fill(sheet.cell(row, len(values)), STATUS_FILLS[status])
    _notes(sheet, HEADER_ROW + len(indicators) + 2, summary, shown, t, replaced)
    _finish(sheet, f"B{HEADER_ROW + 1}", {1: 40})


def _village_sheet(sheet, summary: WeeklySummary, village: VillageWeek,
                   shown: dict[int | None, dict[str, Progress]], t: Translator) -> None:
    """One village: each indicator's count in the period (and with approved evidence), and its progress."""
    _heading(sheet, summary, t, village.village.name, summary.as_of)
    sheet["C3"], sheet["D3"] = t("Reported"), _reported_word(summary, village, t)
    verifies = village.verified is not None
    _header(sheet, [t("Indicator"), t("In the period"), *([t("With approved evidence")] if verifies else []),
                    *_progress_names(summary, t)])
    for row, indicator in enumerate(summary.indicators, HEADER_ROW + 1):
        counts = [village.week.get(indicator.key, 0)]
        if verifies:
            counts.append(village.verified.get(indicator.key, 0))
        sheet.cell(row, 1, indicator.short(t.language))
        for column, count in enumerate(counts, 2):
            sheet.cell(row, column, count).number_format = COUNT_FORMAT
        _progress_cells(sheet, row, len(counts) + 2, village.progress[indicator.key],
                        shown[village.village.id][indicator.key], summary.as_of, t)
    _finish(sheet, f"B{HEADER_ROW + 1}", {1: 20})
