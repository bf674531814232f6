"""Reporting: the one-line quick report, the guided `/baocao`, and `/khong`.

Both ways end in `submit`: counts that look implausible wait for the member's "yes",
then `save` commits them as one entry keyed by the message that carried them.
"""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from ..figures.wording import period_name
from ..locales import N_, Translator
from ..models import Entry, EntryCount, OrgUnit
from ..models.periods import week_of
from ..models.queries import entry_counts, indicators, part_key, totals, weekly_history, words_for
from .ask import offer, worth_offering
from .context import Context, step
from .evidence import attach, evidence_of
from .grammar import ParseError, QuickReport, parse_report
from .messages import Choice, Outgoing
from .reading import Proposal, Reading, attempts_report, read_report
from .wording import example_report, format_counts, labels, tracked_labels, week_line

HISTORY_WEEKS_FOR_CHECK = 4  # weeks of history before "3× the largest week" applies
HISTORY_FACTOR = 3
# The n-th button is n, so that answering a numbered list with its digit means the same.
COUNT_BUTTONS = ("1", "2", "3", "4", "5")
MAX_QUOTED = 40  # an error quotes at most this much of what was typed
RESENT_WITHIN = timedelta(minutes=30)  # the same report again this soon is asked about, not doubled

ERRORS = {
    "unknown_key": N_("I do not know “{word}”."),
    "not_whole": N_("“{word}” is not a whole number ({indicator}). Counts are whole numbers: 1.200 is fine, 2,5 is not."),
    "negative": N_("{indicator} cannot be negative ({word}). To take back a report, send /xoa."),
    "too_large": N_("{word} is too large for {indicator}. Check the number."),
    "missing_count": N_("{indicator} has no number after it."),
    "missing_key": N_("The number {word} has no indicator before it."),
    "repeated_key": N_("{indicator} is written twice. Write each indicator once."),
    "bad_date": N_("“{word}” is not a date. Write the day as dd/mm (e.g. 20/11), or hôm qua."),
    "day_too_old": N_("{day} is more than 14 days ago: reports can be for today and the 14 days before. For older days, ask your commune office."),
    "repeated_day": N_("I cannot tell which counts are for “{word}”. Write each day before its counts: thứ 3 đi 6 hộ, thứ 5 đi 8 hộ."),
    "unknown_village": N_("“{word}” is not one of your villages: {villages}."),
    "no_pairs": N_("There is nothing to save in it."),
    "unpaired_number": N_("I cannot tell what {word} counts: write the indicator next to it."),
    "vague_day": N_("“{word}” is not one day: write the day as dd/mm (e.g. 20/11)."),
    "unclear": N_("I could not tell what to save from it (“{word}”)."),
    "week_not_begun": N_("“{word}” has not begun yet (it starts {day}). Report for this week or one that has passed."),
    "week_too_old": N_("“{word}” ended on {day}, more than 14 days ago: reports can be for today and the 14 days before. For older weeks, ask your commune office."),
}


# A bad number the lenient reader met before knowing its indicator (`5-6 người`).
ERRORS_WITHOUT_INDICATOR = {
    "not_whole": N_("“{word}” is not a count: counts are whole numbers (1.200 is fine; 2,5 and 5-6 are not)."),
    "negative": N_("A count cannot be negative ({word}). To take back a report, send /xoa."),
    "too_large": N_("{word} is too large for a count. Check the number."),
}


def aliases(context: Context) -> dict[str, str]:
    """Every word the sender may write for an indicator their communes track, keys included."""
    return words_for(context.session, context.commune_ids())


def parse(context: Context, text: str) -> QuickReport | Proposal | ParseError | None:
    """A report as the strict grammar reads it, else as the lenient reader proposes it; read
    once per message, however many of dispatch's questions ask."""
    if text not in context.readings:
        context.readings[text] = read_report(text, today=context.today(), aliases=aliases(context),
                                             villages=[v.name for v in context.villages()])
    return context.readings[text]


def names_a_report(context: Context) -> bool:
    """Whether the text is a report, even a faulty one; a photo's caption that is not is the
    photo's own words."""
    parsed = parse(context, context.incoming.text)
    return parsed is not None and (
        not isinstance(parsed, ParseError) or attempts_report(context.incoming.text, aliases(context)))


def looks_like_report(context: Context) -> bool:
    return bool(context.villages()) and parse(context, context.incoming.text) is not None


