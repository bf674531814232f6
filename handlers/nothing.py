"""`/khong [week]`: "nothing to report" for a village's week — this week, or one named
(`/khong tuần trước`, `tuần trước không có gì`) within the days a report may be for."""

from datetime import date

from sqlmodel import select

from ..models import NothingToReport, OrgUnit
from ..models.periods import Period, week_of
from ..models.queries import totals
from .context import Context, step
from .grammar import ParseError, week_report_day
from .messages import Outgoing
from .questions import period_named
from .report import ERRORS, ask_village, chosen_village
from .wording import week_line


def nothing_this_week(context: Context, args: str) -> list[Outgoing]:
    week = named_week(context, args) if args else None
    if isinstance(week, Outgoing):
        return [week]
    villages = context.villages()
    if len(villages) > 1:
        return [ask_village(context, "nothing.village", {"week": week and week.first.isoformat()})]
    return [mark_nothing(context, villages[0], week)]


def named_week(context: Context, args: str) -> Period | Outgoing:
    """The week the words name, or why it cannot be marked."""
    t, today = context.t, context.today()
    try:
        week = period_named(args, today, "week")
    except ValueError:
        week = None
    if week is None or week != week_of(week.first):
        return Outgoing("⚠️ " + t("“{words}” is not a week. Send /khong for this week, or /khong tuần trước for last week.",
                                  words=args))
    day = week_report_day(args, week, today)
    if isinstance(day, ParseError):
        return Outgoing("⚠️ " + t(ERRORS[day.code], word=args, day=t.date(day.day)))
    return week


@step("nothing.village")
def _nothing_village(context: Context, data: str) -> list[Outgoing]:
    monday = context.state["pending"]["week"]
    week = week_of(date.fromisoformat(monday)) if monday else None
    context.finish()
    return [mark_nothing(context, chosen_village(context, data), week)]


def mark_nothing(context: Context, village: OrgUnit, week: Period | None) -> Outgoing:
    """Notes the week (none: this week) as "nothing to report", once; a week with counts has
    been reported."""
    t, session = context.t, context.session
    week = week or week_of(context.today(village))
    if totals(session, [village.id], week.first, week.last):
        return Outgoing(t("{village} already has counts for the week {first}–{last}, so there is nothing to mark.",
                          village=village.name, first=t.day_month(week.first), last=t.day_month(week.last))
                        + "\n" + week_line(context, village, week.first))
    exists = session.exec(
        select(NothingToReport).where(
            NothingToReport.village_id == village.id, NothingToReport.week_start == week.first
        )
    ).first()
    if exists is None:
        session.add(NothingToReport(village_id=village.id, week_start=week.first,
                                    person_id=context.person.id))
    return Outgoing(t("✅ Noted: nothing to report for {village} in the week {first}–{last}. You can still report if something comes up.",
                      village=village.name, first=t.day_month(week.first), last=t.day_month(week.last)))
