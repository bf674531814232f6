"""Fixing mistakes: `/sua` changes one count (`/sua vneid 6`, or in words `sửa lại vneid 6`,
`em nhập sai, hộ 21 mới đúng`: that change, asked first), `/xoa` takes back my last report
(each day its message recorded, or one of them), or one indicator's count (`/xoa cks`,
`hủy báo cáo thanh toán`).

Both reach the days a report may be for (today and the 14 days before), so that on Monday
last week is still mended, never reported twice. A member reaches their own counts; the
commune office (and admin) every count of its commune's villages in those days, and an
older one with a reason; the member whose count it was is told.

Nothing is overwritten without a trace: each change is written to the audit trail
(who, when, old → new, why) and a deletion only marks the count deleted.
"""

from datetime import date

from sqlalchemy import or_
from sqlmodel import select

from ..locales import N_, translator
from ..models import Audit, Entry, EntryCount, Level, OrgUnit, Person, Role
from ..models.periods import week_of
from ..models.queries import LIVE, entry_counts, latest_entry_id, message_entries
from .context import Context, step
from .grammar import ParseError, QuickReport, earliest_day
from .intents import Correction, correction
from .messages import Choice, Outgoing
from .reading import Proposal, Reading, read_report
from .report import aliases, error_text, parse_count
from .wording import example_report, format_counts, labels, week_line

MAX_EDIT_CHOICES = 10
MAX_REASON = 512
COMMUNE_EDITORS = frozenset({Role.OFFICE, Role.ADMIN})  # may change any count of their commune's villages

# What the member whose count the office changed reads, in their own language.
CHANGED_BY_OFFICE = N_("✏️ {name} (commune office) changed your report for {village}, {day}: {indicator} {old} → {new}.")
TAKEN_BACK_BY_OFFICE = N_("✏️ {name} (commune office) took back your report for {village}, {day}: {indicator} {old}.")
BECAUSE = N_("Reason: {reason}")
NO_COUNT = {  # (taking back, as the office): what to do instead
    (False, False): N_("You have no {indicator} count of today or the 14 days before to change. For older days, ask your commune office."),
    (False, True): N_("No {indicator} count of today or the 14 days before to change. For an older one, name the village: /sua {village} {indicator} 6."),
    (True, False): N_("You have no {indicator} count of today or the 14 days before to take back. For older days, ask your commune office."),
    (True, True): N_("No {indicator} count of today or the 14 days before to take back. For an older one, name the village: /xoa {village} {indicator}."),
}


def change(context: Context, count: EntryCount, new: int | None, reason: str | None = None) -> None:
    """Sets a count (None deletes it) and records who did it, and why when they said."""
    context.session.add(
        Audit(at=context.now, person_id=context.person.id, action="delete" if new is None else "edit",
              entry_count_id=count.id, old_count=count.count, new_count=new, reason=reason)
    )
    if new is None:
        count.deleted_at = context.now
    else:
        count.count = new
    context.session.add(count)


def office_villages(context: Context) -> list[OrgUnit]:
    """The villages of the communes this person keeps as office or admin."""
    communes = [p.unit.id for p in context.places if p.role in COMMUNE_EDITORS and p.unit.level == Level.COMMUNE]
    if not communes:
        return []
    return list(context.session.exec(
        select(OrgUnit).where(OrgUnit.parent_id.in_(communes), OrgUnit.level == Level.VILLAGE).order_by(OrgUnit.id)))


def reachable_counts(context: Context, key: str | None = None, village: int | None = None, *,
                     since: date | None = None, before: date | None = None,
                     office_only: bool = False) -> list[EntryCount]:
    """The live counts this person may change — their own, and as the office every count of
    its commune's villages — dated from `since` or before `before`, the latest report first."""
    office = [v.id for v in office_villages(context)]
    mine = EntryCount.person_id == context.person.id
    reach = EntryCount.village_id.in_(office) if office_only else or_(mine, EntryCount.village_id.in_(office))
    query = (select(EntryCount).join(Entry, Entry.id == EntryCount.entry_id).where(reach, LIVE)
             .order_by(Entry.created_at.desc(), Entry.id.desc(), EntryCount.id))
    if key is not None:
        query = query.where(EntryCount.indicator_key == key)
    if village is not None:
        query = query.where(EntryCount.village_id == village)
    if since is not None:
        query = query.where(EntryCount.day >= since)
    if before is not None:
        query = query.where(EntryCount.day < before)
    return list(context.session.exec(query).all())


