"""`/tiendo [indicator] [village] [period]`: the counts of a week (or any period) and the
progress since the start, against the target; `/tiendo so với tuần trước`: two periods
side by side.

The arguments are read like a leader's plain question (`handlers/questions.py`), so
`/tiendo vneid Tân Hòa`, `tiến độ vneid thôn Tân Hòa` and `thôn tân hòa tháng 11` agree.
A province's people see the province (each commune's progress, communes ranked), or the
commune or village they name.
"""


from sqlmodel import select

from ..figures.chart import trend_chart
from ..figures.text import province_text
from ..figures.trend import trend_first_day
from ..figures.wording import period_name, progress_line
from ..locales import Translator
from ..models import OrgUnit
from ..models.exports import file_name
from ..models.orgunits import children
from ..models.periods import Period, week_of
from ..models.progress import Progress, Status
from ..models.queries import progress, totals, villages_weekly_counts
from ..models.summary import province_summary
from .context import Context
from .messages import Attachment, Outgoing
from .questions import Comparison, Question, compared, read, visible_villages
from .wording import tracked_labels

MAX_NAMED = 5  # villages named in the "far behind" line, to keep the reply on one screen


def show_progress(context: Context, args: str) -> list[Outgoing]:
    """A village member sees their villages; commune staff see their commune as a whole
    (or the village named). `so với tuần trước` shows two periods side by side."""
    question = read(context, args) if args.strip() else Question()
    if args.strip() and not question.understood:
        return [Outgoing(what_can_be_asked(context))]
    refusal = check(context, question)
    if refusal:
        return [Outgoing(refusal)]
    if question.topic == "compare":
        replies = [Outgoing(comparison(context, unit.name, villages, question)) for unit, villages in scopes(context, question)]
    else:
        replies = [Outgoing(summary(context, unit.name, villages, question), attachment=trend_picture(context, unit, villages, question))
                   for unit, villages in scopes(context, question)]
    if question.village is None and question.commune is None:
        replies += [Outgoing(province_progress(context, province, question)) for province in context.provinces()]
    return replies


def scopes(context: Context, question: Question) -> list[tuple[OrgUnit, list[OrgUnit]]]:
    """What the answer covers, each with its villages: the village or commune named; otherwise
    the person's own villages and communes (`thôn mình`, `xã mình` mean the same)."""
    if question.village is not None:
        return [(question.village, [question.village])]
    session = context.session

    def standing(commune: OrgUnit) -> list[OrgUnit]:  # the period's villages: a retired one stays in those before
        return children(session, commune, on=(question.period or week_of(context.today(commune))).first)

    if question.commune is not None:
        return [(question.commune, standing(question.commune))]
    return [(village, [village]) for village in context.villages()] + [
        (commune, standing(commune)) for commune in context.communes()]


def trend_picture(context: Context, unit: OrgUnit, villages: list[OrgUnit], question: Question) -> Attachment | None:
    """The trend of the one indicator asked about, as a picture beside the text: its weekly
    counts since the target's start (the last 12 weeks without one) up to the period's end,
    and the progress reached against the time-line. None when no one indicator is asked, or
    the unit does not track it."""
    names = tracked_labels(context, villages[0].parent_id) if villages else {}
    if question.indicator not in names:
        return None
    today = context.today(unit)
    period = question.period or week_of(today)
    as_of = min(today, period.last)
    lines = progress(context.session, villages, as_of, period.first)
    line = Progress.total([by_key[question.indicator] for by_key in lines.values()])
    first = trend_first_day(line, as_of)
    weekly = villages_weekly_counts(context.session, [v.id for v in villages], first, as_of).get(question.indicator, {})
    return Attachment("picture", file_name(unit, period, "png"),
                      trend_chart(context.t, names[question.indicator], weekly, line, as_of))


def province_progress(context: Context, province: OrgUnit, question: Question) -> str:
    """The province's summary of the period (the indicator asked: each commune's line,
    ranked), or two periods side by side for all its villages."""
    communes = [c for c in context.province_communes() if c.parent_id == province.id]
    if question.topic == "compare":
        villages = list(context.session.exec(select(OrgUnit).where(OrgUnit.parent_id.in_([c.id for c in communes]))
                                             .order_by(OrgUnit.id)).all())
        return comparison(context, province.name, villages, question)
    today = context.today(province)
    period = question.period or week_of(today)
    return province_text(province_summary(context.session, province, period, today), context.t, question.indicator)


