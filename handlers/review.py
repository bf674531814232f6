"""`/duyet`: the office reviews evidence, oldest first, one item at a time.

Each item shows its photo (from the evidence folder), the entry it proves and the
village (each showing recorded: `models.privacy.record_view`), with buttons: approve, "Chờ hoàn thiện" (asks the reason, which goes to the
member), skip, stop. A decision is taken only while the item is still waiting, so two
reviewers never both decide one item: the second is told who did.
"""

from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from ..figures.wording import NEEDS_COMPLETING, REASONS, STATUS_NAMES, entry_line
from ..locales import translator
from ..models import Entry, Evidence, Person
from ..models.privacy import record_view
from ..models.review import decide as decide_evidence
from ..models.review import waiting
from .context import Context, step
from .messages import Attachment, Choice, Outgoing


def pending(context: Context, skipped: list[int]):
    """The reviewer's communes' evidence still waiting, oldest first (a query)."""
    return waiting([c.id for c in context.communes()]).where(Evidence.id.not_in(skipped))


def start_review(context: Context, args: str) -> list[Outgoing]:
    return [next_item(context, [])]


def next_item(context: Context, skipped: list[int]) -> Outgoing:
    t, session = context.t, context.session
    item = session.exec(pending(context, skipped).order_by(Evidence.received_at, Evidence.id).limit(1)).first()
    if item is None:
        context.finish()
        if skipped:
            return Outgoing(t.plural("No more evidence to review now; {count} skipped stays waiting for the next /duyet.",
                                     "No more evidence to review now; {count} skipped stay waiting for the next /duyet.",
                                     len(skipped)))
        return Outgoing(t("No evidence is waiting for review. 👍"))
    waiting = session.exec(select(func.count()).select_from(pending(context, skipped).subquery())).one()
    member = session.get(Person, item.person_id)
    lines = [t("🔎 Evidence waiting for review: {count}", count=waiting),
             entry_line(session, session.get(Entry, item.entry_id), t),
             t("From {member}, {day}", member=member.name, day=t.date(context.local_date(item.received_at)))]
    if item.caption:
        lines.append(f"“{item.caption[:200]}”")
    attachment = stored_file(context, item)
    if attachment is not None:
        record_view(session, item, context.person, f"/duyet {context.incoming.channel}", context.now)
    else:
        lines.append(t("(The file is not here yet: the bot is still fetching it, or the messenger no longer has it.)"))
    choices = [Choice(t("✅ Approve"), "ok"), Choice(t("⏳ To complete"), "redo"),
               Choice(t("Skip"), "skip"), Choice(t("Stop"), "stop")]
    message = context.ask("review.decide", "\n".join(lines), choices, evidence_id=item.id, skipped=skipped)
    return Outgoing(message.text, message.choices, attachment)


def stored_file(context: Context, item: Evidence) -> Attachment | None:
    if not item.stored_path:
        return None
    path = Path(context.defaults.evidence_dir) / item.stored_path
    try:
        content = path.read_bytes()
    except OSError:
        return None
    return Attachment("picture" if item.kind == "photo" else "file", path.name, content)


@step("review.decide")
def _decided(context: Context, data: str) -> list[Outgoing]:
    t, state = context.t, context.state
    evidence_id, skipped = state["evidence_id"], state["skipped"]
    if data == "stop":
        context.finish()
        return [Outgoing(t("Stopped. Send /duyet to go on."))]
    if data == "skip":
        return [next_item(context, [*skipped, evidence_id])]
    item = context.session.get(Evidence, evidence_id)
    context.session.refresh(item)
    if item.status != "pending":
        return [Outgoing(already_reviewed(context, item)), next_item(context, skipped)]
    if data == "redo":
        choices = [Choice(t(reason), t(reason)) for reason in REASONS]
        return [context.ask("review.reason", t("What must the member complete? Pick or type the reason; it is sent to them."),
                            choices, free_text=True, evidence_id=evidence_id, skipped=skipped)]
    return decide(context, evidence_id, skipped, "approved", "")


def already_reviewed(context: Context, item: Evidence) -> str:
    t = context.t
    reviewer = context.session.get(Person, item.reviewed_by) if item.reviewed_by else None
    return t("{name} already reviewed this evidence ({when}): {status}.",
             name=reviewer.name if reviewer else "?", status=t(STATUS_NAMES[item.status]),
             when=t.date(context.local_date(item.reviewed_at)) if item.reviewed_at else "")


@step("review.reason")
def _reason_given(context: Context, reason: str) -> list[Outgoing]:
    state = context.state
    return decide(context, state["evidence_id"], state["skipped"], "needs_completion", reason.strip()[:512])


def decide(context: Context, evidence_id: int, skipped: list[int], status: str, reason: str) -> list[Outgoing]:
    t, session = context.t, context.session
    changed = decide_evidence(session, evidence_id, context.person.id, context.now, status, reason)
    item = session.get(Evidence, evidence_id)
    if not changed:
        return [Outgoing(already_reviewed(context, item)), next_item(context, skipped)]
    entry = session.get(Entry, item.entry_id)
    if status == "approved":
        return [Outgoing(t("✅ Approved.")), next_item(context, skipped)]
    member = session.get(Person, item.person_id)
    tm = translator(member.locale)
    notice = tm(NEEDS_COMPLETING, entry=entry_line(session, entry, tm), reason=reason)
    reached = context.notify(member.id, item.channel, Outgoing(notice))
    told = (t("⏳ Marked “to complete”; {member} is told why.", member=member.name) if reached
            else t("⏳ Marked “to complete”. {member} cannot be reached on {channel}: please tell them.",
                   member=member.name, channel=item.channel))
    return [Outgoing(told), next_item(context, skipped)]
