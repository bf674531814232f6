"""People: who belongs to a commune (to one village; a province office: the province's own
people), by village, with role, messenger and last report; invite codes, with their Telegram
link and a QR code to print; removing a person or changing a role, each after a page that
asks. The same reach, roles, words and audit as `/thanhvien` and `/moi`: `models/access.py`
decides, `models/members.py` and `models/invites.py` change."""

from collections.abc import Callable, Mapping

import segno
from markupsafe import Markup
from sqlmodel import select
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..figures.wording import (
    LAST_OFFICE,
    PLACE_GONE,
    REMOVE_QUESTION,
    REMOVED,
    ROLE_CHANGED,
    ROLE_NAMES,
    ROLE_QUESTION,
    ROLES_TAKEN,
    invite_text,
    member_details,
)
from ..models import Invite, Level, Membership, MembershipEvent, OrgUnit, Person, Role
from ..models.access import roles_to_give
from ..models.invites import create_invite, telegram_link
from ..models.members import change_role, last_office, members_of, remove, units_of
from .desk import Desk, database, posted, signed_in

CHANGES = ("remove", "role")
DONE = ("removed", "role")  # the audit's actions of those changes


def managed(desk: Desk, unit_id: int) -> tuple[OrgUnit, list[OrgUnit]]:
    """The unit, when the person manages its people, and the units of it they manage (a
    commune: itself and its villages standing today); any other unit answers 404."""
    unit = desk.unit(unit_id)
    units = [u for u in desk.managed_units()
             if u.id == unit.id or (unit.level == Level.COMMUNE and u.parent_id == unit.id)]
    if unit.id not in {u.id for u in units}:
        raise HTTPException(404)
    return unit, units


def people_page(request: Request) -> Response:
    with database(request) as session:
        desk = signed_in(request, session)
        unit, units = managed(desk, request.path_params["unit_id"])
        done = request.query_params.get("done", "")
        return render_people(desk, unit, units, note=done_note(desk, unit, int(done)) if done.isdecimal() else None)


def render_people(desk: Desk, unit: OrgUnit, units: list[OrgUnit], status: int = 200, note: str | None = None,
                  error: str | None = None) -> Response:
    """The page: an invite form per level (the commune's office, its villages), then each unit's
    people; actions beside those whose place the person manages."""
    t, session = desk.t, desk.session
    managed_ids = {u.id for u in units}
    members = members_of(session, unit)
    groups = []
    for place in units_of(session, unit):
        rows = [{"membership_id": m.membership_id, "name": m.name, "details": " · ".join(member_details(t, m)),
                 "roles": [(r.value, t(ROLE_NAMES[r])) for r in roles_to_give(desk.places, place) if r != m.role]
                 if place.id in managed_ids else None}
                for m in members if m.unit.id == place.id]
        if rows or place.id in managed_ids:
            heading = t.plural("👥 {unit}: {count} person", "👥 {unit}: {count} people", len(rows), unit=place.name)
            groups.append({"unit": place, "heading": heading, "members": rows})
    forms = []
    for level in dict.fromkeys(u.level for u in units):
        same = [u for u in units if u.level == level]
        forms.append({"units": same, "roles": [(r.value, t(ROLE_NAMES[r])) for r in roles_to_give(desk.places, same[0])]})
    return desk.render("people.html", status=status, unit=unit, groups=groups, forms=forms, note=note, error=error,
                       back=f"/web/unit/{unit.id}/people")


def done_note(desk: Desk, unit: OrgUnit, event_id: int) -> str | None:
    """What the person's own change just did, read back from the audit row it wrote."""
    event = desk.session.get(MembershipEvent, event_id)
    if (event is None or event.by_id != desk.person.id or event.action not in DONE
            or event.unit_id not in {u.id for u in units_of(desk.session, unit)}):
        return None
    t = desk.t
    name, place = desk.session.get(Person, event.person_id).name, desk.session.get(OrgUnit, event.unit_id).name
    if event.action == "role":
        return t(ROLE_CHANGED, name=name, role=t(ROLE_NAMES[Role(event.new_role)]), unit=place)
    return t(REMOVED, name=name, unit=place)


# Invites -------------------------------------------------------------------------------------


@posted
def invite(request: Request, form: FormData) -> Response:
    """An invite to the unit and role the form names, as `/moi` makes it; then its card."""
    with database(request, writes=True) as session:
        desk = signed_in(request, session, form)
        unit, units = managed(desk, request.path_params["unit_id"])
        chosen = next((u for u in units if str(u.id) == form.get("unit")), None)
        if chosen is None:
            raise HTTPException(404)
        fitting = roles_to_give(desk.places, chosen)
        role = next((r for r in fitting if r.value == form.get("role")), None)
        if role is None:
            t = desk.t
            return render_people(desk, unit, units, status=400, error=t(
                ROLES_TAKEN, unit=chosen.name, roles=", ".join(t(ROLE_NAMES[r]) for r in fitting)))
        made = create_invite(session, chosen, role, created_by=desk.person.id, now=desk.now)
        session.commit()
    return RedirectResponse(f"/web/unit/{unit.id}/people/invite/{made.code}", status_code=303)


