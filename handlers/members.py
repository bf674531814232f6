"""`/thanhvien [village]`: who belongs to the office's commune (a province office: the province's
own people), and from there removing a person or changing their role; `/roi`: a person leaving
a village, a commune or a province."""

from collections.abc import Callable

from sqlmodel import select

from ..figures.wording import (
    LAST_OFFICE,
    PLACE_GONE,
    REMOVE_QUESTION,
    REMOVED,
    ROLE_CHANGED,
    ROLE_QUESTION,
    member_details,
)
from ..models import Level, Membership, OrgUnit, Person, Role
from ..models.access import roles_to_give
from ..models.members import Member, change_role, last_office, members_of, remove
from ..models.text import fold
from .context import Context, Place, step
from .messages import Choice, Outgoing
from .questions import village_names
from .roles import ROLE_NAMES


def show_members(context: Context, args: str) -> list[Outgoing]:
    t = context.t
    units = context.managed_units()
    managed = [u for u in units if u.level != Level.VILLAGE]  # a province office's province, an office's communes
    village = None
    if args.strip():
        wanted = fold(args)
        village = next((u for u in units if u.level == Level.VILLAGE and wanted in village_names(u)), None)
        if village is None and all(u.level == Level.PROVINCE for u in managed):
            return [Outgoing(t("A province office manages the province's own people; each commune's office manages its villages'. Send /thanhvien to see them."))]
        if village is None:  # another commune's village is answered as one that does not exist
            return [Outgoing(t("“{name}” is not a village of your commune. Send /thanhvien to see everyone.",
                               name=args.strip()))]
    members = [m for unit in ([village] if village else managed) for m in members_of(context.session, unit)]
    if not members:
        return [Outgoing(t("Nobody belongs to {unit} yet. Invite people with /moi.", unit=village.name))]
    where = village.name if village else ", ".join(u.name for u in managed)
    lines = [t.plural("👥 {unit}: {count} person", "👥 {unit}: {count} people", len(members), unit=where)]
    lines += [f"{i}. {describe(context, m)}" for i, m in enumerate(members, 1)]
    lines.append(t("Pick a person to remove them or change their role."))
    choices = [Choice(f"{m.name} · {m.unit.name}", f"m:{m.membership_id}") for m in members]
    choices.append(Choice(t("Done"), "no"))
    return [context.ask("members.person", "\n".join(lines), choices)]


def describe(context: Context, member: Member) -> str:
    """`Lan — Thôn Tân Hòa · team member · Telegram · last report 24/11/2026`"""
    return f"{member.name} — " + " · ".join([member.unit.name, *member_details(context.t, member)])


PlaceStep = Callable[[Context, str, Membership, OrgUnit, str], list[Outgoing]]


def place_step(name: str):
    """Registers a step about the place picked in `/thanhvien`: "no" ends it, and a place
    removed meanwhile (or not among the asker's places to manage) is said so; the handler gets the
    membership, its unit and the person's name."""

    def register(handler: PlaceStep) -> PlaceStep:
        @step(name)
        def run(context: Context, data: str) -> list[Outgoing]:
            if data == "no":
                context.finish()
                return [Outgoing(context.t("Nothing was changed."))]
            picked = int(data.removeprefix("m:")) if data.startswith("m:") else context.state["membership_id"]
            membership = context.session.get(Membership, picked)
            if membership is None or membership.org_unit_id not in {u.id for u in context.managed_units()}:
                context.finish()
                return [Outgoing(context.t(PLACE_GONE) + " " + context.t("Send /thanhvien to see who belongs now."))]
            unit = context.session.get(OrgUnit, membership.org_unit_id)
            return handler(context, data, membership, unit, context.session.get(Person, membership.person_id).name)

        return handler

    return register


def kept_as_last_office(context: Context, membership: Membership, name: str, new_role: Role | None = None) -> list[Outgoing]:
    """The refusal when removing this place (or giving it `new_role`) would leave its commune
    without an office; none otherwise. Asked before the question and again before the change."""
    commune = last_office(context.session, membership, new_role)
    if commune is None:
        return []
    context.finish()
    return [Outgoing("⚠️ " + context.t(LAST_OFFICE, name=name, commune=commune.name))]


@place_step("members.person")
def _person_chosen(context: Context, data: str, membership: Membership, unit: OrgUnit, name: str) -> list[Outgoing]:
    t = context.t
    choices = [Choice(t("Remove from {unit}", unit=unit.name), "x"), Choice(t("Change the role"), "r"),
               Choice(t("Cancel"), "no")]
    return [context.ask("members.action", t("{name} — {unit}, {role}. What should change?", name=name,
                                            unit=unit.name, role=t(ROLE_NAMES[Role(membership.role)])),
                        choices, membership_id=membership.id)]


