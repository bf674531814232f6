"""The period reports: when a month, quarter, half or year closes, its figures and workbook go
to the commune's (or province's) subscribed chats, ready for the report to the level above."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import cache

from sqlmodel import Session

from ..figures import Figures, figures_of
from ..figures.chart import trend_chart
from ..figures.trend import trend_first_day
from ..figures.wording import period_name
from ..handlers.messages import Attachment, Outgoing
from ..locales import Translator
from ..models import Level, OrgUnit
from ..models.deadlines import deadlines_of
from ..models.due_dates import closed_on, due_date
from ..models.exports import file_name
from ..models.periods import Period, local_date
from ..models.queries import weekly_counts
from .runner import Delivery, Job
from .subscribers import to_subscribers

CATCH_UP_DAYS = 7  # how long after a period closes its report still goes out, if it has not yet


def report_messages(figures: Figures, heading: str, t: Translator) -> list[Outgoing]:
    """`heading` over the period's summary text, then its workbook and the report to the level
    above, ready to sign: what an office needs to send the period's report (also what deadline
    reminders send)."""
    unit, period = figures.summary.commune, figures.summary.period
    return [Outgoing(f"{heading}\n\n{figures.text(t)}"),
            Outgoing("", attachment=Attachment("file", file_name(unit, period, "xlsx"), figures.workbook(t))),
            Outgoing("", attachment=Attachment("file", file_name(unit, period, "docx"), figures.document(t)))]


def trend_of(session: Session, figures: Figures) -> Callable[[Translator], Outgoing] | None:
    """A commune's trend picture of its first tracked indicator with a target (in its order),
    to the period's end; None for a province, or a commune without a target."""
    summary = figures.summary
    if summary.commune.level != Level.COMMUNE:
        return None
    indicator = next((i for i in summary.indicators if i.key in summary.progress and summary.progress[i.key].target), None)
    if indicator is None:
        return None
    line, as_of = summary.progress[indicator.key], summary.as_of
    first = trend_first_day(line, as_of)
    weekly = weekly_counts(session, [summary.commune.id], first, as_of).get(indicator.key, {})

    def picture(t: Translator) -> Outgoing:
        return Outgoing("", attachment=Attachment("picture", file_name(summary.commune, summary.period, "png"),
                                                  trend_chart(t, indicator.short(t.language), weekly, line, as_of)))
    return picture


def closed_lately(today: date) -> list[Period]:
    """The periods that closed in the last `CATCH_UP_DAYS` days, today included: a report
    missed while the scheduler was down goes out with its next run. Periods close on the
    first of a month, so a week holds one closing day at most."""
    return [period for back in range(CATCH_UP_DAYS) for period in closed_on(today - timedelta(days=back))]


def run_key(commune: OrgUnit, now: datetime) -> str:
    """The periods that closed lately (`2026-12 2026-Q4 2026-H2 2026` from 1 January), or
    the day when none did: each period's report is recorded once, and so sent once."""
    today = local_date(now, commune.timezone)
    return " ".join(p.label for p in closed_lately(today)) or today.isoformat()


def plan(session: Session, commune: OrgUnit, now: datetime) -> list[Delivery]:
    today = local_date(now, commune.timezone)
    rules = {d.period_kind: d.rule for d in deadlines_of(session, commune)}
    deliveries = []
    for number, period in enumerate(closed_lately(today)):
        figures = figures_of(session, commune, period, today, workbook=True)
        due = rules.get(period.kind)
        # Periods that close together end on the same day: their trends would be one picture, sent once.
        trend = trend_of(session, figures) if number == 0 else None

        @cache  # rendered once per language, however many chats read it
        def compose(t: Translator, figures=figures, due=due, trend=trend) -> list[Outgoing]:
            closed = figures.summary.period
            heading = t("🗓 {period} has ended: its figures and workbook, for the report to the level above.",
                        period=period_name(t, closed))
            if due is not None:
                heading += "\n" + t("The report is due on {day}.", day=t.date(due_date(due, closed)))
            text, *files = report_messages(figures, heading, t)
            return [text, *([trend(t)] if trend else []), *files]

        deliveries += to_subscribers(session, commune, compose)
    return deliveries


PERIOD_REPORT = Job("period-report", run_key, plan, (Level.COMMUNE, Level.PROVINCE))
