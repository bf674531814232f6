"""Who receives a commune's summaries and alerts: the chats that sent /nhantin."""

from sqlmodel import Session, select

from ..locales import Translator, translator
from ..models import OrgUnit, Subscription
from .runner import Delivery


def to_subscribers(session: Session, commune: OrgUnit, compose) -> list[Delivery]:
    """One delivery per subscribed chat, composed in the subscriber's language."""
    subscriptions = session.exec(
        select(Subscription).where(Subscription.commune_id == commune.id).order_by(Subscription.id)
    ).all()
    deliveries = []
    for subscription in subscriptions:
        t: Translator = translator(subscription.language)
        for message in compose(t):
            deliveries.append(Delivery(subscription.channel, subscription.chat_id, message))
    return deliveries


