"""`/thongbao`: an office tells its people something, and sees who has read it.

The sender picks the audience (the whole commune, team leaders, chosen villages; a province
office: its communes' offices and leaders, or everyone of the province), types the text,
sees how many people and chats it reaches, and sends it on "yes". Each chat gets it through
the outbox with an "Đã nhận" button (a numbered answer on Zalo and the console), held until
morning in the quiet hours unless marked urgent. `/thongbao` again shows the latest
announcement's deliveries and acknowledgements, and sends one reminder on request.
"""

from datetime import timedelta

from sqlmodel import select

from ..figures.wording import AUDIENCES, audience_name
from ..jobs.runner import QUIET_FROM, QUIET_UNTIL, quiet_until
from ..locales import N_, translator
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
from .context import Context, step
from .messages import Choice, Incoming, Outgoing
from .questions import village_names

ACK_PREFIX = "ack:"
ACK_WORDS = ("1", "da nhan", "nhan roi", "da nhan duoc", "received")  # folded: how an acknowledgement is typed
ACK_DAYS = 14  # a typed acknowledgement is for an announcement of these last days
LONGEST = 4000
ANNOUNCEMENT = N_("📢 Announcement from {unit} ({sender}):\n{text}")
REMINDER = N_("🔔 Reminder — please confirm you have read it.\n{announcement}")
ACK_LABEL = N_("✅ Received")


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
        choices.append(Choice(t("📋 Who read the last one"), f"s:{latest.id}"))
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
    return context.ask("announce.text", context.t("Type the announcement (one message). Send /huy to cancel."),
                       free_text=True, audience=audience, villages=villages)


@step("announce.text")
def _text_typed(context: Context, text: str) -> list[Outgoing]:
    t, state = context.t, context.state
    if context.incoming.kind != "text" or not text.strip():
        return [context.ask("announce.text", t("Only text can be announced for now: type the announcement, "
                                               "or send /huy to cancel."), free_text=True, **_kept(state))]
    if len(text) > LONGEST:
        return [context.ask("announce.text", t("That is {count} characters; an announcement holds {most}. "
                                               "Shorten it and send it again.", count=len(text), most=LONGEST),
                            free_text=True, **_kept(state))]
    return [preview(context, state["audience"], state["villages"], text.strip())]


def _kept(state: dict) -> dict:
    return {key: state[key] for key in ("audience", "villages")}


def preview(context: Context, audience: str, villages: list[int], text: str) -> Outgoing:
    """How many people and chats it reaches, on which messengers; send, or send now (urgent)."""
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
    lines += ["", f"“{text}”", ""]
    choices = [Choice(t("✅ Send"), "send")]
    if quiet_until(context.now, unit.timezone or context.defaults.timezone):
        lines.append(t("It is quiet hours ({start}–{end}): it goes out at {end}, unless urgent.",
                       start=f"{QUIET_FROM:%H:%M}", end=f"{QUIET_UNTIL:%H:%M}"))
        choices.append(Choice(t("🚨 Urgent: send now"), "urgent"))
    choices.append(Choice(t("Cancel"), "no"))
    lines.append(t("Send it?"))
    return context.ask("announce.confirm", "\n".join(lines), choices, audience=audience, villages=villages, message=text)


@step("announce.confirm")
def _confirmed(context: Context, data: str) -> list[Outgoing]:
    t, state = context.t, context.state
    context.finish()
    if data == "no":
        return [Outgoing(t("Cancelled: nothing was sent. Your text was: {text}", text=state["message"]))]
    announcement = send_announcement(context, state["audience"], state["villages"], state["message"], data == "urgent")
    counts = delivery_counts(context.session, announcement.id)
    queued = counts["waiting"]
    reply = t.plural("📢 Sent to {count} chat. Send /thongbao to see who has read it.",
                     "📢 Sent to {count} chats. Send /thongbao to see who has read it.", queued)
    if announcement.urgent is False and quiet_until(context.now, sender_unit(context).timezone or context.defaults.timezone):
        reply += "\n" + t("It waits for the end of the quiet hours ({end}).", end=f"{QUIET_UNTIL:%H:%M}")
    return [Outgoing(reply)]


