"""The weekly summary's bar chart: each village's (a province's: each commune's) progress on
one indicator, as a PNG.

Drawn with matplotlib's object API on the Agg canvas (no display, no pyplot figure
registry, so nothing to leak); matplotlib is imported when a chart is drawn, not when
this module is, so that `tocds --help` stays quick.
"""

import io
import textwrap

from ..locales import Translator
from ..models.orgunits import Level
from ..models.progress import Status
from ..models.summary import VillageWeek, WeeklySummary

COLOURS = {Status.GREEN: "#2e9e44", Status.YELLOW: "#f2b705", Status.RED: "#d62b2b", None: "#9e9e9e"}
EXPECTED_COLOUR = "#1a1a1a"
FONT = "DejaVu Sans"  # ships with matplotlib, has the Vietnamese glyphs
FONT_SIZE = 12
DPI = 100
WIDTH = 7.0  # inches: 700 px, a phone screen's width at a readable scale
BAR_HEIGHT = 0.5  # inches per village
NAME_WIDTH = 22  # characters per line of a village's name


def default_indicator(summary: WeeklySummary) -> str | None:
    """The first indicator the commune tracks (in its order) that some village has a target
    for; else its first indicator (None: it tracks none)."""
    for indicator in summary.indicators:
        if any(v.progress[indicator.key].target is not None for v in summary.villages if indicator.key in v.progress):
            return indicator.key
    return summary.indicators[0].key if summary.indicators else None


def progress_chart(summary: WeeklySummary, t: Translator, indicator_key: str | None = None) -> bytes:
    """Horizontal bars, one per village: % of the target reached (counts where no village
    has a target), a black tick where the time-line expects the village today, bars
    coloured by status (grey without a target). A province's communes that do not track the
    indicator have no bar."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    key = indicator_key or default_indicator(summary)
    indicator = next((i for i in summary.indicators if i.key == key), None)
    if indicator is None:
        raise ValueError(f"no indicator {key!r}")
    villages = [v for v in summary.villages if key in v.progress]
    as_of = summary.as_of
    with_target = any(v.progress[key].target for v in villages)

    # Top to bottom in org-unit order.
    rows = list(reversed(villages))
    values, expected, colours, labels = [], [], [], []
    for village in rows:
        line = village.progress[key]
        status = village.status(key, as_of)
        if with_target:
            if line.target:
                values.append(100 * line.ratio)
                expected.append(100 * line.expected(as_of) / line.target
                                if line.start and line.deadline else None)
                labels.append(t.percent(line.ratio))
            else:  # this village has no denominator or target: its count, written beside an empty bar
                values.append(0.0)
                expected.append(None)
                labels.append(t("{count} (no target)", count=t.number(round(line.achieved))))
        else:
            values.append(float(line.achieved))
            expected.append(None)
            labels.append(t.number(round(line.achieved)))
        colours.append(COLOURS[status])

    height = max(3.5, BAR_HEIGHT * len(rows) + 2.6)
    with rc_context({"font.family": FONT, "font.size": FONT_SIZE, "axes.titlesize": FONT_SIZE + 2,
                     "axes.labelsize": FONT_SIZE, "xtick.labelsize": FONT_SIZE - 1,
                     "ytick.labelsize": FONT_SIZE, "legend.fontsize": FONT_SIZE - 1}):
        figure = Figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        heading = (t("{indicator}: progress by commune", indicator=indicator.short(t.language))
                   if summary.commune.level == Level.PROVINCE else
                   t("{indicator}: progress by village", indicator=indicator.short(t.language)))
        period = summary.period
        axes.set_title(f"{heading}\n{summary.commune.name}, {t.day_month(period.first)}–{t.day_month(period.last)}",
                       loc="left")
        if not rows:
            axes.text(0.5, 0.5, t("{unit} has no villages yet. The operator adds them with tocds admin import.",
                                  unit=summary.commune.name), ha="center", va="center", wrap=True,
                      transform=axes.transAxes)
            axes.set_axis_off()
        else:
            _bars(axes, rows, values, expected, colours, labels, with_target, t)
            used = set(colours)
            handles = [Patch(color=COLOURS[mark], label=text) for mark, text in (
                (Status.GREEN, t("on track")), (Status.YELLOW, t("behind")),
                (Status.RED, t("far behind or overdue")), (None, t("no target"))) if COLOURS[mark] in used]
            if any(e is not None for e in expected):
                handles.append(Line2D([], [], color=EXPECTED_COLOUR, linewidth=3,
                                      label=t("Expected by {day}", day=t.day_month(as_of))))
            figure.legend(handles=handles, loc="outside lower center", ncol=2, frameon=False)
            if with_target:
                axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: t.percent(x / 100)))
            else:
                axes.xaxis.set_major_locator(MaxNLocator(integer=True))
                axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: t.number(round(x))))
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
        figure.clear()
    return buffer.getvalue()


def _bars(axes, rows: list[VillageWeek], values, expected, colours, labels, with_target: bool,
          t: Translator) -> None:
    positions = range(len(rows))
    axes.barh(positions, values, color=colours, height=0.65, zorder=2)
    names = [textwrap.fill(v.village.name, NAME_WIDTH) for v in rows]
    axes.set_yticks(list(positions), names)
    axes.set_ylim(-0.6, len(rows) - 0.4)
    top = max([*values, *(e for e in expected if e is not None), 1.0])
    if with_target:
        top = max(top, 100.0)
        axes.axvline(100, color="#555555", linestyle="--", linewidth=1, zorder=1)
        axes.set_xlabel(t("Share of the target reached (%)"))
    else:
        axes.set_xlabel(t("count since the start"))
    axes.set_xlim(0, top * 1.25)  # room for the labels beside the bars
    for y, (value, mark, label) in enumerate(zip(values, expected, labels, strict=True)):
        if mark is not None:
            axes.plot([mark, mark], [y - 0.42, y + 0.42], color=EXPECTED_COLOUR, linewidth=3,
                      solid_capstyle="butt", zorder=3)
        axes.text(max(value, mark or 0.0) + top * 0.02, y, label, va="center", ha="left", zorder=4)
    axes.grid(axis="x", color="#dddddd", zorder=0)
    axes.spines[["top", "right"]].set_visible(False)