def window(context: Context) -> date:
    """The first day a count may be changed by its reporter: the days a report may be for."""
    return earliest_day(context.today())


def count_labels(context: Context, counts: list[EntryCount], new: int | None = None) -> list[str]:
    """`24/11 · VNeID 5`, with the village where the counts are of several, the reporter where
    not the sender's own, and `→ 6` where the right count is known."""
    t, names, session = context.t, labels(context), context.session
    several = len({c.village_id for c in counts}) > 1
    result = []
    for c in counts:
        parts = [t.day_month(c.day)]
        if several:
            parts.append(session.get(OrgUnit, c.village_id).name)
        if c.person_id != context.person.id:
            parts.append(session.get(Person, c.person_id).name)
        parts.append(f"{names[c.indicator_key]} {t.number(c.count)}" + (f" → {t.number(new)}" if new else ""))
        result.append(" · ".join(parts))
    return result


def pick_count(context: Context, question: str, counts: list[EntryCount], new: int | None = None) -> Outgoing:
    """A list of counts to pick one from; with `new` known, the pick makes the change."""
    counts = counts[:MAX_EDIT_CHOICES]
    choices = [Choice(label, f"c:{c.id}") for label, c in zip(count_labels(context, counts, new), counts, strict=True)]
    choices.append(Choice(context.t("Cancel"), "cancel"))
    more = {} if new is None else {"new": new}
    return context.ask("edit.pick", question, choices, **more)


def start_edit(context: Context, args: str) -> list[Outgoing]:
    if args:
        return propose_change(context, args)
    t = context.t
    counts = reachable_counts(context, since=window(context))
    if not counts and not context.villages():
        return [Outgoing(t("No count of today or the 14 days before to change. For an older one, name the village, the indicator and the right number: /sua village indicator count."))]
    if not counts:
        return [Outgoing(t("You have no count of today or the 14 days before to change. For older days, ask your commune office."))]
    return [pick_count(context, t("Which count do you want to change?"), counts)]


@step("edit.pick")
def _picked(context: Context, data: str) -> list[Outgoing]:
    t, state = context.t, context.state
    if data == "cancel":
        context.finish()
        return [Outgoing(t("Cancelled: nothing was changed."))]
    count = context.session.get(EntryCount, int(data.removeprefix("c:")))
    if "new" in state:
        context.finish()
        return apply_change(context, count, state["new"])
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


def named_count(context: Context, text: str) -> tuple[str, int | None] | ParseError | None:
    """The indicator (and village) a correction or a take-back names, read as the report
    readers read them (`số hộ`, `bdhvs thôn Phú Lợi`, `Tân Hòa vneid`); None when it names
    no one indicator."""
    villages = {v.name: v.id for v in [*context.villages(), *office_villages(context)]}
    parsed = read_report(text, today=context.today(), aliases=aliases(context), villages=list(villages))
    if isinstance(parsed, Proposal) and len(parsed.readings) == 1:
        parsed = parsed.readings[0]
    if isinstance(parsed, ParseError):
        return parsed
    if not isinstance(parsed, QuickReport | Reading) or len(parsed.counts) != 1:
        return None
    [key] = parsed.counts
    return key, villages.get(parsed.village)


def not_named(context: Context, error: ParseError) -> str:
    """What is wrong with the indicator or village named; the office's villages are its commune's."""
    if error.code == "unknown_village" and not context.villages():
        villages = ", ".join(v.name for v in office_villages(context))
        return "⚠️ " + context.t("“{word}” is not a village of your commune: {villages}.",
                                 word=error.word, villages=villages)
    return error_text(context, error)


