"""`/thongbao`: an office tells its people something, and sees who has read it.

The sender picks the audience (the whole commune, team leaders, chosen villages; a province
office: its communes' offices and leaders, or everyone of the province), types the text (or
sends a photo or document with its caption), sees how many people and chats it reaches, and
sends it on "yes". Each chat gets it through the outbox with an "Đã nhận" button (a numbered
answer on Zalo and the console), held until morning in the quiet hours unless marked urgent.
The sender picks one reminder to those who have not acknowledged (after 1 or 3 days, or
none), gets a delivery report once the last chat is sent (the mailroom queues it), and sees
with `/thongbao` again who has acknowledged.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from ..figures.wording import AUDIENCES, announcement_excerpt, audience_name
from ..jobs.runner import QUIET_FROM, QUIET_UNTIL, quiet_until
from ..locales import N_
from ..models import (
    Announcement,
    AnnouncementDelivery,
    AnnouncementReceipt,
    Level,
    OrgUnit,
    Person,
    Role,
)
from ..models.announcements import acknowledge, chats_of, delivery_counts, recipients
from ..models.orgunits import children
from ..models.text import fold
from .announcement_mail import ACK_PREFIX, FILE_KINDS, LAST_ONE, STATUS_PREFIX, reminders, to_people
from .context import Context, step
from .messages import Choice, Incoming, Outgoing
from .questions import village_names

ACK_WORDS = ("1", "da nhan", "nhan roi", "da nhan duoc", "received")  # folded: how an acknowledgement is typed
ACK_DAYS = 14  # a typed acknowledgement is for an announcement of these last days
LONGEST = 4000
REMIND_AFTER = ((1, N_("Remind in 1 day")), (3, N_("Remind in 3 days")))  # days; no emoji: typed, a label matches
NO_REMINDER = N_("No reminder")
# The reminder's question lapses: later, the sender's `1` acknowledges an announcement they
# received (Zalo, console), and `/thongbao` asks it again.
REMIND_QUESTION_LASTS = timedelta(minutes=30)


def sender_unit(context: Context) -> OrgUnit:
    """The unit an announcement speaks for: a province office's province, else the first commune."""
    if Role.PROVINCE_OFFICE in context.roles and context.provinces():
        return context.provinces()[0]
    return context.communes()[0]


def villages_of(context: Context, unit: OrgUnit) -> list[OrgUnit]:
    communes = children(context.session, unit) if unit.level == Level.PROVINCE else [unit]
    return [village for commune in communes for village in children(context.session, commune)]


def start_announcement(context: Context, args: str) -> list[Outgoing]:
    """`/thongbao [village]`: asks the audience (or takes the village named), then the text."""
    t, unit = context.t, sender_unit(context)
    if args.strip():
        wanted = fold(args)
        village = next((v for v in villages_of(context, unit) if wanted in village_names(v)), None)
        if village is None:
            return [Outgoing(t("“{name}” is not a village of yours. Send /thongbao and pick the audience.",
                               name=args.strip()))]
        return [ask_text(context, "villages", [village.id])]
    kinds = ("offices", "province") if unit.level == Level.PROVINCE else ("commune", "leaders", "villages")
    choices = [Choice(t(AUDIENCES[kind]), f"a:{kind}") for kind in kinds]
    latest = latest_announcement(context)
    if latest is not None:
        choices.append(Choice(t(LAST_ONE), f"s:{latest.id}"))
    return [context.ask("announce.audience", t("📢 Announce to whom?"), choices)]


def latest_announcement(context: Context) -> Announcement | None:
    return context.session.exec(select(Announcement).where(Announcement.sender_id == context.person.id)
                                .order_by(Announcement.id.desc()).limit(1)).first()


@step("announce.audience")
def _audience_chosen(context: Context, data: str) -> list[Outgoing]:
    if data.startswith("s:"):
        context.finish()
        return [show_status(context, context.session.get(Announcement, int(data[2:])))]
    audience = data.removeprefix("a:")
    if audience == "villages":
        return [ask_villages(context, [])]
    return [ask_text(context, audience, [])]


def ask_villages(context: Context, chosen: list[int]) -> Outgoing:
    t = context.t
    villages = villages_of(context, sender_unit(context))
    choices = [Choice(("✔ " if v.id in chosen else "") + v.name, f"v:{v.id}") for v in villages]
    if chosen:
        choices.append(Choice(t("Done"), "done"))
    text = t("Pick the villages one by one, then “Done”.")
    if chosen:
        text += "\n" + t("Chosen: {names}", names=", ".join(v.name for v in villages if v.id in chosen))
    return context.ask("announce.villages", text, choices, chosen=chosen)


