"""`/thongbao`: announcements from the office, through the handlers, with receipts, the
reminder the sender picks, the delivery report; end to end through the fake Telegram and Zalo."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fake_zalo import FakeZalo
from processes import wait_until
from sqlalchemy import update
from sqlmodel import Session, select

from helpers import DEFAULTS, NOW, Chatter, fresh, incoming, make_commune, make_province, send
from tocds.bot.channels import render
from tocds.bot.mailroom import Mailroom
from tocds.jobs import JOBS
from tocds.jobs.announcement_reminders import units_due
from tocds.jobs.runner import run_job
from tocds.models import Announcement, AnnouncementReceipt, ChannelAccount, OutboxMessage, Person, Role
from tocds.models.db import get_writer
from tocds.models.invites import join

EVENING = NOW + timedelta(hours=10)  # 22:00 in Vietnam: quiet hours
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def team(session):
    commune = make_commune(session)
    office = Chatter(session, "Hà", [commune.unit], Role.OFFICE)
    lan = Chatter(session, "Lan", [commune.villages["Thôn Tân Hòa"]], Role.MEMBER)
    tu = Chatter(session, "Tư", [commune.villages["Thôn Tân Hòa"]], Role.VILLAGE_LEADER)
    hung = Chatter(session, "Hùng", [commune.villages["Thôn Phú Lợi"]], Role.MEMBER)
    return commune, office, {"lan": lan, "tu": tu, "hung": hung}


def announced(session) -> list[OutboxMessage]:
    """The announcement's outbox rows (not replies to the sender)."""
    return [row for row in fresh(session).exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
            if row.payload["text"].startswith(("📢 Thông báo", "📢 Announcement", "🔔"))]


def test_the_office_announces_to_the_whole_commune(session):
    _, office, _ = team(session)
    assert "Thông báo tới ai?" in office.say("/thongbao")
    assert "Nhập nội dung thông báo" in office.say("1")
    preview = office.say("Tập huấn thứ Bảy, 7:30, tại nhà văn hóa")
    assert "3 người, 3 cuộc trò chuyện (Console 3)" in preview
    assert "“Tập huấn thứ Bảy, 7:30, tại nhà văn hóa”" in preview
    assert "Khẩn" not in preview  # noon: no quiet hours
    assert "Đã gửi tới 3 cuộc trò chuyện" in office.say("1")
    rows = announced(session)
    assert {row.chat_id for row in rows} == {"lan", "tu", "hung"}
    assert all(row.next_attempt_at is None for row in rows)
    assert rows[0].payload["text"] == "📢 Thông báo của Xã Đồng Phú (Hà):\nTập huấn thứ Bảy, 7:30, tại nhà văn hóa"
    assert [c["data"] for c in rows[0].payload["choices"]] == [f"ack:{fresh(session).exec(select(Announcement.id)).one()}"]


def test_team_leaders_only_and_chosen_villages(session):
    commune, office, _ = team(session)
    office.say("/thongbao")
    office.say("2")
    assert "1 người" in office.say("Họp tổ trưởng chiều nay")
    office.say("1")
    assert {row.chat_id for row in announced(session)} == {"tu"}
    office.say("/thongbao")
    office.say("3")
    assert "Đã chọn: Thôn Phú Lợi" in office.say("2")
    assert "Đã chọn: Thôn Tân Hòa, Thôn Phú Lợi" in office.say("1")
    assert "Đã chọn: Thôn Tân Hòa\n" in office.say("2") + "\n"  # chosen again: taken off
    office.say("Thôn Phú Lợi")
    office.say("Xong")
    assert "Gửi tới Thôn Tân Hòa, Thôn Phú Lợi: 3 người" in office.say("Họp dân")


def test_a_village_named_with_the_command(session):
    _, office, _ = team(session)
    assert "Nhập nội dung" in office.say("/thongbao Phú Lợi")
    assert "1 người" in office.say("Nộp số liệu trước ngày 10")
    office.say("1")
    assert {row.chat_id for row in announced(session)} == {"hung"}
    assert "không phải thôn của bạn" in office.say("/thongbao Thôn Không Có")


def test_quiet_hours_hold_it_until_morning_unless_urgent(session):
    _, office, _ = team(session)
    office.say("/thongbao", EVENING)
    office.say("1", EVENING)
    preview = office.say("Mai nghỉ họp", EVENING)
    assert "Đang giờ nghỉ (21:00–06:30): thông báo sẽ gửi lúc 06:30" in preview and "Khẩn" in preview
    office.say("1", EVENING)
    morning = {row.next_attempt_at for row in announced(session)}
    assert len(morning) == 1 and (morning.pop() - EVENING) == timedelta(hours=8, minutes=30)
    office.say("/thongbao", EVENING)
    office.say("1", EVENING)
    office.say("Bão đang đến, không ra đồng", EVENING)
    office.say("2", EVENING)  # urgent
    assert [row.next_attempt_at for row in announced(session)[3:]] == [None] * 3