def propose_change(context: Context, text: str) -> list[Outgoing]:
    """`vneid 6`, `vneid là 4 chứ không phải 5`, `Tân Hòa vneid 6`: finds the count meant and
    asks before changing it."""
    t = context.t
    wanted = correction(text)
    if wanted and not wanted.indicator:
        return change_latest_report(context, wanted)
    named = wanted and named_count(context, f"{wanted.indicator} {wanted.count}")
    if isinstance(named, ParseError):
        return [Outgoing(not_named(context, named))]
    if not named:
        return [Outgoing(t("I did not understand which count to change. Write the indicator and the right number, e.g. /sua {example}, or send /sua alone to pick one.",
                           example=example_report(context.session, context.commune_ids(), 1)))]
    key, village = named
    new = parse_count(context, key, wanted.count)
    old = parse_count(context, key, wanted.old) if wanted.old else None
    if isinstance(new, str) or isinstance(old, str):
        return [Outgoing(new if isinstance(new, str) else old)]
    label = labels(context)[key]
    counts = reachable_counts(context, key, village, since=window(context))
    if not counts:
        return older_count(context, key, village, new) or [Outgoing(no_count(context, label))]
    # The latest count of that indicator; where several, the latest one the message says is
    # wrong; where they are of several villages and the message names none, the one picked.
    count = next((c for c in counts if c.count == old), None)
    if count is None and len({c.village_id for c in counts}) > 1:
        return [pick_count(context, t("Which {indicator} count should be {count}?", indicator=label,
                                      count=t.number(new)), counts, new)]
    return confirm_change(context, count or counts[0], new, old)


def change_latest_report(context: Context, wanted: Correction) -> list[Outgoing]:
    """`xin lỗi gõ nhầm, đúng là 5`: no indicator named, so a count of the latest report."""
    t = context.t
    entry_id = latest_entry_id(context.session, context.person.id, since=window(context))
    catalog = list(labels(context))
    # Each day of the report's message (`thứ 3 đi 6 hộ, thứ 5 đi 8 hộ`), its counts as shown.
    counts = [c for _, live in (latest_report(context, entry_id) if entry_id else [])
              for c in sorted(live, key=lambda c: catalog.index(c.indicator_key))]
    if not counts:
        return [Outgoing(t("You have no report of today or the 14 days before to change. For older days, ask your commune office."))]
    new = parse_count(context, counts[0].indicator_key, wanted.count)
    if isinstance(new, str):
        return [Outgoing(new)]
    if len(counts) > 1:
        return [pick_count(context, t("Which count should be {count}?", count=t.number(new)), counts, new)]
    return confirm_change(context, counts[0], new, None)


def confirm_change(context: Context, count: EntryCount, new: int, old: int | None) -> list[Outgoing]:
    t = context.t
    label, day = labels(context)[count.indicator_key], t.day_month(count.day)
    if count.count == new:
        return [Outgoing(t("{indicator} on {day} is already {count}: nothing to change.",
                           indicator=label, day=day, count=t.number(new)))]
    lines = []
    if old is not None and count.count != old:
        lines.append(t("Stored is {indicator} {count} on {day}, not {old}.", indicator=label,
                       count=t.number(count.count), day=day, old=t.number(old)))
    if count.person_id != context.person.id:
        lines.append(whose(context, count))
    lines.append(t("{indicator} on {day}: {old} → {new}. Change it?", indicator=label, day=day,
                   old=t.number(count.count), new=t.number(new)))
    choices = [Choice(t("Yes, change it"), "yes"), Choice(t("No"), "no")]
    return [context.ask("edit.confirm", "\n".join(lines), choices, count_id=count.id, new=new)]


def whose(context: Context, count: EntryCount) -> str:
    """`Thôn Tân Hòa, reported by Lan`: for the office, whose count it is."""
    session = context.session
    return context.t("{village}, reported by {name}:", village=session.get(OrgUnit, count.village_id).name,
                     name=session.get(Person, count.person_id).name)


def no_count(context: Context, label: str, taking_back: bool = False) -> str:
    """No such count in the days a report may be for: where older ones are to be asked for."""
    villages = office_villages(context)
    return context.t(NO_COUNT[taking_back, bool(villages)], indicator=label, village=villages[0].name if villages else "")