def example(context: Context) -> str:
    return context.t("Example: {example} — or send /baocao to be guided.",
                     example=example_report(context.session, context.commune_ids()))


def error_text(context: Context, error: ParseError) -> str:
    t = context.t
    names = labels(context)
    word = error.word if len(error.word) <= MAX_QUOTED else error.word[: MAX_QUOTED - 1] + "…"
    problem = t(
        ERRORS_WITHOUT_INDICATOR.get(error.code, ERRORS[error.code]) if not error.key else ERRORS[error.code],
        word=word,
        indicator=names.get(error.key, error.key),
        day=t.date(error.day) if error.day else "",
        villages=", ".join(v.name for v in context.villages()),
    )
    if error.code == "unknown_key" and error.suggestion:
        problem += " " + t("Did you mean “{suggestion}”?", suggestion=error.suggestion)
    if error.part:
        problem = t("In the part “{part}”: {problem}", part=error.part, problem=problem)
    return "⚠️ " + t("Not saved. {problem}", problem=problem) + "\n" + example(context)


def quick_report(context: Context) -> list[Outgoing]:
    """A member's message that is not a command: a report, a photo, or neither."""
    t = context.t
    parsed = parse(context, context.incoming.text)
    if parsed is None:
        if context.incoming.is_group:
            return []  # chatter in the team's group is not for the bot
        not_understood = t("I did not understand that.") + "\n" + example(context)
        if not worth_offering(context.incoming.text):
            return [Outgoing(not_understood)]
        return [offer(context, not_understood)]
    if isinstance(parsed, ParseError):
        if context.incoming.is_group and not attempts_report(context.incoming.text, aliases(context)):
            return []  # "họp lúc 2 giờ" in the team's group is not a report gone wrong
        return [Outgoing(error_text(context, parsed))]
    if isinstance(parsed, Proposal):
        return propose(context, parsed)
    return to_village(context, parsed.village, pending_report(context, parsed.counts, parsed.day))


def pending_report(context: Context, counts: dict[str, int], day: date, **more) -> dict:
    """A report waiting to be saved, as conversation state keeps it."""
    return {"counts": counts, "day": day.isoformat(), "message_id": context.incoming.message_id,
            "evidence": evidence_of(context), **more}  # evidence: a photo whose caption is the report


def read_pending(context: Context, reading: Reading) -> dict:
    """A lenient reading waiting to be confirmed, with the week it names (if it names one)."""
    return pending_report(context, reading.counts, reading.day, village=reading.village, unused=list(reading.unused),
                          week=reading.week.first.isoformat() if reading.week else None)


def days_of(pending: dict) -> list[dict]:
    """The report's days: itself, and the other days of a message that named several."""
    return [pending, *pending.get("also", ())]


def to_village(context: Context, village_name: str | None, pending: dict) -> list[Outgoing]:
    """Submits for the village named, or the sender's only one; asks which otherwise."""
    villages = context.villages()
    if village_name is not None:
        return submit(context, next(v for v in villages if v.name == village_name), pending)
    if len(villages) == 1:
        return submit(context, villages[0], pending)
    if pending.get("lenient"):  # choosing the village is the tap that confirms the reading
        question = context.t("I read: {counts}. Save it for which village?",
                             counts=reading_text(context, pending))
        choices = [*village_choices(context), Choice(context.t("No, cancel"), "no")]
        return [context.ask("report.village", question, choices, pending={**pending, "lenient": False})]
    return [ask_village(context, "report.village", pending)]


def propose(context: Context, proposal: Proposal) -> list[Outgoing]:
    """A message read leniently: its one reading to confirm, or its readings to choose from."""
    readings = [read_pending(context, r) for r in proposal.readings]
    if len(readings) == 1 or proposal.per_day:  # several days are confirmed (and saved) together
        first, *also = readings
        return to_village(context, first["village"], {**first, "also": also, "lenient": True})
    t = context.t
    choices = [Choice(reading_text(context, r), f"r:{i}") for i, r in enumerate(readings)]
    choices.append(Choice(t("No, cancel"), "no"))
    return [context.ask("report.choose", t("I can read this two ways. Which did you mean?"), choices,
                        readings=readings)]


