"""`/nhantin`: this chat receives the commune's summaries and alerts (again: it stops)."""

from sqlmodel import select

from ..models import Subscription
from .context import Context
from .messages import Outgoing


def toggle_subscription(context: Context, args: str) -> list[Outgoing]:
    t, incoming, session = context.t, context.incoming, context.session
    replies = []
    for commune in context.communes():
        existing = session.exec(
            select(Subscription).where(
                Subscription.channel == incoming.channel,
                Subscription.chat_id == incoming.chat_id,
                Subscription.commune_id == commune.id,
            )
        ).first()
        if existing is not None:
            session.delete(existing)
            replies.append(Outgoing(t("This chat no longer receives the summaries and alerts of {commune}.",
                                      commune=commune.name)))
            continue
        session.add(Subscription(channel=incoming.channel, chat_id=incoming.chat_id, commune_id=commune.id,
                                 person_id=context.person.id, language=t.language))
        replies.append(Outgoing(t("This chat will receive the weekly summary and the red alerts of {commune}. Send /nhantin again to stop.",
                                  commune=commune.name)))
    return replies
