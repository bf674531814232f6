"""`/xuat [period] [csv|docx]`: the commune's (or the province's) period as a spreadsheet (or the
contract's CSV, or the report upward) in the chat; `/baocaoky [period]`: the report upward,
ready to sign (DOCX); the period as questions name it (`tháng 11`, `quý 4`, `tuần trước`)
or written (`2026-Q4`)."""

from datetime import date

from sqlmodel import Session

from ..figures import export_content
from ..locales import Translator
from ..models import Level, OrgUnit
from ..models.exports import file_name
from ..models.periods import Period, containing, shifted
from .context import Context
from .messages import Attachment, Outgoing
from .reports import requested_period, summarised_units

FORMATS = ("xlsx", "csv", "docx")  # the first is the default


def export_file(session: Session, commune: OrgUnit, period: Period, today: date, t: Translator,
                kind: str) -> Attachment:
    """The period's workbook (the weekly summary's, over any period), the CSV or the report
    upward, named after the period; of a commune, or of a province."""
    return Attachment("file", file_name(commune, period, kind), export_content(session, commune, period, today, t, kind))


def export(context: Context, args: str) -> list[Outgoing]:
    words = args.split()
    kind = next((word.lower() for word in words if word.lower() in FORMATS), FORMATS[0])
    return _files(context, " ".join(word for word in words if word.lower() not in FORMATS), kind)


def period_report(context: Context, args: str) -> list[Outgoing]:
    """`/baocaoky [period]`: the report upward as a DOCX; without a period, the month that
    ended last (the report is written once a month is over)."""
    return _files(context, args, "docx", last_month=True)


def _files(context: Context, args: str, kind: str, last_month: bool = False) -> list[Outgoing]:
    """Each unit's file of the period `args` names (none: this week, or with `last_month` the
    month that ended last), with a caption."""
    t = context.t
    units, wanted = summarised_units(context, args)
    replies = []
    for commune in units:
        today = context.today(commune)
        if last_month and not wanted.strip():
            period = shifted(containing("month", today), -1)
        else:
            period = requested_period(t, None, wanted, today)
        if isinstance(period, str):
            return [Outgoing(period)]
        span = {"commune": commune.name, "period": period.label,
                "first": t.date(period.first), "last": t.date(period.last)}
        caption = (t("{commune}, {period} ({first}–{last}): counts per village and indicator.", **span)
                   if kind == "csv" else
                   t("{commune}, {period} ({first}–{last}): the report to the level above, ready to sign. "
                     "Fill in its number; the sender, signer and recipients come from tocds admin report-settings.",
                     **span)
                   if kind == "docx" else
                   t("{commune}, {period} ({first}–{last}): counts per commune with totals, progress against the targets, one sheet per commune.", **span)
                   if commune.level == Level.PROVINCE else
                   t("{commune}, {period} ({first}–{last}): counts with totals, progress against the targets, the reporting calendar, the KPI figures and one sheet per village.", **span))
        replies.append(Outgoing(caption, attachment=export_file(context.session, commune, period, today, t, kind)))
    return replies