def test_people_removed_after_the_preview_get_nothing(session):
    _, office, people = team(session)
    office.say("/thongbao")
    office.say("1")
    assert "3 người" in office.say("Họp dân")
    people["hung"].say("/roi")
    people["hung"].say("1")
    fresh(session)
    office.say("1")
    assert {row.chat_id for row in announced(session)} == {"lan", "tu"}


def ack_data(session) -> str:
    return f"ack:{fresh(session).exec(select(Announcement.id).order_by(Announcement.id.desc())).first()}"


def sent_one(session, office) -> str:
    office.say("/thongbao")
    office.say("1")
    office.say("Tập huấn thứ Bảy")
    return office.say("1")


def test_acknowledged_once_when_tapped_twice_or_from_two_messengers(session):
    _, office, people = team(session)
    lan = fresh(session).exec(select(Person).where(Person.name == "Lan")).one()
    session.add(ChannelAccount(person_id=lan.id, channel="telegram", external_id="5001"))
    session.commit()
    sent_one(session, office)
    assert {row.channel for row in announced(session) if row.chat_id in ("lan", "5001")} == {"console", "telegram"}
    tap = incoming("5001", "", "tap-1", channel="telegram", choice=ack_data(session))
    assert "văn phòng biết bạn đã nhận" in render(send(session, tap)[0])
    again = incoming("5001", "", "tap-2", channel="telegram", choice=ack_data(session))
    assert "Bạn đã xác nhận rồi" in render(send(session, again)[0])
    assert "Bạn đã xác nhận rồi" in people["lan"].say("1")  # on the console: the numbered answer
    receipts = fresh(session).exec(select(AnnouncementReceipt)).all()
    assert sum(1 for r in receipts if r.acknowledged_at) == 1
    assert [r.acknowledged_on for r in receipts if r.acknowledged_at] == ["telegram"]
    status = office.say("/thongbao") and office.say(str(len(office.last[-1].choices)))
    assert "Đã nhận (1): Lan" in status and "Chưa nhận (2): Hùng, Tư" in status


def test_a_typed_acknowledgement_and_one_after_leaving(session):
    _, office, people = team(session)
    sent_one(session, office)
    assert "văn phòng biết bạn đã nhận" in people["tu"].say("đã nhận")
    people["hung"].say("/roi")
    people["hung"].say("1")
    assert "văn phòng biết bạn đã nhận" in people["hung"].say("1")
    office.say("/thongbao")
    status = office.say("4")
    assert "Đã nhận (2): Hùng, Tư" in status and "Chưa nhận (1): Lan" in status
    assert "Đã gửi nhắc tới 1 người" in office.say("1")
    reminder = announced(session)[-1]
    assert reminder.chat_id == "lan" and reminder.payload["text"].startswith("🔔")
    office.say("/thongbao")
    assert "Đã nhắc ngày" in office.say("4")


def test_each_button_acknowledges_its_own_announcement_and_the_reminders_is_the_same(session):
    commune, office, people = team(session)
    sent_one(session, office)
    first = ack_data(session)
    office.say("/thongbao")
    office.say("1")
    office.say("Nộp số liệu trước thứ Sáu")
    office.say("1")
    second = ack_data(session)
    assert "văn phòng biết bạn đã nhận" in render(send(session, incoming("lan", "", "old-tap", choice=first))[0])
    assert "văn phòng biết bạn đã nhận" in people["lan"].say("đã nhận")  # typed: the newest not yet acknowledged
    assert "Bạn đã xác nhận rồi" in people["lan"].say("1")
    office.say("/thongbao")
    office.say("4")  # the latest one's status
    office.say("1")  # remind now: Tư and Hùng
    reminder = next(row for row in announced(session) if row.chat_id == "tu" and row.payload["text"].startswith("🔔"))
    assert reminder.payload["choices"][0]["data"] == second
    tap = incoming("tu", "", "reminder-tap", choice=second)
    assert "văn phòng biết bạn đã nhận" in render(send(session, tap)[0])
    assert "văn phòng biết bạn đã nhận" in people["tu"].say("đã nhận")  # typed: the first, not yet acknowledged
    assert "Bạn đã xác nhận rồi" in people["tu"].say("1")
    acknowledged = fresh(session).exec(select(AnnouncementReceipt.announcement_id, Person.name)
                                       .join(Person, Person.id == AnnouncementReceipt.person_id)
                                       .where(AnnouncementReceipt.acknowledged_at.is_not(None))).all()
    ids = {first: int(first[4:]), second: int(second[4:])}
    assert sorted(acknowledged) == sorted([(ids[first], "Lan"), (ids[second], "Lan"), (ids[first], "Tư"),
                                           (ids[second], "Tư")])


