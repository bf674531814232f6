"""Reminders of the reports due at the level above: `remind_days` before a deadline the
office (the subscribed chats) gets the figures to submit (or with the first run after that
day, when the scheduler was down then); on the day itself too, and, while villages are still
missing reports for the period, the commune's leaders in private (a province's: its leaders,
told which communes have villages missing)."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import cache, partial

from sqlmodel import Session, select

from ..figures import Figures, figures_of
from ..figures.wording import REPORT_NAMES, period_name
from ..handlers.messages import Outgoing
from ..locales import Translator, translator
from ..models import JobRun, Level, OrgUnit, Role
from ..models.deadlines import ReportDeadline, deadlines_of, falling_due
from ..models.due_dates import period_due_on
from ..models.periods import Period, local_date
from .alerts import day_label
from .period_report import report_messages
from .reminders import team_accounts
from .runner import Delivery, Job
from .subscribers import to_subscribers

NAME = "deadline-reminders"
LEADERS = {Level.COMMUNE: Role.LEADER, Level.PROVINCE: Role.PROVINCE_LEADER}  # told on the day of what is missing


def ahead(deadline: ReportDeadline, figures: Figures, day: date, t: Translator, days_left: int) -> str:
    return t.plural("⏰ The {report} for {period} is due at the level above in {count} day, on {day}. The figures to submit are below and in the workbook.",
                    "⏰ The {report} for {period} is due at the level above in {count} days, on {day}. The figures to submit are below and in the workbook.",
                    days_left, report=t(REPORT_NAMES[deadline.period_kind]),
                    period=period_name(t, figures.summary.period), day=t.date(day))


def due_today(deadline: ReportDeadline, figures: Figures, day: date, t: Translator) -> str:
    text = t("⏰ The {report} for {period} is due at the level above today, {day}. The figures to submit are below and in the workbook.",
             report=t(REPORT_NAMES[deadline.period_kind]), period=period_name(t, figures.summary.period),
             day=t.date(day))
    missing = figures.not_reported(t)
    return f"{text}\n{missing}" if missing else text


def to_leaders(session: Session, unit: OrgUnit, compose, skipped: set[tuple[str, str]]) -> list[Delivery]:
    """The commune's (province's) leaders in their private chats, but for a chat already receiving it."""
    deliveries = []
    for _, person, account in team_accounts(session, [unit], roles=(LEADERS[unit.level],)):
        if (account.channel, account.external_id) in skipped:
            continue
        skipped.add((account.channel, account.external_id))
        deliveries += [Delivery(account.channel, account.external_id, message)
                       for message in compose(translator(person.locale))]
    return deliveries


def composer(session: Session, commune: OrgUnit, deadline: ReportDeadline, period: Period, day: date,
             today: date, heading) -> tuple[Figures, Callable[[Translator], list[Outgoing]]]:
    """The period's figures as of today, and its messages under `heading`, once per language."""
    figures = figures_of(session, commune, period, today, workbook=True)

    @cache  # rendered once per language, however many chats read it
    def compose(t: Translator) -> list[Outgoing]:
        return report_messages(figures, heading(deadline, figures, day, t), t)

    return figures, compose


def plan(session: Session, commune: OrgUnit, now: datetime) -> list[Delivery]:
    today = local_date(now, commune.timezone)
    deadlines = deadlines_of(session, commune)
    deliveries = []
    for deadline, period in falling_due(deadlines, today):
        figures, compose = composer(session, commune, deadline, period, today, today, due_today)
        office = to_subscribers(session, commune, compose)
        deliveries += office
        if not figures.complete:
            deliveries += to_leaders(session, commune, compose, {(d.channel, d.chat_id) for d in office})
    for deadline in deadlines:
        reminder = reminder_due(session, commune, deadline, today)
        if reminder is not None:
            day, period = reminder
            heading = partial(ahead, days_left=(day - today).days)
            deliveries += to_subscribers(session, commune,
                                         composer(session, commune, deadline, period, day, today, heading)[1])
    return deliveries


def reminder_due(session: Session, unit: OrgUnit, deadline: ReportDeadline, today: date) -> tuple[date, Period] | None:
    """The deadline (its day and period) the office is to be reminded of today: the one
    `remind_days` ahead, or a nearer one whose reminder day had no run up to today (the
    scheduler was down): a missed reminder goes out late, once, rather than never."""
    for days_left in range(deadline.remind_days, 0, -1):  # remind_days 0: on the day alone
        day = today + timedelta(days=days_left)
        period = period_due_on(deadline.period_kind, deadline.rule, day)
        if period is None or period.first > today:  # not due that day, or a period not begun: nothing to submit
            continue
        missed = [(today - timedelta(days=n)).isoformat() for n in range(1, deadline.remind_days - days_left + 1)]
        reminded = session.exec(select(JobRun.id).where(JobRun.job == NAME, JobRun.commune_id == unit.id,
                                                        JobRun.period.in_(missed))).first() if missed else None
        return None if reminded is not None else (day, period)
    return None


DEADLINE_REMINDERS = Job(NAME, day_label, plan, (Level.COMMUNE, Level.PROVINCE))
