"""How counts are written in replies, the same in every conversation."""

from datetime import date

from ..locales import Translator
from ..models import OrgUnit
from ..models.periods import Period, week_of
from ..models.progress import Progress, Status
from ..models.queries import indicators, totals
from .context import Context


def labels(context: Context, t: Translator | None = None) -> dict[str, str]:
    """Short indicator names in the reader's language (`t`, the sender's by default), in catalog order."""
    return {i.key: i.short((t or context.t).language) for i in indicators(context.session)}


def format_counts(context: Context, counts: dict[str, int], t: Translator | None = None) -> str:
    t = t or context.t
    names = labels(context, t)
    return " · ".join(f"{names[key]} {t.number(counts[key])}" for key in names if key in counts)


def week_line(context: Context, village: OrgUnit, day: date) -> str:
    """The village's totals for the week of that day."""
    week = week_of(day)
    week_totals = totals(context.session, [village.id], week.first, week.last)
    t = context.t
    return t("Week {first}–{last}, {village}: {totals}", first=t.day_month(week.first),
             last=t.day_month(week.last), village=village.name,
             totals=format_counts(context, week_totals) or t("nothing yet"))


def period_name(t: Translator, period: Period) -> str:
    """`week 23/11–29/11` for a week; `2026-11 (01/11/2026–30/11/2026)` for any other period."""
    if period == week_of(period.first):
        return t("week {first}–{last}", first=t.day_month(period.first), last=t.day_month(period.last))
    return t("{period} ({first}–{last})", period=period.label, first=t.date(period.first), last=t.date(period.last))


STATUS_MARKS = {Status.GREEN: "🟢", Status.YELLOW: "🟡", Status.RED: "🔴", None: "▫️"}


def progress_line(t: Translator, name: str, week_count: int, total: Progress, today: date,
                  whole_week: bool = True) -> str | None:
    """`🟡 VNeID: this week 24 · reached 6.052/6.928 (87%) · expected 92% by 3 Dec`; None when
    there is nothing to say. A colour comes with what the time-line expects by `today`, so
    that a reader sees why; before the target's start there is neither.

    `week_count` is the count of the period shown: this week, or (`whole_week` False) any period.
    """
    if total.target is None and not week_count and not total.achieved:
        return None
    if whole_week:
        line = t("{indicator}: this week {week}", indicator=name, week=t.number(week_count))
    else:
        line = t("{indicator}: {count} in the period", indicator=name, count=t.number(week_count))
    status = total.status(today)
    if total.target is not None and total.ratio is not None:
        line += " · " + t("reached {achieved}/{target} ({percent})", achieved=t.number(round(total.achieved)),
                          target=t.number(round(total.target)), percent=t.percent(total.ratio))
        if status is not None:
            line += " · " + t("expected {percent} by {day}", percent=t.percent(total.expected(today) / total.target),
                              day=t.day_month(today))
    else:
        line += " · " + t("{achieved} in all", achieved=t.number(round(total.achieved)))
    return f"{STATUS_MARKS[status]} {line}"
