"""The console channel: a person typing in a terminal (`tocds chat`, the demo, tests).

Choices are numbered lines; the person answers with the digit, as on Zalo.
"""

import uuid
from datetime import datetime
from pathlib import Path
from typing import TextIO

from sqlmodel import Session, select

from ...handlers.context import Defaults
from ...handlers.dispatch import handle
from ...handlers.messages import Incoming, Outgoing
from ...models import ChannelAccount, Membership, OrgUnit, Person, Role
from ...models.catalog import forget
from ...models.invites import join
from ...models.text import fold
from ...models.types import utcnow
from . import Channel, render

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
        # Read afresh for each line, as `tocds run` does for each message: a chat left open
        # sees an indicator retired, a person removed, meanwhile.
        self.session.expire_all()
        forget(self.session)
        return handle(self.session, incoming, now or utcnow(), self.defaults)


def console_person(session: Session, user: str) -> Person | None:
    return session.exec(
        select(Person)
        .join(ChannelAccount, ChannelAccount.person_id == Person.id)
        .where(ChannelAccount.channel == CHANNEL, ChannelAccount.external_id == fold(user))
    ).first()


def current_place(session: Session, user: str) -> tuple[OrgUnit, Role] | None:
    """Where the console user already belongs (their first place), to chat as them again."""
    person = console_person(session, user)
    if person is None:
        return None
    place = session.exec(select(Membership).where(Membership.person_id == person.id).order_by(Membership.id)).first()
    return (session.get(OrgUnit, place.org_unit_id), Role(place.role)) if place else None


def saved(message: Outgoing, folder: Path | None) -> Path | None:
    """The message's file written to `folder` (None without a file or a folder)."""
    if not (message.attachment and folder):
        return None
    path = folder / message.attachment.name
    path.write_bytes(message.attachment.content)
    return path


def sign_in(
    session: Session, user: str, unit: OrgUnit, role: Role, language: str | None, defaults: Defaults
) -> Person:
    """The operator's shell is trusted: the user gets that role in that unit, created if new."""
    person = console_person(session, user)
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


class ConsolePrinter(Channel):
    """Delivers what the outbox holds for console chats by printing it (and saving files).

    Console chats get their replies at once from `ConsoleChat`; this is for what jobs send
    to them (the demo's office, a `tocds jobs run` tried in a terminal).
    """

    name = CHANNEL
    secret_header = ""

    def __init__(self, out: TextIO, folder: Path | None = None):
        self.out = out
        self.folder = folder

    def update_key(self, payload: dict) -> str:
        raise NotImplementedError("console messages do not pass through the inbox")

    def to_incoming(self, payload: dict) -> Incoming | None:
        raise NotImplementedError("console messages do not pass through the inbox")

    async def fetch(self) -> list[dict]:
        return []

    async def send(self, chat_id: str, message: Outgoing) -> None:
        print(f"→ {chat_id}:\n   " + render(message).replace("\n", "\n   "), file=self.out)
        path = saved(message, self.folder)
        if path:
            print(f"   ({path})", file=self.out)
