"""The authorisation matrix: every command × every role × a village of one's own commune,
a village of another commune of the same province, and a village of another province.

- A role the command is not for gets the polite refusal, and nothing else.
- Asked about a village out of reach (another commune's, for a commune's people; another
  province's, for a province's people), the answer is the one a village that does not
  exist gets: nothing about it (not even that it exists) is revealed.
- No reply and no file ever carries figures or names from out of reach.
The reference's matrix (docs/reference.md) is checked against the code's table, so it stays true.
"""

import io
import re
from pathlib import Path

import pytest
from sqlmodel import delete

from helpers import NOW, Chatter, incoming, make_commune, make_province, send
from tocds.bot.channels import render
from tocds.handlers.commands import COMMANDS, TABLE
from tocds.models import Conversation, Role, Subscription
from tocds.models.people import PROVINCE_ROLES, VILLAGE_ROLES

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "reference.md"
OTHER_COMMUNE, OTHER_VILLAGE, NO_VILLAGE = "Xã Bí Mật", "Thôn Kín Đáo", "Thôn Không Có"
OUR_PROVINCE, OTHER_PROVINCE = "Tỉnh Đồng Nai", "Tỉnh Xa Xôi"
SIBLING_COMMUNE, SIBLING_VILLAGE = "Xã Bên Cạnh", "Thôn Láng Giềng"  # our province's, not our commune's
SECRET_FIGURES = ("777", "555")  # what the other province's commune reported
OTHER_SECRETS = (*SECRET_FIGURES, "778", OTHER_COMMUNE, "Người Lạ", OTHER_PROVINCE)
SIBLING_SECRETS = ("313", SIBLING_COMMUNE, "Người Bên")  # out of reach of our commune's people only
REFUSAL = "/{name} không dành cho vai trò của bạn. Gửi /trogiup để xem bạn làm được gì."
RANDOM_CODES = re.compile(r"\b[A-Z0-9]{6,}\b")  # invite codes differ from call to call


@pytest.fixture
def world(session):
    """Our province: our commune (a report, a photo waiting for review) and a sibling commune
    (a report); another province's commune whose figures, names and evidence must never show."""
    ours = make_commune(session)
    sibling = make_commune(session, SIBLING_COMMUNE, {SIBLING_VILLAGE: (5000, 20000, 15000, 16000)})
    theirs = make_commune(session, OTHER_COMMUNE, {OTHER_VILLAGE: (50, 200, 150, 160)})
    make_province(session, OUR_PROVINCE, [ours, sibling])
    make_province(session, OTHER_PROVINCE, [theirs])
    Chatter(session, "Người Bên", [sibling.villages[SIBLING_VILLAGE]], Role.MEMBER).say("vneid 313")
    stranger = Chatter(session, "Người Lạ", [theirs.villages[OTHER_VILLAGE]], Role.MEMBER)
    stranger.say("vneid 777 bdhvs 555")
    send(session, incoming("nguoi la", "", "secret-photo", kind="photo", attachment="secret-file"))
    stranger.say("/sua")
    stranger.say("1")
    stranger.say("778")
    neighbour = Chatter(session, "Lan", [ours.villages["Thôn Tân Hòa"]], Role.MEMBER)
    neighbour.say("vneid 5")
    send(session, incoming("lan", "", "our-photo", kind="photo", attachment="our-file"))
    return ours, theirs


def said(replies) -> str:
    """Everything a person would read: texts, choices, and the files' contents."""
    parts = []
    for reply in replies:
        parts.append(render(reply))
        attachment = reply.attachment
        if attachment is None or attachment.kind == "picture":
            continue
        if attachment.name.endswith(".xlsx"):
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(attachment.content))
            parts += [str(cell) for sheet in book for row in sheet.iter_rows(values_only=True)
                      for cell in row if cell is not None]
            parts += book.sheetnames
        else:
            parts.append(attachment.content.decode("utf-8"))
    return "\n".join(parts)


def ask(session, person: Chatter, text: str) -> str:
    session.exec(delete(Conversation))  # each question from a clean slate: no question open,
    session.exec(delete(Subscription))  # no chat subscribed by the one asked before (/nhantin lists them)
    session.commit()
    return said(person.chat.send(text, NOW))


def place_of(ours, role: Role):
    """Where a person of that role sits: a village of ours, our commune, or our province."""
    if role in VILLAGE_ROLES:
        return ours.villages["Thôn Tân Hòa"]
    return province_of(ours) if role in PROVINCE_ROLES else ours.unit


def province_of(commune):
    from sqlmodel import Session

    from tocds.models import OrgUnit

    return Session.object_session(commune.unit).get(OrgUnit, commune.unit.parent_id)


def secrets_for(role: Role) -> tuple[str, ...]:
    return OTHER_SECRETS if role in PROVINCE_ROLES else (*OTHER_SECRETS, *SIBLING_SECRETS)


