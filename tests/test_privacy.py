"""Personal data in evidence: files kept only as long as the commune says, every showing
recorded, a photo taken back, through the handlers and the job, against a fixed clock."""

import hashlib
import json
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import select

from helpers import DEFAULTS, NOW, Chatter, incoming
from tocds.bot.evidence_files import keep
from tocds.handlers.dispatch import handle
from tocds.jobs.evidence_retention import EVIDENCE_RETENTION
from tocds.jobs.runner import run_job
from tocds.models import ChannelAccount, Evidence, EvidenceView, Person, Role
from tocds.models.invites import join
from tocds.models.privacy import kept_until, link_opened
from tocds.models.queries import verified_counts

TAN_HOA = "Thôn Tân Hòa"


def store(session, evidence: Evidence, folder, content: bytes) -> None:
    """What the files loop does once it has fetched the photo."""
    evidence.sha256, evidence.stored_path = keep(folder, content, ".jpg")
    evidence.size = len(content)
    session.add(evidence)
    session.commit()


def reported_with_photo(session, chatter: Chatter, sender: str, message_id: str, counts: str) -> Evidence:
    chatter.say(counts)
    handle(session, incoming(sender, "", message_id, kind="photo", attachment=f"file-{message_id}"), NOW, DEFAULTS)
    return session.exec(select(Evidence).where(Evidence.message_id == message_id)).one()


def member_on(session, name: str, unit, role: Role, channel: str) -> Person:
    person = Person(name=name, locale="vi")
    session.add(person)
    session.flush()
    session.add(ChannelAccount(person_id=person.id, channel=channel, external_id=f"{channel}-{name}"))
    join(session, person, unit, role)
    session.commit()
    return person


def retention_run(session, commune, monkeypatch, folder, now):
    from tocds.bot.settings import get_settings

    monkeypatch.setenv("TOCDS_EVIDENCE_DIR", str(folder))
    get_settings.cache_clear()
    try:
        return run_job(session, EVIDENCE_RETENTION, commune.unit, now)
    finally:
        get_settings.cache_clear()


def two_photos(session, commune, folder, lans: bytes, hoas: bytes) -> tuple[Evidence, Evidence, Chatter]:
    """Lan's and Hoa's reports with a photo each, both fetched; and the office that reviews them."""
    lan = Chatter(session, "Lan", [commune.villages[TAN_HOA]], Role.MEMBER)
    hoa = Chatter(session, "Hoa", [commune.villages["Thôn Phú Lợi"]], Role.MEMBER)
    first = reported_with_photo(session, lan, "lan", "p1", "vneid 5")
    second = reported_with_photo(session, hoa, "hoa", "p2", "ho 2")
    store(session, first, folder, lans)
    store(session, second, folder, hoas)
    return first, second, Chatter(session, "Hà", [commune.unit], Role.OFFICE)


def test_files_past_their_keeping_are_deleted_rows_and_approved_counts_stay(session, commune, tmp_path,
                                                                              monkeypatch):
    approved, waiting, office = two_photos(session, commune, tmp_path, b"the VNeID screen", b"a family at home")
    office.say("/duyet")
    office.say("1")  # Lan's photo approved today (25/11/2026)
    commune.unit.evidence_keep_days = 30
    session.add(commune.unit)
    session.commit()
    verified_before = verified_counts(session, [commune.unit.id], NOW.date(), NOW.date())

    approved_until = kept_until(session, approved, commune.unit)
    waiting_until = kept_until(session, waiting, commune.unit)  # no monthly deadline: the month's last day + 30
    assert (approved_until.isoformat(), waiting_until.isoformat()) == ("2026-12-25", "2026-12-30")

    last_day = NOW + timedelta(days=30)
    retention_run(session, commune, monkeypatch, tmp_path, last_day)
    assert (tmp_path / approved.stored_path).is_file()  # kept through its last day

    retention_run(session, commune, monkeypatch, tmp_path, last_day + timedelta(days=1))
    session.expire_all()
    approved, waiting = session.get(Evidence, approved.id), session.get(Evidence, waiting.id)
    assert approved.stored_path is None and approved.file_deleted_at == last_day + timedelta(days=1)
    assert (approved.sha256, approved.size, approved.status) == (
        hashlib.sha256(b"the VNeID screen").hexdigest(), len(b"the VNeID screen"), "approved")
    assert approved.reviewed_by is not None
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [f"{waiting.sha256}.jpg"]
    assert verified_counts(session, [commune.unit.id], NOW.date(), NOW.date()) == verified_before != {}


