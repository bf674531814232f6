"""The console channel: a person typing in a terminal (`tocds chat`, the demo, tests).

Choices are numbered lines; the person answers with the digit, as on Zalo.
"""

import uuid
from datetime import datetime

from sqlmodel import Session, select

from ...handlers.context import Defaults
from ...handlers.dispatch import handle
from ...handlers.messages import Incoming, Outgoing
from ...models import ChannelAccount, OrgUnit, Person, Role
from ...models.invites import join
from ...models.text import fold
from ...models.types import utcnow

CHANNEL = "console"


class ConsoleChat:
    """One person's private chat with the bot, in this terminal."""

    def __init__(self, session: Session, user: str, defaults: Defaults):
        self.session = session
        self.user = user
        self.defaults = defaults
        self.sender_id = fold(user)

    def send(self, text: str, now: datetime | None = None) -> list[Outgoing]:
        incoming = Incoming(
            channel=CHANNEL,
            chat_id=self.sender_id,
            sender_id=self.sender_id,
            message_id=uuid.uuid4().hex,  # every line is a new message
            sender_name=self.user,
            text=text,
        )
        return handle(self.session, incoming, now or utcnow(), self.defaults)


def sign_in(
    session: Session, user: str, unit: OrgUnit, role: Role, language: str | None, defaults: Defaults
) -> Person:
    """The operator's shell is trusted: the user gets that role in that unit, created if new."""
    person = session.exec(
        select(Person)
        .join(ChannelAccount, ChannelAccount.person_id == Person.id)
        .where(ChannelAccount.channel == CHANNEL, ChannelAccount.external_id == fold(user))
    ).first()
    if person is None:
        person = Person(name=user, locale=language or defaults.language)
        session.add(person)
        session.flush()
        session.add(ChannelAccount(person_id=person.id, channel=CHANNEL, external_id=fold(user)))
    elif language:
        person.locale = language
    join(session, person, unit, role)
    session.commit()
    return person