@place_step("members.action")
def _action_chosen(context: Context, data: str, membership: Membership, unit: OrgUnit, name: str) -> list[Outgoing]:
    t = context.t
    if data == "x":
        if refused := kept_as_last_office(context, membership, name):
            return refused
        choices = [Choice(t("Yes, remove"), "yes"), Choice(t("No"), "no")]
        question = t(REMOVE_QUESTION, name=name, unit=unit.name)
        return [context.ask("members.remove", question, choices, membership_id=membership.id)]
    fitting = [r for r in roles_to_give(context.places, unit) if r != membership.role]
    choices = [*(Choice(t(ROLE_NAMES[r]), f"r:{r.value}") for r in fitting), Choice(t("Cancel"), "no")]
    return [context.ask("members.role", t("Which role for {name} in {unit}?", name=name, unit=unit.name), choices,
                        membership_id=membership.id)]


@place_step("members.role")
def _role_chosen(context: Context, data: str, membership: Membership, unit: OrgUnit, name: str) -> list[Outgoing]:
    t, role = context.t, Role(data.removeprefix("r:"))
    if refused := kept_as_last_office(context, membership, name, role):
        return refused
    choices = [Choice(t("Yes, change it"), f"y:{role.value}"), Choice(t("No"), "no")]
    question = t(ROLE_QUESTION, name=name, unit=unit.name, old=t(ROLE_NAMES[Role(membership.role)]),
                 new=t(ROLE_NAMES[role]))
    return [context.ask("members.role_confirm", question, choices, membership_id=membership.id)]


@place_step("members.role_confirm")
def _role_confirmed(context: Context, data: str, membership: Membership, unit: OrgUnit, name: str) -> list[Outgoing]:
    context.finish()
    role = Role(data.removeprefix("y:"))
    if refused := kept_as_last_office(context, membership, name, role):
        return refused
    change_role(context.session, membership, role, by=context.person.id, now=context.now)
    return [Outgoing(context.t(ROLE_CHANGED, name=name, role=context.t(ROLE_NAMES[role]), unit=unit.name))]


@place_step("members.remove")
def _remove_confirmed(context: Context, data: str, membership: Membership, unit: OrgUnit, name: str) -> list[Outgoing]:
    context.finish()
    if refused := kept_as_last_office(context, membership, name):
        return refused
    remove(context.session, membership, by=context.person.id, now=context.now)
    return [Outgoing(context.t(REMOVED, name=name, unit=unit.name))]


# /roi ------------------------------------------------------------------------------------------------


def leave(context: Context, args: str) -> list[Outgoing]:
    """`/roi [village]`: asks which place when there are several, then to confirm."""
    t, places = context.t, context.places
    if args.strip():
        wanted = fold(args)
        places = [p for p in places if wanted in village_names(p.unit)]
        if not places:  # a unit that is not one's own, of any commune, gets one answer
            return [Outgoing(t("“{name}” is not one of your places. Send /roi and pick one.", name=args.strip()))]
    if len(places) == 1:
        return _confirm_leave(context, places[0])
    choices = [*(Choice(f"{p.unit.name} ({t(ROLE_NAMES[p.role])})", f"u:{p.unit.id}") for p in places),
               Choice(t("Cancel"), "no")]
    return [context.ask("leave.unit", t("Leave which place?"), choices)]


@step("leave.unit")
def _leave_unit_chosen(context: Context, data: str) -> list[Outgoing]:
    if data == "no":
        context.finish()
        return [Outgoing(context.t("Nothing was changed."))]
    unit_id = int(data.removeprefix("u:"))
    place = next((p for p in context.places if p.unit.id == unit_id), None)
    if place is None:  # left meanwhile, from another chat
        context.finish()
        return [Outgoing(context.t("You had already left."))]
    return _confirm_leave(context, place)


def _confirm_leave(context: Context, place: Place) -> list[Outgoing]:
    t = context.t
    choices = [Choice(t("Yes, leave"), "yes"), Choice(t("No, stay"), "no")]
    question = t("Leave {unit} ({role})? You will no longer see its figures or act for it; your past reports stay.",
                 unit=place.unit.name, role=t(ROLE_NAMES[place.role]))
    return [context.ask("leave.confirm", question, choices, unit_id=place.unit.id)]


@step("leave.confirm")
def _leave_confirmed(context: Context, data: str) -> list[Outgoing]:
    t, unit_id = context.t, context.state["unit_id"]
    context.finish()
    if data != "yes":
        return [Outgoing(t("Nothing was changed."))]
    membership = context.session.exec(select(Membership).where(
        Membership.person_id == context.person.id, Membership.org_unit_id == unit_id)).first()
    if membership is None:
        return [Outgoing(t("You had already left."))]
    if refused := kept_as_last_office(context, membership, context.person.name):
        return refused
    unit = context.session.get(OrgUnit, unit_id)
    remove(context.session, membership, by=context.person.id, now=context.now, action="left")
    text = t("You left {unit}.", unit=unit.name)
    if len(context.places) == 1:
        text += " " + t("To join again, ask your commune office for an invite code and send /start CODE.")
    return [Outgoing(text)]