def test_a_photo_two_rows_share_stays_while_one_still_keeps_it(session, commune, tmp_path, monkeypatch):
    early, late, office = two_photos(session, commune, tmp_path, b"one photo", b"one photo")
    office.say("/duyet")
    office.say("1")  # the first approved now; the second a year later
    office.say("/duyet", NOW + timedelta(days=365))
    office.say("1", NOW + timedelta(days=365))

    retention_run(session, commune, monkeypatch, tmp_path, NOW + timedelta(days=400))
    session.expire_all()
    assert session.get(Evidence, early.id).stored_path is None
    assert (tmp_path / late.stored_path).is_file()  # the other row still keeps it

    retention_run(session, commune, monkeypatch, tmp_path, NOW + timedelta(days=800))
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_every_showing_is_recorded_on_telegram_and_zalo_and_in_nhatky(session, commune, tmp_path):
    lan = Chatter(session, "Lan", [commune.villages[TAN_HOA]], Role.MEMBER)
    evidence = reported_with_photo(session, lan, "lan", "p1", "vneid 5")
    store(session, evidence, tmp_path, b"a VNeID screen")
    member_on(session, "Hà", commune.unit, Role.OFFICE, "telegram")
    member_on(session, "Minh", commune.unit, Role.OFFICE, "zalo")
    defaults = replace(DEFAULTS, evidence_dir=tmp_path)
    later = NOW + timedelta(hours=1)
    for sender, channel, now in (("telegram-Hà", "telegram", NOW), ("zalo-Minh", "zalo", later)):
        [shown] = handle(session, incoming(sender, "/duyet", f"d-{channel}", channel=channel), now, defaults)
        assert shown.attachment.content == b"a VNeID screen"
    assert link_opened(session, evidence.sha256, later + timedelta(minutes=5)) is True

    views = session.exec(select(EvidenceView.person_id, EvidenceView.via).order_by(EvidenceView.at)).all()
    names = {p.id: p.name for p in session.exec(select(Person)).all()}
    assert [(names.get(person), via) for person, via in views] == [
        ("Hà", "/duyet telegram"), ("Minh", "/duyet zalo"), (None, "zalo link")]
    office = Chatter(session, "Hương", [commune.unit], Role.OFFICE)
    assert office.say("/nhatky").splitlines() == [
        "📝 Thay đổi gần đây (mới nhất trước):",
        "25/11 13:05 · người có đường link · Thôn Tân Hòa (25/11): đã xem ảnh minh chứng (zalo link)",
        "25/11 13:00 · Minh · Thôn Tân Hòa (25/11): đã xem ảnh minh chứng (/duyet zalo)",
        "25/11 12:00 · Hà · Thôn Tân Hòa (25/11): đã xem ảnh minh chứng (/duyet telegram)",
    ]


def test_a_deleted_photos_published_link_shows_nothing(session, commune, tmp_path):
    from tocds.models.privacy import delete_file

    lan = Chatter(session, "Lan", [commune.villages[TAN_HOA]], Role.MEMBER)
    evidence = reported_with_photo(session, lan, "lan", "p1", "vneid 5")
    store(session, evidence, tmp_path, b"an ID card")
    digest = evidence.sha256
    delete_file(session, tmp_path, evidence, NOW)
    session.commit()
    assert link_opened(session, digest, NOW) is False
    assert link_opened(session, hashlib.sha256(b"a chart").hexdigest(), NOW) is True  # not evidence: served
    assert session.exec(select(EvidenceView)).all() == []