def invite_card(request: Request) -> Response:
    """An invite's code, what to do with it, its link and the link's QR code: a card to print."""
    with database(request) as session:
        desk = signed_in(request, session)
        unit, units = managed(desk, request.path_params["unit_id"])
        made = session.exec(select(Invite).where(Invite.code == request.path_params["code"])).first()
        if made is None or made.org_unit_id not in {u.id for u in units}:
            raise HTTPException(404)
        t, place = desk.t, session.get(OrgUnit, made.org_unit_id)
        expires = desk.local_date(made.expires_at, place)
        link = telegram_link(session, made.code)
        qr = Markup(segno.make(link, error="m").svg_inline(
            omitsize=True, border=4, svgclass="qr", lineclass=None, title=link)) if link else None
        spent = (t("This invite code expired on {day}.", day=t.date(expires)) if made.expires_at <= desk.now
                 else t("This invite code has been used up.") if made.uses_left < 1 else None)
        return desk.render("invite.html", unit=unit, place=place, code=made.code, spent=spent, qr=qr,
                           lines=invite_text(t, place, made, expires, link).splitlines(),
                           back=f"/web/unit/{unit.id}/people/invite/{made.code}")


# Removing a person, changing a role: a page asks (GET), its "yes" does it (POST) ------------


Change = Callable[[Desk, OrgUnit, Membership, OrgUnit, str, Role | None], Response]


def asked(desk: Desk, request: Request, values: Mapping, then: Change) -> Response:
    """Finds the place the request names among those the person manages (one removed meanwhile,
    or out of reach, is said to be gone) and the new role a role change asks for (one the unit
    does not take is refused, as in chat; so is leaving a commune without an office), then hands
    them on."""
    unit, units = managed(desk, request.path_params["unit_id"])
    if request.path_params["change"] not in CHANGES:
        raise HTTPException(404)
    membership = desk.session.get(Membership, request.path_params["membership_id"])
    if membership is None or membership.org_unit_id not in {u.id for u in units}:
        return render_people(desk, unit, units, status=404, error=desk.t(PLACE_GONE))
    t, place = desk.t, desk.session.get(OrgUnit, membership.org_unit_id)
    name = desk.session.get(Person, membership.person_id).name
    role = None
    if request.path_params["change"] == "role":
        fitting = roles_to_give(desk.places, place)
        role = next((r for r in fitting if r.value == values.get("role")), None)
        if role is None:
            return render_people(desk, unit, units, status=400, error=t(
                ROLES_TAKEN, unit=place.name, roles=", ".join(t(ROLE_NAMES[r]) for r in fitting)))
        if role == membership.role:
            return render_people(desk, unit, units, note=t("Nothing was changed."))
    if (commune := last_office(desk.session, membership, role)) is not None:
        return render_people(desk, unit, units, status=409, error=t(LAST_OFFICE, name=name, commune=commune.name))
    return then(desk, unit, membership, place, name, role)


def confirm_page(request: Request) -> Response:
    with database(request) as session:
        desk = signed_in(request, session)
        return asked(desk, request, request.query_params, confirmation)


def confirmation(desk: Desk, unit: OrgUnit, membership: Membership, place: OrgUnit, name: str,
                 role: Role | None) -> Response:
    t = desk.t
    if role is None:
        question, yes = t(REMOVE_QUESTION, name=name, unit=place.name), t("Yes, remove")
    else:
        question, yes = t(ROLE_QUESTION, name=name, unit=place.name, old=t(ROLE_NAMES[Role(membership.role)]),
                          new=t(ROLE_NAMES[role])), t("Yes, change it")
    return desk.render("confirm.html", unit=unit, question=question, yes=yes, role=role and role.value,
                       back=f"/web/unit/{unit.id}/people")


@posted
def change(request: Request, form: FormData) -> Response:
    with database(request, writes=True) as session:
        desk = signed_in(request, session, form)
        return asked(desk, request, form, changed)


def changed(desk: Desk, unit: OrgUnit, membership: Membership, place: OrgUnit, name: str, role: Role | None) -> Response:
    """Removes the place or changes its role as `/thanhvien` does (the audit row, the
    subscriptions of a last place, the person's desk sessions ending with their places), then
    back to the list, which tells what was done."""
    session, person_id = desk.session, membership.person_id
    if role is None:
        remove(session, membership, by=desk.person.id, now=desk.now)
    else:
        change_role(session, membership, role, by=desk.person.id, now=desk.now)
    event = session.exec(select(MembershipEvent.id).where(
        MembershipEvent.by_id == desk.person.id, MembershipEvent.person_id == person_id,
        MembershipEvent.action.in_(DONE)).order_by(MembershipEvent.id.desc())).first()
    session.commit()
    return RedirectResponse(f"/web/unit/{unit.id}/people?done={event}", status_code=303)