def test_taps_from_two_messengers_at_the_same_moment_count_once(session, db_url):
    _, office, _ = team(session)
    on_messenger(session, "Lan", "telegram", "5001")
    sent_one(session, office)
    taps = [incoming("5001", "", "tap-telegram", channel="telegram", choice=ack_data(session)),
            incoming("lan", "đã nhận", "typed-console")]
    start = threading.Barrier(len(taps))
    answers: list[str] = []

    def tap(message) -> None:
        with Session(get_writer(db_url)) as own:
            start.wait()
            answers.append(render(send(own, message)[0]))

    threads = [threading.Thread(target=tap, args=(message,)) for message in taps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answer[:12] for answer in answers) == ["Bạn đã xác n", "✅ Cảm ơn bạn"]
    receipts = fresh(session).exec(select(AnnouncementReceipt).where(AnnouncementReceipt.acknowledged_at.is_not(None))).all()
    assert len(receipts) == 1 and receipts[0].acknowledged_on in ("telegram", "console")


def test_a_member_cannot_announce(session):
    _, _, people = team(session)
    assert "không dành cho vai trò của bạn" in people["lan"].say("/thongbao")


def test_a_province_office_announces_to_its_communes_offices_and_leaders(session):
    ours = make_commune(session)
    other = make_commune(session, "Xã Bên Cạnh", {"Thôn Láng Giềng": (10, 40, 30, 32)})
    province = make_province(session, "Tỉnh Đồng Nai", [ours, other])
    Chatter(session, "Hà", [ours.unit], Role.OFFICE)
    Chatter(session, "Nam", [other.unit], Role.LEADER)
    Chatter(session, "Lan", [ours.villages["Thôn Tân Hòa"]], Role.MEMBER)
    sender = Chatter(session, "Sở", [province], Role.PROVINCE_OFFICE)
    assert "1. văn phòng và lãnh đạo các xã\n2. mọi thành viên trong tỉnh" in sender.say("/thongbao")
    sender.say("1")
    assert "2 người" in sender.say("Báo cáo quý trước ngày 5")
    sender.say("1")
    assert {row.chat_id for row in announced(session)} == {"ha", "nam"}
    sender.say("/thongbao")
    sender.say("2")
    assert "3 người" in sender.say("Tuần sau cập nhật VNeID")


def test_the_reminder_question_lapses_so_a_later_1_acknowledges_what_the_sender_received(session):
    """On Zalo and the console `1` is both a question's first answer and "Đã nhận": the office
    leaves the reminder question unanswered, the province's announcement reaches it an hour
    later, and its `1` acknowledges that one, not "remind in 1 day"."""
    commune = make_commune(session)
    province = make_province(session, "Tỉnh Đồng Nai", [commune])
    office = Chatter(session, "Hà", [commune.unit], Role.OFFICE)
    Chatter(session, "Lan", [commune.villages["Thôn Tân Hòa"]], Role.MEMBER)
    sender = Chatter(session, "Sở", [province], Role.PROVINCE_OFFICE)
    assert "1. Nhắc sau 1 ngày" in sent_one(session, office)
    ours = fresh(session).exec(select(Announcement).where(Announcement.unit_id == commune.unit.id)).one()
    later = NOW + timedelta(hours=1)
    sender.say("/thongbao", later)
    sender.say("1", later)
    sender.say("Báo cáo quý trước ngày 5", later)
    sender.say("1", later)
    assert "văn phòng biết bạn đã nhận" in office.say("1", later + timedelta(minutes=5))
    theirs = fresh(session).exec(select(Announcement).where(Announcement.unit_id == province.id)).one()
    receipt = fresh(session).exec(select(AnnouncementReceipt).where(
        AnnouncementReceipt.announcement_id == theirs.id)).one()
    assert receipt.acknowledged_at is not None
    assert fresh(session).get(Announcement, ours.id).remind_at is None
    # Within the half hour the question is answered as asked.
    assert "nhắc" in sent_one(session, office).lower()
    assert "⏰" in office.say("1", NOW + timedelta(minutes=10))


# Questions to the office ------------------------------------------------------------------


def office_desk(session):
    """The commune, its office with its chat subscribed, and a member."""
    commune, office, people = team(session)
    office.say("/nhantin")
    return commune, office, people


def to_office(session) -> list[OutboxMessage]:
    return [row for row in fresh(session).exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
            if row.payload["text"].startswith(("❓", "💬"))]


