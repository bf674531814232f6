"""The weekly summary's bar charts: each village's (a province's: each commune's) progress on
each indicator (one chart per indicator, in one PNG), or on one indicator; and one
indicator's trend (`/tiendo <indicator>`'s picture: weekly counts, progress against the time-line).

Drawn with matplotlib's object API on the Agg canvas (no display, no pyplot figure
registry, so nothing to leak); matplotlib is imported when a chart is drawn, not when
this module is, so that `tocds --help` stays quick.
"""

import io
import textwrap
from dataclasses import dataclass
from datetime import date, timedelta

from ..locales import Translator
from ..models.indicators import Indicator
from ..models.orgunits import Level
from ..models.progress import Progress, Status
from ..models.summary import VillageWeek, WeeklySummary
from .trend import trend_weeks

COLOURS = {Status.GREEN: "#2e9e44", Status.YELLOW: "#f2b705", Status.RED: "#d62b2b", None: "#9e9e9e"}
EXPECTED_COLOUR = "#1a1a1a"
FONT = "DejaVu Sans"  # ships with matplotlib, has the Vietnamese glyphs
FONT_SIZE = 12
DPI = 100
WIDTH = 7.0  # inches: 700 px, a phone screen's width at a readable scale
BAR_HEIGHT = 0.5  # inches per village
MULTIPLE_BAR_HEIGHT = 0.34  # inches per village, in the picture of every indicator
LABEL_ROOM = 1.6  # the axis runs this far past the longest bar: room for its label
NAME_WIDTH = 22  # characters per line of a village's name


def default_indicator(summary: WeeklySummary) -> str | None:
    """The first indicator the commune tracks (in its order) that some village has a target
    for; else its first indicator (None: it tracks none)."""
    for indicator in summary.indicators:
        if any(v.progress[indicator.key].target is not None for v in summary.villages if indicator.key in v.progress):
            return indicator.key
    return summary.indicators[0].key if summary.indicators else None


def progress_chart(summary: WeeklySummary, t: Translator, indicator_key: str | None = None) -> bytes:
    """One indicator's chart (`/xephang`'s): see `progress_figure`."""
    key = indicator_key or default_indicator(summary)
    if key not in {i.key for i in summary.indicators}:
        raise ValueError(f"no indicator {key!r}")
    return _png(progress_figure(summary, t, [key]))


def summary_chart(summary: WeeklySummary, t: Translator) -> bytes:
    """The weekly summary's picture: every indicator the commune tracks (that a village has a
    line for), one chart under the other in one image."""
    return _png(progress_figure(summary, t, charted_indicators(summary)))


def charted_indicators(summary: WeeklySummary) -> list[str]:
    return [i.key for i in summary.indicators if any(i.key in v.progress for v in summary.villages)]


def progress_figure(summary: WeeklySummary, t: Translator, keys: list[str]):
    """Per indicator, horizontal bars, one per village: % of the target reached (counts where
    no village has a target), labelled at the bar's end with the % the time-line expects
    beside it, a black tick at that expected level, bars coloured by status (grey without a
    target). A province's communes that do not track the indicator have no bar. The legend
    once, under the last chart. Returned unsaved, so that its geometry can be read."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    indicators = {i.key: i for i in summary.indicators}
    charts = [_bars_of(summary, indicators[key], t) for key in keys] or [None]
    heights = [max(2.2, (BAR_HEIGHT if len(keys) == 1 else MULTIPLE_BAR_HEIGHT) * len(chart.rows) + 1.3)
               if chart else 2.2 for chart in charts]
    with rc_context(_STYLE):
        figure = Figure(figsize=(WIDTH, sum(heights) + 1.3), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        every_axes = figure.subplots(len(charts), 1, squeeze=False, height_ratios=heights)[:, 0]
        period = summary.period
        figure.suptitle(f"{summary.commune.name}, {t.span(period.first, period.last)}", x=0.02, ha="left",
                        fontsize=FONT_SIZE + 2)
        used, expected = set(), False
        for axes, chart in zip(every_axes, charts, strict=True):
            if chart is None or not chart.rows:
                axes.text(0.5, 0.5, t("{unit} has no villages yet. The operator adds them with tocds admin import.",
                                      unit=summary.commune.name), ha="center", va="center", wrap=True,
                          transform=axes.transAxes)
                axes.set_axis_off()
                continue
            _draw(axes, chart, summary, t)
            used |= set(chart.colours)
            expected |= any(e is not None for e in chart.expected)
        handles = [Patch(color=COLOURS[mark], label=text) for mark, text in (
            (Status.GREEN, t("on track")), (Status.YELLOW, t("behind")),
            (Status.RED, t("far behind or overdue")), (None, t("no target"))) if COLOURS[mark] in used]
        if expected:
            handles.append(Line2D([], [], color=EXPECTED_COLOUR, linewidth=3,
                                  label=t("Expected by {day}", day=t.day_month(summary.as_of))))
        if handles:
            figure.legend(handles=handles, loc="outside lower center", ncol=2, frameon=False)
    return figure


_STYLE = {"font.family": FONT, "font.size": FONT_SIZE, "axes.titlesize": FONT_SIZE + 1,
          "axes.labelsize": FONT_SIZE - 1, "xtick.labelsize": FONT_SIZE - 2,
          "ytick.labelsize": FONT_SIZE - 1, "legend.fontsize": FONT_SIZE - 1}


def _png(figure) -> bytes:
    from matplotlib import rc_context

    buffer = io.BytesIO()
    with rc_context(_STYLE):
        figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
    figure.clear()
    return buffer.getvalue()


@dataclass
class _Bars:
    """One indicator's bars, top to bottom in org-unit order."""

    indicator: Indicator
    rows: list[VillageWeek]
    values: list[float]
    expected: list[float | None]
    colours: list[str]
    labels: list[str]
    with_target: bool


