"""The desk's People page through Starlette's TestClient: who belongs, by village; invite codes
with their link and QR code; removing a person or changing a role after a page that asks, with
the same audit as `/thanhvien`; and who may open it (as in chat: the commune's office and
admins, a province office its province's own people; anything else answers 404)."""

import re

import pytest
from sqlmodel import select
from test_web import chatter, signed_in

from helpers import NOW, Chatter, fresh
from tocds.models import ChannelBot, Invite, Membership, MembershipEvent, OrgUnit, Person, Role
from tocds.models.invites import redeem
from tocds.models.web_sessions import places_key

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def shown(page) -> str:
    """A page's text as read, without its tags."""
    return re.sub(r"<[^>]+>", "", page.text)


@pytest.fixture
def team(session, world):
    """Lan (Tân Hòa, reported), Sen (Phú Lợi's leader, never reported), Chị Hà (the office)."""
    ours, _, _ = world
    lan = Chatter(session, "Lan", [ours.villages["Thôn Tân Hòa"]], Role.MEMBER)
    lan.say("vneid 5")
    Chatter(session, "Sen", [ours.villages["Thôn Phú Lợi"]], Role.VILLAGE_LEADER)
    return chatter(session, "Chị Hà", ours.unit, Role.OFFICE)


def membership_of(session, name: str) -> Membership:
    return fresh(session).exec(select(Membership).join(Person, Person.id == Membership.person_id)
                               .where(Person.name == name)).one()


def to_change(session, client, who, commune, name: str, change: str) -> tuple[str, Membership, str]:
    """`who` signed in: their form token, the named person's place, and the address of its `change`."""
    csrf = CSRF.search(signed_in(client, who)).group(1)
    place = membership_of(session, name)
    return csrf, place, f"/web/unit/{commune.unit.id}/people/{place.id}/{change}"


def test_the_list_groups_people_by_village_with_role_messenger_and_last_report(session, client, world, team):
    ours, _, _ = world
    signed_in(client, team)
    page = client.get(f"/web/unit/{ours.unit.id}/people")
    assert page.status_code == 200
    text = shown(page)
    assert "👥 Xã Đồng Phú: 1 người" in text and "Chị Hà · văn phòng xã · console" in text
    assert "👥 Thôn Tân Hòa: 1 người" in text and "Lan · thành viên · console · báo cáo gần nhất 25/11/2026" in text
    assert "👥 Thôn Phú Lợi: 1 người" in text and "Sen · tổ trưởng · console · chưa báo cáo" in text
    assert text.index("Thôn Tân Hòa: 1") < text.index("Lan ·") < text.index("Thôn Phú Lợi: 1") < text.index("Sen ·")
    # The chat's list says the same of each.
    for line in team.say("/thanhvien").splitlines()[1:4]:
        name, rest = line.split(". ", 1)[1].split(" — ", 1)
        assert f"{name} · {rest.split(' · ', 1)[1]}" in text, line
    # A village's page: its people alone.
    village = client.get(f"/web/unit/{ours.villages['Thôn Phú Lợi'].id}/people")
    assert village.status_code == 200 and "Sen" in village.text and "Lan" not in village.text
    overview = client.get(f"/web/unit/{ours.unit.id}")
    assert f'href="/web/unit/{ours.unit.id}/people"' in overview.text


