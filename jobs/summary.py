"""Monday's weekly summary to the subscribed chats: the text, the chart and the spreadsheet;
a commune's, or a province's (its communes ranked, one bar and one sheet per commune)."""

from datetime import datetime, timedelta
from functools import cache

from sqlmodel import Session

from ..figures import figures_of
from ..figures.chart import default_indicator, summary_chart
from ..handlers.messages import Attachment, Outgoing
from ..models import Level, OrgUnit
from ..models.exports import file_name
from ..models.periods import Period, local_date, week_of
from .runner import Delivery, Job
from .subscribers import to_subscribers


def summarised_week(commune: OrgUnit, now: datetime) -> Period:
    """On a Monday the week that just ended; on any other day the week so far."""
    today = local_date(now, commune.timezone)
    return week_of(today - timedelta(days=1) if today.weekday() == 0 else today)


def run_key(commune: OrgUnit, now: datetime) -> str:
    """The week summarised, and for a week still under way the day it is summarised to:
    a run by hand mid-week (`2026-W48 to 2026-11-25`) never stands for Monday's summary of
    the whole week (`2026-W48`)."""
    today = local_date(now, commune.timezone)
    week = summarised_week(commune, now)
    return week.label if today > week.last else f"{week.label} to {today.isoformat()}"


def plan(session: Session, commune: OrgUnit, now: datetime) -> list[Delivery]:
    week = summarised_week(commune, now)
    figures = figures_of(session, commune, week, local_date(now, commune.timezone), workbook=True)
    summary = figures.summary
    charted = default_indicator(summary) is not None  # a province without communes has nothing to draw

    @cache  # rendered once per language, however many chats read it
    def compose(t):
        chart = Attachment("picture", file_name(commune, week, "png"), summary_chart(summary, t)) if charted else None
        return (
            Outgoing(figures.text(t)),
            *([Outgoing("", attachment=chart)] if chart else []),
            Outgoing("", attachment=Attachment("file", file_name(commune, week, "xlsx"), figures.workbook(t))),
        )

    return to_subscribers(session, commune, compose)


WEEKLY_SUMMARY = Job("weekly-summary", run_key, plan, (Level.COMMUNE, Level.PROVINCE))