def _bars_of(summary: WeeklySummary, indicator: Indicator, t: Translator) -> _Bars:
    key, as_of = indicator.key, summary.as_of
    villages = [v for v in summary.villages if key in v.progress]
    with_target = any(v.progress[key].target for v in villages)
    chart = _Bars(indicator, list(reversed(villages)), [], [], [], [], with_target)
    for village in chart.rows:
        line = village.progress[key]
        if with_target and line.target:
            chart.values.append(100 * line.ratio)
            mark = 100 * line.expected(as_of) / line.target if line.start and line.deadline else None
            chart.expected.append(mark)
            chart.labels.append(t.percent(line.ratio) if mark is None else t(
                "{percent} (expected {expected})", percent=t.percent(line.ratio), expected=t.percent(mark / 100)))
        elif with_target:  # this village has no denominator or target: its count, beside an empty bar
            chart.values.append(0.0)
            chart.expected.append(None)
            chart.labels.append(t("{count} (no target)", count=t.number(round(line.achieved))))
        else:
            chart.values.append(float(line.achieved))
            chart.expected.append(None)
            chart.labels.append(t.number(round(line.achieved)))
        chart.colours.append(COLOURS[village.status(key, as_of)])
    return chart


def _draw(axes, chart: _Bars, summary: WeeklySummary, t: Translator) -> None:
    from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

    heading = (t("{indicator}: progress by commune", indicator=chart.indicator.short(t.language))
               if summary.commune.level == Level.PROVINCE else
               t("{indicator}: progress by village", indicator=chart.indicator.short(t.language)))
    axes.set_title(heading, loc="left")
    positions = range(len(chart.rows))
    axes.barh(positions, chart.values, color=chart.colours, height=0.65, zorder=2)
    axes.set_yticks(list(positions), [textwrap.fill(v.village.name, NAME_WIDTH) for v in chart.rows])
    axes.set_ylim(-0.6, len(chart.rows) - 0.4)
    top = max([*chart.values, *(e for e in chart.expected if e is not None), 1.0])
    if chart.with_target:
        top = max(top, 100.0)
        axes.axvline(100, color="#555555", linestyle="--", linewidth=1, zorder=1)
        axes.set_xlabel(t("Share of the target reached (%)"))
        axes.xaxis.set_major_locator(FixedLocator(range(0, int(top) + 1, 20)))  # none in the labels' room
        axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: t.percent(x / 100)))
    else:
        axes.set_xlabel(t("count since the start"))
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: t.number(round(x))))
    axes.set_xlim(0, top * LABEL_ROOM)
    for y, (value, mark, label) in enumerate(zip(chart.values, chart.expected, chart.labels, strict=True)):
        if mark is not None:
            axes.plot([mark, mark], [y - 0.42, y + 0.42], color=EXPECTED_COLOUR, linewidth=3,
                      solid_capstyle="butt", zorder=3)
        # At the bar's end, on a white ground where the expected tick runs behind it.
        axes.text(value + top * 0.015, y, label, va="center", ha="left", zorder=4, fontsize=FONT_SIZE - 1,
                  bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})
    axes.grid(axis="x", color="#dddddd", zorder=0)
    axes.spines[["top", "right"]].set_visible(False)