def test_an_invite_made_on_the_desk_lets_a_person_join(session, client, world, team):
    ours, _, _ = world
    session.add(ChannelBot(channel="telegram", username="tocds_test_bot"))
    session.commit()
    page = signed_in(client, team)
    csrf = CSRF.search(page).group(1)
    village = ours.villages["Thôn Phú Lợi"]
    people = client.get(f"/web/unit/{ours.unit.id}/people").text
    assert '<option value="admin">' not in people  # an office gives no administrator's role, as in chat
    made = client.post(f"/web/unit/{ours.unit.id}/people/invite",
                       data={"csrf": csrf, "unit": str(village.id), "role": "member"})
    assert made.status_code == 200 and made.url.path.startswith(f"/web/unit/{ours.unit.id}/people/invite/")
    code = made.url.path.rsplit("/", 1)[1]
    assert f'<p class="code">{code}</p>' in made.text
    assert f"Mã mời cho Thôn Phú Lợi (thành viên): {code}" in made.text and f"/start {code}" in made.text
    link = f"https://t.me/tocds_test_bot?start={code}"
    assert link in made.text and re.search(r'<svg viewBox="0 0 \d+ \d+" class="qr"><title>' + re.escape(link), made.text)
    invite = fresh(session).exec(select(Invite).where(Invite.code == code)).one()
    assert (invite.org_unit_id, invite.role) == (village.id, Role.MEMBER)

    joined = redeem(session, code, channel="telegram", external_id="777", name="Hoa", language="vi", now=NOW)
    session.commit()
    assert (joined.unit.id, joined.role) == (village.id, Role.MEMBER)
    listed = shown(client.get(f"/web/unit/{ours.unit.id}/people"))
    assert "👥 Thôn Phú Lợi: 2 người" in listed and "Hoa · thành viên · Telegram · chưa báo cáo" in listed

    # A role the unit does not take, a unit out of reach, a form without its token: refused.
    wrong = client.post(f"/web/unit/{ours.unit.id}/people/invite",
                        data={"csrf": csrf, "unit": str(village.id), "role": "office"})
    assert wrong.status_code == 400 and "Thôn Phú Lợi chỉ nhận các vai trò: thành viên, tổ trưởng." in wrong.text
    _, sibling, _ = world
    outside = client.post(f"/web/unit/{ours.unit.id}/people/invite",
                          data={"csrf": csrf, "unit": str(sibling.villages["Thôn Láng Giềng"].id), "role": "member"})
    assert outside.status_code == 404
    forged = client.post(f"/web/unit/{ours.unit.id}/people/invite", data={"unit": str(village.id), "role": "member"})
    assert forged.status_code == 403
    assert len(fresh(session).exec(select(Invite)).all()) == 1


def test_removing_asks_first_then_is_in_the_audit_as_in_chat(session, client, world, team):
    ours, _, _ = world
    csrf, lan, remove_path = to_change(session, client, team, ours, "Lan", "remove")
    lan_id, tan_hoa = lan.id, lan.org_unit_id
    asked = client.get(remove_path)
    assert asked.status_code == 200 and "Xóa Lan khỏi Thôn Tân Hòa?" in asked.text and "Đúng, xóa" in asked.text
    assert f'href="/web/unit/{ours.unit.id}/people">Không</a>' in asked.text
    assert fresh(session).get(Membership, lan_id) is not None  # asking changed nothing
    assert client.post(remove_path, data={}).status_code == 403  # no form token: nothing done
    assert fresh(session).get(Membership, lan_id) is not None

    done = client.post(remove_path, data={"csrf": csrf})
    assert done.status_code == 200 and done.url.path == f"/web/unit/{ours.unit.id}/people"
    assert "✅ Lan không còn thuộc Thôn Tân Hòa." in done.text
    assert "👥 Thôn Tân Hòa: 0 người" in done.text and "Lan ·" not in done.text
    assert fresh(session).get(Membership, lan_id) is None
    [event] = session.exec(select(MembershipEvent)).all()
    office_id = session.exec(select(Person.id).where(Person.name == "Chị Hà")).one()
    assert (event.action, event.by_id, event.unit_id, event.old_role) == ("removed", office_id, tan_hoa, "member")
    chat_log = team.say("/nhatky")
    assert "· Chị Hà · Thôn Tân Hòa: đã xóa Lan (thành viên)" in chat_log
    audit = client.get(f"/web/unit/{ours.unit.id}/audit?kind=people").text
    assert "Chị Hà · Thôn Tân Hòa: đã xóa Lan (thành viên)" in audit

    # Twice (a second tab, another office worker meanwhile): said gone, nothing more written.
    again = client.post(remove_path, data={"csrf": csrf})
    assert again.status_code == 404 and "Vị trí này không còn nữa: đã có người thay đổi." in again.text
    assert len(fresh(session).exec(select(MembershipEvent)).all()) == 1


