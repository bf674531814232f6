"""The overview of a commune (a province: of its communes) and of a village, for any period,
and the period's downloads: the figures `/tuan`…`/nam`, `/xuat` and `/baocaoky` give, read by
`figures/`."""

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..figures import export_content, figures_of
from ..figures.trend import trend_svg, trend_weeks
from ..figures.wording import ROLE_NAMES, STATUS_NAMES, counts_text, period_name, progress_line
from ..locales import N_, Translator
from ..models import Level, OrgUnit
from ..models.access import office_of, reads_figures
from ..models.exports import file_name
from ..models.indicators import Indicator
from ..models.members import members_of
from ..models.periods import Period, containing, parse_period
from ..models.progress import Progress, Status
from ..models.queries import latest_reports, villages_weekly_counts, weekly_counts
from ..models.summary import VillageWeek, WeeklySummary
from .desk import Desk, database, signed_in
from .review import evidence_items

PERIOD_KINDS = {"week": N_("Week"), "month": N_("Month"), "quarter": N_("Quarter"), "half": N_("Half-year"),
                "year": N_("Year")}
STATUS_CLASSES = {Status.GREEN: "green", Status.YELLOW: "yellow", Status.RED: "red", None: "none"}
# What a period downloads as: the workbook and CSV `/xuat` sends, the report upward `/baocaoky` sends.
EXPORT_KINDS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "csv": "text/csv; charset=utf-8",
                "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
VILLAGE_EVIDENCE = 12  # the latest photos a village's page shows


def home(request: Request) -> Response:
    """The first of the person's places: a commune or a province (a team leader: the village's commune)."""
    with database(request) as session:
        desk = signed_in(request, session)
        units = desk.home_units()
        if not units:
            return desk.render("no_place.html", status=404)
        unit = units[0]
        parent = session.get(OrgUnit, unit.parent_id) if unit.level == Level.VILLAGE else None
        if parent is not None and desk.reaches(parent):
            unit = parent
        return RedirectResponse(f"/web/unit/{unit.id}", status_code=303)


def chosen_period(request: Request, today: date, kind: str = "week") -> Period:
    """`?kind=month` (the one under way: the form's buttons, which send the period typed
    beside them too), or `?period=2026-Q4` (any period the exports name); the `kind` under
    way by default, and for anything else."""
    asked = request.query_params.get("kind")
    if asked in PERIOD_KINDS:
        return containing(asked, today)
    try:
        period = parse_period(request.query_params["period"]) if "period" in request.query_params else None
    except ValueError:
        period = None
    return containing(kind, today) if period is None or period.first > today else period


@dataclass(frozen=True, slots=True)
class Cell:
    key: str
    count: int
    status: str
    text: str


@dataclass(frozen=True, slots=True)
class Row:
    """A village's (a commune's) row of the overview: per indicator its colour, the period's
    count and the share of its target reached, written once here (a province's table has
    hundreds of cells, and a template's calls cost more than these)."""

    unit: OrgUnit
    reported: bool
    cells: list[Cell]
    ratios: dict[str, float]
    red: bool


def unit_page(request: Request) -> Response:
    with database(request) as session:
        desk = signed_in(request, session)
        unit = desk.unit(request.path_params["unit_id"])
        if unit.level == Level.VILLAGE:
            return village_page(request, desk, unit)
        today = desk.today(unit)
        period = chosen_period(request, today)
        figures = figures_of(session, unit, period, today, reporters=False)  # the page names nobody
        summary, t = figures.summary, desk.t
        keys = [indicator.key for indicator in summary.indicators]
        rows = [table_row(t, summary, row, keys) for row in summary.villages]
        sort = request.query_params.get("sort", "")
        if sort in keys:
            rows.sort(key=lambda row: -row.ratios.get(sort, -1))
        communes = [unit.id] if unit.level == Level.COMMUNE else [row.village.id for row in summary.villages]
        lines = summary.progress
        first = first_week(summary.indicators, lines, today)
        return desk.render("overview.html", unit=unit, period=period, period_title=period_name(t, period),
                           kinds=PERIOD_KINDS, lines=progress_lines(t, summary.indicators, summary.totals, lines,
                                                                   period, today),
                           trends=trends(t, summary.indicators, lines, weekly_counts(session, communes, first, today),
                                         today),
                           rows=rows, indicators=summary.indicators, not_reported=figures.not_reported(t), sort=sort,
                           reviewer=office_of(desk.places, unit.id),
                           reports=reads_figures(session, desk.places, unit), manages=manages(desk, unit),
                           red=[row for row in rows if row.red])


