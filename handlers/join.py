"""Joining with `/start CODE`, and the office making invite codes with `/moi`."""

from ..models import Level, OrgUnit, Role
from ..models.invites import InviteRefused, create_invite, redeem, role_fits, telegram_link
from ..models.orgunits import children
from ..models.text import fold
from .context import Context, step
from .messages import Choice, Outgoing
from .questions import village_names
from .roles import ROLE_NAMES, role_from_words
from .wording import example_report


def start(context: Context, args: str) -> list[Outgoing]:
    incoming = context.incoming
    if not args:
        return [Outgoing(context.t("Welcome back! Send /trogiup to see what you can do."))]
    try:
        joined = redeem(
            context.session,
            args.split()[0],
            channel=incoming.channel,
            external_id=incoming.sender_id,
            name=incoming.sender_name,
            language=context.person.locale if context.person else context.defaults.language,
            now=context.now,
        )
    except InviteRefused as refused:
        t = context.t
        if refused.reason == "expired":
            problem = t("This invite code expired on {day}.",
                        day=t.date(context.local_date(refused.invite.expires_at)))
        elif refused.reason == "used_up":
            problem = t("This invite code has been used up.")
        else:
            problem = t("This invite code is not valid.")
        return [Outgoing(problem + " " + t("Ask your commune office for a new code, then send /start CODE."))]
    context.person = joined.person
    t = context.t
    text = t("Welcome, {name}! You joined {unit} as {role}.", name=joined.person.name,
             unit=joined.unit.name, role=t(ROLE_NAMES[joined.role]))
    if joined.unit.level == "village":
        text += "\n" + t("To report, send one message such as: {example} — or send /baocao to be guided.",
                          example=example_report(context.session, [joined.unit.parent_id]))
    return [Outgoing(text + "\n" + t("Send /trogiup to see everything you can do."))]


def invitable_units(context: Context) -> list[OrgUnit]:
    """The communes this person works for, and all their villages; the provinces (whose
    roles only a province office gives)."""
    units = []
    if Role.PROVINCE_OFFICE in context.roles:
        units.extend(p.unit for p in context.places if p.role == Role.PROVINCE_OFFICE)
    for commune in context.communes():
        units.append(commune)
        units.extend(children(context.session, commune, on=context.today(commune)))
    return units


def invite(context: Context, args: str) -> list[Outgoing]:
    """`/moi [village] [role]`: asks for whatever is missing."""
    t, units = context.t, invitable_units(context)
    words = args.split()
    role = None
    for size in (3, 2, 1):  # a role may be several words at the end: "tổ trưởng", "lãnh đạo tỉnh"
        if len(words) >= size and (role := role_from_words(" ".join(words[-size:]))):
            words = words[:-size]
            break
    unit = None
    if words:
        wanted = fold(" ".join(words))
        unit = next((u for u in units if wanted in village_names(u)), None)  # `Tân Hòa` as `Thôn Tân Hòa`
        if unit is None:
            return [Outgoing(t("“{name}” is not a village of your commune. Send /moi and pick one.",
                               name=" ".join(words)))]
    if unit is None and len(units) == 1 and units[0].level == Level.PROVINCE:
        unit = units[0]  # a province office invites to its province: nothing to ask
    if unit is None:
        choices = [Choice(u.name, f"u:{u.id}") for u in units]
        return [context.ask("invite.unit", t("Invite people to which village (or the commune office)?"),
                            choices, role=role)]
    return finish_invite(context, unit, role)


@step("invite.unit")
def _unit_chosen(context: Context, data: str) -> list[Outgoing]:
    unit = context.session.get(OrgUnit, int(data.removeprefix("u:")))
    role = context.state.get("role")
    return finish_invite(context, unit, Role(role) if role else None)


def finish_invite(context: Context, unit: OrgUnit, role: Role | None) -> list[Outgoing]:
    t = context.t
    fitting = [r for r in Role if role_fits(unit, r) and (r != Role.ADMIN or Role.ADMIN in context.roles)]
    if role is None:
        choices = [Choice(t(ROLE_NAMES[r]), f"r:{r.value}") for r in fitting]
        return [context.ask("invite.role", t("Which role for {unit}?", unit=unit.name), choices,
                            unit_id=unit.id)]
    if role not in fitting:
        names = ", ".join(t(ROLE_NAMES[r]) for r in fitting)
        return [Outgoing(t("{unit} takes these roles: {roles}.", unit=unit.name, roles=names))]
    context.finish()
    code = create_invite(context.session, unit, role, created_by=context.person.id, now=context.now)
    text = t("Invite code for {unit} ({role}): {code}\nEach person sends /start {code} to the bot. It works {uses} times, until {day}.",
             unit=unit.name, role=t(ROLE_NAMES[role]), code=code.code,
             uses=code.uses_left, day=t.date(context.local_date(code.expires_at)))
    if link := telegram_link(context.session, code.code):
        text += "\n" + t("On Telegram, a tap on this link joins: {link}", link=link)
    return [Outgoing(text)]


@step("invite.role")
def _role_chosen(context: Context, data: str) -> list[Outgoing]:
    unit = context.session.get(OrgUnit, context.state["unit_id"])
    return finish_invite(context, unit, Role(data.removeprefix("r:")))