TREND_HEIGHT = 4.2  # inches: one chart and its legend
TREND_TICKS = 7  # week labels at most under the bars: more would run into each other
BAR_COLOUR, REACHED_COLOUR, TARGET_COLOUR = "#9fc5e8", "#0b5394", COLOURS[Status.GREEN]


def trend_chart(t: Translator, name: str, weekly: dict[date, int], progress: Progress, today: date) -> bytes:
    """An indicator's trend as a PNG (`/tiendo <indicator>`'s): see `trend_figure`."""
    return _png(trend_figure(t, name, weekly, progress, today))


def trend_figure(t: Translator, name: str, weekly: dict[date, int], progress: Progress, today: date):
    """The weekly counts as bars over the weeks `trend_weeks` shows; with a time-line that has
    started, on a second axis as % of the target: the progress reached at each week's end (a
    line) against the time-line's expected level (dashed), and the target (100%) as a green
    line whose legend names the deadline. Returned unsaved, so that its geometry can be read."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    weeks = trend_weeks(progress, today)
    counts = [weekly.get(monday, 0) for monday in weeks]
    positions = list(range(len(weeks)))
    with rc_context(_STYLE):
        figure = Figure(figsize=(WIDTH, TREND_HEIGHT), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.subplots()
        axes.set_title(name, loc="left")
        bars = axes.bar(positions, counts, color=BAR_COLOUR, width=0.7, zorder=2, label=t("count per week"))
        axes.set_ylabel(t("count per week"))
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda y, _: t.number(round(y))))
        step = -(-len(weeks) // TREND_TICKS)  # ceiling division: every step-th week is named
        axes.set_xticks(positions[::step], [t.day_month(monday) for monday in weeks[::step]])
        axes.set_xlim(-0.6, len(weeks) - 0.4)
        axes.set_ylim(0, max([*counts, 1]) * 1.15)
        axes.grid(axis="y", color="#dddddd", zorder=0)
        handles = [bars]
        if progress.target and progress.start is not None and progress.start <= today:
            shares = _trend_shares(progress, counts, weeks, today)
            share_axes = axes.twinx()
            share_axes.set_ylabel(t("Share of the target reached (%)"))
            share_axes.plot(positions, shares.expected, color=EXPECTED_COLOUR, linestyle="--", linewidth=1.5,
                            label=t("expected by the time-line"))
            share_axes.plot(positions, shares.reached, color=REACHED_COLOUR, linewidth=2.5, marker="o",
                            markersize=4, label=t("reached"))
            deadline = t("target: {count} by {day}", count=t.number(round(progress.target)),
                         day=t.day_month(progress.deadline)) if progress.deadline else t("target")
            share_axes.axhline(100, color=TARGET_COLOUR, linewidth=1.5, label=deadline)
            share_axes.set_ylim(0, max([*shares.reached, *shares.expected, 100.0]) * 1.1)
            share_axes.yaxis.set_major_formatter(FuncFormatter(lambda y, _: t.percent(y / 100)))
            handles += share_axes.get_lines()
        figure.legend(handles=handles, loc="outside lower center", ncol=2, frameon=False)
        axes.spines[["top"]].set_visible(False)
    return figure


@dataclass
class _Shares:
    """A trend's lines, one point per week shown (at its end, today for this week), as % of the target."""

    reached: list[float]
    expected: list[float]


def _trend_shares(progress: Progress, counts: list[int], weeks: list[date], today: date) -> _Shares:
    """Reckoned back from the progress reached, so that the line ends where the reply's text
    says it is (villages whose time-lines start on different days count from different weeks)."""
    shares, running = _Shares([], []), progress.achieved - sum(counts)
    for monday, count in zip(weeks, counts, strict=True):
        running += count
        shares.reached.append(100 * running / progress.target)
        end = min(monday + timedelta(days=6), today)
        shares.expected.append(100 * progress.expected(end) / progress.target if progress.deadline else 100.0)
    return shares
