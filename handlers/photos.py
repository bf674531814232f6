"""Photos members send: evidence for this week's latest report.

With no report this week, the bot asks which indicator the photo proves and how many,
and saves that report with the photo, so that nothing sent is lost. A photo sent by mistake
is taken back (`/xoaanh`) while it waits for review: its file is deleted at once.
"""

from sqlalchemy import func
from sqlmodel import select

from ..figures.wording import STATUS_NAMES, entry_line
from ..models import Entry, Evidence
from ..models.periods import week_of
from ..models.privacy import delete_file
from .context import Context, step
from .evidence import attach, entry_this_week, evidence_of
from .messages import Choice, Outgoing
from .report import ask_count, ask_village, count_given, submit
from .wording import example_report, tracked_labels


def for_latest_entry(context: Context) -> list[Outgoing]:
    """A photo whose caption is no report: evidence for this week's latest report."""
    t = context.t
    entry = entry_this_week(context)
    if entry is None:
        return [ask_indicator(context, evidence_of(context))]
    attach(context, entry.id, evidence_of(context))
    return [Outgoing(t("📎 Evidence received for {entry}. The commune office will review it.",
                       entry=entry_line(context.session, entry, context.t)))]


def ask_indicator(context: Context, evidence: dict) -> Outgoing:
    t = context.t
    choices = [Choice(name, f"i:{key}") for key, name in tracked_labels(context, *context.commune_ids()).items()]
    choices.append(Choice(t("Cancel"), "cancel"))
    return context.ask("evidence.indicator",
                       t("You have no report this week to attach this photo to. Which indicator does it prove?"),
                       choices, evidence=evidence)


@step("evidence.indicator")
def _indicator_chosen(context: Context, data: str) -> list[Outgoing]:
    t, evidence = context.t, context.state["evidence"]
    if data == "cancel":
        context.finish()
        return [Outgoing(t("Cancelled: nothing was saved."))]
    return [ask_count(context, "evidence.count", data.removeprefix("i:"), evidence=evidence)]


@step("evidence.count")
def _count_given(context: Context, text: str) -> list[Outgoing]:
    count = count_given(context, text)
    if isinstance(count, Outgoing):
        return [count]
    state = context.state
    evidence = state["evidence"]
    pending = {"counts": {state["key"]: count}, "day": context.today().isoformat(),
               "message_id": evidence["message_id"], "evidence": evidence}
    villages = context.villages()
    if len(villages) > 1:
        return [ask_village(context, "report.village", pending)]
    return submit(context, villages[0], pending)


def show_evidence(context: Context, args: str) -> list[Outgoing]:
    """`/minhchung`: how to send evidence, and where this week's stands."""
    t = context.t
    entry = entry_this_week(context)
    if entry is None:
        return [Outgoing(t("Send a photo now: with no report this week I will ask which indicator it proves. Or send the photo with the report as its caption, e.g. {example}.",
                           example=example_report(context.session, context.commune_ids(), 1)))]
    rows = context.session.exec(
        select(Evidence.status, func.count()).join(Entry, Entry.id == Evidence.entry_id)
        .where(Evidence.person_id == context.person.id, Entry.day >= week_of(entry.day).first)
        .group_by(Evidence.status)
    ).all()
    lines = [t("Send a photo now: it goes with your latest report, {entry}.", entry=entry_line(context.session, entry, context.t))]
    if rows:
        lines.append(t("Your evidence this week: {statuses}.", statuses=", ".join(
            f"{t(STATUS_NAMES[status])} {t.number(count)}" for status, count in sorted(rows))))
    return [Outgoing("\n".join(lines))]


def take_back_photo(context: Context, args: str) -> list[Outgoing]:
    """`/xoaanh`, `xóa ảnh vừa gửi`: the sender's latest photo still waiting for review is
    deleted (the file at once; the row keeps the report's history), the report stays."""
    t, session = context.t, context.session
    evidence = session.exec(
        select(Evidence).where(Evidence.person_id == context.person.id, Evidence.status == "pending")
        .order_by(Evidence.received_at.desc(), Evidence.id.desc()).limit(1)
    ).first()
    if evidence is None:
        return [Outgoing(t("You have no photo waiting for review to take back. A reviewed photo stays: ask the commune office to delete it."))]
    evidence.status = "withdrawn"
    delete_file(session, context.defaults.evidence_dir, evidence, context.now)
    return [Outgoing(t("🗑 Photo taken back and deleted. Your report stays: {entry}.",
                       entry=entry_line(session, session.get(Entry, evidence.entry_id), t)))]
