"""Who may open what on the web desk: every route and action × every role (a plain member
too) × a unit or a photo of their own, of a sibling in the same province, of another
province. What is out of reach answers 404, as a place that does not exist does in chat.

The expectation is written from the chat's rules, not read from the desk's code: a place
reaches its own subtree (a team leader: their village); a commune's figures (summaries,
exports, the report upward) are its office's, leaders', admins' and its province's people's
(`/tuan`, `/xuat`, `/baocaoky`); its evidence and audit its office's and admins' (`/duyet`,
`/nhatky`). A new route is one line in ROUTES."""

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.routing import Match, Mount, Route
from starlette.testclient import TestClient

from helpers import Chatter, make_commune, make_province
from tocds.bot.evidence_files import keep
from tocds.models import Entry, Evidence, Invite, Membership, OrgUnit, Person, Role
from tocds.models.invites import create_invite, join
from tocds.models.web_sessions import make_link
from tocds.web import create_desk


@dataclass(frozen=True)
class Case:
    """One route or action: `path` names `{unit}`, or `{evidence}` and `{sha256}` (a photo), or
    neither; `{membership}` (a village's reporter) and `{code}` (an invite to the village) go
    with the village's `{unit}`; `rule` says who may (`allowed`); allowed, it answers `status`,
    otherwise 404. `villages`: only the villages are targets."""

    method: str
    path: str
    rule: str
    status: int = 200
    form: dict = field(default_factory=dict)  # posted, with the session's form token; `{unit}` filled in
    villages: bool = False


ROUTES = [
    Case("GET", "/web/", "a place", 303),
    Case("GET", "/web/unit/{unit}", "reach"),
    Case("GET", "/web/unit/{unit}?period=2026-11&sort=vneid", "reach"),
    Case("GET", "/web/unit/{unit}/reports", "figures"),
    Case("GET", "/web/unit/{unit}/reports?period=2026-Q4", "figures"),
    Case("GET", "/web/unit/{unit}/export?kind=xlsx", "figures"),
    Case("GET", "/web/unit/{unit}/export?kind=csv&period=2026-11", "figures"),
    Case("GET", "/web/unit/{unit}/export?kind=docx&period=2026-11", "figures"),
    Case("GET", "/web/unit/{unit}/evidence", "office"),
    Case("GET", "/web/unit/{unit}/audit", "office"),
    Case("GET", "/web/evidence/{evidence}/{sha256}", "office's photo"),
    Case("POST", "/web/evidence/{evidence}", "office's photo", 303, {"decision": "approved"}),
    Case("POST", "/web/language", "signed in", 303, {"language": "vi", "back": "/web/"}),
    Case("GET", "/web/unit/{unit}/people", "people"),
    Case("POST", "/web/unit/{unit}/people/invite", "people", 303, {"unit": "{unit}", "role": "member"}, villages=True),
    Case("GET", "/web/unit/{unit}/people/invite/{code}", "people"),
    Case("GET", "/web/unit/{unit}/people/{membership}/remove", "people"),
    Case("GET", "/web/unit/{unit}/people/{membership}/role?role=village_leader", "people"),
    Case("POST", "/web/unit/{unit}/people/{membership}/role", "people", 303, {"role": "village_leader"}),
    Case("POST", "/web/unit/{unit}/people/{membership}/remove", "people", 303),  # after the others: it removes
    Case("POST", "/web/logout", "signed in"),
]
# Routes the matrix leaves to other tests: signing in (test_web.py), the stylesheet (anyone's).
NOT_IN_THE_MATRIX = {"/login/{token}", "/static"}

# The people: a role in a place of their own (the place is named as a target is).
PEOPLE = [(Role.MEMBER, "own village"), (Role.VILLAGE_LEADER, "own village"), (Role.OFFICE, "own commune"),
          (Role.LEADER, "own commune"), (Role.ADMIN, "own commune"), (Role.PROVINCE_OFFICE, "own province"),
          (Role.PROVINCE_LEADER, "own province")]
VILLAGES = ("own village", "other village of the commune", "sibling village", "other province's village")
COMMUNES = ("own commune", "sibling commune", "other province's commune")
PROVINCES = ("own province", "other province")
# What a place reaches, as the chat reads it: its own subtree (a member: nothing on the desk).
SUBTREES = {"own village": {"own village"},
            "own commune": {"own commune", "own village", "other village of the commune"},
            "own province": {"own province", "own commune", "own village", "other village of the commune",
                             "sibling commune", "sibling village"}}
FIGURES = {Role.OFFICE, Role.LEADER, Role.ADMIN, Role.PROVINCE_OFFICE, Role.PROVINCE_LEADER}
OFFICE = {Role.OFFICE, Role.ADMIN}
# Whose people a place manages (`/thanhvien`, `/moi`): a commune office's or admin's, its commune
# and villages; a province office's, the province's own people only.
PEOPLE_MANAGED = {Role.OFFICE: SUBTREES["own commune"], Role.ADMIN: SUBTREES["own commune"],
                  Role.PROVINCE_OFFICE: {"own province"}}


def allowed(rule: str, role: Role, place: str, target: str | None) -> bool:
    """Whether the chat's rules let that person do that to that target."""
    reached = set() if role == Role.MEMBER else SUBTREES[place]
    return {
        "signed in": True,
        "a place": role != Role.MEMBER,
        "reach": target in reached,
        "figures": role in FIGURES and target in reached and target not in VILLAGES,
        "office": role in OFFICE and target in COMMUNES and target in reached,  # a commune's evidence and audit
        "office's photo": role in OFFICE and target in reached,  # a photo of a village of the commune
        "people": target in PEOPLE_MANAGED.get(role, set()),
    }[rule]