@step("report.choose")
def _reading_chosen(context: Context, data: str) -> list[Outgoing]:
    readings = context.state["readings"]
    context.finish()
    if data == "no":
        return [Outgoing(context.t("Cancelled: nothing was saved. Send the report again, e.g. {example}.",
                                   example=example_report(context.session, context.commune_ids(), 2)))]
    chosen = readings[int(data.removeprefix("r:"))]
    return to_village(context, chosen["village"], chosen)  # the choice was the confirming tap


def reading_text(context: Context, pending: dict) -> str:
    """`Hộ 15 · VNeID 6`, with the day when it is not today (or the week named) and the numbers
    left out, if any; each day's, for a message of several days."""
    texts = []
    for part in days_of(pending):
        text = format_counts(context, part["counts"])
        day = date.fromisoformat(part["day"])
        if part.get("week") or day != context.today():
            text += ", " + when(context, part)
        texts.append(text + unused_note(context, part))
    return "; ".join(texts)


def unused_note(context: Context, part: dict) -> str:
    """` (không tính: 3)`: the numbers a reading left out, if any."""
    if not part.get("unused"):
        return ""
    return " " + context.t("(not counted: {numbers})", numbers=", ".join(part["unused"]))


def when(context: Context, part: dict, named: bool = False) -> str:
    """The day a reading is for: `24/11` (`Thứ Ba 24/11`, named), or for a week named `tuần
    16/11–22/11, ghi vào ngày 22/11`."""
    t, day = context.t, date.fromisoformat(part["day"])
    if part.get("week"):
        return t("{week}, saved on {day}", week=period_name(t, week_of(day)), day=t.day_month(day))
    return t.weekday_and_day(day) if named else t.day_month(day)


def short_form(context: Context, pending: dict) -> str:
    """The same report as the strict grammar reads it at once: `hộ 15 vneid 6 24/11`; for a
    message of several days, one such line a day."""
    names = labels(context)
    lines = []
    for part in days_of(pending):
        text = " ".join(f"{names[key].lower()} {count}" for key, count in part["counts"].items())
        day = date.fromisoformat(part["day"])
        lines.append(text if day == context.today() else f"{text} {day:%d/%m}")
    return "\n".join(lines)


def village_choices(context: Context) -> list[Choice]:
    return [Choice(v.name, f"v:{v.id}") for v in context.villages()]


def ask_village(context: Context, step_name: str, pending: dict) -> Outgoing:
    return context.ask(step_name, context.t("For which village?"), village_choices(context), pending=pending)


def chosen_village(context: Context, data: str) -> OrgUnit:
    village_id = int(data.removeprefix("v:"))
    return next(v for v in context.villages() if v.id == village_id)


@step("report.village")
def _village_chosen(context: Context, data: str) -> list[Outgoing]:
    pending = context.state["pending"]  # read before finish() forgets it
    if data == "no":
        context.finish()
        return [Outgoing(cancelled(context, pending))]
    return submit(context, chosen_village(context, data), pending)


def implausible(context: Context, village: OrgUnit, counts: dict[str, int], day: date) -> list[str]:
    """Why each count looks wrong, if one does: the village's week above the denominator, or
    the count far above the village's history."""
    t, reasons = context.t, []
    week = week_of(day)
    stored = totals(context.session, [village.id], week.first, week.last)
    for indicator in indicators(context.session):
        count = counts.get(indicator.key)
        if count is None:
            continue
        label = indicator.short(t.language)
        denominator = village.sizes.get(indicator.denominator) if indicator.denominator else None
        week_total = stored.get(indicator.key, 0) + count
        if denominator is not None and week_total > denominator:
            size = size_name(t, indicator.denominator)
            if week_total == count:
                reasons.append(t("{indicator} {count} is more than the village's {size} ({n}).",
                                 indicator=label, count=t.number(count), size=size, n=t.number(denominator)))
            else:
                reasons.append(t("{indicator}: with this, the village's week would be {total}, more than its {size} ({n}).",
                                 indicator=label, total=t.number(week_total), size=size, n=t.number(denominator)))
            continue
        weeks, largest = weekly_history(context.session, village.id, indicator.key, week.first)
        if weeks >= HISTORY_WEEKS_FOR_CHECK and count > HISTORY_FACTOR * largest:
            reasons.append(t("{indicator} {count} is more than 3 times the village's largest week so far ({n}).",
                             indicator=label, count=t.number(count), n=t.number(largest)))
    return reasons