def older_count(context: Context, key: str, village: int | None, new: int) -> list[Outgoing] | None:
    """The office changing (0, None: taking back) a count older than the days a report may
    be for, of a village it names: asked for a reason first, which the audit keeps."""
    if village is None:
        return None
    counts = reachable_counts(context, key, village, before=window(context), office_only=True)
    if not counts:
        return None
    t, count = context.t, counts[0]
    label = labels(context)[key]
    change_text = (t("{indicator} {old} taken back", indicator=label, old=t.number(count.count)) if not new else
                   f"{label} {t.number(count.count)} → {t.number(new)}")
    question = "\n".join([
        whose(context, count),
        t("{day} is more than 14 days ago: {change}.", day=t.date(count.day), change=change_text),
        t("Type the reason for the change: it is kept in /nhatky and sent to {name}. /huy to cancel.",
          name=context.session.get(Person, count.person_id).name)])
    return [context.ask("edit.reason", question, free_text=True, count_id=count.id, new=new or 0)]


@step("edit.reason")
def _reason_given(context: Context, reason: str) -> list[Outgoing]:
    state = context.state
    context.finish()
    return apply_change(context, context.session.get(EntryCount, state["count_id"]), state["new"],
                        reason.strip()[:MAX_REASON] or None)


@step("edit.confirm")
def _change_confirmed(context: Context, data: str) -> list[Outgoing]:
    state = context.state
    context.finish()
    if data != "yes":
        return [Outgoing(context.t("Kept: nothing was changed."))]
    return apply_change(context, context.session.get(EntryCount, state["count_id"]), state["new"])


def apply_change(context: Context, count: EntryCount, new: int, reason: str | None = None) -> list[Outgoing]:
    """Sets the count (0 removes it), tells the member whose count it was, and says what the
    village's week is now."""
    t = context.t
    if count.deleted_at is not None:
        return [Outgoing(t("That count was already removed. Nothing was changed."))]
    old = count.count
    change(context, count, new or None, reason)
    village = context.session.get(OrgUnit, count.village_id)
    label = labels(context)[count.indicator_key]
    done = (t("✅ Removed {indicator} {old} ({day}).", indicator=label, old=t.number(old),
              day=t.day_month(count.day)) if new == 0 else
            t("✅ Changed {indicator} on {day}: {old} → {new}.", indicator=label,
              day=t.day_month(count.day), old=t.number(old), new=t.number(new)))
    replies = [done + "\n" + week_line(context, village, count.day)]
    if count.person_id != context.person.id and not tell_member(context, count, village, old, new, reason):
        member = context.session.get(Person, count.person_id)
        replies.append(t("{name} cannot be reached by the bot: please tell them.", name=member.name))
    return [Outgoing("\n".join(replies))]


def tell_member(context: Context, count: EntryCount, village: OrgUnit, old: int, new: int,
                reason: str | None) -> bool:
    """Queues the change to the member's chat on the channel they reported on, in their language."""
    member = context.session.get(Person, count.person_id)
    tm = translator(member.locale)
    fields = {"name": context.person.name, "village": village.name, "day": tm.date(count.day),
              "indicator": labels(context, tm)[count.indicator_key], "old": tm.number(old)}
    notice = (tm(TAKEN_BACK_BY_OFFICE, **fields) if new == 0 else
              tm(CHANGED_BY_OFFICE, new=tm.number(new), **fields))
    if reason:
        notice += "\n" + tm(BECAUSE, reason=reason)
    channel = context.session.get(Entry, count.entry_id).channel
    return context.notify(member.id, channel, Outgoing(notice))