def test_a_member_writes_to_the_office_and_gets_the_answer(session):
    _, office, people = office_desk(session)
    assert "Đã gửi cho văn phòng xã" in people["lan"].say("nhắn văn phòng: app VNeID báo lỗi, không đăng nhập được")
    question = to_office(session)[-1]
    assert question.chat_id == "ha"
    assert question.payload["text"].startswith("❓ Câu hỏi 1 của Lan (Thôn Tân Hòa):\napp VNeID báo lỗi, không đăng nhập được")
    waiting = office.say("/hoi")
    assert "1. 25/11 · Lan (Thôn Tân Hòa): app VNeID báo lỗi" in waiting
    assert "Đã gửi câu trả lời cho Lan" in office.say("/traloi 1 Chị cài lại ứng dụng rồi thử lại nhé")
    answer = to_office(session)[-1]
    assert answer.chat_id == "lan" and "Chị cài lại ứng dụng rồi thử lại nhé" in answer.payload["text"]
    assert "Không có câu hỏi nào đang chờ" in office.say("/hoi")
    assert "đã được trả lời ngày" in office.say("/traloi 1 lần nữa")


def test_ask_command_words_and_the_offer(session):
    _, office, people = office_desk(session)
    assert "Bạn muốn nhắn gì" in people["hung"].say("/hoi")
    assert "Đã gửi cho văn phòng xã" in people["hung"].say("Thôn em mất điện, chiều nay không họp được")
    offered = people["tu"].say("chiều nay ai đi họp giúp em với")
    assert "Gửi cho văn phòng xã?" in offered
    assert "Đã gửi cho văn phòng xã" in people["tu"].say("1")
    assert [row.payload["text"].split("\n")[1] for row in to_office(session)] == [
        "Thôn em mất điện, chiều nay không họp được", "chiều nay ai đi họp giúp em với"]
    assert "Gửi cho văn phòng xã?" in people["lan"].say("hôm nay trời đẹp quá")
    assert "Chưa gửi" in people["lan"].say("2")
    assert len(to_office(session)) == 2


def test_another_communes_office_cannot_answer(session):
    _, office, people = office_desk(session)
    people["lan"].say("/hoi Khi nào tập huấn?")
    other = make_commune(session, "Xã Bên Cạnh", {"Thôn Láng Giềng": (10, 40, 30, 32)})
    stranger = Chatter(session, "Cán Bộ Lạ", [other.unit], Role.OFFICE)
    assert "Không có câu hỏi 1" in stranger.say("/traloi 1 Không biết")
    assert "Khi nào tập huấn" not in stranger.say("/hoi")
    assert "1. 25/11 · Lan" in office.say("/hoi")


def test_the_office_answers_with_telegrams_reply(session):
    _, office, people = office_desk(session)
    people["lan"].say("/hoi Khi nào tập huấn?")
    copy = to_office(session)[-1].payload["text"]
    reply = incoming("ha", "Thứ Bảy, 7:30 chị nhé", "reply-1", replying_to=copy)
    assert render(send(session, reply)[0]) == "✅ Đã gửi câu trả lời cho Lan."
    answer = to_office(session)[-1]
    assert answer.chat_id == "lan" and answer.payload["text"].endswith("Thứ Bảy, 7:30 chị nhé")
    # a member replying to the same copy (in the office's group) answers nothing
    member_reply = incoming("tu", "ok", "reply-2", chat_id="nhom-van-phong", replying_to=copy)
    send(session, member_reply)
    assert to_office(session)[-1].id == answer.id


def test_telegram_maps_a_reply_to_the_text_it_answers():
    from fake_telegram import FakeTelegram

    from tocds.bot.channels.telegram import TelegramChannel

    with FakeTelegram() as fake:
        channel = TelegramChannel(fake.token, fake.api_url)
        copy = {"message_id": 7, "date": 0, "chat": {"id": 900, "type": "group"}, "text": "❓ Câu hỏi 3 của Lan"}
        update = fake.send_text(41, "Được chị", chat_id=900, chat_type="group", reply_to_message=copy)
        assert channel.to_incoming(update).replying_to == "❓ Câu hỏi 3 của Lan"
        assert channel.to_incoming(fake.send_text(41, "vneid 5")).replying_to == ""


def test_announcements_are_in_the_audit_trail(session):
    _, office, _ = team(session)
    sent_one(session, office)
    assert "Hà · Xã Đồng Phú: thông báo tới cả xã (3 người): “Tập huấn thứ Bảy”" in office.say("/nhatky")


# Photos and documents --------------------------------------------------------------------


def on_messenger(session, name: str, channel: str, user_id: str) -> None:
    person = fresh(session).exec(select(Person).where(Person.name == name)).one()
    session.add(ChannelAccount(person_id=person.id, channel=channel, external_id=user_id))
    session.commit()


def say_on(session, channel: str, user_id: str, text: str = "", when=NOW, **extra) -> str:
    """A message (or a button's `choice`) from a private chat on `channel`; the replies rendered."""
    message_id = f"m{len(fresh(session).exec(select(OutboxMessage)).all())}-{text[:8]}-{extra.get('choice')}"
    return "\n".join(render(reply) for reply in send(session, incoming(user_id, text, message_id, channel=channel,
                                                                      **extra), when))