def test_a_member_takes_back_a_photo_before_review_and_the_report_stays(session, commune, tmp_path):
    lan = Chatter(session, "Lan", [commune.villages[TAN_HOA]], Role.MEMBER)
    kept = reported_with_photo(session, lan, "lan", "p1", "vneid 5")
    mistaken = reported_with_photo(session, lan, "lan", "p2", "hộ 2")
    store(session, kept, tmp_path, b"a household's VNeID")
    store(session, mistaken, tmp_path, b"someone's ID card, by mistake")
    defaults = replace(DEFAULTS, evidence_dir=tmp_path)

    [reply] = handle(session, incoming("lan", "xóa ảnh vừa gửi", "m1"), NOW, defaults)
    assert reply.text == "🗑 Đã rút lại và xóa ảnh. Báo cáo vẫn giữ nguyên: Thôn Tân Hòa, ngày 25/11/2026: Hộ 2."
    session.expire_all()
    mistaken = session.get(Evidence, mistaken.id)
    assert (mistaken.status, mistaken.stored_path, mistaken.file_deleted_at) == ("withdrawn", None, NOW)
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [f"{kept.sha256}.jpg"]
    assert lan.say("/tiendo") == lan.say("/tiendo")  # the reports are untouched: both counts still there
    assert "Hộ" in lan.say("/tiendo") and "VNeID" in lan.say("/tiendo")

    office = Chatter(session, "Hà", [commune.unit], Role.OFFICE)
    assert office.say("/duyet").startswith("🔎 Minh chứng chờ duyệt: 1\nThôn Tân Hòa, ngày 25/11/2026: VNeID 5")
    office.say("1")
    [reply] = handle(session, incoming("lan", "/xoaanh", "m2"), NOW, defaults)
    assert reply.text == ("Bạn không có ảnh nào đang chờ duyệt để rút lại. Ảnh đã duyệt thì giữ lại: "
                          "nhờ văn phòng xã xóa giúp.")
    assert (tmp_path / kept.stored_path).is_file()


def shown_everywhere(session, commune) -> list[str]:
    """Every summary and export of every period, as the office and a leader get them: texts,
    and each file's cells (a workbook), lines (a CSV) or hash (a chart)."""
    from io import BytesIO

    from openpyxl import load_workbook

    office = Chatter(session, "Hà", [commune.unit], Role.OFFICE)
    leader = Chatter(session, "Nam", [commune.unit], Role.LEADER)
    shown = []
    for chatter, request in [(leader, r) for r in ("/tuan", "/tuan trước", "/thang", "/thang 10", "/quy", "/nam",
                                                   "/xephang", "/chuabaocao", "/tiendo")] + [
            (office, f"/xuat {period}{kind}") for period in ("2026-W48", "2026-W47", "2026-11", "2026-Q4", "2026")
            for kind in ("", " csv")]:
        shown.append(chatter.say(request))
        for reply in chatter.last:
            if reply.attachment is None:
                continue
            if reply.attachment.name.endswith(".png"):  # a chart: villages' bars, no person's name
                shown.append(hashlib.sha256(reply.attachment.content).hexdigest())
            elif reply.attachment.name.endswith(".xlsx"):
                book = load_workbook(BytesIO(reply.attachment.content))
                shown += [str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row]
            else:
                shown.append(reply.attachment.content.decode())
    return shown


