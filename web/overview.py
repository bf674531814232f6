"""The overview of a commune (a province: of its communes), for any period, and its
downloads: the figures `/tuan`…`/nam` and `/xuat` give, read by `figures/`."""

from datetime import date

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..figures import export_content, figures_of
from ..figures.trend import trend_svg, trend_weeks
from ..figures.wording import period_name, progress_line
from ..locales import N_, Translator
from ..models import Level, OrgUnit
from ..models.access import office_of
from ..models.exports import file_name
from ..models.periods import Period, containing, parse_period
from ..models.progress import Status
from ..models.queries import weekly_counts
from ..models.summary import VillageWeek, WeeklySummary
from .desk import Desk, database, signed_in

PERIOD_KINDS = {"week": N_("Week"), "month": N_("Month"), "quarter": N_("Quarter"), "half": N_("Half-year"),
                "year": N_("Year")}
STATUS_CLASSES = {Status.GREEN: "green", Status.YELLOW: "yellow", Status.RED: "red", None: "none"}
EXPORT_KINDS = ("xlsx", "csv")


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


def chosen_period(request: Request, today: date) -> Period:
    """`?period=2026-Q4` (any period the exports name), or `?kind=month` (the one under way);
    this week by default, and for anything else."""
    try:
        period = parse_period(request.query_params["period"]) if "period" in request.query_params else None
    except ValueError:
        period = None
    if period is None or period.first > today:
        kind = request.query_params.get("kind", "week")
        period = containing(kind if kind in PERIOD_KINDS else "week", today)
    return period


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
        lines = [progress_line(t, indicator.short(t.language), summary.totals.get(indicator.key, 0),
                               summary.progress[indicator.key], period, today)
                 for indicator in summary.indicators if indicator.key in summary.progress]
        keys = [indicator.key for indicator in summary.indicators]
        rows = [table_row(t, summary, row, keys) for row in summary.villages]
        sort = request.query_params.get("sort", "")
        if sort in keys:
            rows.sort(key=lambda row: -row["ratios"].get(sort, -1))
        return desk.render("overview.html", unit=unit, trends=trends(desk, unit, summary, today), period=period, period_title=period_name(t, period),
                           kinds=PERIOD_KINDS, lines=[line for line in lines if line], rows=rows,
                           indicators=summary.indicators, not_reported=figures.not_reported(t), sort=sort,
                           exports=EXPORT_KINDS, reviewer=office_of(desk.places, unit.id),
                           red=[row for row in rows if row["red"]])


def trends(desk: Desk, unit: OrgUnit, summary: WeeklySummary, today: date) -> list[tuple[str, Markup]]:
    """Each indicator's trend since its target's start (the last weeks without one), as SVG."""
    t = desk.t
    communes = [unit.id] if unit.level == Level.COMMUNE else [row.village.id for row in summary.villages]
    shown = [i for i in summary.indicators if i.key in summary.progress]
    first = min((trend_weeks(summary.progress[i.key], today)[0] for i in shown), default=today)
    weekly = weekly_counts(desk.session, communes, first, today)
    return [(indicator.short(t.language),
             Markup(trend_svg(t, indicator.short(t.language), weekly.get(indicator.key, {}),
                              summary.progress[indicator.key], today)))
            for indicator in shown]


def table_row(t: Translator, summary: WeeklySummary, row: VillageWeek, keys: list[str]) -> dict:
    """A village's (a commune's) row of the overview: per indicator its colour, the period's
    count and the share of its target reached, written once here (a province's table has
    hundreds of cells, and a template's calls cost more than these)."""
    statuses = summary.statuses(row)
    ratios = {key: row.progress[key].ratio for key in keys if key in row.progress and row.progress[key].ratio is not None}
    cells = [{"key": key, "count": row.week.get(key, 0), "status": STATUS_CLASSES[statuses.get(key)],
              "text": t.number(row.week.get(key, 0)) + (f" · {t.percent(ratios[key])}" if key in ratios else "")}
             for key in keys]
    return {"unit": row.village, "reported": row.reported, "cells": cells, "ratios": ratios,
            "red": Status.RED in statuses.values()}


def village_page(request: Request, desk: Desk, village: OrgUnit) -> Response:
    """A village: its indicators in the period against the target, and whether it reported."""
    commune = desk.session.get(OrgUnit, village.parent_id)
    today = desk.today(village)
    period = chosen_period(request, today)
    summary = figures_of(desk.session, commune, period, today).summary
    row = next(row for row in summary.villages if row.village.id == village.id)
    t = desk.t
    lines = [progress_line(t, indicator.short(t.language), row.week.get(indicator.key, 0), row.progress[indicator.key],
                           period, today)
             for indicator in summary.indicators if indicator.key in row.progress]
    return desk.render("village.html", unit=village, commune=commune if desk.reaches(commune) else None,
                       period=period, period_title=period_name(t, period), kinds=PERIOD_KINDS,
                       lines=[line for line in lines if line], reported=row.reported, reporters=row.reporters)


def export(request: Request) -> Response:
    """`?period=…&kind=xlsx|csv`: the period's workbook or CSV, as `/xuat` sends it."""
    with database(request) as session:
        desk = signed_in(request, session)
        unit = desk.unit(request.path_params["unit_id"])
        if unit.level == Level.VILLAGE:
            return desk.render("no_place.html", status=404)
        today = desk.today(unit)
        period = chosen_period(request, today)
        kind = request.query_params.get("kind", "xlsx")
        kind = kind if kind in EXPORT_KINDS else EXPORT_KINDS[0]
        content = export_content(session, unit, period, today, desk.t, kind)
    media = "text/csv; charset=utf-8" if kind == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(content, media_type=media,
                     headers={"Content-Disposition": f'attachment; filename="{file_name(unit, period, kind)}"'})
