"""Period summaries, rankings and who has not reported, for leaders and the office.

`/tuan`, `/thang [M]`, `/quy [Q]`, `/nam` use the weekly summary's figures over any period;
`/xephang [indicator] [chậm nhất]` ranks villages by progress (from the top, or the bottom);
`/chuabaocao [period]` lists who has not reported (this week by default). Each reads period
words as questions do (`tháng trước`, `quý này`, `6 tháng đầu năm`).
"""

from datetime import date

from ..locales import Translator
from ..models import Level, OrgUnit
from ..models.exports import file_name
from ..models.periods import Period, containing, week_of
from ..models.summary import weekly_summary
from .chart import default_indicator, progress_chart
from .context import Context
from .messages import Attachment, Outgoing
from .questions import period_named, read
from .summary import summary_text
from .wording import STATUS_MARKS, labels, period_name, tracked_labels


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


def requested_period(t: Translator, kind: str | None, args: str, today: date) -> Period | str:
    """The period a command's words name (`period_named`; none: the current one of its kind,
    this week by default), or the reply saying which periods exist: for words that name
    none, and for a period that has not started by today."""
    try:
        period = period_named(args, today, kind) if args.strip() else containing(kind or "week", today)
    except ValueError:
        return t("“{period}” is not a period. Write last week (tuần trước), a month (tháng 11), a quarter (quý 4), a half (6 tháng đầu năm), or 2026-W47, 2026-11, 2026-Q4, 2026-H2, 2026.",
                 period=args.strip())
    if period.first > today:
        return t("{period} has not started yet: choose this week or an earlier period.", period=period.label)
    return period


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
    with the chart of their progress against the time-line; `/xephang vneid chậm nhất`
    (thấp nhất, lowest…) from the bottom up, each village keeping its place."""
    t, names = context.t, labels(context)
    question = read(context, args)
    if args.strip() and not question.understood:
        offered = tracked_labels(context, *context.commune_ids())
        return [Outgoing(t("I do not know “{word}”.", word=args.strip()) + " " + ", ".join(offered))]
    replies = []
    for commune in context.communes():
        today = context.today(commune)
        summary = weekly_summary(context.session, commune, week_of(today), today)
        key = question.indicator or default_indicator(summary)
        if key not in {i.key for i in summary.indicators}:
            replies.append(Outgoing(t("{commune} does not track {indicator}.", commune=commune.name,
                                      indicator=names.get(key, key))))
            continue
        ranked = sorted(summary.villages, key=lambda v: (-(v.progress[key].ratio or 0),
                                                         -v.progress[key].achieved, v.village.id))
        places = list(enumerate(ranked, start=1))
        if question.worst_first:
            places.reverse()
        heading = (t("📉 {commune} — {indicator}, lowest first", commune=commune.name, indicator=names[key])
                   if question.worst_first else t("🏆 {commune} — {indicator}", commune=commune.name, indicator=names[key]))
        lines = [heading]
        for place, village in places:
            line = village.progress[key]
            figure = (f"{t.percent(line.ratio)} ({t.number(round(line.achieved))}/{t.number(round(line.target))})"
                      if line.ratio is not None else t.number(round(line.achieved)))
            lines.append(f"{place}. {STATUS_MARKS[line.status(today)]} {village.village.name} — {figure}")
        chart = Attachment("picture", file_name(commune, summary.period, "png"), progress_chart(summary, t, key))
        replies.append(Outgoing("\n".join(lines), attachment=chart))
    return replies


def missing(context: Context, args: str) -> list[Outgoing]:
    """The villages without a report in the period (this week by default), in the person's
    commune (or their own village)."""
    t = context.t
    replies = []
    for place in context.places:
        commune = place.unit if place.unit.level == Level.COMMUNE else context.session.get(OrgUnit, place.unit.parent_id)
        today = context.today(commune)
        period = requested_period(t, None, args, today)
        if isinstance(period, str):
            return [Outgoing(period)]
        summary = weekly_summary(context.session, commune, period, today)
        absent = [v for v in summary.missing if place.unit.level == Level.COMMUNE or v.id == place.unit.id]
        named = period_name(t, period)
        if place.unit.level == Level.VILLAGE:
            text = (t("{village} has not reported for {period} yet.", village=place.unit.name, period=named)
                    if absent else t("{village} has reported for {period}.", village=place.unit.name, period=named))
        elif absent:
            text = t.plural("{commune}, {period}: {count} village has not reported: {villages}.",
                            "{commune}, {period}: {count} villages have not reported: {villages}.",
                            len(absent), commune=commune.name, period=named, villages=", ".join(v.name for v in absent))
        else:
            text = t("{commune}, {period}: every village has reported.", commune=commune.name, period=named)
        replies.append(Outgoing(text))
    return replies
