"""Fixing mistakes: `/sua` changes one count of mine this week (`/sua vneid 6`, or in words
`sửa lại vneid 6`: that change, asked first), `/xoa` takes back my last entry.

Nothing is overwritten without a trace: each change is written to the audit trail
(who, when, old → new) and a deletion only marks the count deleted.
"""

from sqlmodel import select

from ..models import Audit, Entry, EntryCount, OrgUnit
from ..models.periods import week_of
from ..models.queries import LIVE, entry_counts, latest_entry_id
from .context import Context, step
from .grammar import ParseError, QuickReport, earliest_day
from .intents import correction
from .messages import Choice, Outgoing
from .reading import Proposal, Reading, read_report
from .report import aliases, error_text, parse_count
from .wording import example_report, format_counts, labels, week_line

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


def my_counts_this_week(context: Context, indicator_key: str | None = None) -> list[EntryCount]:
    """The sender's live counts this week (of one indicator), the latest report first."""
    week = week_of(context.today())
    query = (
        select(EntryCount)
        .join(Entry, Entry.id == EntryCount.entry_id)
        .where(Entry.person_id == context.person.id, LIVE, EntryCount.day.between(week.first, week.last))
        .order_by(Entry.created_at.desc(), Entry.id.desc(), EntryCount.id)
    )
    if indicator_key is not None:
        query = query.where(EntryCount.indicator_key == indicator_key)
    return list(context.session.exec(query).all())


def start_edit(context: Context, args: str) -> list[Outgoing]:
    if args:
        return propose_change(context, args)
    t, names = context.t, labels(context)
    mine = my_counts_this_week(context)[:MAX_EDIT_CHOICES]
    if not mine:
        return [Outgoing(t("You have no report this week to change. To report, send e.g. {example}.",
                           example=example_report(context.session, context.commune_ids(), 1)))]
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
    count = context.session.get(EntryCount, context.state["count_id"])
    new = parse_count(context, count.indicator_key, text)
    if isinstance(new, str):
        return [Outgoing(new)]
    context.finish()
    return apply_change(context, count, new)


def village_id(context: Context, name: str) -> int:
    return next(v.id for v in context.villages() if v.name == name)


def propose_change(context: Context, text: str) -> list[Outgoing]:
    """`vneid 6`, `vneid là 4 chứ không phải 5`: finds the count meant and asks before changing it."""
    t = context.t
    wanted = correction(text)
    # The indicator as the report readers read it: `số hộ 12`, `bdhvs thôn Phú Lợi 5` too.
    parsed = wanted and read_report(f"{wanted.indicator} {wanted.count}", today=context.today(),
                                    aliases=aliases(context), villages=[v.name for v in context.villages()])
    if isinstance(parsed, Proposal) and len(parsed.readings) == 1:
        parsed = parsed.readings[0]
    if isinstance(parsed, ParseError):
        return [Outgoing(error_text(context, parsed))]
    if not isinstance(parsed, QuickReport | Reading) or len(parsed.counts) != 1:
        return [Outgoing(t("I did not understand which count to change. Write the indicator and the right number, e.g. /sua {example}, or send /sua alone to pick one.",
                           example=example_report(context.session, context.commune_ids(), 1)))]
    [(key, new)] = parsed.counts.items()  # a correction's shapes hold one indicator and one number
    old = parse_count(context, key, wanted.old) if wanted.old else None
    if isinstance(old, str):
        return [Outgoing(old)]
    label = labels(context)[key]
    mine = [c for c in my_counts_this_week(context, key)
            if parsed.village is None or c.village_id == village_id(context, parsed.village)]
    if not mine:
        return [Outgoing(t("You have no {indicator} count this week to change. To report it, send {report}.",
                           indicator=label, report=f"{wanted.indicator} {wanted.count}"))]
    # The latest count of that indicator; where several, the latest one the message says is wrong.
    count = next((c for c in mine if c.count == old), mine[0])
    day = t.day_month(count.day)
    if count.count == new:
        return [Outgoing(t("{indicator} on {day} is already {count}: nothing to change.",
                           indicator=label, day=day, count=t.number(new)))]
    lines = []
    if old is not None and count.count != old:
        lines.append(t("Stored is {indicator} {count} on {day}, not {old}.", indicator=label,
                       count=t.number(count.count), day=day, old=t.number(old)))
    lines.append(t("{indicator} on {day}: {old} → {new}. Change it?", indicator=label, day=day,
                   old=t.number(count.count), new=t.number(new)))
    choices = [Choice(t("Yes, change it"), "yes"), Choice(t("No"), "no")]
    return [context.ask("edit.confirm", "\n".join(lines), choices, count_id=count.id, new=new)]


@step("edit.confirm")
def _change_confirmed(context: Context, data: str) -> list[Outgoing]:
    state = context.state
    context.finish()
    if data != "yes":
        return [Outgoing(context.t("Kept: nothing was changed."))]
    return apply_change(context, context.session.get(EntryCount, state["count_id"]), state["new"])


def apply_change(context: Context, count: EntryCount, new: int) -> list[Outgoing]:
    """Sets the count (0 removes it) and says what the village's week is now."""
    t = context.t
    if count.deleted_at is not None:
        return [Outgoing(t("That count was already removed. Nothing was changed."))]
    old = count.count
    change(context, count, new or None)
    village = context.session.get(OrgUnit, count.village_id)
    label = labels(context)[count.indicator_key]
    done = (t("✅ Removed {indicator} {old} ({day}).", indicator=label, old=t.number(old),
              day=t.day_month(count.day)) if new == 0 else
            t("✅ Changed {indicator} on {day}: {old} → {new}.", indicator=label,
              day=t.day_month(count.day), old=t.number(old), new=t.number(new)))
    return [Outgoing(done + "\n" + week_line(context, village, count.day))]


def start_undo(context: Context, args: str) -> list[Outgoing]:
    t = context.t
    entry_id = latest_entry_id(context.session, context.person.id, since=earliest_day(context.today()))
    if entry_id is None:
        return [Outgoing(t("You have no report of today or the 14 days before to take back. For older days, ask your commune office."))]
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
