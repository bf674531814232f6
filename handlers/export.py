"""`/xuat [period]`: the commune's counts for a period, as a file in the chat."""

import io

from ..models.exports import write_csv
from ..models.periods import parse_period, week_of
from .context import Context
from .messages import Attachment, Outgoing


def export(context: Context, args: str) -> list[Outgoing]:
    t = context.t
    replies = []
    for commune in context.communes():
        today = context.today(commune)
        try:
            period = parse_period(args) if args.strip() else week_of(today)
        except ValueError:
            return [Outgoing(t("“{period}” is not a period. Write a week 2026-W47, a month 2026-11, a quarter 2026-Q4, a half 2026-H2 or a year 2026.",
                               period=args.strip()))]
        if period.first > today:
            return [Outgoing(t("{period} has not started yet: periods up to this week can be exported.",
                               period=period.label))]
        buffer = io.StringIO()
        write_csv(context.session, commune, period, buffer)
        name = f"tocds-{commune.name_key.replace(' ', '-')}-{period.label}.csv"
        replies.append(Outgoing(
            t("{commune}, {period} ({first}–{last}): counts per village and indicator.",
              commune=commune.name, period=period.label, first=t.date(period.first), last=t.date(period.last)),
            attachment=Attachment("file", name, buffer.getvalue().encode("utf-8")),
        ))
    return replies
