"""Invite codes: made by the office (or the operator), redeemed with `/start CODE`."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from .mailbox import ChannelBot
from .orgunits import Level, OrgUnit
from .people import (
    COMMUNE_ROLES,
    PROVINCE_ROLES,
    VILLAGE_ROLES,
    ChannelAccount,
    Invite,
    Membership,
    Person,
    Role,
)
from .types import utcnow

# Easy to read aloud and type on a phone: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
DEFAULT_USES = 30
DEFAULT_DAYS = 14


ROLES_OF_LEVEL = {Level.VILLAGE: VILLAGE_ROLES, Level.COMMUNE: COMMUNE_ROLES, Level.PROVINCE: PROVINCE_ROLES}


def role_fits(unit: OrgUnit, role: Role) -> bool:
    """Members and team leaders belong to villages; office, leaders and admins to communes;
    the province's office and leaders to provinces."""
    return role in ROLES_OF_LEVEL.get(unit.level, ())


def create_invite(
    session: Session,
    unit: OrgUnit,
    role: Role,
    *,
    uses: int = DEFAULT_USES,
    days: int = DEFAULT_DAYS,
    created_by: int | None = None,
    now: datetime | None = None,
) -> Invite:
    if not role_fits(unit, role):
        raise ValueError(f"role {role} does not belong to a {unit.level}")
    if uses < 1 or days < 1:
        raise ValueError("an invite needs at least one use and one day")
    invite = Invite(
        code="".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)),
        org_unit_id=unit.id,
        role=role,
        uses_left=uses,
        expires_at=(now or utcnow()) + timedelta(days=days),
        created_by=created_by,
    )
    session.add(invite)
    session.flush()
    return invite


@dataclass(frozen=True)
class Redeemed:
    person: Person
    unit: OrgUnit
    role: Role


class InviteRefused(Exception):
    def __init__(self, reason: str, invite: Invite | None = None):
        super().__init__(reason)
        self.reason = reason  # "unknown", "expired" or "used_up"
        self.invite = invite


def redeem(
    session: Session,
    code: str,
    *,
    channel: str,
    external_id: str,
    name: str,
    language: str,
    now: datetime,
) -> Redeemed:
    """Joins the sender to the invite's org unit with its role, using one use of the code."""
    invite = session.exec(select(Invite).where(Invite.code == code.strip().upper())).first()
    if invite is None:
        raise InviteRefused("unknown")
    if invite.expires_at <= now:
        raise InviteRefused("expired", invite)
    # Decrement only while uses are left, so two people racing for the last use cannot both win.
    taken = session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.uses_left > 0)
        .values(uses_left=Invite.uses_left - 1)
    )
    if taken.rowcount != 1:
        raise InviteRefused("used_up", invite)

    person = session.exec(
        select(Person)
        .join(ChannelAccount, ChannelAccount.person_id == Person.id)
        .where(ChannelAccount.channel == channel, ChannelAccount.external_id == external_id)
    ).first()
    if person is None:
        person = Person(name=name or external_id, locale=language)
        session.add(person)
        session.flush()
        session.add(ChannelAccount(person_id=person.id, channel=channel, external_id=external_id))
    unit = session.get(OrgUnit, invite.org_unit_id)
    join(session, person, unit, Role(invite.role))
    return Redeemed(person, unit, Role(invite.role))


def join(session: Session, person: Person, unit: OrgUnit, role: Role) -> None:
    """Gives the person that role in that unit (a second invite to the same unit changes the role)."""
    membership = session.exec(
        select(Membership).where(Membership.person_id == person.id, Membership.org_unit_id == unit.id)
    ).first()
    if membership is None:
        membership = Membership(person_id=person.id, org_unit_id=unit.id, role=role)
    membership.role = role
    session.add(membership)
    session.flush()


def telegram_link(session: Session, code: str) -> str | None:
    """`https://t.me/<bot>?start=CODE`, once `tocds run` or `serve` has learned the bot's name."""
    bot = session.get(ChannelBot, "telegram")
    return f"https://t.me/{bot.username}?start={code}" if bot else None
