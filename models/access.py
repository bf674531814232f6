"""Who may see what: a person's places, and the units they reach from them. The chat
(`handlers/context.py`) and the web desk read the same places; what is out of reach is,
for both, as if it did not exist."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from .invites import role_fits
from .orgunits import Level, OrgUnit, children
from .people import COMMUNE_ROLES, PROVINCE_ROLES, Membership, Role
from .periods import local_date


@dataclass(frozen=True)
class Place:
    """One membership: the role in an org unit."""

    role: Role
    unit: OrgUnit


def places_of(session: Session, person_id: int) -> list[Place]:
    rows = session.exec(
        select(Membership.role, OrgUnit)
        .join(OrgUnit, OrgUnit.id == Membership.org_unit_id)
        .where(Membership.person_id == person_id)
        .order_by(Membership.id)
    ).all()
    return [Place(Role(role), unit) for role, unit in rows]


# Who may sign in to the web desk: everyone but a team member, who has the chat.
DESK_ROLES = frozenset(Role) - {Role.MEMBER}
OFFICE_ROLES = frozenset({Role.OFFICE, Role.ADMIN})  # a commune's people and evidence
# Who reads a commune's (a province's) figures: summaries, exports, the report upward, the
# reporting calendar; a team leader has their village's page alone.
FIGURE_ROLES = frozenset(COMMUNE_ROLES) | frozenset(PROVINCE_ROLES)


def office_of(places: list[Place], commune_id: int) -> bool:
    """The places make the person the commune's office (or admin): who reviews its evidence."""
    return any(place.role in OFFICE_ROLES and place.unit.id == commune_id for place in places)


def within_reach(session: Session, places: list[Place], unit: OrgUnit) -> bool:
    """Whether these places let a person open the unit on the desk: a province's people their
    province, its communes and villages; a commune's office, leaders and admins the commune
    and its villages; a team leader the village. Walks up from the unit (two steps at most)."""
    homes = {place.unit.id for place in places if place.role in DESK_ROLES}
    while unit is not None:
        if unit.id in homes:
            return True
        unit = session.get(OrgUnit, unit.parent_id) if unit.parent_id is not None else None
    return False


def managed_units(session: Session, places: list[Place], now: datetime, timezone: str) -> list[OrgUnit]:
    """The units whose people these places manage (`/moi`, `/thanhvien`, the desk's People): a
    province office its province (the province's own people; a commune's are its office's);
    a commune's office or admin the commune and its villages standing today (in the commune's
    zone; `timezone` for one without its own)."""
    units = [place.unit for place in places if place.role == Role.PROVINCE_OFFICE]
    for place in places:
        if place.role in OFFICE_ROLES:
            units.append(place.unit)
            units.extend(children(session, place.unit, on=local_date(now, place.unit.timezone or timezone)))
    return units


def roles_to_give(places: list[Place], unit: OrgUnit) -> list[Role]:
    """The roles these places may give in a unit they manage: those the unit's level takes;
    the administrator's only by an administrator of that commune."""
    admin = any(place.role == Role.ADMIN and place.unit.id == unit.id for place in places)
    return [role for role in Role if role_fits(unit, role) and (role != Role.ADMIN or admin)]


def reads_figures(session: Session, places: list[Place], unit: OrgUnit) -> bool:
    """Whether these places let a person read the figures of a commune or a province (as
    `/tuan`, `/xuat`, `/baocaoky`): one of FIGURE_ROLES whose reach takes it in."""
    return unit.level != Level.VILLAGE and within_reach(session, [p for p in places if p.role in FIGURE_ROLES], unit)