def resent(context: Context, village: OrgUnit, counts: dict[str, int], day: date) -> list[str]:
    """The same report (person, village, day, counts) saved a moment ago: it may be a resend."""
    recent = context.session.exec(
        select(Entry).where(
            Entry.person_id == context.person.id, Entry.village_id == village.id, Entry.day == day,
            Entry.created_at >= context.now - RESENT_WITHIN, Entry.created_at <= context.now,
        ).order_by(Entry.created_at.desc())
    ).all()
    for entry in recent:
        live = {c.indicator_key: c.count for c in entry_counts(context.session, entry.id) if c.deleted_at is None}
        if live == counts:
            zone = ZoneInfo(context.zone(village))
            return [context.t("You sent exactly this at {time}.",
                              time=entry.created_at.astimezone(zone).strftime("%H:%M"))]
    return []


SIZE_NAMES = {
    "households": N_("households"),
    "population": N_("population"),
    "adults": N_("adults"),
    "pop15": N_("population aged 15+"),
}


def size_name(t: Translator, name: str) -> str:
    """A village figure's name for people: translated for the usual four; any other as its
    CSV column names it (`smartphone_owners` → `smartphone owners`)."""
    return t(SIZE_NAMES[name]) if name in SIZE_NAMES else name.replace("_", " ")


def submit(context: Context, village: OrgUnit, pending: dict) -> list[Outgoing]:
    """Saves, unless the report was read leniently or a count looks wrong: then asks first,
    in one question, keeping the report (all its days, for a message that named several)."""
    if find_entry(context, pending["message_id"]) is not None:
        return [save(context, village, pending)]  # this very message, delivered again: answered as before
    days = days_of(pending)
    offered = tracked_labels(context, village.parent_id)
    untracked = [labels(context)[key] for key in dict.fromkeys(k for part in days for k in part["counts"])
                 if key not in offered]
    if untracked:  # a member of two communes, writing one's indicator for the other's village
        context.finish()
        return [Outgoing("⚠️ " + context.t("Not saved: {village} does not track {indicators}.", village=village.name,
                                           indicators=", ".join(untracked)) + "\n" + example(context))]
    weeks: dict[date, dict[str, int]] = {}  # the message's counts in each week it names
    for part in days:
        week = weeks.setdefault(week_of(date.fromisoformat(part["day"])).first, {})
        for key, count in part["counts"].items():
            week[key] = week.get(key, 0) + count
    reasons = [reason for monday, counts in weeks.items() for reason in implausible(context, village, counts, monday)]
    reasons += [reason for part in days
                for reason in resent(context, village, part["counts"], date.fromisoformat(part["day"]))]
    lenient = pending.get("lenient")
    if not reasons and not lenient:
        return [save(context, village, pending)]
    t = context.t
    lines = []
    if lenient and len(days) > 1:
        lines.append(t("I read, for {village}:", village=village.name))
        lines += [f"• {when(context, part, named=True)}: {format_counts(context, part['counts'])}{unused_note(context, part)}"
                  for part in days]
    elif lenient:
        lines.append(t("I read: {counts} ({village}, {day}).", counts=format_counts(context, pending["counts"]),
                       village=village.name, day=when(context, pending)))
        if pending.get("unused"):
            lines.append(t("(not counted: {numbers})", numbers=", ".join(pending["unused"])))
    lines += ["⚠️ " + r for r in reasons]
    if len(days) > 1:
        lines.append(t.plural("Save the {count} day anyway?", "Save the {count} days anyway?", len(days)) if reasons
                     else t.plural("Save the {count} day?", "Save the {count} days?", len(days)))
    else:
        lines.append(t("Save it anyway?") if reasons else t("Save it?"))
    choices = [Choice(t("Yes, save"), "yes"), Choice(t("No, cancel"), "no")]
    return [context.ask("report.confirm", "\n".join(lines), choices, pending=pending, village_id=village.id)]


@step("report.confirm")
def _confirmed(context: Context, data: str) -> list[Outgoing]:
    state = context.state
    context.finish()
    if data != "yes":
        return [Outgoing(cancelled(context, state["pending"]))]
    village = next(v for v in context.villages() if v.id == state["village_id"])
    return [save(context, village, state["pending"])]


