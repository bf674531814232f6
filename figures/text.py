"""The weekly summary as a short text that fits a phone screen: a commune's, or a province's."""

from ..locales import Translator
from ..models.progress import Status
from ..models.summary import ProvinceSummary, Standing, VillageWeek, WeeklySummary
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


def indicator_lines(summary: WeeklySummary, t: Translator, key: str | None = None) -> list[str]:
    """One line per indicator (or the one asked): the period's total, and since the start
    against the target where there is one."""
    week, progress = summary.totals, summary.progress
    return [line for indicator in summary.indicators if key in (None, indicator.key) and indicator.key in progress
            if (line := progress_line(t, indicator.short(t.language), week.get(indicator.key, 0),
                                      progress[indicator.key], summary.period, summary.today))]


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
    lines += indicator_lines(summary, t) or [t("Nothing reported yet.")]
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
        lines += [standing_line(summary, rank, village, standing, t) for rank, (village, standing) in enumerate(top, 1)]
    elif summary.has_targets:
        lines.append(t("No village has a target on track yet."))
    return "\n".join(lines)


def standing_line(summary: WeeklySummary, rank: int, row: VillageWeek, standing: Standing | None,
                  t: Translator) -> str:
    """`1. 🟡 Thôn Tân Hòa — 1/2 on track · 64% of the target reached on average`: the mark is
    the row's worst colour, so a row with a line behind is never green."""
    start = f"{rank}. {STATUS_MARKS[summary.worst(row)]} {row.village.name} — "
    if standing is None:
        return start + t("no target")
    return start + t("{on_track}/{targets} on track · {reached} of the target reached on average",
                     on_track=t.number(standing.on_track), targets=t.number(standing.targets),
                     reached=t.percent(standing.reached))


def province_text(province: ProvinceSummary, t: Translator, key: str | None = None) -> str:
    """Title; the province's line per indicator (or the one asked); the communes' colours;
    every commune ranked by its standing (by the indicator asked, when one is); the communes
    far behind; the communes with villages that did not report, how many of how many."""
    overview = province.overview
    lines = [title(overview, t)]
    if not overview.villages:
        lines.append(t("{unit} has no communes yet. The operator adds them with tocds admin import (a province column).",
                       unit=overview.commune.name))
        return "\n".join(lines)
    lines += indicator_lines(overview, t, key) or [t("Nothing reported yet.")]
    if key is not None:
        lines += ranking_lines(overview, t, key)
    elif overview.has_targets:
        counts = overview.status_counts
        lines.append(t("Communes × indicators: 🟢 {green} · 🟡 {yellow} · 🔴 {red}",
                       green=t.number(counts[Status.GREEN]), yellow=t.number(counts[Status.YELLOW]),
                       red=t.number(counts[Status.RED])))
        lines.append(t("🏆 Communes, by the share of their targets on track:"))
        lines += [standing_line(overview, rank, commune, standing, t)
                  for rank, (commune, standing) in enumerate(overview.ranked(), 1)]
        red = [(row, [i.short(t.language) for i in overview.indicators
                      if overview.status(row, i.key) == Status.RED]) for row in overview.villages]
        red = [f"{row.village.name} ({', '.join(names)})" for row, names in red if names]
        if red:
            lines.append(t.plural("🔴 {count} commune far behind: {communes}", "🔴 {count} communes far behind: {communes}",
                                  len(red), communes="; ".join(red)))
    lines.append(completeness_line(province, t))
    return "\n".join(lines)


def ranking_lines(summary: WeeklySummary, t: Translator, key: str, worst_first: bool = False) -> list[str]:
    """The villages (a province's communes that track the indicator) by the share of its target
    reached (by count without a target), best first, each with its colour and place:
    `2. 🟡 Thôn Tân Hòa — 87% (1.052/1.200)`; `worst_first` from the bottom up."""
    rows = [row for row in summary.villages if key in row.progress]
    ranked = sorted(rows, key=lambda row: (-(row.progress[key].ratio or 0), -row.progress[key].achieved,
                                           row.village.id))
    places = list(enumerate(ranked, start=1))
    if worst_first:
        places.reverse()
    return [f"{place}. {STATUS_MARKS[summary.status(row, key)]} {row.village.name} — {figure(row, key, t)}"
            for place, row in places]


def figure(row: VillageWeek, key: str, t: Translator) -> str:
    """`87% (6.052/6.928)`, or the count alone without a target."""
    line = row.progress[key]
    if line.ratio is None:
        return t.number(round(line.achieved))
    return f"{t.percent(line.ratio)} ({t.number(round(line.achieved))}/{t.number(round(line.target))})"


def completeness_line(province: ProvinceSummary, t: Translator) -> str:
    """The communes with villages that did not report: `Xã Đồng Phú 2/10 · Xã Hòa An 1/8`."""
    incomplete = province.incomplete
    if not incomplete:
        return t("✅ Every village of every commune reported.")
    return t.plural("⚠️ {count} commune of {total} with villages not reported: {communes}",
                    "⚠️ {count} communes of {total} with villages not reported: {communes}",
                    len(incomplete), total=t.number(len(province.reporting)),
                    communes=incomplete_communes(province, t))


def incomplete_communes(province: ProvinceSummary, t: Translator) -> str:
    """`Xã Đồng Phú 2/10 · Xã Hòa An 1/8`: each commune with villages not reported, how many of how many."""
    return " · ".join(f"{c.commune.name} {t.number(c.missing)}/{t.number(c.villages)}" for c in province.incomplete)
