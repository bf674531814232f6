"""`tocds admin weblink`: a one-time sign-in link to the web desk, for a person of a place."""

from .admin_people import place_named
from .common import CommandError, add_place, settings_and_session


def add_commands(admin) -> None:
    weblink = admin.add_parser("weblink", help="print a one-time link (10 minutes) that signs a person in to the web desk")
    add_place(weblink, "its province_office and province_leader people")
    weblink.add_argument("--person", required=True, help="the name as `tocds admin members` shows it")
    weblink.add_argument("--village", help="for a team leader: their village")
    weblink.set_defaults(run=cmd_weblink)


def cmd_weblink(args) -> int:
    from ...models.access import DESK_ROLES
    from ...models.people import Role
    from ...models.web_sessions import make_link

    settings, session = settings_and_session()
    if not settings.web_url:
        raise CommandError("set TOCDS_WEB_URL to the desk's address as people open it (http://10.0.0.5:8080)")
    place = place_named(session, args)
    if Role(place.role) not in DESK_ROLES:
        raise CommandError(f"{place.name} is a team member: the web desk is for team leaders, the office and leaders")
    token = make_link(session, place.person_id)
    session.commit()
    print(f"{settings.web_url.rstrip('/')}/web/login/{token}")
    return 0