FILES = {  # the sender's messenger, what they send → its reference, what a chat there gets
    "telegram photo": ("telegram", "photo", "AgACAgIAAxkBAAIBZ2VmZmlsZV9pZA", "picture", "ảnh"),
    "telegram document": ("telegram", "document", "BQACAgIAAxkBAAIBaGRvY3VtZW50", "file", "tệp"),
    "zalo photo": ("zalo", "photo", "https://photo-stal.zdn.vn/bot/lich-tiem.jpg", "picture", "ảnh"),
}


@pytest.mark.parametrize("case", FILES)
def test_a_photo_or_document_goes_to_its_messengers_chats_and_a_note_elsewhere(session, case):
    channel, kind, ref, sent_as, word = FILES[case]
    _, office, _ = team(session)
    on_messenger(session, "Hà", channel, "ha-1")
    on_messenger(session, "Lan", channel, "lan-1")
    say_on(session, channel, "ha-1", "/thongbao")
    say_on(session, channel, "ha-1", "1")
    preview = say_on(session, channel, "ha-1", "Lịch tiêm chủng tháng 12", kind=kind, attachment=ref)
    assert f"4 cuộc trò chuyện (Console 3, {channel.capitalize()} 1)" in preview
    assert (f"📎 Kèm {word}. 3 cuộc trò chuyện ngoài {channel.capitalize()} chỉ nhận phần chữ, kèm lời báo là "
            "có tệp đính kèm.") in preview
    assert "Đã gửi tới 4 cuộc trò chuyện" in say_on(session, channel, "ha-1", "1")
    announcement = fresh(session).exec(select(Announcement)).one()
    assert (announcement.channel, announcement.chat_id, announcement.file_kind, announcement.file_ref) == (
        channel, "ha-1", kind, ref)
    payloads = {row.chat_id: row.payload for row in announced(session)}
    assert payloads["lan-1"]["text"] == "📢 Thông báo của Xã Đồng Phú (Hà):\nLịch tiêm chủng tháng 12"
    assert payloads["lan-1"]["attachment"] == {"kind": sent_as, "name": f"announcement-{announcement.id}",
                                               "content": "", "ref": ref}
    assert [c["data"] for c in payloads["lan-1"]["choices"]] == [f"ack:{announcement.id}"]
    for console_chat in ("lan", "tu", "hung"):
        assert "attachment" not in payloads[console_chat]
        assert payloads[console_chat]["text"] == (
            f"📢 Thông báo của Xã Đồng Phú (Hà):\nLịch tiêm chủng tháng 12\n📎 Thông báo có kèm một {word} "
            "không gửi được qua đây: cần thì hỏi văn phòng.")


def test_a_photo_without_a_caption_is_an_announcement_too(session):
    _, office, people = team(session)
    on_messenger(session, "Hà", "telegram", "ha-1")
    say_on(session, "telegram", "ha-1", "/thongbao")
    say_on(session, "telegram", "ha-1", choice="a:leaders")
    preview = say_on(session, "telegram", "ha-1", "", kind="photo", attachment="AgAC-cong-van")
    assert preview.startswith("Gửi tới chỉ các tổ trưởng: 1 người, 1 cuộc trò chuyện (Console 1).\n📎 Kèm ảnh. "
                              "1 cuộc trò chuyện ngoài Telegram")
    assert "“" not in preview
    say_on(session, "telegram", "ha-1", choice="send")
    [row] = announced(session)
    assert row.payload["text"] == ("📢 Thông báo của Xã Đồng Phú (Hà):\n📎 Thông báo có kèm một ảnh không gửi được "
                                   "qua đây: cần thì hỏi văn phòng.")
    people["tu"].say("đã nhận")
    status = say_on(session, "telegram", "ha-1", "/thongbao") and say_on(session, "telegram", "ha-1", "4")
    assert status.startswith("📢 25/11/2026: “(ảnh)”\n") and "Đã nhận (1): Tư" in status
    assert "Hà · Xã Đồng Phú: thông báo tới chỉ các tổ trưởng (1 người): “(ảnh)”" in office.say("/nhatky")


def test_a_sticker_or_an_empty_text_is_no_announcement(session):
    _, office, _ = team(session)
    office.say("/thongbao")
    office.say("1")
    assert office.say("   ").startswith("Chỉ gửi được thông báo bằng chữ, ảnh hoặc tệp")
    assert "Gửi tới cả xã: 3 người" in office.say("Họp dân")


# The reminder the sender picks ----------------------------------------------------------------