@step("announce.villages")
def _village_chosen(context: Context, data: str) -> list[Outgoing]:
    chosen = list(context.state["chosen"])
    if data == "done":
        return [ask_text(context, "villages", chosen)]
    village = int(data[2:])
    chosen = [v for v in chosen if v != village] if village in chosen else [*chosen, village]
    return [ask_villages(context, chosen)]


def ask_text(context: Context, audience: str, villages: list[int]) -> Outgoing:
    return context.ask("announce.text", context.t("Type the announcement (one message), or send a photo or "
                                                  "document with its text as the caption. Send /huy to cancel."),
                       free_text=True, audience=audience, villages=villages)


@step("announce.text")
def _text_typed(context: Context, text: str) -> list[Outgoing]:
    t, state, incoming = context.t, context.state, context.incoming
    with_file = incoming.kind in FILE_KINDS and incoming.attachment
    if not with_file and (incoming.kind != "text" or not text.strip()):
        return [context.ask("announce.text", t("Only a text, a photo or a document can be announced: send it, "
                                               "or send /huy to cancel."), free_text=True, **_kept(state))]
    if len(text) > LONGEST:
        return [context.ask("announce.text", t("That is {count} characters; an announcement holds {most}. "
                                               "Shorten it and send it again.", count=len(text), most=LONGEST),
                            free_text=True, **_kept(state))]
    file = {"file_kind": incoming.kind, "file_ref": incoming.attachment} if with_file else {}
    return [preview(context, state["audience"], state["villages"], text.strip(), file)]


def _kept(state: dict) -> dict:
    return {key: state[key] for key in ("audience", "villages")}


def preview(context: Context, audience: str, villages: list[int], text: str, file: dict) -> Outgoing:
    """How many people and chats it reaches, on which messengers, which of them get its file;
    send, or send now (urgent)."""
    t, session, unit = context.t, context.session, sender_unit(context)
    people = recipients(session, unit, audience, villages, context.person.id)
    chats = chats_of(session, people)
    by_channel: dict[str, int] = {}
    for accounts in chats.values():
        for account in accounts:
            by_channel[account.channel] = by_channel.get(account.channel, 0) + 1
    if not people:
        context.finish()
        return Outgoing(t("Nobody is in that audience yet: nothing was sent. Invite people with /moi."))
    # Named before the plural call: babel's extractor reads a bare `t` among its arguments as the call's own keyword.
    audience_label = audience_name(context.session, t, audience, villages)
    lines = [t.plural("To {audience}: {count} person, {chats} chats ({channels}).",
                      "To {audience}: {count} people, {chats} chats ({channels}).", len(people),
                      audience=audience_label, chats=sum(by_channel.values()),
                      channels=", ".join(f"{name.capitalize()} {n}" for name, n in sorted(by_channel.items())) or "—")]
    nowhere = sum(1 for accounts in chats.values() if not accounts)
    if nowhere:
        lines.append(t.plural("{count} person is on no messenger and will not get it.",
                              "{count} people are on no messenger and will not get it.", nowhere))
    if file:
        lines.append(file_line(context, file["file_kind"], by_channel))
    lines += ["", f"“{text}”", ""] if text else [""]
    choices = [Choice(t("✅ Send"), "send")]
    if quiet_until(context.now, context.zone(unit)):
        lines.append(t("It is quiet hours ({start}–{end}): it goes out at {end}, unless urgent.",
                       start=f"{QUIET_FROM:%H:%M}", end=f"{QUIET_UNTIL:%H:%M}"))
        choices.append(Choice(t("🚨 Urgent: send now"), "urgent"))
    choices.append(Choice(t("Cancel"), "no"))
    lines.append(t("Send it?"))
    return context.ask("announce.confirm", "\n".join(lines), choices, audience=audience, villages=villages,
                       message=text, **file)


def file_line(context: Context, kind: str, by_channel: dict[str, int]) -> str:
    """The file goes to the chats of the messenger it came from (its reference is valid there
    only; Zalo has no documents at all); the others get the text and a note."""
    t, here = context.t, context.incoming.channel
    line = t("📎 With the photo.") if kind == "photo" else t("📎 With the document.")
    elsewhere = sum(n for channel, n in by_channel.items() if channel != here)
    if elsewhere:
        line += " " + t.plural("{count} chat not on {messenger} gets the text alone, with a note that a file came with it.",
                               "{count} chats not on {messenger} get the text alone, with a note that a file came with it.",
                               elsewhere, messenger=here.capitalize())
    return line