def test_erasing_a_person_changes_no_figure_only_their_name(session, commune, tmp_path):
    from tocds.models import Membership
    from tocds.models.members import remove
    from tocds.models.privacy import StillMember, erase_person, person_data

    commune.unit.requires_evidence = True  # the counts backed by approved evidence are shown too
    session.add(commune.unit)
    session.commit()
    lan = Chatter(session, "Lan Nguyễn", [commune.villages[TAN_HOA]], Role.MEMBER)
    lan.say("hộ 12 vneid 4", NOW - timedelta(days=7))
    evidence = reported_with_photo(session, lan, "lan nguyen", "p1", "vneid 5")
    store(session, evidence, tmp_path, b"a VNeID screen")
    photo_file = tmp_path / evidence.stored_path
    Chatter(session, "Hoa", [commune.villages["Thôn Phú Lợi"]], Role.MEMBER).say("ho 2")
    office = Chatter(session, "Hà", [commune.unit], Role.OFFICE)
    office.say("/duyet")
    office.say("1")
    lan.say("/sua")
    lan.say("1")
    lan.say("6")  # an audit line in her name
    person = session.exec(select(Person).where(Person.name == "Lan Nguyễn")).one()
    with pytest.raises(StillMember):
        erase_person(session, person, tmp_path, "Ops Tuấn", NOW)
    for membership in session.exec(select(Membership).where(Membership.person_id == person.id)).all():
        remove(session, membership, by=person.id, now=NOW, action="left")
    session.commit()
    stored = person_data(session, person)
    assert (stored["chats"], [r["counts"] for r in stored["reports"]], stored["evidence"][0]["file_kept"]) == (
        [{"channel": "console", "chat_id": "lan nguyen", "blocked_at": None}], [{"ho": 12, "vneid": 4}, {"vneid": 6}],
        True)
    before = shown_everywhere(session, commune)

    erase_person(session, person, tmp_path, "Ops Tuấn", NOW + timedelta(hours=1))
    session.commit()
    label = f"Thành viên #{person.id}"
    assert shown_everywhere(session, commune) == [text.replace("Lan Nguyễn", label) for text in before]
    assert any("Lan Nguyễn" in text for text in before)  # her name was there to change
    erased = person_data(session, person)
    assert erased["person"]["name"] == label and erased["chats"] == [] and erased["conversations"] == []
    assert [(r["chat_id"], r["counts"]) for r in erased["reports"]] == [("", {"ho": 12, "vneid": 4}), ("", {"vneid": 6})]
    assert (erased["evidence"][0]["file_kept"], erased["evidence"][0]["status"]) == (False, "approved")
    assert not photo_file.exists()
    assert erased["erased"] == [{"at": (NOW + timedelta(hours=1)).isoformat(), "operator": "Ops Tuấn",
                                 "detail": "chats=1 conversations=0 files=1 reports=2 unsent=0 mailroom=0"}]
    assert "lan nguyen" not in json.dumps(erased, ensure_ascii=False).lower()


def test_a_whole_demo_logs_no_message_text_name_or_chat_id(tmp_path, caplog, capsys):
    """Every record at INFO and above, formatted as `tocds` writes it (extras too)."""
    import logging

    from tocds.bot.demo import PEOPLE, SCRIPT, play
    from tocds.bot.logs import KeyValueFormatter
    from tocds.models.text import fold

    with caplog.at_level(logging.INFO):
        play(tmp_path / "demo")
    lines = [KeyValueFormatter().format(record) for record in caplog.records if record.levelno >= logging.INFO]
    assert any("weekly-summary for" in line for line in lines)  # the jobs did log
    said = {text for _, _, who, text in SCRIPT if who != "job" and len(text) > 3}
    names = {name for name, _, _ in PEOPLE.values()}
    chat_ids = {fold(name) for name in names}  # a console chat's id is its person's folded name
    text = "\n".join(lines)
    assert [s for s in said if s in text] == []
    words = set(re.findall(r"[\w/]+", text.lower()))
    assert [n for n in names | chat_ids if set(fold(n).split()) <= words] == []
    capsys.readouterr()  # the demo's chat, printed