def manages(desk: Desk, unit: OrgUnit) -> bool:
    """Whether the person manages the unit's people: its page links to its People page."""
    return unit.id in {u.id for u in desk.managed_units()}


def progress_lines(t: Translator, indicators: list[Indicator], counts: dict[str, int], lines: dict[str, Progress],
                   period: Period, today: date) -> list[str]:
    """Each indicator's line as `/tuan` writes it (those with nothing to say left out)."""
    written = (progress_line(t, i.short(t.language), counts.get(i.key, 0), lines[i.key], period, today)
               for i in indicators if i.key in lines)
    return [line for line in written if line]


def first_week(indicators: list[Indicator], lines: dict[str, Progress], today: date) -> date:
    """The first Monday any indicator's trend shows."""
    return min((trend_weeks(lines[i.key], today)[0] for i in indicators if i.key in lines), default=today)


def trends(t: Translator, indicators: list[Indicator], lines: dict[str, Progress], weekly: dict[str, dict[date, int]],
           today: date) -> list[tuple[str, Markup]]:
    """Each indicator's trend since its target's start (the last weeks without one), as SVG."""
    return [(i.short(t.language), Markup(trend_svg(t, i.short(t.language), weekly.get(i.key, {}), lines[i.key], today)))
            for i in indicators if i.key in lines]


def table_row(t: Translator, summary: WeeklySummary, row: VillageWeek, keys: list[str]) -> Row:
    statuses = summary.statuses(row)
    ratios = {key: row.progress[key].ratio for key in keys if key in row.progress and row.progress[key].ratio is not None}
    cells = [Cell(key, row.week.get(key, 0), STATUS_CLASSES[statuses.get(key)],
                  t.number(row.week.get(key, 0)) + (f" · {t.percent(ratios[key])}" if key in ratios else ""))
             for key in keys]
    return Row(row.village, row.reported, cells, ratios, Status.RED in statuses.values())


def village_page(request: Request, desk: Desk, village: OrgUnit) -> Response:
    """A village: its indicators in the period against the target, whether it reported and who,
    its weeks (a trend per indicator); for the commune's office also its people with their
    latest report (as `/thanhvien` lists them) and its latest evidence."""
    session, t = desk.session, desk.t
    commune = session.get(OrgUnit, village.parent_id)
    today = desk.today(village)
    period = chosen_period(request, today)
    summary = figures_of(session, commune, period, today).summary
    row = next(row for row in summary.villages if row.village.id == village.id)
    first = first_week(summary.indicators, row.progress, today)
    office = office_of(desk.places, commune.id)
    return desk.render("village.html", unit=village, commune=commune if desk.reaches(commune) else None,
                       period=period, period_title=period_name(t, period), kinds=PERIOD_KINDS,
                       lines=progress_lines(t, summary.indicators, row.week, row.progress, period, today),
                       reported=row.reported, reporters=row.reporters,
                       trends=trends(t, summary.indicators, row.progress,
                                     villages_weekly_counts(session, [village.id], first, today), today),
                       members=people_of(desk, village) if office else None,
                       evidence=evidence_items(desk, commune, [village.id], newest=VILLAGE_EVIDENCE) if office else None,
                       states=STATUS_NAMES, manages=manages(desk, village))


def people_of(desk: Desk, village: OrgUnit) -> list[tuple[str, str, str]]:
    """The village's people as `/thanhvien` lists them: name, role, and their latest report
    (its day and counts)."""
    t, latest = desk.t, latest_reports(desk.session, village.id)
    people = []
    for member in members_of(desk.session, village):
        report = latest.get(member.person_id)
        said = t("latest report {day}: {counts}", day=t.date(report[0]),
                 counts=counts_text(desk.session, report[1], t) or "—") if report else t("no report")
        people.append((member.name, t(ROLE_NAMES[member.role]), said))
    return people


def export(request: Request) -> Response:
    """`?period=…&kind=xlsx|csv|docx`: the period's workbook or CSV, as `/xuat` sends it, or
    the report upward, as `/baocaoky` does."""
    with database(request) as session:
        desk = signed_in(request, session)
        unit = desk.figures_unit(request.path_params["unit_id"])
        today = desk.today(unit)
        period = chosen_period(request, today)
        kind = request.query_params.get("kind", "xlsx")
        kind = kind if kind in EXPORT_KINDS else "xlsx"
        content = export_content(session, unit, period, today, desk.t, kind)
    return Response(content, media_type=EXPORT_KINDS[kind],
                    headers={"Content-Disposition": f'attachment; filename="{file_name(unit, period, kind)}"'})