def check(context: Context, question: Question) -> str | None:
    """Why the question cannot be answered, if it cannot: a village out of reach, a period
    that does not exist. A village of another commune gets the same answer as one that
    does not exist: nothing about it is revealed."""
    t = context.t
    if question.unknown_village:
        names = ", ".join(v.name for v in visible_villages(context)) or "—"
        return t("I know no village “{name}” among yours. You can ask about: {villages}.",
                 name=question.unknown_village, villages=names)
    if question.bad_period or (question.period and question.period.first > context.today(question.village)):
        return t("“{period}” is not a period with figures yet. Ask about this week (tuần này), last week (tuần trước), a month (tháng 11), a quarter (quý 4), this year (năm nay), or write 2026-W47, 2026-11, 2026-Q4, 2026-H2, 2026.",
                 period=question.bad_period or question.period.label)
    return None


def what_can_be_asked(context: Context) -> str:
    t = context.t
    return "\n".join((
        t("I did not understand the question. You can ask, for example:"),
        "• " + t("tiến độ — progress of your village or commune"),
        "• " + t("tiến độ vneid — one indicator"),
        "• " + t("thôn Tân Hòa tháng 11 — one village, one period"),
        "• " + t("xếp hạng bdhvs — villages ranked"),
        "• " + t("thôn nào chậm nhất — villages ranked, lowest first"),
        "• " + t("so với tuần trước — this week beside last week"),
        "• " + t("ai chưa báo cáo — who has not reported this week"),
    ))


def summary(context: Context, title: str, villages: list[OrgUnit], question: Question | None = None) -> str:
    t = context.t
    question = question or Question()
    if not villages:
        return t("{unit} has no villages yet. The operator adds them with tocds admin import.", unit=title)
    today = context.today(villages[0])
    period: Period = question.period or week_of(today)
    as_of = min(today, period.last)
    counted = totals(context.session, [v.id for v in villages], period.first, period.last)
    by_village = progress(context.session, villages, as_of, period.first)
    lines = [f"📊 {title} — {period_name(t, period)}"]
    for key, name in tracked_labels(context, villages[0].parent_id).items():
        if question.indicator not in (None, key):
            continue
        rows = [lines[key] for lines in by_village.values()]
        total = Progress.total(rows)
        line = progress_line(t, name, counted.get(key, 0), total, period, today)
        if line:
            lines.append(line)
        if question.indicator and len(villages) > 1:
            name_of = {v.id: v.name for v in villages}
            behind = [name_of[village_id] for village_id, row in zip(by_village, rows, strict=True)
                      if row.status(as_of) == Status.RED]
            if behind:
                named = ", ".join(behind[:MAX_NAMED]) + (" …" if len(behind) > MAX_NAMED else "")
                lines.append(t.plural("🔴 {count} village far behind: {villages}", "🔴 {count} villages far behind: {villages}",
                                      len(behind), villages=named))
    if len(lines) == 1:
        lines.append(t("Nothing reported yet."))
    return "\n".join(lines)


def comparison(context: Context, title: str, villages: list[OrgUnit], question: Question) -> str:
    """Two periods side by side, per indicator: the earlier count → the later one (the change)."""
    t = context.t
    if not villages:
        return t("{unit} has no villages yet. The operator adds them with tocds admin import.", unit=title)
    pair = compared(question.period, context.today(villages[0]))
    ids = [v.id for v in villages]
    before, after = (totals(context.session, ids, p.first, p.last) for p in (pair.earlier, pair.later))
    if pair.rule == "same days":
        spans = [f"{t.day_month(p.first)}–{t.day_month(p.last)}" for p in (pair.earlier, pair.later)]
    else:
        spans = [period_name(t, p) for p in (pair.earlier, pair.later)]
    lines = [f"📊 {title} — {spans[0]} → {spans[1]}"] + comparison_rule(t, pair)
    heading = len(lines)
    for key, name in tracked_labels(context, *dict.fromkeys(v.parent_id for v in villages)).items():
        old, new = before.get(key, 0), after.get(key, 0)
        if (old or new) and question.indicator in (None, key):
            sign = "+" if new > old else "−" if new < old else "±"
            lines.append(f"{name}: {t.number(old)} → {t.number(new)} ({sign}{t.number(abs(new - old))})")
    if len(lines) == heading:
        lines.append(t("Nothing reported in either period."))
    return "\n".join(lines)


def comparison_rule(t: Translator, pair: Comparison) -> list[str]:
    """The line that says which days are compared, when the later period is not over."""
    week = pair.later.kind == "week"
    if pair.rule == "same days":
        if week:
            return [t("The same days of both weeks, {first}–{last}: this week is not over.",
                      first=t.weekday(pair.later.first), last=t.weekday(pair.later.last))]
        return [t.plural("The first {count} day of both periods: this one is not over.",
                         "The first {count} days of both periods: this one is not over.",
                         (pair.later.last - pair.later.first).days + 1)]
    if pair.rule == "complete":
        return [t("The last two whole weeks: this week has only just begun.") if week
                else t("The last two whole periods: this one has only just begun.")]
    return []
