"""A unit's figures for a period: a commune's summary, or a province's (its communes as rows);
the text and the workbook of either, and who has not reported. What the jobs send and what
`/tuan`, `/thang`, `/xephang` and `/xuat` answer, for a commune and a province alike."""

import io
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from ..locales import Translator
from ..models import Level, OrgUnit
from ..models.exports import write_csv
from ..models.periods import Period
from ..models.report_settings import ReportSettings, report_settings
from ..models.summary import ProvinceSummary, WeeklySummary, province_summary, weekly_summary
from ..models.targets import replaced_shares
from .document import period_document
from .text import incomplete_communes, province_text, summary_text
from .workbook import province_workbook, summary_workbook


@dataclass(frozen=True)
class Figures:
    """What the summaries, the period reports, the deadline reminders and `/xuat` give of a unit."""

    summary: WeeklySummary  # a province's overview: one row per commune
    province: ProvinceSummary | None = None
    # A commune's workbook: indicator → its baseline and the villages whose own target replaces their share
    replaced: dict[str, tuple[int, list[str]]] = field(default_factory=dict)
    settings: ReportSettings | None = None  # the sender's details of the report upward (with a workbook)

    def text(self, t: Translator) -> str:
        return province_text(self.province, t) if self.province else summary_text(self.summary, t)

    def workbook(self, t: Translator) -> bytes:
        return province_workbook(self.province, t) if self.province else summary_workbook(self.summary, t, self.replaced)

    def document(self, t: Translator) -> bytes:
        """The report to the level above (`period_document`), as a DOCX."""
        return period_document(self.summary, t, self.settings or ReportSettings(unit_id=self.summary.commune.id),
                               self.replaced)

    @property
    def complete(self) -> bool:
        """Every village (of every commune) reported in the period."""
        return not (self.province.incomplete if self.province else self.summary.missing)

    def not_reported(self, t: Translator) -> str | None:
        """The line naming the villages (a province: the communes, `Xã Đồng Phú 1/2`) that have
        not reported in the period; None when every one did."""
        if self.complete:
            return None
        if self.province:
            communes = incomplete_communes(self.province, t)
            return t.plural("⚠️ {count} commune still has villages that have not reported in the period: {communes}.",
                            "⚠️ {count} communes still have villages that have not reported in the period: {communes}.",
                            len(self.province.incomplete), communes=communes)
        missing = self.summary.missing
        return t.plural("⚠️ {count} village has still not reported in the period: {villages}.",
                        "⚠️ {count} villages have still not reported in the period: {villages}.",
                        len(missing), villages=", ".join(v.name for v in missing))


def figures_of(session: Session, unit: OrgUnit, period: Period, as_of: date, *, workbook: bool = False,
               reporters: bool = True) -> Figures:
    """`workbook`: the figures will make a workbook (or the report document) too, which for a
    province has a sheet of villages per commune (each commune's own summary, read besides
    the province's), and for a commune notes where a village's own target replaces its share.
    Without `reporters` a commune's villages do not list who reported (a province's never do)."""
    settings = report_settings(session, unit.id) if workbook else None
    if unit.level == Level.PROVINCE:
        province = province_summary(session, unit, period, as_of, villages=workbook)
        return Figures(province.overview, province, settings=settings)
    summary = weekly_summary(session, unit, period, as_of, reporters=reporters)
    return Figures(summary, replaced=replaced_shares(session, unit.id, [v.village for v in summary.villages])
                   if workbook else {}, settings=settings)


def export_content(session: Session, unit: OrgUnit, period: Period, today: date, t: Translator, kind: str) -> bytes:
    """The period's workbook (`kind` xlsx: the weekly summary's, over any period), the contract's
    CSV (`csv`) or the report upward (`docx`), of a commune or a province: what `/xuat`,
    `/baocaoky`, `tocds export` and the web desk give."""
    if kind == "csv":
        buffer = io.StringIO()
        write_csv(session, unit, period, buffer)
        return buffer.getvalue().encode("utf-8")
    figures = figures_of(session, unit, period, today, workbook=True)
    return figures.document(t) if kind == "docx" else figures.workbook(t)
