"""Fixing mistakes: `/sua` changes one count of mine this week, `/xoa` takes back my last entry.

Nothing is overwritten without a trace: each change is written to the audit trail
(who, when, old → new) and a deletion only marks the count deleted.
"""

from sqlmodel import select

from ..models import Audit, Entry, EntryCount, OrgUnit
from ..models.periods import week_of
from ..models.queries import LIVE, entry_counts, latest_entry_id
from .context import Context, step
from .messages import Choice, Outgoing
from .report import parse_count
from .wording import format_counts, labels, week_line

MAX_EDIT_CHOICES = 10


def change(context: Context, count: EntryCount, new: int | None) -> None:
    """Sets a count (None deletes it) and records who did it."""
    context.session.add(
        Audit(at=context.now, person_id=context.person.id, action="delete" if new is None else "edit",
              entry_count_id=count.id, old_count=count.count, new_count=new)
    )
    if new is None:
        count.deleted_at = context.now
    else:
        count.count = new
    context.session.add(count)


def start_edit(context: Context, args: str) -> list[Outgoing]:
    t, names = context.t, labels(context)
    week = week_of(context.today())
    mine = context.session.exec(
        select(EntryCount)
        .join(Entry, Entry.id == EntryCount.entry_id)
        .where(Entry.person_id == context.person.id, LIVE,
               EntryCount.day.between(week.first, week.last))
        .order_by(Entry.created_at.desc(), EntryCount.id)
        .limit(MAX_EDIT_CHOICES)
    ).all()
    if not mine:
        return [Outgoing(t("You have no report this week to change. To report, send e.g. vneid 5."))]
    choices = [
        Choice(f"{t.day_month(c.day)} · {names[c.indicator_key]} {t.number(c.count)}", f"c:{c.id}")
        for c in mine
    ]
    choices.append(Choice(t("Cancel"), "cancel"))
    return [context.ask("edit.pick", t("Which count do you want to change?"), choices)]


@step("edit.pick")
def _picked(context: Context, data: str) -> list[Outgoing]:
    t = context.t
    if data == "cancel":
        context.finish()
        return [Outgoing(t("Cancelled: nothing was changed."))]
    count = context.session.get(EntryCount, int(data.removeprefix("c:")))
    label = labels(context)[count.indicator_key]
    question = t("{indicator} on {day} is {count}. Type the right number (0 to remove it).",
                 indicator=label, day=t.day_month(count.day), count=t.number(count.count))
    return [context.ask("edit.count", question, free_text=True, count_id=count.id)]


@step("edit.count")
def _new_count(context: Context, text: str) -> list[Outgoing]:
    t, session = context.t, context.session
    count = session.get(EntryCount, context.state["count_id"])
    new = parse_count(context, count.indicator_key, text)
    if isinstance(new, str):
        return [Outgoing(new)]
    context.finish()
    if count.deleted_at is not None:
        return [Outgoing(t("That count was already removed. Nothing was changed."))]
    old = count.count
    change(context, count, new or None)
    village = session.get(OrgUnit, count.village_id)
    label = labels(context)[count.indicator_key]
    done = (t("✅ Removed {indicator} {old} ({day}).", indicator=label, old=t.number(old),
              day=t.day_month(count.day)) if new == 0 else
            t("✅ Changed {indicator} on {day}: {old} → {new}.", indicator=label,
              day=t.day_month(count.day), old=t.number(old), new=t.number(new)))
    return [Outgoing(done + "\n" + week_line(context, village, count.day))]


def start_undo(context: Context, args: str) -> list[Outgoing]:
    t = context.t
    entry_id = latest_entry_id(context.session, context.person.id)
    if entry_id is None:
        return [Outgoing(t("You have no report to take back."))]
    entry = context.session.get(Entry, entry_id)
    live = {c.indicator_key: c.count for c in entry_counts(context.session, entry_id) if c.deleted_at is None}
    village = context.session.get(OrgUnit, entry.village_id)
    question = t("Take back your last report for {village}, {day}: {counts}?", village=village.name,
                 day=t.date(entry.day), counts=format_counts(context, live))
    choices = [Choice(t("Yes, take it back"), "yes"), Choice(t("No, keep it"), "no")]
    return [context.ask("undo.confirm", question, choices, entry_id=entry_id)]


@step("undo.confirm")
def _undo_confirmed(context: Context, data: str) -> list[Outgoing]:
    t, session = context.t, context.session
    entry_id = context.state["entry_id"]
    context.finish()
    if data != "yes":
        return [Outgoing(t("Kept: nothing was changed."))]
    live = [c for c in entry_counts(context.session, entry_id) if c.deleted_at is None]
    if not live:
        return [Outgoing(t("That report was already taken back."))]
    for count in live:
        change(context, count, None)
    entry = session.get(Entry, entry_id)
    village = session.get(OrgUnit, entry.village_id)
    taken = format_counts(context, {c.indicator_key: c.count for c in live})
    return [Outgoing(t("✅ Taken back: {counts} ({day}).", counts=taken, day=t.date(entry.day))
                     + "\n" + week_line(context, village, entry.day))]
