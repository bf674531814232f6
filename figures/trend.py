"""An indicator's trend as a small SVG, drawn on the server (nothing to load in the browser):
the weekly counts as bars, and since the target's start the progress reached (a line)
against what the time-line expects (a dashed line), both as shares of the target."""

from datetime import date, timedelta
from html import escape

from ..locales import Translator
from ..models.progress import Progress

WIDTH, HEIGHT, PAD = 360, 120, 4
WEEKS_WITHOUT_TARGET = 12  # the bars shown of an indicator that has no time-line
BAR, LINE, EXPECTED = "#9fc5e8", "#0b5394", "#1a1a1a"


def trend_weeks(progress: Progress, today: date) -> list[date]:
    """The Mondays shown: from the target's start (the last 12 weeks without one) to today's week."""
    this_monday = today - timedelta(days=today.weekday())
    first = progress.start if progress.start is not None and progress.start <= today else \
        this_monday - timedelta(weeks=WEEKS_WITHOUT_TARGET - 1)
    monday = first - timedelta(days=first.weekday())
    weeks = []
    while monday <= this_monday:
        weeks.append(monday)
        monday += timedelta(weeks=1)
    return weeks


def trend_first_day(progress: Progress, today: date) -> date:
    """The first day whose entries a trend's bars count: the target's start (entries before it
    are not progress on it), else the first Monday shown."""
    return progress.start if progress.start is not None and progress.start <= today else trend_weeks(progress, today)[0]


def trend_svg(t: Translator, name: str, weekly: dict[date, int], progress: Progress, today: date) -> str:
    weeks = trend_weeks(progress, today)
    counts = [weekly.get(monday, 0) for monday in weeks]
    step = (WIDTH - 2 * PAD) / len(weeks)
    tallest = max(counts) or 1
    parts = [f'<rect x="{PAD + i * step + step * 0.1:.1f}" y="{HEIGHT - PAD - (HEIGHT - 2 * PAD) * count / tallest:.1f}" '
             f'width="{step * 0.8:.1f}" height="{(HEIGHT - 2 * PAD) * count / tallest:.1f}" fill="{BAR}">'
             f'<title>{escape(t.day_month(monday))}: {escape(t.number(count))}</title></rect>'
             for i, (monday, count) in enumerate(zip(weeks, counts, strict=True))]
    if progress.target and progress.start is not None and progress.start <= today:

        def y(value: float) -> float:
            return HEIGHT - PAD - (HEIGHT - 2 * PAD) * min(value / progress.target, 1.2) / 1.2

        reached, running = [], progress.baseline
        for i, count in enumerate(counts):
            running += count
            reached.append(f"{PAD + (i + 1) * step:.1f},{y(running):.1f}")
        expected = [f"{PAD + (i + 1) * step:.1f},{y(progress.expected(min(monday + timedelta(days=6), today))):.1f}"
                    for i, monday in enumerate(weeks)]
        parts.append(f'<polyline points="{" ".join(expected)}" fill="none" stroke="{EXPECTED}" stroke-dasharray="4 3"/>')
        parts.append(f'<polyline points="{" ".join(reached)}" fill="none" stroke="{LINE}" stroke-width="2"/>')
        parts.append(f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(progress.target):.1f}" y2="{y(progress.target):.1f}" '
                     f'stroke="#2e9e44" stroke-width="1"/>')
    label = t("{indicator}: weekly counts and progress against the time-line", indicator=name)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-label="{escape(label)}" class="trend"><title>{escape(label)}</title>{"".join(parts)}</svg>')