def test_the_reminder_goes_once_after_the_days_picked_to_those_still_in_the_audience_who_have_not_acknowledged(
        session):
    commune, office, people = team(session)
    sent = sent_one(session, office)
    assert sent.endswith("Nhắc những người chưa bấm “Đã nhận”?\n1. Nhắc sau 1 ngày\n2. Nhắc sau 3 ngày\n3. Không nhắc")
    assert office.say("nhắc sau 1 ngày") == "⏰ Lúc 12:00 Thứ Năm 26/11, ai chưa bấm “Đã nhận” sẽ được nhắc một lần."
    people["lan"].say("đã nhận")
    people["hung"].say("/roi")
    people["hung"].say("1")  # removed meanwhile: no reminder
    reminders = JOBS["announcement-reminders"]
    assert run_job(session, reminders, commune.unit, NOW + timedelta(hours=23)).messages == 0  # not yet
    assert units_due(fresh(session), NOW + timedelta(days=1)) == [commune.unit.id]
    assert run_job(session, reminders, commune.unit, NOW + timedelta(days=1)).messages == 1
    reminder = announced(session)[-1]
    assert reminder.chat_id == "tu" and reminder.payload["text"].startswith(
        "🔔 Nhắc lại: bạn đọc xong hãy bấm “Đã nhận” nhé.\n📢 Thông báo của Xã Đồng Phú (Hà):\nTập huấn thứ Bảy")
    assert [c["data"] for c in reminder.payload["choices"]] == [ack_data(session)]
    assert units_due(fresh(session), NOW + timedelta(days=2)) == []
    assert run_job(session, reminders, commune.unit, NOW + timedelta(days=2)).messages == 0  # once
    status = office.say("/thongbao") and office.say("4")
    assert status.endswith("Đã nhắc ngày 26/11/2026.") and not office.last[-1].choices


def test_a_reminder_falling_in_the_quiet_hours_waits_for_the_morning(session):
    commune, office, _ = team(session)
    office.say("/thongbao", EVENING)
    office.say("1", EVENING)
    office.say("Mai nghỉ họp", EVENING)
    office.say("2", EVENING)  # urgent: now
    assert office.say("1", EVENING) == "⏰ Lúc 06:30 Thứ Sáu 27/11, ai chưa bấm “Đã nhận” sẽ được nhắc một lần."
    morning = EVENING + timedelta(days=1, hours=8, minutes=30)
    assert fresh(session).exec(select(Announcement.remind_at)).one() == morning
    assert run_job(session, JOBS["announcement-reminders"], commune.unit, morning - timedelta(minutes=1)).messages == 0
    assert run_job(session, JOBS["announcement-reminders"], commune.unit, morning).messages == 3


def test_no_reminder_then_one_from_the_status_now_held_in_the_quiet_hours(session):
    commune, office, _ = team(session)
    sent_one(session, office)
    assert office.say("không") == "Không nhắc. Gửi /thongbao để xem ai đã nhận."
    assert fresh(session).exec(select(Announcement.remind_at)).one() is None
    office.say("/thongbao")
    status = office.say("4")
    assert status.endswith("1. Nhắc ngay\n2. Nhắc sau 1 ngày\n3. Nhắc sau 3 ngày\n4. Đóng")
    assert office.say("3") == "⏰ Lúc 12:00 Thứ Bảy 28/11, ai chưa bấm “Đã nhận” sẽ được nhắc một lần."
    office.say("/thongbao", EVENING)
    status = office.say("4", EVENING)
    assert "⏰ Sẽ nhắc những người chưa nhận lúc 12:00 Thứ Bảy 28/11.\n1. Nhắc ngay" in status
    assert status.endswith("4. Không nhắc\n5. Đóng")
    assert office.say("1", EVENING) == "🔔 Đã gửi nhắc tới 3 người.\nThông báo chờ hết giờ nghỉ, 06:30 sẽ gửi."
    assert {row.next_attempt_at for row in announced(session)[3:]} == {EVENING + timedelta(hours=8, minutes=30)}
    assert run_job(session, JOBS["announcement-reminders"], commune.unit, NOW + timedelta(days=3)).messages == 0


# The delivery report ------------------------------------------------------------------------


def settle(session, rows: list[OutboxMessage], **values) -> None:
    session.execute(update(OutboxMessage).where(OutboxMessage.id.in_([row.id for row in rows])).values(**values))
    session.commit()


def reports(session) -> list[OutboxMessage]:
    return [row for row in fresh(session).exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
            if row.payload["text"].startswith("📬")]


