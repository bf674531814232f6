"""Period summaries, rankings and who has not reported, for leaders and the office.

`/tuan`, `/thang [M]`, `/quy [Q]`, `/nam` use the weekly summary's figures over any period;
`/xephang [indicator]` ranks villages by progress; `/chuabaocao` lists this week's missing.
"""

from datetime import date

from ..locales import Translator
from ..models import Level, OrgUnit
from ..models.exports import file_name
from ..models.periods import Period, parse_period, week_of
from ..models.summary import weekly_summary
from ..models.text import fold
from .chart import progress_chart
from .context import Context
from .messages import Attachment, Outgoing
from .questions import period_of
from .report import aliases
from .summary import summary_text
from .wording import STATUS_MARKS, labels


def for_each_commune(context: Context, reply) -> list[Outgoing]:
    return [Outgoing(reply(commune, context.today(commune))) for commune in context.communes()]


def period_reply(context: Context, kind: str, args: str) -> list[Outgoing]:
    t = context.t

    def reply(commune: OrgUnit, today: date) -> str:
        period = requested_period(t, kind, args, today)
        if isinstance(period, str):
            return period
        return summary_text(weekly_summary(context.session, commune, period, today), t)

    return for_each_commune(context, reply)


def requested_period(t: Translator, kind: str, args: str, today: date) -> Period | str:
    """The period a command's words name (`period_for`), or the reply saying which periods
    exist: for a malformed period, and for one that has not started by today."""
    try:
        period = period_for(kind, args.strip(), today)
    except ValueError:
        return t("“{period}” is not a period. Write a week 2026-W47, a month 2026-11, a quarter 2026-Q4, a half 2026-H2 or a year 2026.",
                 period=args.strip())
    if period.first > today:
        return t("{period} has not started yet: choose this week or an earlier period.", period=period.label)
    return period


def period_for(kind: str, args: str, today: date) -> Period:
    """`/thang 11` → 2026-11 of this year, `/quy III` → 2026-Q3; a written period
    (`2026-10`) as it is; no argument → the current week, month, quarter, year."""
    if args and ("-" in args or kind in ("week", "year")):
        return parse_period(args)
    return period_of(kind, args.lower().removeprefix("q") or None, today)


def week(context: Context, args: str) -> list[Outgoing]:
    return period_reply(context, "week", args)


def month(context: Context, args: str) -> list[Outgoing]:
    return period_reply(context, "month", args)


def quarter(context: Context, args: str) -> list[Outgoing]:
    return period_reply(context, "quarter", args)


def year(context: Context, args: str) -> list[Outgoing]:
    return period_reply(context, "year", args)


def ranking(context: Context, args: str) -> list[Outgoing]:
    """Villages ranked by the share of their target reached (or by count without targets),
    with the chart of their progress against the time-line."""
    t, names = context.t, labels(context)
    words = {fold(word): key for word, key in aliases(context).items()} | {fold(n): k for k, n in names.items()}
    wanted = fold(args) if args.strip() else None
    if wanted is not None and wanted not in words:
        return [Outgoing(t("I do not know “{word}”.", word=args.strip()) + " " + ", ".join(names))]
    replies = []
    for commune in context.communes():
        today = context.today(commune)
        summary = weekly_summary(context.session, commune, week_of(today), today)
        key = words.get(wanted) or next((k for k in names if summary.progress[k].target is not None), "vneid")
        rows = sorted(summary.villages, key=lambda v: (-(v.progress[key].ratio or 0),
                                                       -v.progress[key].achieved, v.village.id))
        lines = [t("🏆 {commune} — {indicator}", commune=commune.name, indicator=names[key])]
        for place, village in enumerate(rows, start=1):
            line = village.progress[key]
            figure = (f"{t.percent(line.ratio)} ({t.number(round(line.achieved))}/{t.number(round(line.target))})"
                      if line.ratio is not None else t.number(round(line.achieved)))
            lines.append(f"{place}. {STATUS_MARKS[line.status(today)]} {village.village.name} — {figure}")
        chart = Attachment("picture", file_name(commune, summary.period, "png"), progress_chart(summary, t, key))
        replies.append(Outgoing("\n".join(lines), attachment=chart))
    return replies


def missing(context: Context, args: str) -> list[Outgoing]:
    """This week's villages without a report, in the person's commune (or their own village)."""
    t = context.t
    replies = []
    for place in context.places:
        commune = place.unit if place.unit.level == Level.COMMUNE else context.session.get(OrgUnit, place.unit.parent_id)
        today = context.today(commune)
        summary = weekly_summary(context.session, commune, week_of(today), today)
        absent = [v for v in summary.missing if place.unit.level == Level.COMMUNE or v.id == place.unit.id]
        span = {"first": t.day_month(summary.period.first), "last": t.day_month(summary.period.last)}
        if place.unit.level == Level.VILLAGE:
            text = (t("{village} has not reported for the week {first}–{last} yet.", village=place.unit.name, **span)
                    if absent else t("{village} has reported for the week {first}–{last}.", village=place.unit.name, **span))
        elif absent:
            text = t("{commune}, week {first}–{last}: {count} villages have not reported: {villages}.",
                     commune=commune.name, count=len(absent), villages=", ".join(v.name for v in absent), **span)
        else:
            text = t("{commune}, week {first}–{last}: every village has reported.", commune=commune.name, **span)
        replies.append(Outgoing(text))
    return replies