def cancelled(context: Context, pending: dict) -> str:
    t = context.t
    if pending.get("lenient") and pending.get("also"):
        return t("Cancelled: nothing was saved. You can also write each day short, one message a day, which is saved at once:\n{examples}",
                 examples=short_form(context, pending))
    if pending.get("lenient"):
        return t("Cancelled: nothing was saved. You can also write it short, which is saved at once: {example}",
                 example=short_form(context, pending))
    return t("Cancelled: nothing was saved. Send the report again with the right numbers.")


def save(context: Context, village: OrgUnit, pending: dict) -> Outgoing:
    """Stores the report once per message, an entry a day it names (the first with its photo,
    if any), and confirms exactly what is stored."""
    context.finish()
    stored = [store(context, village, date.fromisoformat(part["day"]), part["counts"],
                    part_key(pending["message_id"], n), pending.get("evidence"))
              for n, part in enumerate(days_of(pending))]
    return Outgoing(confirmation(context, stored[0][0], [(day, counts) for _, day, counts in stored],
                                 bool(pending.get("evidence"))))


def store(context: Context, village: OrgUnit, day: date, counts: dict[str, int], message_id: str,
          evidence: dict | None) -> tuple[OrgUnit, date, dict[str, int]]:
    """One entry, keyed by `message_id`: the village, day and counts stored, by this message
    now or by the same message delivered before."""
    session, incoming = context.session, context.incoming
    existing = find_entry(context, message_id)
    if existing is None:
        entry = Entry(
            person_id=context.person.id,
            village_id=village.id,
            day=day,
            channel=incoming.channel,
            chat_id=incoming.chat_id,
            message_id=message_id,
            created_at=context.now,
        )
        try:
            with session.begin_nested():
                session.add(entry)
                session.flush()
                session.add_all(
                    EntryCount(entry_id=entry.id, village_id=village.id, day=day, person_id=entry.person_id,
                               indicator_key=key, count=count)
                    for key, count in counts.items()
                )
                session.flush()
        except IntegrityError:
            # Another worker stored the same message a moment ago; anything else is a real error.
            existing = find_entry(context, message_id)
            if existing is None:
                raise
        else:
            if evidence:
                attach(context, entry.id, evidence)  # once per message: the first day's entry
    if existing is not None:
        village = context.session.get(OrgUnit, existing.village_id)
        day = existing.day
        counts = {c.indicator_key: c.count for c in entry_counts(context.session, existing.id)}
    return village, day, counts


def find_entry(context: Context, message_id: str) -> Entry | None:
    incoming = context.incoming
    return context.session.exec(
        select(Entry).where(
            Entry.channel == incoming.channel,
            Entry.chat_id == incoming.chat_id,
            Entry.message_id == message_id,
        )
    ).first()


def confirmation(context: Context, village: OrgUnit, stored: list[tuple[date, dict[str, int]]], photo: bool) -> str:
    """A line for each day saved, then the village's week (each week, for days in two)."""
    t = context.t
    lines = [t("✅ Saved for {village}, {day}: {counts}.", village=village.name, day=t.date(day),
               counts=format_counts(context, counts)) for day, counts in stored]
    if photo:
        lines[0] += " " + t("📎 With the photo as evidence.")
    mondays = dict.fromkeys(week_of(day).first for day, _ in stored)
    return "\n".join(lines + [week_line(context, village, monday) for monday in mondays])


# The guided report ---------------------------------------------------------------


def start_guided(context: Context, args: str) -> list[Outgoing]:
    villages = context.villages()
    if len(villages) > 1:
        return [ask_village(context, "guided.village", {})]
    return [menu(context, villages[0], {})]


@step("guided.village")
def _guided_village(context: Context, data: str) -> list[Outgoing]:
    return [menu(context, chosen_village(context, data), {})]


def menu(context: Context, village: OrgUnit, draft: dict[str, int]) -> Outgoing:
    """Pick an indicator to count, or save what is counted so far."""
    t, names = context.t, tracked_labels(context, village.parent_id)
    choices = [
        Choice(f"{names[key]} ✓{t.number(draft[key])}" if key in draft else names[key], f"i:{key}")
        for key in names
    ]
    if draft:
        choices.append(Choice(t("Save"), "save"))
        text = t("{village} today so far: {counts}. Pick another indicator or Save.",
                 village=village.name, counts=format_counts(context, draft))
    else:
        text = t("Report for {village}, today. Pick what you counted:", village=village.name)
    choices.append(Choice(t("Cancel"), "cancel"))
    return context.ask("guided.menu", text, choices, village_id=village.id, draft=draft)