def targets(case: Case) -> tuple[str | None, ...]:
    if case.villages or any(name in case.path for name in ("{evidence}", "{membership}", "{code}")):
        return VILLAGES
    if "{unit}" in case.path:
        return (*VILLAGES, *COMMUNES, *PROVINCES)
    return (None,)


MATRIX_SIZE = len(PEOPLE) * sum(len(targets(case)) for case in ROUTES)


@pytest.fixture
def places(session, tmp_path) -> dict[str, OrgUnit]:
    """Two communes of one province, one of another; in each village a report with a photo, and
    an invite."""
    ours, sibling, far = (make_commune(session), make_commune(session, "Xã Bên Cạnh", {"Thôn Láng Giềng": (50, 200, 150, 160)}),
                          make_commune(session, "Xã Bí Mật", {"Thôn Kín Đáo": (50, 200, 150, 160)}))
    units = {"own commune": ours.unit, "sibling commune": sibling.unit, "other province's commune": far.unit,
             "own province": make_province(session, "Tỉnh Đồng Nai", [ours, sibling]),
             "other province": make_province(session, "Tỉnh Xa Xôi", [far]),
             "own village": ours.villages["Thôn Tân Hòa"], "other village of the commune": ours.villages["Thôn Phú Lợi"],
             "sibling village": sibling.villages["Thôn Láng Giềng"], "other province's village": far.villages["Thôn Kín Đáo"]}
    for n, name in enumerate(VILLAGES):
        Chatter(session, f"Người báo {n}", [units[name]], Role.MEMBER).say("vneid 3 hộ 1")
        entry = session.exec(select(Entry).where(Entry.village_id == units[name].id)).one()
        digest, stored = keep(tmp_path, f"photo {n}".encode(), ".jpg")
        session.add(Evidence(entry_id=entry.id, person_id=entry.person_id, channel="console", chat_id=str(n),
                             message_id=f"photo-{n}", kind="photo", file_ref="f", sha256=digest, stored_path=stored))
        create_invite(session, units[name], Role.MEMBER)
    session.commit()
    return units


def path_of(case: Case, target: str | None, units: dict[str, OrgUnit], session) -> str:
    """The case's path for the target: its unit, or the photo, reporter or invite of its village."""
    if target is None:
        return case.path
    unit = units[target]
    photo = session.exec(select(Evidence).join(Entry).where(Entry.village_id == unit.id)).first()
    reporter = session.exec(select(Membership).where(Membership.org_unit_id == unit.id)
                            .order_by(Membership.id)).first()
    invite = session.exec(select(Invite).where(Invite.org_unit_id == unit.id)).first()
    return case.path.format(unit=unit.id, evidence=photo.id if photo else 0, sha256=photo.sha256 if photo else "",
                            membership=reporter.id if reporter else 0, code=invite.code if invite else "")


@pytest.mark.parametrize(("role", "place"), PEOPLE, ids=[role.value for role, _ in PEOPLE])
def test_every_route_answers_each_role_as_the_chat_s_rules_say(session, db_url, tmp_path, places, role, place):
    app = Starlette(routes=[Mount("/web", create_desk(db_url, tmp_path))])
    person = Person(name="Người Thử")
    session.add(person)
    session.flush()
    join(session, person, places[place], role)
    session.commit()
    checked, wrong = 0, []
    with TestClient(app, base_url="http://desk.test") as client:
        for case in ROUTES:
            for target in targets(case):
                client.cookies.clear()  # a session of its own: an action (sign-out, a decision) changes nothing after it
                token = make_link(session, person.id)
                session.commit()
                page = client.get(f"/web/login/{token}")
                csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
                path = path_of(case, target, places, session)
                session.commit()  # its read ends: on SQLite a snapshot older than the desk's writes could not write
                form = {name: value.format(unit=places[target].id) if target else value for name, value in case.form.items()}
                answer = client.request(case.method, path, data={**form, "csrf": csrf} if case.method == "POST" else None,
                                        follow_redirects=False)
                expected = case.status if allowed(case.rule, role, place, target) else 404
                checked += 1
                if answer.status_code != expected:
                    wrong.append((case.method, case.path, target, answer.status_code, expected))
    print(f"{role.value} in {place}: {checked} checks")
    assert wrong == []
    assert checked * len(PEOPLE) == MATRIX_SIZE == 7 * 125  # people × (routes × their targets)


def test_the_matrix_names_every_route_of_the_desk(tmp_path):
    """Adding a route to the desk without a line in ROUTES fails here."""
    desk = create_desk("sqlite://", Path(tmp_path))
    tabled = [(case.method, re.sub(r"\?.*", "", case.path).removeprefix("/web")
               .format(unit=1, evidence=1, sha256="0" * 64, membership=1, code="ABC123")) for case in ROUTES]
    for route in desk.routes:
        if route.path in NOT_IN_THE_MATRIX:
            continue
        assert isinstance(route, Route), route
        for method in route.methods - {"HEAD"}:
            scope = {"type": "http", "method": method}
            assert any(route.matches({**scope, "path": path, "method": tabled_method})[0] == Match.FULL
                       for tabled_method, path in tabled if tabled_method == method), (method, route.path)
