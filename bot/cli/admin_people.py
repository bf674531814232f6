"""`tocds admin invite|members|remove|role`: who belongs where."""

import sys

from .common import (
    CommandError,
    a,
    add_place,
    place_option,
    role_named,
    scope_named,
    settings_and_session,
    shown_local,
    zone_of,
)


def add_commands(admin) -> None:
    invite = admin.add_parser("invite", help="print an invite code")
    add_place(invite)
    invite.add_argument("--village")
    invite.add_argument("--role", required=True)
    invite.add_argument("--uses", type=int, default=30, help="how many people may join with it")
    invite.add_argument("--days", type=int, default=14, help="how many days it stays valid")
    invite.add_argument("--json", action="store_true", help="print one JSON object")
    invite.set_defaults(run=cmd_invite)

    members = admin.add_parser(
        "members", help="CSV of who belongs to a commune, a village or a province: "
                        "name,unit,role,channel,joined,last_report")
    add_place(members, "its province_office and province_leader people")
    members.add_argument("--village")
    members.set_defaults(run=cmd_members)
    remove = admin.add_parser(
        "remove", help="end a person's place in a commune, village or province (past reports stay)")
    add_place(remove, "a province_office or province_leader")
    remove.add_argument("--person", required=True, help="the name as `tocds admin members` shows it")
    remove.add_argument("--village", help="which place, when the person has several in the commune")
    remove.set_defaults(run=cmd_remove)
    role = admin.add_parser("role", help="give a person another role in their place")
    add_place(role, "province_office ⇄ province_leader")
    role.add_argument("--person", required=True, help="the name as `tocds admin members` shows it")
    role.add_argument("--role", required=True, help="member, village_leader, office, leader, admin, "
                      "province_office or province_leader")
    role.add_argument("--village", help="which place, when the person has several in the commune")
    role.set_defaults(run=cmd_role)


def cmd_invite(args) -> int:
    import json

    from ...models.invites import create_invite, role_fits, telegram_link
    from ...models.people import PROVINCE_ROLES

    _, session = settings_and_session()
    role = role_named(args.role)
    place, village = scope_named(session, args)
    unit = village or place
    if not role_fits(unit, role):
        fix = ("use --commune C (and --village V for a team)" if args.province
               else "use --province P" if role in PROVINCE_ROLES
               else "leave out --village" if args.village else "add --village V")
        raise CommandError(f"{a(role)} does not belong to {a(unit.level)}: {fix}")
    try:
        invite = create_invite(session, unit, role, uses=args.uses, days=args.days)
    except ValueError as problem:
        raise CommandError(str(problem)) from None
    session.commit()
    link = telegram_link(session, invite.code)
    if args.json:
        print(json.dumps({"code": invite.code, "expires": invite.expires_at.isoformat(),
                          "uses": invite.uses_left, "org_unit": unit.name, "role": invite.role,
                          "link": link}))
    else:
        zone = zone_of(session, unit)
        uses = f"{invite.uses_left} use{'' if invite.uses_left == 1 else 's'}"
        print(f"{invite.code}  ({unit.name}, {invite.role}, {uses}, expires {shown_local(invite.expires_at, zone)})")
        print(f"Each person sends: /start {invite.code}")
        if link:
            print(f"Telegram link: {link}")
    return 0


def cmd_members(args) -> int:
    import csv

    from ...models.members import members_of
    from ...models.periods import local_date

    _, session = settings_and_session()
    unit, village = scope_named(session, args)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(("name", "unit", "role", "channel", "joined", "last_report"))
    zone = zone_of(session, unit)  # the day someone joined, as the commune counts days
    for m in members_of(session, village or unit):
        writer.writerow((m.name, m.unit.name, m.role, " ".join(m.channels), local_date(m.joined, zone).isoformat(),
                         m.last_report.isoformat() if m.last_report else ""))
    return 0


def place_named(session, args):
    """The one place of `--person` in `--commune` (or in `--village`) or `--province`, else how to say which."""
    from ...models.members import members_of
    from ...models.text import fold

    unit, village = scope_named(session, args)
    places = [m for m in members_of(session, village or unit) if fold(m.name) == fold(args.person)]
    where = (village or unit).name
    if not places:
        raise CommandError(f"nobody named {args.person!r} belongs to {where}; "
                           f"see `tocds admin members {place_option(unit)}`")
    if len({m.person_id for m in places}) > 1:
        raise CommandError(f"{len({m.person_id for m in places})} people named {args.person!r} belong to {where}; "
                           "rename one, or remove them in the chat with /thanhvien")
    if len(places) > 1:
        units = ", ".join(m.unit.name for m in places)
        raise CommandError(f"{args.person} has several places in {where} ({units}): add --village V")
    return places[0]


def cmd_remove(args) -> int:
    from ...models import Membership
    from ...models.members import remove
    from ...models.types import utcnow

    _, session = settings_and_session()
    place = place_named(session, args)
    stopped = remove(session, session.get(Membership, place.membership_id), by=None, now=utcnow())
    session.commit()
    print(f"{place.name} no longer belongs to {place.unit.name} ({place.role}); "
          f"chats they subscribed that stopped: {len(stopped)}")
    return 0


def cmd_role(args) -> int:
    from ...models import Membership
    from ...models.invites import role_fits
    from ...models.members import change_role
    from ...models.people import PROVINCE_ROLES, VILLAGE_ROLES
    from ...models.types import utcnow

    _, session = settings_and_session()
    role = role_named(args.role)
    place = place_named(session, args)
    if not role_fits(place.unit, role):
        where = ("--province P" if role in PROVINCE_ROLES else "--commune C --village V" if role in VILLAGE_ROLES
                 else "--commune C")
        raise CommandError(f"{a(role)} does not belong to {a(place.unit.level)}: invite the person where it does "
                           f"(`tocds admin invite {where} --role {role}`)")
    change_role(session, session.get(Membership, place.membership_id), role, by=None, now=utcnow())
    session.commit()
    print(f"{place.name}: {place.role} → {role} in {place.unit.name}")
    return 0
