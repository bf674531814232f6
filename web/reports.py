"""The reports page of a commune (a province): what is due next on its reporting calendar and
which villages have not reported, the downloads of any period and of those just ended (the
workbook and CSV `/xuat` sends, the report upward `/baocaoky` sends), and for a commune which
week each village reported in. For whoever reads the unit's figures in chat."""

from datetime import date, time

from starlette.requests import Request
from starlette.responses import Response

from ..figures import figures_of
from ..figures.calendar import CALENDAR_WORDS, begun_weeks, next_deadlines, reporting_weeks, upcoming
from ..figures.wording import period_name
from ..locales import N_, Translator
from ..models import Level
from ..models.periods import containing, shifted
from .desk import database, signed_in
from .overview import PERIOD_KINDS, chosen_period

FILES = {"xlsx": N_("Workbook (XLSX)"), "csv": N_("CSV"), "docx": N_("Report upward (DOCX)")}
CALENDAR_CLASSES = {"entries": "green", "nothing": "nothing", None: "red"}


def reports_page(request: Request) -> Response:
    with database(request) as session:
        desk = signed_in(request, session)
        unit = desk.figures_unit(request.path_params["unit_id"])
        t, today, now = desk.t, desk.today(unit), desk.local_now(unit)
        period = chosen_period(request, today, "month")
        deadlines = next_deadlines(session, unit, today)
        # Who has not reported: this week, the period shown, and the period of the next report due.
        asked = [containing("week", today), period] + [p for _, _, p in deadlines[:1] if p.first <= today]
        figures = {p: figures_of(session, unit, p, today, reporters=False) for p in dict.fromkeys(asked)}
        missing = [(period_name(t, p), f.not_reported(t)) for p, f in figures.items() if not f.complete]
        complete = [period_name(t, p) for p, f in figures.items() if f.complete]
        summary = figures[period].summary
        calendar = [(village, [(t(CALENDAR_WORDS[how]), CALENDAR_CLASSES[how]) for how in marks], reported)
                    for village, marks, reported in reporting_weeks(summary)] if unit.level == Level.COMMUNE else []
        return desk.render(
            "reports.html", unit=unit, period=period, period_title=period_name(t, period), kinds=PERIOD_KINDS,
            upcoming=[(when(t, item.day, item.at), item.what, item.period) for item in upcoming(session, unit, now, t)],
            deadlines=deadlines, missing=missing, complete=complete, files=FILES,
            ended=[(period_name(t, p), p) for p in (shifted(containing(kind, today), -1) for kind in PERIOD_KINDS)],
            weeks=[t.span(max(w.first, period.first), min(w.last, period.last)) for w in begun_weeks(summary)],
            calendar=calendar)


def when(t: Translator, day: date, at: time | None) -> str:
    """`Thứ Sáu 04/12/2026, 15:00`: a day named, with its time for a scheduled send."""
    written = f"{t.weekday(day)} {t.date(day)}"
    return f"{written}, {at:%H:%M}" if at else written