def telegram_update(update_id: int, sender: int, chat: int, text: str, **message) -> dict:
    """An update as Telegram sends it: the sender's id and name, the chat's id, the text."""
    return {"update_id": update_id, "message": {
        "message_id": update_id, "from": {"id": sender, "first_name": "Lan", "last_name": "Nguyễn"},
        "chat": {"id": chat, "type": "private" if chat == sender else "group"}, "text": text, **message}}


def test_erasing_a_person_empties_what_the_inbox_and_outbox_keep_about_them(session, commune, tmp_path):
    from tocds.models import Membership
    from tocds.models.mailbox import InboxUpdate, OutboxMessage
    from tocds.models.members import remove
    from tocds.models.privacy import erase_person, person_data

    lan_id, hoa_id, group = 5550001, 5550002, -1009
    lan = member_on(session, "Lan Nguyễn", commune.villages[TAN_HOA], Role.MEMBER, "telegram")
    session.get(ChannelAccount, session.exec(select(ChannelAccount.id).where(
        ChannelAccount.person_id == lan.id)).one()).external_id = str(lan_id)
    for membership in session.exec(select(Membership).where(Membership.person_id == lan.id)).all():
        remove(session, membership, by=lan.id, now=NOW, action="left")
    hers = [InboxUpdate(channel="telegram", update_key=str(n), payload=payload, handled_at=handled)
            for n, payload, handled in [(1, telegram_update(1, lan_id, lan_id, "hộ 12"), NOW),
                                        (2, telegram_update(2, lan_id, group, "vneid 4"), NOW),
                                        (3, telegram_update(3, lan_id, lan_id, "/sua"), None)]]
    reply_to_her = InboxUpdate(channel="telegram", update_key="4", handled_at=NOW, payload=telegram_update(
        4, hoa_id, group, "ok", reply_to_message={"from": {"id": lan_id, "first_name": "Lan"}, "text": "hộ 12"}))
    others = InboxUpdate(channel="telegram", update_key="5", handled_at=NOW,
                         payload={"update_id": 5, "message": {"from": {"id": hoa_id, "first_name": "Hoa"},
                                                              "chat": {"id": group}, "text": "ho 2"}})
    session.add_all([*hers, reply_to_her, others])
    session.flush()
    summary = {"text": "Tuần này: Lan Nguyễn 12 hộ, Hoa 2 hộ"}
    session.add_all([OutboxMessage(channel="telegram", chat_id=str(lan_id), payload={"text": "Đã ghi, Lan Nguyễn"},
                                   inbox_id=hers[0].id, sent_at=NOW),
                     OutboxMessage(channel="telegram", chat_id=str(group), payload={"text": "Đã ghi vneid 4"},
                                   inbox_id=hers[1].id, sent_at=NOW),
                     OutboxMessage(channel="telegram", chat_id=str(group), payload=summary, sent_at=NOW),
                     OutboxMessage(channel="telegram", chat_id=str(group), payload={"text": "Hoa: ghi 2"},
                                   inbox_id=others.id, sent_at=NOW),
                     OutboxMessage(channel="telegram", chat_id=str(group), payload={"text": "Lan, ảnh đã nhận"},
                                   inbox_id=hers[1].id)])  # not sent yet
    session.commit()
    handled, sent = (set(session.exec(select(InboxUpdate.id).where(InboxUpdate.handled_at.is_not(None)))),
                     set(session.exec(select(OutboxMessage.id).where(OutboxMessage.sent_at.is_not(None)))))
    # What `tocds admin person` shows of the mailroom: the same rows the erasure empties.
    stored = person_data(session, lan)
    at = NOW.isoformat()
    assert [(u["text"], u.get("replying_to"), u["handled_at"], u["gave_up"]) for u in stored["inbox"]] == [
        ("hộ 12", None, at, None), ("vneid 4", None, at, None), ("/sua", None, None, None), ("ok", "hộ 12", at, None)]
    assert {u["received_at"] for u in stored["inbox"]} != {None}
    assert [(m["chat_id"], m["text"], m["sent_at"]) for m in stored["outbox"]] == [
        (str(lan_id), "Đã ghi, Lan Nguyễn", at), (str(group), "Đã ghi vneid 4", at), (str(group), "Lan, ảnh đã nhận", None)]

    erasure = erase_person(session, lan, tmp_path, "Ops Tuấn", NOW + timedelta(hours=1))
    session.commit()
    inbox, outbox = session.exec(select(InboxUpdate)).all(), session.exec(select(OutboxMessage)).all()
    stored = json.dumps([[r.payload for r in inbox], [(m.chat_id, m.payload) for m in outbox]], ensure_ascii=False)
    assert "Lan" not in stored and str(lan_id) not in stored
    assert f"Thành viên #{lan.id} 12 hộ, Hoa 2 hộ" in stored and "Hoa: ghi 2" in stored and "ho 2" in stored
    assert sorted(r.update_key for r in inbox) == ["1", "2", "3", "4", "5"]  # a redelivery is still known
    assert session.exec(select(InboxUpdate.gave_up).where(InboxUpdate.update_key == "3")).one() == "erased"
    assert handled < set(session.exec(select(InboxUpdate.id).where(InboxUpdate.handled_at.is_not(None))))
    assert sent == set(session.exec(select(OutboxMessage.id).where(OutboxMessage.sent_at.is_not(None))))
    # The reply to her group message not sent yet is emptied, and given up: nothing is left to send.
    assert session.exec(select(OutboxMessage.gave_up).where(OutboxMessage.sent_at.is_(None))).all() == ["erased"]
    assert erasure.detail.endswith("mailroom=7")
    assert (person_data(session, lan)["inbox"], person_data(session, lan)["outbox"]) == ([], [])


