"""The reporting calendar of a commune (a province): what is due next — the reports due at the
level above (`tocds admin deadlines`) and the office's reminder before each, the weekly sends
(the members' reminder, the team leaders', Monday's summary) and a period's report when it
closes — on days of the unit's time zone, named; and, for a period, which week each village
reported in (the workbook's calendar sheet and the desk's reports page)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from ..locales import N_, Translator
from ..models import Level, OrgUnit
from ..models.deadlines import ReportDeadline, deadlines_of
from ..models.due_dates import next_due
from ..models.jobs import WEEKDAYS, schedule_of
from ..models.orgunits import Village
from ..models.periods import Period, containing
from ..models.summary import WeeklySummary
from .wording import REPORT_NAMES, period_name

# The weekly sends of a commune (a province: its summary alone), as the office reads them.
WEEKLY_SENDS = {
    Level.COMMUNE: {
        "reminders": N_("members of villages that have not reported this week are reminded"),
        "escalation": N_("team leaders of villages still missing are reminded; the subscribed chats get the list"),
        "weekly-summary": N_("the summary of the week that ended goes to the subscribed chats"),
    },
    Level.PROVINCE: {"weekly-summary": N_("the summary of the week that ended goes to the subscribed chats")},
}
# A village's week in the calendar: reported, "nothing this week", not reported.
CALENDAR_WORDS = {"entries": N_("reported"), "nothing": N_("nothing to report"), None: N_("not reported")}


@dataclass(frozen=True)
class Upcoming:
    """One thing due: on `day` (at `at`, for a scheduled send), what happens, and the period
    whose report it concerns (its files), if any."""

    day: date
    at: time | None
    what: str
    period: Period | None = None


def next_deadlines(session: Session, unit: OrgUnit, today: date) -> list[tuple[ReportDeadline, date, Period]]:
    """Each of the unit's deadlines with its next due day (today or later) and the period that
    report is for, soonest first."""
    due = [(deadline, *next_due(deadline.period_kind, deadline.rule, today)) for deadline in deadlines_of(session, unit)]
    return sorted(due, key=lambda item: item[1])


def upcoming(session: Session, unit: OrgUnit, now: datetime, t: Translator) -> list[Upcoming]:
    """What is due from `now` (the unit's local time) on, soonest first."""
    today, schedule = now.date(), schedule_of(session, unit.id)
    items = []
    for job, what in WEEKLY_SENDS[unit.level].items():
        when = schedule[job]
        day = today + timedelta(days=(WEEKDAYS.index(when.weekday) - today.weekday()) % 7)
        if day == today and when.at <= now.time():
            day += timedelta(weeks=1)
        items.append(Upcoming(day, when.at, t(what)))
    month = containing("month", today)
    items.append(Upcoming(month.last + timedelta(days=1), schedule["period-report"].at,
                          t("{period} ends: its figures, workbook and report upward go to the subscribed chats",
                            period=period_name(t, month)), month))
    reminder_at = schedule["deadline-reminders"].at
    for deadline, day, period in next_deadlines(session, unit, today):
        report = t(REPORT_NAMES[deadline.period_kind])
        items.append(Upcoming(day, None, t("the {report} for {period} is due at the level above",
                                           report=report, period=period_name(t, period)), period))
        reminded = day - timedelta(days=deadline.remind_days)
        if deadline.remind_days and (reminded > today or reminded == today and reminder_at > now.time()):
            items.append(Upcoming(reminded, reminder_at, t("the subscribed chats are reminded of the {report} for {period}, with its figures",
                                                           report=report, period=period.label), period))
    return sorted(items, key=lambda item: (item.day, item.at or time.max))


def begun_weeks(summary: WeeklySummary) -> list[Period]:
    """The ISO weeks of the summary's period begun by its as-of day."""
    return [week for week in summary.weeks if week.first <= summary.as_of]


def reporting_weeks(summary: WeeklySummary) -> list[tuple[Village, list[str | None], int]]:
    """Each village, how it reported in each week begun (a `CALENDAR_WORDS` key), and in how many weeks."""
    begun = begun_weeks(summary)
    return [(row.village, [row.calendar.get(week.first) for week in begun],
             sum(1 for week in begun if week.first in row.calendar)) for row in summary.villages]