def guided_village(context: Context, state: dict | None = None) -> OrgUnit:
    village_id = (state or context.state)["village_id"]
    return next(v for v in context.villages() if v.id == village_id)


@step("guided.menu")
def _menu_choice(context: Context, data: str) -> list[Outgoing]:
    t, village, draft = context.t, guided_village(context), context.state["draft"]
    if data == "cancel":
        context.finish()
        return [Outgoing(t("Cancelled: nothing was saved."))]
    if data == "save":
        return submit(context, village, pending_report(context, draft, context.today(village)))
    return [ask_count(context, "guided.count", data.removeprefix("i:"), village_id=village.id, draft=draft)]


@step("guided.count")
def _count_given(context: Context, text: str) -> list[Outgoing]:
    count = count_given(context, text)
    if isinstance(count, Outgoing):
        return [count]
    draft = {**context.state["draft"], context.state["key"]: count}
    return [menu(context, guided_village(context), draft)]


def ask_count(context: Context, step_name: str, key: str, **data) -> Outgoing:
    """How many for one indicator: count buttons, or a number typed."""
    question = context.t("How many for {indicator}? Pick or type a number.", indicator=labels(context)[key])
    return context.ask(step_name, question, [Choice(n, n) for n in COUNT_BUTTONS], free_text=True, key=key, **data)


def count_given(context: Context, text: str) -> int | Outgoing:
    """The answer to `ask_count`: the count, or the same question again saying what is wrong."""
    state = context.state
    count = parse_count(context, state["key"], text)
    if isinstance(count, str):
        return context.ask(state["step"], count, [Choice(n, n) for n in COUNT_BUTTONS],
                           **{k: v for k, v in state.items() if k not in ("step", "choices")})
    return count


def parse_count(context: Context, key: str, text: str) -> int | str:
    """A count typed alone, by the quick report's own rules; the error text otherwise."""
    parsed = parse_report(f"{key} {text}", today=context.today(), aliases={key: key})
    if isinstance(parsed, QuickReport) and text.strip():
        return parsed.counts[key]
    if isinstance(parsed, ParseError):
        return error_text(context, parsed)
    return context.t("Type a whole number, e.g. 5.")


def report_instead(context: Context) -> list[Outgoing]:
    """A report typed while a question is open is taken as a report: nothing typed is lost.
    Nor are counts picked in /baocao and not yet saved: the member says whether to add them."""
    state = context.state
    draft = state.get("draft") if state.get("step", "").startswith("guided.") else None
    context.finish()
    parsed = parse(context, context.incoming.text)
    if not draft or not isinstance(parsed, QuickReport | Proposal):
        replies = quick_report(context)
        if draft:  # the typed report is wrong: the draft stays open for Save
            replies.append(menu(context, guided_village(context, state), draft))
        return replies
    village = guided_village(context, state)
    typed = [parsed] if isinstance(parsed, QuickReport) else list(parsed.readings)
    if len(typed) > 1 or typed[0].village not in (None, village.name) or typed[0].day != context.today(village):
        note = context.t("Not saved from /baocao: {counts}. Send them again if they are needed.",
                         counts=format_counts(context, draft))
        return [Outgoing("⚠️ " + note), *quick_report(context)]
    t, counts = context.t, typed[0].counts
    both = pending_report(context, {**draft, **counts}, typed[0].day)
    alone = pending_report(context, counts, typed[0].day)
    question = t("You picked {draft} in /baocao and have not saved it. Now you wrote {typed}. What should I save?",
                 draft=format_counts(context, draft), typed=format_counts(context, counts))
    choices = [Choice(t("Both: {counts}", counts=format_counts(context, both["counts"])), "both"),
               Choice(t("Only the new one: {counts}", counts=format_counts(context, counts)), "new"),
               Choice(t("No, cancel"), "no")]
    return [context.ask("report.merge", question, choices, village_id=village.id, both=both, new=alone)]


@step("report.merge")
def _merge_chosen(context: Context, data: str) -> list[Outgoing]:
    state = context.state
    context.finish()
    if data == "no":
        return [Outgoing(context.t("Cancelled: nothing was saved."))]
    return submit(context, guided_village(context, state), state[data])  # the choice was the confirming tap