def test_erasing_a_person_an_announcement_still_waits_for(session, commune, tmp_path):
    """An announcement held for the morning points at the outbox row to her chat: erasing her
    gives that row up (emptied) instead of deleting it, and the announcement's record stays whole."""
    from tocds.models import Announcement, AnnouncementDelivery, Membership
    from tocds.models.mailbox import OutboxMessage
    from tocds.models.members import remove
    from tocds.models.privacy import erase_person

    lan = member_on(session, "Lan Nguyễn", commune.villages[TAN_HOA], Role.MEMBER, "telegram")
    chat = session.exec(select(ChannelAccount.external_id).where(ChannelAccount.person_id == lan.id)).one()
    office = member_on(session, "Chị Hà", commune.unit, Role.OFFICE, "telegram")
    announcement = Announcement(sender_id=office.id, unit_id=commune.unit.id, audience="commune",
                                text="Tập huấn thứ Bảy, Lan Nguyễn nhớ mang máy", sent_at=NOW)
    held = OutboxMessage(channel="telegram", chat_id=chat, payload={"text": announcement.text},
                         next_attempt_at=NOW + timedelta(hours=8))
    session.add_all([announcement, held])
    session.flush()
    session.add(AnnouncementDelivery(announcement_id=announcement.id, person_id=lan.id, channel="telegram",
                                     outbox_id=held.id))
    for membership in session.exec(select(Membership).where(Membership.person_id == lan.id)).all():
        remove(session, membership, by=lan.id, now=NOW, action="left")
    session.commit()

    erasure = erase_person(session, lan, tmp_path, "Ops Tuấn", NOW + timedelta(hours=1))
    session.commit()
    session.refresh(held)
    assert (held.chat_id, held.payload, held.gave_up, held.sent_at) == ("", {"erased": True}, "erased", None)
    assert session.exec(select(AnnouncementDelivery.outbox_id).where(
        AnnouncementDelivery.person_id == lan.id)).one() == held.id
    assert "unsent=1" in erasure.detail
