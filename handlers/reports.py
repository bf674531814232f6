"""Period summaries, rankings and who has not reported, for leaders and the office.

`/tuan`, `/thang [M]`, `/quy [Q]`, `/nam` use the weekly summary's figures over any period;
`/xephang [indicator] [chậm nhất]` ranks villages by progress (from the top, or the bottom);
`/chuabaocao [period]` lists who has not reported (this week by default). Each reads period
words as questions do (`tháng trước`, `quý này`, `6 tháng đầu năm`).

A province's people get the same replies about communes instead of villages (each commune's
progress and colours, communes ranked, communes with villages not reporting); a commune of
their province named in the words narrows the reply to that commune's.
"""

from datetime import date

from ..figures import figures_of
from ..figures.chart import default_indicator, progress_chart
from ..figures.text import completeness_line, ranking_lines
from ..figures.wording import period_name
from ..locales import Translator
from ..models import Level, OrgUnit
from ..models.exports import file_name
from ..models.periods import Period, containing, week_of
from ..models.summary import province_summary, weekly_summary
from .context import Context
from .messages import Attachment, Outgoing
from .questions import named_commune, period_named, read
from .wording import labels, tracked_labels


def summarised_units(context: Context, args: str) -> tuple[list[OrgUnit], str]:
    """The communes and provinces a reply covers, and the words left for the period: a
    province's people who name one of its communes get that commune alone."""
    commune, args = named_commune(context, args)
    return ([commune] if commune else context.communes() + context.provinces()), args


def period_reply(context: Context, kind: str, args: str) -> list[Outgoing]:
    t = context.t
    units, args = summarised_units(context, args)
    replies = []
    for unit in units:
        today = context.today(unit)
        period = requested_period(t, kind, args, today)
        if isinstance(period, str):
            replies.append(Outgoing(period))
        else:
            replies.append(Outgoing(figures_of(context.session, unit, period, today).text(t)))
    return replies


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
    """Villages (a province's: communes) ranked by the share of their target reached (or by
    count without targets), with the chart of their progress against the time-line;
    `/xephang vneid chậm nhất` (thấp nhất, lowest…) from the bottom up, each keeping its place.
    A province's people naming a commune, or a village of one, get that commune's villages."""
    t, names = context.t, labels(context)
    question = read(context, args)
    if args.strip() and not question.understood:
        offered = tracked_labels(context, *context.commune_ids())
        return [Outgoing(t("I do not know “{word}”.", word=args.strip()) + " " + ", ".join(offered))]
    narrowed = question.commune or next((c for c in context.province_communes() if question.village
                                         and c.id == question.village.parent_id), None)
    replies = []
    for unit in [narrowed] if narrowed else context.communes() + context.provinces():
        today = context.today(unit)
        summary = figures_of(context.session, unit, week_of(today), today).summary
        key = question.indicator or default_indicator(summary)
        if key not in {i.key for i in summary.indicators}:
            replies.append(Outgoing(t("{commune} does not track {indicator}.", commune=unit.name,
                                      indicator=names.get(key, key))))
            continue
        heading = (t("📉 {commune} — {indicator}, lowest first", commune=unit.name, indicator=names[key])
                   if question.worst_first else t("🏆 {commune} — {indicator}", commune=unit.name, indicator=names[key]))
        lines = [heading, *ranking_lines(summary, t, key, question.worst_first)]
        chart = Attachment("picture", file_name(unit, summary.period, "png"), progress_chart(summary, t, key))
        replies.append(Outgoing("\n".join(lines), attachment=chart))
    return replies


def missing(context: Context, args: str) -> list[Outgoing]:
    """The villages without a report in the period (this week by default), in the person's
    commune (or their own village); for a province, the communes with such villages."""
    t = context.t
    narrowed, args = named_commune(context, args)
    replies = []
    for unit in [narrowed] if narrowed else [place.unit for place in context.places]:
        today = context.today(unit)
        period = requested_period(t, None, args, today)
        if isinstance(period, str):
            return [Outgoing(period)]
        named = period_name(t, period)
        if unit.level == Level.PROVINCE:
            province = province_summary(context.session, unit, period, today)
            replies.append(Outgoing(t("{unit}, {period}:", unit=unit.name, period=named) + " "
                                    + completeness_line(province, t)))
            continue
        commune = unit if unit.level == Level.COMMUNE else context.session.get(OrgUnit, unit.parent_id)
        summary = weekly_summary(context.session, commune, period, today)
        absent = [v for v in summary.missing if unit.level == Level.COMMUNE or v.id == unit.id]
        if unit.level == Level.VILLAGE:
            text = (t("{village} has not reported for {period} yet.", village=unit.name, period=named)
                    if absent else t("{village} has reported for {period}.", village=unit.name, period=named))
        elif absent:
            text = t.plural("{commune}, {period}: {count} village has not reported: {villages}.",
                            "{commune}, {period}: {count} villages have not reported: {villages}.",
                            len(absent), commune=commune.name, period=named, villages=", ".join(v.name for v in absent))
        else:
            text = t("{commune}, {period}: every village has reported.", commune=commune.name, period=named)
        replies.append(Outgoing(text))
    return replies
