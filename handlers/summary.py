"""The weekly summary as a short text that fits a phone screen."""

from ..locales import Translator
from ..models.progress import Status
from ..models.summary import WeeklySummary
from .wording import STATUS_MARKS, period_name, progress_line


def is_week(summary: WeeklySummary) -> bool:
    return (summary.period.last - summary.period.first).days == 6 and summary.period.first.weekday() == 0


def title(summary: WeeklySummary, t: Translator) -> str:
    return f"📊 {summary.commune.name} — {period_name(t, summary.period)}"


def reporting_line(summary: WeeklySummary, t: Translator) -> str:
    """Who did not report: in the week; in a longer period, in any of its weeks begun by
    the as-of day, which the line names."""
    missing = summary.missing
    villages = ", ".join(v.name for v in missing)
    if is_week(summary):
        if missing:
            return t("⚠️ Not reported ({count}): {villages}", count=t.number(len(missing)), villages=villages)
        return t("✅ All villages reported.")
    weeks = [week for week in summary.weeks if week.first <= summary.as_of]
    span = {"first": t.day_month(weeks[0].first), "last": t.day_month(weeks[-1].last)}
    if missing:
        return t.plural("⚠️ No report in the {count} week {first}–{last} ({missing}): {villages}",
                        "⚠️ No report in any of the {count} weeks {first}–{last} ({missing}): {villages}",
                        len(weeks), missing=t.number(len(missing)), villages=villages, **span)
    return t.plural("✅ Every village reported in the {count} week {first}–{last}.",
                    "✅ Every village reported at least once in the {count} weeks {first}–{last}.",
                    len(weeks), **span)


def summary_text(summary: WeeklySummary, t: Translator) -> str:
    """Title; one line per indicator (the period's total, and since the start against the
    target where there is one); the counts with approved evidence where the commune requires
    it; the green/yellow/red count; who did not report; the top villages."""
    lines = [title(summary, t)]
    if not summary.villages:
        lines.append(t("{unit} has no villages yet. The operator adds them with tocds admin import.",
                       unit=summary.commune.name))
        return "\n".join(lines)

    names = {i.key: i.short(t.language) for i in summary.indicators}
    week, commune = summary.totals, summary.progress
    shown = 0
    for indicator in summary.indicators:
        key = indicator.key
        line = progress_line(t, names[key], week.get(key, 0), commune[key], summary.as_of, whole_week=is_week(summary))
        if line:
            lines.append(line)
            shown += 1
    if not shown:
        lines.append(t("Nothing reported yet."))
    verified = summary.verified_totals
    if verified is not None:
        counts = " · ".join(f"{names[key]} {t.number(count)}" for key, count in verified.items())
        lines.append(t("✅ With approved evidence: {counts}", counts=counts or t("nothing yet")))

    if summary.has_targets:
        counts = summary.status_counts
        lines.append(t("Villages × indicators: 🟢 {green} · 🟡 {yellow} · 🔴 {red}",
                       green=t.number(counts[Status.GREEN]), yellow=t.number(counts[Status.YELLOW]),
                       red=t.number(counts[Status.RED])))

    lines.append(reporting_line(summary, t))

    top = summary.top()
    if top:
        lines.append(t("🏆 Top villages, by the share of their targets on track:"))
        for rank, (village, standing) in enumerate(top, 1):
            lines.append(f"{rank}. {village.village.name} — {STATUS_MARKS[Status.GREEN]} " + t(
                "{on_track}/{targets} on track · {reached} of the target reached on average",
                on_track=t.number(standing.on_track), targets=t.number(standing.targets),
                reached=t.percent(standing.reached)))
    return "\n".join(lines)
