"""`/tiendo`: this week's counts and the progress since the start, against the target."""

from functools import reduce
from operator import add

from sqlmodel import select

from ..models import OrgUnit
from ..models.periods import week_of
from ..models.progress import Progress
from ..models.queries import progress, totals
from .context import Context
from .messages import Outgoing
from .wording import labels, progress_line


def show_progress(context: Context, args: str) -> list[Outgoing]:
    """A village member sees their villages; commune staff see their commune as a whole."""
    session = context.session
    replies = [Outgoing(summary(context, village.name, [village])) for village in context.villages()]
    for commune in context.communes():
        villages = list(session.exec(select(OrgUnit).where(OrgUnit.parent_id == commune.id)).all())
        replies.append(Outgoing(summary(context, commune.name, villages)))
    return replies


def summary(context: Context, title: str, villages: list[OrgUnit]) -> str:
    t, names = context.t, labels(context)
    if not villages:
        return t("{unit} has no villages yet. The operator adds them with tocds admin import.", unit=title)
    today = context.today(villages[0])
    week = week_of(today)
    this_week = totals(context.session, [v.id for v in villages], week.first, week.last)
    by_village = progress(context.session, villages, today)
    lines = [t("📊 {unit} — week {first}–{last}", unit=title, first=t.day_month(week.first),
               last=t.day_month(week.last))]
    for rows in zip(*by_village.values(), strict=True):
        total: Progress = reduce(add, rows)
        line = progress_line(t, names[total.indicator_key], this_week.get(total.indicator_key, 0), total, today)
        if line:
            lines.append(line)
    if len(lines) == 1:
        lines.append(t("Nothing reported yet."))
    return "\n".join(lines)
