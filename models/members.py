"""Who belongs to a commune (or to a province's own places), and people leaving it: removed,
a role changed, a place left.

Shared by `/thanhvien`, `/roi`, `/nhantin` and `tocds admin members|remove|role`. Every
change is written to `membership_event`; past entries stay, with who made them.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from .access import OFFICE_ROLES
from .entries import Entry
from .jobs import Subscription
from .orgunits import Level, OrgUnit, children
from .people import ChannelAccount, Membership, MembershipEvent, Person, Role


@dataclass(frozen=True)
class Member:
    """One place of one person, as `/thanhvien` and the CLI list it."""

    membership_id: int
    person_id: int
    name: str
    unit: OrgUnit
    role: Role
    channels: tuple[str, ...]
    joined: datetime
    last_report: date | None


def units_of(session: Session, unit: OrgUnit) -> list[OrgUnit]:
    """A commune, then its villages; a village or a province alone (a province's communes
    manage their own people)."""
    return [unit, *children(session, unit)] if unit.level == Level.COMMUNE else [unit]


def members_of(session: Session, unit: OrgUnit) -> list[Member]:
    """Everyone with a place in the unit: a commune's office and its villages' teams, one
    village's team, or a province's office and leaders."""
    unit_ids = [u.id for u in units_of(session, unit)]
    last = (
        select(Entry.person_id, Entry.village_id, func.max(Entry.day).label("day"))
        .where(Entry.village_id.in_(unit_ids))
        .group_by(Entry.person_id, Entry.village_id)
        .subquery()
    )
    rows = session.exec(
        select(Membership, Person.name, OrgUnit, last.c.day)
        .join(Person, Person.id == Membership.person_id)
        .join(OrgUnit, OrgUnit.id == Membership.org_unit_id)
        .outerjoin(last, (last.c.person_id == Membership.person_id) & (last.c.village_id == Membership.org_unit_id))
        .where(Membership.org_unit_id.in_(unit_ids))
        .order_by(OrgUnit.level, OrgUnit.id, Person.name, Membership.id)
    ).all()
    channels: dict[int, set[str]] = {}
    for person_id, channel in session.exec(
        select(ChannelAccount.person_id, ChannelAccount.channel)
        .where(ChannelAccount.person_id.in_({m.person_id for m, *_ in rows}))
    ):
        channels.setdefault(person_id, set()).add(channel)
    return [Member(m.id, m.person_id, name, unit, Role(m.role), tuple(sorted(channels.get(m.person_id, ()))),
                   m.created_at, day) for m, name, unit, day in rows]


def commune_of(session: Session, unit: OrgUnit) -> OrgUnit:
    """The commune of a village; a commune or a province (where events of its places are kept) itself."""
    return session.get(OrgUnit, unit.parent_id) if unit.level == Level.VILLAGE else unit


def zone_of(session: Session, unit: OrgUnit, fallback: str) -> str:
    """The time zone a unit's days are counted in: its commune's (a province's own), else
    `fallback` (TOCDS_TIMEZONE)."""
    return commune_of(session, unit).timezone or fallback


def remove(session: Session, membership: Membership, by: int | None, now: datetime,
           action: str = "removed") -> list[Subscription]:
    """Ends a place (`removed` by someone, or `left`); when it was the person's last place in
    the commune (or province), the subscriptions they made for it stop too. Returns those subscriptions."""
    unit = session.get(OrgUnit, membership.org_unit_id)
    commune = commune_of(session, unit)
    session.add(MembershipEvent(at=now, commune_id=commune.id, unit_id=unit.id, person_id=membership.person_id,
                                by_id=by, action=action, old_role=membership.role))
    session.delete(membership)
    session.flush()
    still_there = session.exec(  # a province's commune places are not the province's
        select(Membership.id).where(Membership.person_id == membership.person_id,
                                    Membership.org_unit_id.in_([u.id for u in units_of(session, commune)]))
    ).first()
    if still_there is not None:
        return []
    stopped = list(session.exec(select(Subscription).where(
        Subscription.person_id == membership.person_id, Subscription.commune_id == commune.id)))
    for subscription in stopped:
        stop_subscription(session, subscription, by, now)
    return stopped


def last_office(session: Session, membership: Membership, new_role: Role | None = None) -> OrgUnit | None:
    """The commune this place would leave without an office or admin, were it removed (or given
    `new_role`): nobody there but the operator could then invite, remove or review. None: it would not."""
    unit = session.get(OrgUnit, membership.org_unit_id)
    if Role(membership.role) not in OFFICE_ROLES or new_role in OFFICE_ROLES or unit.level != Level.COMMUNE:
        return None
    others = session.exec(select(Membership.id).where(
        Membership.org_unit_id == unit.id, Membership.id != membership.id,
        Membership.role.in_([str(role) for role in OFFICE_ROLES]))).first()
    return unit if others is None else None


def stop_subscription(session: Session, subscription: Subscription, by: int | None, now: datetime) -> None:
    """A chat stops receiving the commune's reports; recorded when someone else stops it."""
    if by != subscription.person_id:
        session.add(MembershipEvent(at=now, commune_id=subscription.commune_id, unit_id=subscription.commune_id,
                                    person_id=subscription.person_id, by_id=by, action="unsubscribed",
                                    chat=f"{subscription.channel}:{subscription.chat_id}"))
    session.delete(subscription)
    session.flush()


def change_role(session: Session, membership: Membership, role: Role, by: int | None, now: datetime) -> None:
    unit = session.get(OrgUnit, membership.org_unit_id)
    session.add(MembershipEvent(at=now, commune_id=commune_of(session, unit).id, unit_id=unit.id,
                                person_id=membership.person_id, by_id=by, action="role",
                                old_role=membership.role, new_role=role))
    membership.role = role
    session.add(membership)
    session.flush()
