"""`/nhantin`: this chat receives the commune's (or the province's) summaries and alerts
(again: it stops). The office also sees the unit's other subscribed chats and may stop any
of them."""

from sqlmodel import select

from ..models import Person, Role, Subscription
from ..models.members import stop_subscription
from .context import Context, step
from .messages import Choice, Outgoing

STOPPERS = {Role.OFFICE, Role.ADMIN, Role.PROVINCE_OFFICE}  # who may stop another person's chat


def subscribed_units(context: Context):
    """The communes and provinces whose summaries this person may have sent to a chat."""
    return context.communes() + context.provinces()


def toggle_subscription(context: Context, args: str) -> list[Outgoing]:
    t, incoming, session = context.t, context.incoming, context.session
    replies = []
    for commune in subscribed_units(context):
        existing = session.exec(
            select(Subscription).where(
                Subscription.channel == incoming.channel,
                Subscription.chat_id == incoming.chat_id,
                Subscription.commune_id == commune.id,
            )
        ).first()
        if existing is not None:
            stop_subscription(session, existing, by=context.person.id, now=context.now)
            replies.append(Outgoing(t("This chat no longer receives the summaries and alerts of {commune}.",
                                      commune=commune.name)))
            continue
        session.add(Subscription(channel=incoming.channel, chat_id=incoming.chat_id, commune_id=commune.id,
                                 person_id=context.person.id, language=t.language, created_at=context.now))
        replies.append(Outgoing(t("This chat will receive the weekly summary and the red alerts of {commune}. Send /nhantin again to stop.",
                                  commune=commune.name)))
    if STOPPERS & context.roles and (others := _other_chats(context)):
        replies.append(_offer_to_stop(context, others))
    return replies


def _other_chats(context: Context) -> list[tuple[Subscription, str]]:
    """The commune's subscribed chats but this one, with who subscribed each."""
    incoming = context.incoming
    return list(context.session.exec(
        select(Subscription, Person.name)
        .join(Person, Person.id == Subscription.person_id)
        .where(Subscription.commune_id.in_([c.id for c in subscribed_units(context)]))
        .where((Subscription.channel != incoming.channel) | (Subscription.chat_id != incoming.chat_id))
        .order_by(Subscription.created_at, Subscription.id)
    ).all())


def _offer_to_stop(context: Context, others: list[tuple[Subscription, str]]) -> Outgoing:
    t = context.t
    lines = [t("Other chats that receive them:")]
    choices = []
    for i, (subscription, name) in enumerate(others, 1):
        since = t.date(context.local_date(subscription.created_at))
        lines.append(t("{n}. {name}'s chat ({channel}), since {day}", n=i, name=name,
                       channel=subscription.channel, day=since))
        choices.append(Choice(t("Stop {name}'s chat ({channel})", name=name, channel=subscription.channel),
                              f"s:{subscription.id}"))
    choices.append(Choice(t("Keep them all"), "no"))
    return context.ask("subscribe.stop", "\n".join(lines), choices)


@step("subscribe.stop")
def _stop_chosen(context: Context, data: str) -> list[Outgoing]:
    t = context.t
    context.finish()
    if data == "no":
        return [Outgoing(t("Nothing was changed."))]
    subscription = context.session.get(Subscription, int(data.removeprefix("s:")))
    if subscription is None or subscription.commune_id not in {c.id for c in subscribed_units(context)}:
        return [Outgoing(t("That chat had already stopped."))]
    name = context.session.get(Person, subscription.person_id).name
    stop_subscription(context.session, subscription, by=context.person.id, now=context.now)
    return [Outgoing(t("✅ {name}'s chat ({channel}) no longer receives the summaries and alerts.",
                       name=name, channel=subscription.channel))]