@pytest.mark.parametrize("target", ["own", "sibling", "other"])
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("command", [c.name for c in TABLE])
def test_every_command_for_every_role(session, world, command, role, target):
    ours, theirs = world
    unit = place_of(ours, role)
    person = Chatter(session, "Người Thử", [unit], role)
    village = {"own": "Thôn Phú Lợi", "sibling": SIBLING_VILLAGE, "other": OTHER_VILLAGE}[target]
    answer = ask(session, person, f"/{command} {village}")

    if role not in COMMANDS[command].roles:
        assert answer == REFUSAL.format(name=command)
        return
    assert answer.strip() and not answer.startswith(REFUSAL.format(name=command)[:20])
    for secret in secrets_for(role):
        assert secret not in answer
    if target == "other" or (target == "sibling" and role not in PROVINCE_ROLES):
        twin = Chatter(session, "Người Thử Hai", [unit], role)  # in a chat of its own
        assert same_answer(answer, ask(session, twin, f"/{command} {NO_VILLAGE}"), village)


@pytest.mark.parametrize("question", ["tiến độ thôn Kín Đáo", "thon kin dao thang 11", "xếp hạng", "ai chưa báo cáo",
                                      "tien do vneid", "thôn Kín Đáo tuần này", "tổng hợp tuần xã Bí Mật",
                                      "xếp hạng xã Bí Mật", "tiến độ thôn Láng Giềng"])
@pytest.mark.parametrize("role", [Role.LEADER, Role.OFFICE, Role.PROVINCE_LEADER, Role.PROVINCE_OFFICE])
def test_plain_questions_never_reveal_another_commune(session, world, role, question):
    ours, _ = world
    person = Chatter(session, "Người Thử", [place_of(ours, role)], role)
    answer = ask(session, person, question)
    typed = [secret for secret in secrets_for(role) if secret.lower() in question.lower()]
    for secret in secrets_for(role):
        assert secret not in answer or secret in typed
    hidden = "Kín Đáo" if fold_has_other(question) else "Láng Giềng" if (
        "Láng Giềng" in question and role not in PROVINCE_ROLES) else None
    if hidden:
        unknown = ask(session, person, question.replace(hidden, "Không Có").replace("kin dao", "khong co"))
        assert same_answer(answer, unknown, hidden)


def fold_has_other(question: str) -> bool:
    return "kín đáo" in question.lower() or "kin dao" in question.lower()


def same_answer(about_other: str, about_nothing: str, typed: str = OTHER_VILLAGE) -> bool:
    """The two answers are the same, but for the name typed (and a fresh invite code)."""
    name = typed.removeprefix("Thôn ")
    renamed = about_other.replace(name, "Không Có").replace(name.lower(), "không có")
    renamed = renamed.replace("kin dao", "khong co").replace("lang gieng", "khong co")
    return RANDOM_CODES.sub("CODE", renamed) == RANDOM_CODES.sub("CODE", about_nothing)


def test_the_reference_matrix_is_the_code_table():
    """The reference's "Who may do what" table lists every command with exactly its roles."""
    text = REFERENCE.read_text(encoding="utf-8")
    section = text.split("### Who may do what", 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `/")]
    header = next(line for line in section.splitlines() if line.startswith("| command"))
    roles = [cell.strip() for cell in header.strip("|").split("|")[1:]]
    assert roles == [str(role) for role in Role]
    table = {}
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        name = cells[0].split()[0].strip("`/")
        table[name] = {Role(role) for role, mark in zip(roles, cells[1:], strict=True) if mark == "✓"}
    assert table == {c.name: set(c.roles) for c in TABLE}


@pytest.mark.parametrize("command", ["thanhvien", "nhantin"])
def test_the_office_cannot_reach_another_communes_people_or_chats(session, world, command):
    """Another commune's membership or subscription, named in a forged button while the
    office's question is open, is refused; nothing of it is listed, and it stays."""
    from sqlmodel import select

    from tocds.models import Membership, OrgUnit, Person, Subscription

    ours, theirs = world
    stranger = Chatter(session, "Cán Bộ Lạ", [theirs.unit], Role.OFFICE)
    stranger.say("/nhantin")
    office = Chatter(session, "Người Thử", [ours.unit], Role.OFFICE)
    Chatter(session, "Hùng", [ours.unit], Role.LEADER).say("/nhantin")  # so that /nhantin asks too
    answer = office.say(f"/{command}")
    assert office.last[-1].choices and "Lạ" not in answer and OTHER_COMMUNE not in answer
    theirs_id = session.exec(select(Membership.id).join(Person).where(Person.name == "Người Lạ")).one() \
        if command == "thanhvien" else session.exec(
            select(Subscription.id).where(Subscription.commune_id == theirs.unit.id)).one()
    forged = f"m:{theirs_id}" if command == "thanhvien" else f"s:{theirs_id}"
    replies = send(session, incoming("nguoi thu", "", "forged", choice=forged))
    assert "đã đóng" in said(replies)
    assert session.exec(select(Membership).join(OrgUnit).where(OrgUnit.id == theirs.villages[OTHER_VILLAGE].id)).all()
    assert session.exec(select(Subscription).where(Subscription.commune_id == theirs.unit.id)).all()