def send_announcement(context: Context, audience: str, villages: list[int], text: str, urgent: bool) -> Announcement:
    """Records it and queues it to every recipient's chats, as the audience stands now."""
    session, unit = context.session, sender_unit(context)
    announcement = Announcement(sender_id=context.person.id, unit_id=unit.id, audience=audience,
                                villages=" ".join(map(str, villages)), text=text, urgent=urgent, sent_at=context.now)
    session.add(announcement)
    session.flush()
    people = recipients(session, unit, audience, villages, context.person.id)
    queue(context, announcement, chats_of(session, people), people, ANNOUNCEMENT)
    return announcement


def queue(context: Context, announcement: Announcement, chats: dict, people: list[Person], wording: str) -> None:
    """An outbox row per chat (held in the quiet hours unless urgent), a receipt per person, the first time."""
    session, unit = context.session, sender_unit(context)
    wait = None if announcement.urgent else quiet_until(context.now, unit.timezone or context.defaults.timezone)
    for person in people:
        if wording == ANNOUNCEMENT:
            session.add(AnnouncementReceipt(announcement_id=announcement.id, person_id=person.id))
        tp = translator(person.locale)
        message = tp(ANNOUNCEMENT, unit=unit.name, sender=context.person.name, text=announcement.text)
        if wording != ANNOUNCEMENT:
            message = tp(wording, announcement=message)
        outgoing = Outgoing(message, (Choice(tp(ACK_LABEL), f"{ACK_PREFIX}{announcement.id}"),))
        for account in chats[person.id]:
            row = context.send_to_chat(account.channel, account.external_id, outgoing, wait)
            session.flush()
            if wording == ANNOUNCEMENT:
                session.add(AnnouncementDelivery(announcement_id=announcement.id, person_id=person.id,
                                                 channel=account.channel, outbox_id=row.id))
        if not chats[person.id] and wording == ANNOUNCEMENT:
            session.add(AnnouncementDelivery(announcement_id=announcement.id, person_id=person.id))


def show_status(context: Context, announcement: Announcement) -> Outgoing:
    """Deliveries, who acknowledged and who not; a reminder button while none was sent."""
    t, session = context.t, context.session
    counts = delivery_counts(session, announcement.id)
    rows = session.exec(select(Person.name, AnnouncementReceipt.acknowledged_at)
                        .join(AnnouncementReceipt, AnnouncementReceipt.person_id == Person.id)
                        .where(AnnouncementReceipt.announcement_id == announcement.id)
                        .order_by(Person.name)).all()
    read = [name for name, at in rows if at is not None]
    unread = [name for name, at in rows if at is None]
    lines = [t("📢 {day}: “{text}”", day=t.date(context.local_date(announcement.sent_at)), text=announcement.text[:80]),
             t("Chats: {sent} sent, {waiting} waiting, {blocked} blocked the bot, {failed} failed; "
               "{nowhere} people on no messenger.", **counts),
             t("✅ Received ({count}): {names}", count=len(read), names=", ".join(read) or "—"),
             t("⏳ Not yet ({count}): {names}", count=len(unread), names=", ".join(unread) or "—")]
    choices = ()
    if unread and announcement.reminded_at is None:
        choices = (Choice(t("🔔 Remind those who have not"), "remind"), Choice(t("Close"), "close"))
        return context.ask("announce.status", "\n".join(lines), choices, announcement_id=announcement.id)
    if announcement.reminded_at is not None:
        lines.append(t("A reminder went out on {day}.", day=t.date(context.local_date(announcement.reminded_at))))
    return Outgoing("\n".join(lines))


@step("announce.status")
def _status_answered(context: Context, data: str) -> list[Outgoing]:
    t, session = context.t, context.session
    announcement = session.get(Announcement, context.state["announcement_id"])
    context.finish()
    if data == "close" or announcement.reminded_at is not None:
        return [Outgoing(t("Closed."))]
    unread = list(session.exec(select(Person).join(AnnouncementReceipt, AnnouncementReceipt.person_id == Person.id)
                               .where(AnnouncementReceipt.announcement_id == announcement.id,
                                      AnnouncementReceipt.acknowledged_at.is_(None))).all())
    announcement.reminded_at = context.now
    session.add(announcement)
    queue(context, announcement, chats_of(session, unread), unread, REMINDER)
    return [Outgoing(t.plural("🔔 Reminder sent to {count} person.", "🔔 Reminder sent to {count} people.", len(unread)))]


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
