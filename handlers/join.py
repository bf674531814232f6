"""Joining with `/start CODE`, and the office making invite codes with `/moi`."""

from ..figures.wording import ROLES_TAKEN, invite_text
from ..models import Level, OrgUnit, Role
from ..models.access import roles_to_give
from ..models.invites import InviteRefused, create_invite, redeem, telegram_link
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


def invite(context: Context, args: str) -> list[Outgoing]:
    """`/moi [village] [role]`: asks for whatever is missing."""
    t, units = context.t, context.managed_units()
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
    fitting = roles_to_give(context.places, unit)
    if role is None:
        choices = [Choice(t(ROLE_NAMES[r]), f"r:{r.value}") for r in fitting]
        return [context.ask("invite.role", t("Which role for {unit}?", unit=unit.name), choices,
                            unit_id=unit.id)]
    if role not in fitting:
        return [Outgoing(t(ROLES_TAKEN, unit=unit.name, roles=", ".join(t(ROLE_NAMES[r]) for r in fitting)))]
    context.finish()
    code = create_invite(context.session, unit, role, created_by=context.person.id, now=context.now)
    return [Outgoing(invite_text(t, unit, code, context.local_date(code.expires_at, unit),
                                 telegram_link(context.session, code.code)))]


@step("invite.role")
def _role_chosen(context: Context, data: str) -> list[Outgoing]:
    unit = context.session.get(OrgUnit, context.state["unit_id"])
    return finish_invite(context, unit, Role(data.removeprefix("r:")))