def test_one_delivery_report_when_the_last_chat_is_sent_or_given_up_whatever_the_workers(session, db_url):
    _, office, _ = team(session)
    sent_one(session, office)
    chats = {row.chat_id: row for row in announced(session)}
    workers = [Mailroom(db_url, DEFAULTS) for _ in range(4)]
    assert workers[0].report_deliveries() == set()
    settle(session, [chats["lan"]], sent_at=NOW)
    settle(session, [chats["tu"]], gave_up="blocked")
    assert workers[1].report_deliveries() == set()  # Hùng's chat still waits
    settle(session, [chats["hung"]], sent_at=NOW)
    start = threading.Barrier(len(workers))
    found: list[set[str]] = []

    def look(worker: Mailroom) -> None:
        start.wait()
        found.append(worker.report_deliveries())

    threads = [threading.Thread(target=look, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(sorted, found)) == [[], [], [], ["console"]]
    [report] = reports(session)
    assert report.chat_id == "ha" and report.payload == {"text": (
        "📬 Thông báo “Tập huấn thứ Bảy” đã gửi xong. Tin đã gửi: 2, đã chặn bot: 1, lỗi: 0; 0 người không dùng ứng "
        "dụng nhắn tin nào.\nGửi /thongbao rồi chọn “📋 Ai đã nhận thông báo trước” để xem ai đã nhận."), "choices": []}
    assert Mailroom(db_url, DEFAULTS).report_deliveries() == set()  # a restart: no second report


def test_on_telegram_the_report_has_the_button_to_who_has_acknowledged(session, db_url):
    _, office, people = team(session)
    on_messenger(session, "Hà", "telegram", "ha-1")
    say_on(session, "telegram", "ha-1", "/thongbao")
    say_on(session, "telegram", "ha-1", choice="a:villages")
    say_on(session, "telegram", "ha-1", "Thôn Phú Lợi")
    say_on(session, "telegram", "ha-1", choice="done")
    assert "1 người, 1 cuộc trò chuyện (Console 1)" in say_on(session, "telegram", "ha-1", "Đổi lịch họp thôn")
    say_on(session, "telegram", "ha-1", choice="send")
    settle(session, announced(session), sent_at=NOW)
    assert Mailroom(db_url, DEFAULTS).report_deliveries() == {"telegram"}
    [report] = reports(session)
    announcement_id = fresh(session).exec(select(Announcement.id)).one()
    assert report.payload["choices"] == [{"label": "📋 Ai đã nhận", "data": f"seen:{announcement_id}"}]
    assert report.payload["text"] == ("📬 Thông báo “Đổi lịch họp thôn” đã gửi xong. Tin đã gửi: 1, đã chặn bot: 0, "
                                      "lỗi: 0; 0 người không dùng ứng dụng nhắn tin nào.")
    people["hung"].say("1")
    status = say_on(session, "telegram", "ha-1", choice=f"seen:{announcement_id}")
    assert "Đã nhận (1): Hùng" in status and "Chưa nhận (0)" in status
    other = say_on(session, "console", "tu", choice=f"seen:{announcement_id}")
    assert other.startswith("Nút này thuộc câu hỏi đã đóng")


# End to end: `tocds run` on the fake Telegram and the fake Zalo -------------------------------------


def messenger_person(session, unit, channel: str, user_id: str, name: str, role: Role) -> Person:
    person = Person(name=name, locale="vi")
    session.add(person)
    session.flush()
    session.add(ChannelAccount(person_id=person.id, channel=channel, external_id=user_id))
    join(session, person, unit, role)
    session.commit()
    return person


def buttons(message: dict) -> list[str]:
    return [button["callback_data"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row]


def test_a_photo_announcement_on_telegram_and_zalo_its_report_and_its_reminder(session, commune, fake, procs):
    """The office on Telegram announces a photo: Telegram members get the photo again (its file
    id) with the button, the Zalo member its text and a note, answered with `1`; two taps count
    once; the office gets the delivery report, whose button shows who has acknowledged; the
    reminder picked goes with `tocds jobs run announcement-reminders` to the one who has not."""
    ha, lan, tu, hung = 9101, 9102, 9103, "4e5f6a7b8c9d0e1f2a3b"
    messenger_person(session, commune.unit, "telegram", str(ha), "Hà", Role.OFFICE)
    messenger_person(session, commune.villages["Thôn Tân Hòa"], "telegram", str(lan), "Lan", Role.MEMBER)
    messenger_person(session, commune.villages["Thôn Tân Hòa"], "telegram", str(tu), "Tư", Role.VILLAGE_LEADER)
    messenger_person(session, commune.villages["Thôn Phú Lợi"], "zalo", hung, "Hùng", Role.MEMBER)
    with FakeZalo() as zalo:
        messengers = {"TOCDS_TELEGRAM_TOKEN": fake.token, "TOCDS_TELEGRAM_API_URL": fake.api_url,
                      "TOCDS_ZALO_TOKEN": zalo.token, "TOCDS_ZALO_API_URL": zalo.api_url}
        bot = procs.start("run", **messengers)
        wait_until(lambda: (fake.calls_of("getUpdates") and zalo.calls_of("getUpdates")) or not bot.alive, 30,
                   "both messengers polled")
        assert bot.alive, bot.log()

        fake.say(ha, "/thongbao")
        fake.press_button(ha, "a:commune")
        fake.wait_sent(2, ha)
        fake.send_photo(ha, caption="Lịch tiêm chủng tháng 12", file_id="photo-lich-tiem")
        [preview] = fake.wait_sent(3, ha)[2:]
        assert "3 người, 3 cuộc trò chuyện (Telegram 2, Zalo 1)" in preview["text"]
        assert "📎 Kèm ảnh. 1 cuộc trò chuyện ngoài Telegram chỉ nhận phần chữ" in preview["text"]
        fake.press_button(ha, "urgent" if "urgent" in buttons(preview) else "send")  # quiet hours or not
        [sent] = fake.wait_sent(4, ha)[3:]
        assert buttons(sent) == ["r:1", "r:3", "no"]
        fake.press_button(ha, "r:1")
        assert fake.wait_sent(5, ha)[4]["text"].startswith("⏰ Lúc ")

        announcement = fresh(session).exec(select(Announcement)).one()
        for member in (lan, tu):
            [photo] = fake.wait_sent(1, member)
            assert photo["_method"] == "sendPhoto" and buttons(photo) == [f"ack:{announcement.id}"]
            assert photo["caption"] == "📢 Thông báo của Xã Đồng Phú (Hà):\nLịch tiêm chủng tháng 12"
        assert {call.params["photo"] for call in fake.calls_of("sendPhoto")} == {"photo-lich-tiem"}
        [note] = zalo.wait_sent(1, hung)
        assert note["text"] == ("📢 Thông báo của Xã Đồng Phú (Hà):\nLịch tiêm chủng tháng 12\n📎 Thông báo có kèm "
                                "một ảnh không gửi được qua đây: cần thì hỏi văn phòng.\n1. ✅ Đã nhận")

        fake.press_button(lan, f"ack:{announcement.id}")
        fake.wait_sent(2, lan)
        fake.press_button(lan, f"ack:{announcement.id}", message=fake.sent(lan)[0])
        thanks, again = [m["text"] for m in fake.wait_sent(3, lan)[1:]]
        assert thanks.startswith("✅ Cảm ơn bạn") and again.startswith("Bạn đã xác nhận rồi")
        zalo.send_text(hung, "1")
        assert zalo.wait_sent(2, hung)[1]["text"].startswith("✅ Cảm ơn bạn")

        report = fake.wait_sent(6, ha, timeout=20)[5]
        assert report["text"] == ("📬 Thông báo “Lịch tiêm chủng tháng 12” đã gửi xong. Tin đã gửi: 3, đã chặn bot: 0, "
                                  "lỗi: 0; 0 người không dùng ứng dụng nhắn tin nào.")
        fake.press_button(ha, f"seen:{announcement.id}")
        [status] = fake.wait_sent(7, ha)[6:]
        assert "Đã nhận (2): Hùng, Lan\n⏳ Chưa nhận (1): Tư\n⏰ Sẽ nhắc" in status["text"]
        assert buttons(status) == ["now", "r:1", "r:3", "no", "close"]
        wait_until(lambda: len(reports(session)) == 1 and fresh(session).exec(
            select(Announcement.reported_at)).one() is not None, 10, "the report recorded once")

        remind_at = fresh(session).exec(select(Announcement.remind_at)).one()
        at = (remind_at + timedelta(minutes=1)).isoformat()
        ran = procs.run("jobs", "run", "announcement-reminders", "--commune", "Xã Đồng Phú", "--now", at, **messengers)
        assert ran.returncode == 0, ran.stderr
        minute = f"{datetime.fromisoformat(at).astimezone(ZONE):%Y-%m-%d %H:%M}"
        assert ran.stdout.startswith(f"announcement-reminders, Xã Đồng Phú, {minute}: 1 messages queued")
        [reminder] = fake.wait_sent(2, tu)[1:]
        assert reminder["_method"] == "sendPhoto" and reminder["caption"].startswith("🔔 Nhắc lại")
        assert buttons(reminder) == [f"ack:{announcement.id}"]
        again = procs.run("jobs", "run", "announcement-reminders", "--commune", "Xã Đồng Phú", "--now",
                          (remind_at + timedelta(minutes=2)).isoformat(), **messengers)
        assert ": 0 messages queued" in again.stdout
        fake.wait_idle()
        assert len(fake.sent(tu)) == 2 and len(fake.sent(lan)) == 3 and len(zalo.sent(hung)) == 2


def test_the_scheduler_runs_the_job_for_the_units_with_a_reminder_due(session, db_url):
    import asyncio

    from tocds.jobs.scheduler import Scheduler
    from tocds.models.types import utcnow

    _, office, _ = team(session)
    sent_one(session, office)
    office.say("Nhắc sau 1 ngày")
    session.execute(update(Announcement).values(remind_at=utcnow() - timedelta(minutes=1)))
    session.commit()
    woken: list[bool] = []
    scheduler = Scheduler(db_url, sent=lambda: woken.append(True))
    asyncio.run(scheduler.remind())
    asyncio.run(scheduler.remind())  # nothing due any more
    assert woken == [True]
    assert sorted(row.chat_id for row in announced(session) if row.payload["text"].startswith("🔔")) == [
        "hung", "lan", "tu"]