def test_changing_a_role_asks_first_and_the_person_s_desk_session_ends(session, client, world, team):
    ours, _, _ = world
    csrf, sen, role_path = to_change(session, client, team, ours, "Sen", "role")
    sen_id, sen_person = sen.id, sen.person_id
    people = client.get(f"/web/unit/{ours.unit.id}/people").text
    assert f'action="{role_path}"' in people
    asked = client.get(role_path, params={"role": "member"})
    assert "Đổi vai trò của Sen ở Thôn Phú Lợi: tổ trưởng → thành viên?" in asked.text and "Đúng, sửa" in asked.text
    assert fresh(session).get(Membership, sen_id).role == Role.VILLAGE_LEADER
    sen_key = places_key(session, sen_person)

    refused = client.post(role_path, data={"csrf": csrf, "role": "office"})
    assert refused.status_code == 400 and "Thôn Phú Lợi chỉ nhận các vai trò" in refused.text
    done = client.post(role_path, data={"csrf": csrf, "role": "member"})
    assert "✅ Sen giờ là thành viên ở Thôn Phú Lợi." in done.text
    assert fresh(session).get(Membership, sen_id).role == Role.MEMBER
    assert places_key(session, sen_person) != sen_key  # what ends the desk sessions Sen opened
    assert "· Chị Hà · Thôn Phú Lợi: Sen: tổ trưởng → thành viên" in team.say("/nhatky")
    same = client.post(role_path, data={"csrf": csrf, "role": "member"})
    assert "Không có gì thay đổi." in same.text
    assert len(fresh(session).exec(select(MembershipEvent)).all()) == 1


def test_a_person_removed_on_the_desk_is_signed_out_of_it(session, client, world, team):
    ours, _, _ = world
    hung = chatter(session, "Anh Hùng", ours.unit, Role.LEADER)
    signed_in(client, hung)
    assert client.get(f"/web/unit/{ours.unit.id}").status_code == 200
    hung_cookies = dict(client.cookies)
    client.cookies.clear()
    csrf, _, path = to_change(session, client, team, ours, "Anh Hùng", "remove")
    assert client.post(path, data={"csrf": csrf}).status_code == 200
    office_cookies = dict(client.cookies)
    client.cookies.clear()
    client.cookies.update(hung_cookies)
    assert client.get(f"/web/unit/{ours.unit.id}").status_code == 401
    # Removing oneself, the commune's only office: refused, saying how (another office first).
    client.cookies.clear()
    client.cookies.update(office_cookies)
    own = membership_of(session, "Chị Hà").id
    path = f"/web/unit/{ours.unit.id}/people/{own}/remove"
    for answer in (client.get(path), client.post(path, data={"csrf": csrf})):
        assert answer.status_code == 409
        assert "Chị Hà là người cuối cùng của văn phòng Xã Đồng Phú" in answer.text and "/moi" in answer.text
    assert fresh(session).get(Membership, own) is not None
    # With a second office member: done, and the desk says how to sign in again.
    chatter(session, "Chị Mai", ours.unit, Role.OFFICE)
    itself = client.post(path, data={"csrf": csrf})
    assert itself.status_code == 401 and "/web" in itself.text
    assert fresh(session).get(Membership, own) is None


def test_a_place_of_another_commune_is_answered_as_one_that_does_not_exist(session, client, world, team):
    ours, sibling, _ = world
    neighbour = Chatter(session, "Tư", [sibling.villages["Thôn Láng Giềng"]], Role.MEMBER)
    neighbour.say("ho 1")
    csrf = CSRF.search(signed_in(client, team)).group(1)
    theirs = membership_of(session, "Tư").id
    gone = client.get(f"/web/unit/{ours.unit.id}/people/999999/remove")
    for path in (f"/web/unit/{ours.unit.id}/people/{theirs}/remove", f"/web/unit/{sibling.unit.id}/people/{theirs}/remove"):
        answer = client.get(path)
        assert answer.status_code == 404 and "Tư" not in answer.text
        assert client.post(path, data={"csrf": csrf}).status_code == 404
    assert gone.status_code == 404 and gone.text == client.get(f"/web/unit/{ours.unit.id}/people/{theirs}/remove").text
    assert fresh(session).get(Membership, theirs) is not None