@step("announce.confirm")
def _confirmed(context: Context, data: str) -> list[Outgoing]:
    t, state = context.t, context.state
    context.finish()
    if data == "no":
        return [Outgoing(t("Cancelled: nothing was sent. Your text was: {text}", text=state["message"]))]
    file = {key: state[key] for key in ("file_kind", "file_ref") if key in state}
    announcement = send_announcement(context, state["audience"], state["villages"], state["message"],
                                     data == "urgent", **file)
    queued = delivery_counts(context.session, announcement.id)["waiting"]
    lines = [t.plural("📢 Sent to {count} chat. You get a report once it is delivered; /thongbao shows who has read it.",
                      "📢 Sent to {count} chats. You get a report once they are delivered; /thongbao shows who has read it.",
                      queued)]
    if not announcement.urgent and quiet_until(context.now, context.zone(sender_unit(context))):
        lines.append(t("It waits for the end of the quiet hours ({end}).", end=f"{QUIET_UNTIL:%H:%M}"))
    lines.append(t("Remind those who have not confirmed?"))
    return [context.ask("announce.remind", "\n".join(lines), reminder_choices(context, announcement),
                        lasts=REMIND_QUESTION_LASTS, announcement_id=announcement.id)]


def send_announcement(context: Context, audience: str, villages: list[int], text: str, urgent: bool,
                      file_kind: str = "", file_ref: str = "") -> Announcement:
    """Records it and queues it to every recipient's chats, as the audience stands now (held in
    the quiet hours unless urgent); a receipt per person."""
    session, unit = context.session, sender_unit(context)
    announcement = Announcement(sender_id=context.person.id, unit_id=unit.id, audience=audience,
                                villages=" ".join(map(str, villages)), text=text, urgent=urgent, sent_at=context.now,
                                channel=context.incoming.channel, chat_id=context.incoming.chat_id,
                                file_kind=file_kind, file_ref=file_ref)
    session.add(announcement)
    session.flush()
    wait = None if urgent else quiet_until(context.now, context.zone(unit))
    people = recipients(session, unit, audience, villages, context.person.id)
    for person_id, chats in to_people(session, announcement, people).items():
        session.add(AnnouncementReceipt(announcement_id=announcement.id, person_id=person_id))
        if not chats:
            session.add(AnnouncementDelivery(announcement_id=announcement.id, person_id=person_id))
        for account, message in chats:
            row = context.send_to_chat(account.channel, account.external_id, message, wait)
            session.flush()
            session.add(AnnouncementDelivery(announcement_id=announcement.id, person_id=person_id,
                                             channel=account.channel, outbox_id=row.id))
    return announcement


def reminder_choices(context: Context, announcement: Announcement, now: bool = False) -> list[Choice]:
    """Remind in 1 or 3 days, or not (`now`: at once too, and "Close")."""
    t = context.t
    choices = [Choice(t("Remind now"), "now")] if now else []
    choices += [Choice(t(label), f"r:{days}") for days, label in REMIND_AFTER]
    if not now or announcement.remind_at is not None:
        choices.append(Choice(t(NO_REMINDER), "no"))
    return choices + ([Choice(t("Close"), "close")] if now else [])


def local_moment(context: Context, moment: datetime) -> str:
    """`Thứ Năm 26/11, 12:00`: in the sender's commune (or province) time."""
    local = moment.astimezone(ZoneInfo(context.zone(sender_unit(context))))
    return context.t("{day}, {time}", day=context.t.weekday_and_day(local.date()), time=f"{local:%H:%M}")


def show_status(context: Context, announcement: Announcement) -> Outgoing:
    """Deliveries, who acknowledged and who not; the reminder's choices while none went."""
    t, session = context.t, context.session
    counts = delivery_counts(session, announcement.id)
    rows = session.exec(select(Person.name, AnnouncementReceipt.acknowledged_at)
                        .join(AnnouncementReceipt, AnnouncementReceipt.person_id == Person.id)
                        .where(AnnouncementReceipt.announcement_id == announcement.id)
                        .order_by(Person.name)).all()
    read = [name for name, at in rows if at is not None]
    unread = [name for name, at in rows if at is None]
    lines = [t("📢 {day}: “{text}”", day=t.date(context.local_date(announcement.sent_at)),
               text=announcement_excerpt(t, announcement)),
             t("Chats: {sent} sent, {waiting} waiting, {blocked} blocked the bot, {failed} failed; "
               "{nowhere} people on no messenger.", **counts),
             t("✅ Received ({count}): {names}", count=len(read), names=", ".join(read) or "—"),
             t("⏳ Not yet ({count}): {names}", count=len(unread), names=", ".join(unread) or "—")]
    if announcement.reminded_at is not None:
        lines.append(t("A reminder went out on {day}.", day=t.date(context.local_date(announcement.reminded_at))))
        return Outgoing("\n".join(lines))
    if announcement.remind_at is not None:
        lines.append(t("⏰ A reminder goes on {when} to those who have not confirmed by then.",
                       when=local_moment(context, announcement.remind_at)))
    if not unread:
        return Outgoing("\n".join(lines))
    return context.ask("announce.remind", "\n".join(lines), reminder_choices(context, announcement, now=True),
                       lasts=REMIND_QUESTION_LASTS, announcement_id=announcement.id)