def start_undo(context: Context, args: str) -> list[Outgoing]:
    t = context.t
    named = named_count(context, f"{args} 1") if args else None  # `cks`: read as a report of it
    if isinstance(named, tuple):
        return propose_take_back(context, *named)
    if not context.villages():  # the office: a count of its commune's villages, picked
        counts = reachable_counts(context, since=window(context))
        if not counts:
            return [Outgoing(t("No count of today or the 14 days before to take back. For an older one, name the village and the indicator: /xoa village indicator."))]
        return [pick_count(context, t("Which count do you want to take back?"), counts, 0)]
    entry_id = latest_entry_id(context.session, context.person.id, since=window(context))
    if entry_id is None:
        return [Outgoing(t("You have no report of today or the 14 days before to take back. For older days, ask your commune office."))]
    days = latest_report(context, entry_id)
    village = context.session.get(OrgUnit, days[0][0].village_id)
    if len(days) == 1:
        [(entry, live)] = days
        question = t("Take back your last report for {village}, {day}: {counts}?", village=village.name,
                     day=t.date(entry.day), counts=format_counts(context, live_counts(live)))
        choices = [Choice(t("Yes, take it back"), "yes"), Choice(t("No, keep it"), "no")]
        return [context.ask("undo.confirm", question, choices, entry_ids=[entry.id])]
    # A message that recorded several days (`thứ 3 đi 6 hộ, thứ 5 đi 8 hộ`): all of it, or one day.
    count = len(days)
    lines = [t.plural("Your last report, for {village}, recorded {count} day:",
                      "Your last report, for {village}, recorded {count} days:", count, village=village.name)]
    lines += [f"• {t.weekday_and_day(entry.day)}: {format_counts(context, live_counts(live))}" for entry, live in days]
    lines.append(t("Take all of it back, or one day?"))
    choices = [Choice(t.plural("Take back the {count} day", "Take back all {count} days", count), "yes")]
    choices += [Choice(t("Only {day}", day=t.weekday_and_day(entry.day)), f"e:{entry.id}") for entry, _ in days]
    choices.append(Choice(t("No, keep it"), "no"))
    return [context.ask("undo.confirm", "\n".join(lines), choices, entry_ids=[entry.id for entry, _ in days])]


def latest_report(context: Context, entry_id: int) -> list[tuple[Entry, list[EntryCount]]]:
    """The days (entry, live counts) the message that stored the entry stored and that may
    still be taken back: live, and of the days a report may be for."""
    session, since = context.session, window(context)
    days = [(entry, [c for c in entry_counts(session, entry.id) if c.deleted_at is None])
            for entry in message_entries(session, session.get(Entry, entry_id)) if entry.day >= since]
    return [(entry, live) for entry, live in days if live]


def live_counts(counts: list[EntryCount]) -> dict[str, int]:
    return {c.indicator_key: c.count for c in counts}


def propose_take_back(context: Context, key: str, village: int | None) -> list[Outgoing]:
    """`/xoa cks`, `hủy báo cáo thanh toán`: the latest count of that indicator, asked first."""
    t = context.t
    label = labels(context)[key]
    counts = reachable_counts(context, key, village, since=window(context))
    if not counts:
        return older_count(context, key, village, 0) or [Outgoing(no_count(context, label, taking_back=True))]
    if len({c.village_id for c in counts}) > 1:
        return [pick_count(context, t("Which {indicator} count do you want to take back?", indicator=label), counts, 0)]
    count = counts[0]
    lines = [whose(context, count)] if count.person_id != context.person.id else []
    lines.append(t("Take back {indicator} {count} ({day})?", indicator=label, count=t.number(count.count),
                   day=t.date(count.day)))
    choices = [Choice(t("Yes, take it back"), "yes"), Choice(t("No, keep it"), "no")]
    return [context.ask("edit.confirm", "\n".join(lines), choices, count_id=count.id, new=0)]


@step("undo.confirm")
def _undo_confirmed(context: Context, data: str) -> list[Outgoing]:
    t, session = context.t, context.session
    state = context.state  # a question asked before the upgrade that made it a list kept one entry_id
    entry_ids = state["entry_ids"] if "entry_ids" in state else [state["entry_id"]]
    context.finish()
    one_day = [entry_id for entry_id in entry_ids if data == f"e:{entry_id}"]
    if one_day:
        entry_ids = one_day
    elif data != "yes":
        return [Outgoing(t("Kept: nothing was changed."))]
    lines, mondays, village = [], {}, None
    for entry in (session.get(Entry, entry_id) for entry_id in entry_ids):
        live = [c for c in entry_counts(session, entry.id) if c.deleted_at is None]
        for count in live:
            change(context, count, None)
        if live:
            lines.append(t("✅ Taken back: {counts} ({day}).", counts=format_counts(context, live_counts(live)),
                           day=t.date(entry.day)))
            mondays.setdefault(week_of(entry.day).first)
            village = session.get(OrgUnit, entry.village_id)
    if not lines:
        return [Outgoing(t("That report was already taken back."))]
    return [Outgoing("\n".join(lines + [week_line(context, village, monday) for monday in mondays]))]