def test_an_admin_may_give_the_administrator_s_role_an_office_may_not(session, client, world, team):
    ours, _, _ = world
    chatter(session, "Anh Hùng", ours.unit, Role.LEADER)
    office_csrf, place, path = to_change(session, client, team, ours, "Anh Hùng", "role")
    place_id = place.id
    assert client.post(path, data={"csrf": office_csrf, "role": "admin"}).status_code == 400
    assert fresh(session).get(Membership, place_id).role == Role.LEADER
    client.cookies.clear()
    admin_csrf = CSRF.search(signed_in(client, chatter(session, "Chị Mai", ours.unit, Role.ADMIN))).group(1)
    assert '<option value="admin">' in client.get(f"/web/unit/{ours.unit.id}/people").text
    assert client.post(path, data={"csrf": admin_csrf, "role": "admin"}).status_code == 200
    assert fresh(session).get(Membership, place_id).role == Role.ADMIN


def test_a_province_office_manages_the_province_s_own_people(session, client, world):
    ours, _, _ = world
    province = session.get(OrgUnit, ours.unit.parent_id)
    office = chatter(session, "Bà Tỉnh", province, Role.PROVINCE_OFFICE)
    Chatter(session, "Ông Lãnh Đạo", [province], Role.PROVINCE_LEADER)
    Chatter(session, "Chị Hà", [ours.unit], Role.OFFICE)
    signed_in(client, office)
    page = client.get(f"/web/unit/{province.id}/people")
    assert page.status_code == 200 and "Ông Lãnh Đạo · lãnh đạo tỉnh" in shown(page) and "Chị Hà" not in page.text
    roles = re.findall(r'<option value="(\w+)">', page.text)
    assert set(roles) == {"province_office", "province_leader"}
    assert f'href="/web/unit/{province.id}/people"' in client.get(f"/web/unit/{province.id}").text
    assert "/people" not in client.get(f"/web/unit/{ours.unit.id}").text


PEOPLE_PAGES = ("/web/unit/{id}/people",)


@pytest.mark.parametrize(("role", "level"), [(Role.VILLAGE_LEADER, "village"), (Role.OFFICE, "commune"),
                                             (Role.LEADER, "commune"), (Role.ADMIN, "commune"),
                                             (Role.PROVINCE_OFFICE, "province"), (Role.PROVINCE_LEADER, "province")])
def test_who_may_open_the_people_page_is_who_may_send_thanhvien(session, client, world, role, level):
    ours, sibling, far = world
    village, province = ours.villages["Thôn Tân Hòa"], session.get(OrgUnit, ours.unit.parent_id)
    place = {"village": village, "commune": ours.unit, "province": province}[level]
    person = chatter(session, "Người Thử", place, role)
    page = signed_in(client, person)
    csrf = CSRF.search(page).group(1)
    in_chat = not person.say("/thanhvien").startswith("/thanhvien không dành")
    targets = {"own village": village, "own commune": ours.unit, "sibling commune": sibling.unit,
               "sibling village": sibling.villages["Thôn Láng Giềng"], "own province": province,
               "other province's commune": far.unit, "other province": session.get(OrgUnit, far.unit.parent_id)}
    managed = {Role.OFFICE: {"own village", "own commune"}, Role.ADMIN: {"own village", "own commune"},
               Role.PROVINCE_OFFICE: {"own province"}}.get(role, set())
    assert in_chat == bool(managed), role
    for name, unit in targets.items():
        expected = 200 if name in managed else 404
        assert client.get(f"/web/unit/{unit.id}/people").status_code == expected, (role, name)
        invite = client.post(f"/web/unit/{unit.id}/people/invite", data={"csrf": csrf, "unit": str(unit.id), "role": "member"})
        assert invite.status_code in ((200, 400) if name in managed else (404,)), (role, name, invite.status_code)