@step("announce.remind")
def _remind_chosen(context: Context, data: str) -> list[Outgoing]:
    """Now, in 1 or 3 days (kept out of the quiet hours), or not at all; once in any case."""
    t, session = context.t, context.session
    announcement = session.get(Announcement, context.state["announcement_id"])
    context.finish()
    if data == "close":
        return [Outgoing(t("Closed."))]
    session.refresh(announcement)
    if announcement.reminded_at is not None:
        return [Outgoing(t("A reminder went out on {day}.", day=t.date(context.local_date(announcement.reminded_at))))]
    zone = context.zone(sender_unit(context))
    if data == "now":
        wait = quiet_until(context.now, zone)
        reached = 0
        for chats in reminders(session, announcement, context.now).values():
            reached += bool(chats)
            for account, message in chats:
                context.send_to_chat(account.channel, account.external_id, message, wait)
        reply = t.plural("🔔 Reminder sent to {count} person.", "🔔 Reminder sent to {count} people.", reached)
        if wait:
            reply += "\n" + t("It waits for the end of the quiet hours ({end}).", end=f"{QUIET_UNTIL:%H:%M}")
        return [Outgoing(reply)]
    if data == "no":
        announcement.remind_at = None
        session.add(announcement)
        return [Outgoing(t("No reminder: /thongbao shows who has read it."))]
    at = context.now + timedelta(days=int(data.removeprefix("r:")))
    announcement.remind_at = quiet_until(at, zone) or at
    session.add(announcement)
    return [Outgoing(t("⏰ On {when}, those who have not confirmed by then get one reminder.",
                       when=local_moment(context, announcement.remind_at)))]


def is_status_request(context: Context) -> int | None:
    """The announcement whose delivery report's button was pressed."""
    choice = context.incoming.choice or ""
    number = choice.removeprefix(STATUS_PREFIX)
    return int(number) if choice.startswith(STATUS_PREFIX) and number.isdecimal() else None


def status_requested(context: Context, announcement_id: int) -> list[Outgoing]:
    """Who has acknowledged: for the sender only."""
    announcement = context.session.get(Announcement, announcement_id)
    if announcement is None or announcement.sender_id != context.person.id:
        return [Outgoing(context.t("That button belongs to a question that is already closed. "
                                   "Send /trogiup to start again."))]
    return [show_status(context, announcement)]


def is_acknowledgement(context: Context) -> int | None:
    """The announcement a tap or a typed `1` / `đã nhận` acknowledges, with no question open: typed,
    the newest of the last days not yet acknowledged, else the newest (a second `1` is told it was)."""
    incoming: Incoming = context.incoming
    if context.person is None:
        return None
    if incoming.choice is not None:
        return int(incoming.choice[len(ACK_PREFIX):]) if incoming.choice.startswith(ACK_PREFIX) and \
            incoming.choice[len(ACK_PREFIX):].isdecimal() else None
    if context.state or incoming.is_group or incoming.kind != "text" or fold(incoming.text).strip(" .!") not in ACK_WORDS:
        return None
    return context.session.exec(
        select(AnnouncementReceipt.announcement_id)
        .join(Announcement, Announcement.id == AnnouncementReceipt.announcement_id)
        .where(AnnouncementReceipt.person_id == context.person.id,
               Announcement.sent_at >= context.now - timedelta(days=ACK_DAYS))
        .order_by(AnnouncementReceipt.acknowledged_at.is_not(None), Announcement.id.desc()).limit(1)).first()


def acknowledged(context: Context, announcement_id: int) -> list[Outgoing]:
    """Counted once per person, whichever messenger and however many taps; after leaving too (they read it)."""
    t, session = context.t, context.session
    receipt = session.exec(select(AnnouncementReceipt).where(
        AnnouncementReceipt.announcement_id == announcement_id,
        AnnouncementReceipt.person_id == context.person.id)).first()
    if receipt is None:
        return [Outgoing(t("That button belongs to a question that is already closed. Send /trogiup to start again."))]
    if acknowledge(session, announcement_id, context.person.id, context.incoming.channel, context.now):
        return [Outgoing(t("✅ Thank you: the office sees that you received it."))]
    session.refresh(receipt)
    return [Outgoing(t("You already confirmed it on {day}. 👍", day=t.date(context.local_date(receipt.acknowledged_at))))]
