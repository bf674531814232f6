"""The Telegram channel end to end: `tocds run` / `tocds serve` as real processes against
the fake Bot API server, checked by what people see and what the database holds
(DESIGN.md §5–7).

Each scenario uses its own Telegram user ids: the channel sends at most one message a
second to a private chat, so people in parallel keep the tests fast. "No reply" is
asserted once everything is settled — every update confirmed and handled, every reply
sent or given up — never after a sleep.
"""

import asyncio
import contextlib
import copy
import hashlib
import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from fake_telegram import TINY_PNG, FakeTelegram
from processes import free_port, wait_until
from sqlalchemy import func
from sqlalchemy import text as sql
from sqlmodel import Session, select

from helpers import fresh
from tocds.bot.channels import split_text
from tocds.bot.channels.telegram import MAX_TEXT, TelegramChannel
from tocds.handlers.messages import Attachment, Choice, Outgoing
from tocds.models import (
    ChannelAccount,
    ChannelBot,
    Conversation,
    Entry,
    EntryCount,
    Evidence,
    InboxUpdate,
    Invite,
    Membership,
    OutboxMessage,
    Person,
    Role,
)
from tocds.models.db import get_engine
from tocds.models.invites import create_invite, join
from tocds.models.periods import week_of

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
BOT_NAME = "tocds_test_bot"
COMMUNE = "Xã Đồng Phú"
TAN_HOA, PHU_LOI = "Thôn Tân Hòa", "Thôn Phú Lợi"
SECRET = "s3cret-Webhook_token"

EXAMPLE = "Ví dụ: hộ 12 vneid 5 bdhvs 3 — hoặc gửi /baocao để được hướng dẫn từng bước."
JOIN_HINT = "Bạn chưa tham gia. Hãy xin văn phòng xã mã mời, rồi gửi /start MÃ."
NOT_UNDERSTOOD = "Tôi chưa hiểu tin nhắn này.\n" + EXAMPLE
UNKNOWN_ABC = "Không có lệnh /abc. Gửi /trogiup để xem các lệnh."
ONLY_TEXT_AND_PHOTOS = "Tôi chỉ đọc được tin nhắn chữ và ảnh. Gửi /trogiup để xem cách báo cáo."
NO_EDITS = "Tôi không đọc tin nhắn đã sửa. Để sửa số liệu, gửi /sua."
CLOSED_BUTTON = "Nút này thuộc câu hỏi đã đóng. Gửi /trogiup để bắt đầu lại."
CANCELLED = "Đã hủy: chưa lưu gì."
BAD_CODE = "Mã mời không đúng. Hãy xin văn phòng xã mã mới, rồi gửi /start MÃ."
MENU = f"Báo cáo cho {TAN_HOA}, hôm nay. Chọn chỉ tiêu:"
HOW_MANY_VNEID = "VNeID được bao nhiêu? Chọn hoặc gõ một số."
MEMBER_HELP = "\n".join([
    "Bạn có thể:",
    "/baocao (/report) — báo cáo từng bước, bằng nút bấm",
    "/sua (/edit) — sửa một số liệu trong 15 ngày qua (/sua vneid 6)",
    "/xoa (/undo) — rút lại một báo cáo, hoặc một số liệu (/xoa cks)",
    "/khong (/none) — tuần này không có gì để báo cáo (/khong tuần trước: tuần trước)",
    "/minhchung (/evidence) — gửi ảnh minh chứng cho báo cáo của tôi",
    "/xoaanh (/unphoto) — rút lại ảnh vừa gửi (khi chưa được duyệt)",
    "/tiendo (/progress) — tiến độ so với chỉ tiêu",
    "/hoi (/ask) — nhắn cho văn phòng xã (/hoi nội dung); văn phòng: xem câu hỏi chưa trả lời",
    "/roi (/leave) — rời thôn hoặc xã",
    "/ngonngu (/lang) — Tiếng Việt / English",
    "/huy (/cancel) — thoát bước đang làm",
    "/trogiup (/help) — các việc tôi làm được",
    "",
    "Báo cáo nhanh: một tin nhắn ghi những việc đã làm.",
    EXAMPLE,
])
INDICATOR_BUTTONS = ["i:ho", "i:vneid", "i:bdhvs", "i:cks", "i:tt", "i:ssk", "i:dvc"]


# ── fixtures and helpers ─────────────────────────────────────────────────────────────────


@pytest.fixture
def today() -> date:
    """Today in Vietnam (the bot's day for a report), waiting out midnight if it is near."""
    now = datetime.now(ZONE)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), ZONE)
    if (midnight - now).total_seconds() < 120:
        time.sleep((midnight - now).total_seconds() + 1)
    return datetime.now(ZONE).date()



@pytest.fixture
def start_bot(procs, fake):
    """Starts `tocds run` against the fake; returns the process once it polls."""

    def start(**env):
        bot = procs.start("run", TOCDS_TELEGRAM_TOKEN=fake.token, TOCDS_TELEGRAM_API_URL=fake.api_url, **env)
        wait_polling(fake, bot, since=0)
        return bot

    return start


def wait_polling(fake: FakeTelegram, bot, since: int, timeout: float = 30) -> None:
    """Until the process has called getUpdates (after call index `since`); fails at once if it died."""
    fake.wait_for(lambda: fake.calls_of("getUpdates", since=since) or not bot.alive, timeout)
    assert bot.alive, f"tocds exited with {bot.returncode}:\n{bot.log()}"


def restart(fake: FakeTelegram, bot) -> None:
    mark = fake.mark()
    bot.start()
    wait_polling(fake, bot, since=mark)


def count(session: Session, model, *where) -> int:
    return fresh(session).exec(select(func.count()).select_from(model).where(*where)).one()


def settled(session: Session, fake: FakeTelegram | None = None) -> bool:
    """Every update confirmed to the fake and handled, every reply sent or given up."""
    if fake is not None and fake.pending_updates:
        return False
    return (count(session, InboxUpdate, InboxUpdate.handled_at.is_(None)) == 0
            and count(session, OutboxMessage, OutboxMessage.sent_at.is_(None),
                      OutboxMessage.gave_up.is_(None)) == 0)


def wait_settled(session: Session, fake: FakeTelegram | None = None, timeout: float = 20) -> None:
    wait_until(lambda: settled(session, fake), timeout, "the inbox and outbox to settle",
               describe=(fake.dump if fake else None))


def member(session: Session, commune, user_id: int, village: str = TAN_HOA, name: str = "Lan") -> Person:
    """A Telegram user who has joined the village as a member (what `/start CODE` leaves behind)."""
    person = Person(name=name, locale="vi")
    session.add(person)
    session.flush()
    session.add(ChannelAccount(person_id=person.id, channel="telegram", external_id=str(user_id)))
    join(session, person, commune.villages[village], Role.MEMBER)
    session.commit()
    return person


def entries(session: Session) -> list[tuple[str, str, int, dict[str, int]]]:
    """(chat id, message id, person id, {indicator: count}) of every entry, in id order."""
    fresh(session)
    result = []
    for entry in session.exec(select(Entry).order_by(Entry.id)).all():
        counts = session.exec(select(EntryCount).where(EntryCount.entry_id == entry.id)).all()
        result.append((entry.chat_id, entry.message_id, entry.person_id,
                       {c.indicator_key: c.count for c in counts}))
    return result


def saved_line(day: date, counts: str, village: str = TAN_HOA, photo: bool = False) -> str:
    line = f"✅ Đã lưu cho {village}, ngày {day:%d/%m/%Y}: {counts}."
    return line + (" 📎 Kèm ảnh minh chứng." if photo else "")


def week_prefix(day: date, village: str = TAN_HOA) -> str:
    week = week_of(day)
    return f"Tuần {week.first:%d/%m}–{week.last:%d/%m}, {village}: "


def saved(day: date, counts: str, village: str = TAN_HOA, week: str | None = None, photo: bool = False) -> str:
    """The full confirmation; the week's totals are the entry's counts unless given."""
    return saved_line(day, counts, village, photo) + "\n" + week_prefix(day, village) + (week or counts)


def buttons(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [button["callback_data"] for row in markup.get("inline_keyboard", []) for button in row]


def sticker_message(fake: FakeTelegram, user_id: int) -> dict:
    return fake.make_message(user_id, None, sticker={
        "file_id": f"sticker-{user_id}", "file_unique_id": f"st{user_id}", "type": "regular",
        "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "👍",
    })


def edited(message: dict, text: str) -> dict:
    changed = copy.deepcopy(message)
    changed["text"] = text
    changed["edit_date"] = int(time.time())
    changed.pop("entities", None)
    return {"edited_message": changed}


def channel_post(text: str) -> dict:
    return {"channel_post": {"message_id": 7, "date": int(time.time()), "text": text,
                             "chat": {"id": -1009876543210, "type": "channel", "title": "Tin xã"}}}


def nothing_stored_for(session: Session, user_id: int) -> None:
    fresh(session)
    assert count(session, ChannelAccount, ChannelAccount.external_id == str(user_id)) == 0
    assert count(session, Conversation, Conversation.sender_id == str(user_id)) == 0
    assert count(session, Entry, Entry.chat_id == str(user_id)) == 0


# ── 1. joining ───────────────────────────────────────────────────────────────────────────


def test_join_with_start_code_bad_code_and_stranger(session, commune, fake, start_bot):
    code = create_invite(session, commune.villages[TAN_HOA], Role.MEMBER, uses=3).code
    session.commit()
    start_bot()

    fake.send_text(1101, f"/start {code}", first_name="Lan")
    fake.send_text(1102, "/start NOPE2345", first_name="Huệ")
    fake.send_text(1103, "vneid 5", first_name="Khách")
    for chat in (1101, 1102, 1103):
        fake.wait_sent(1, chat)
    wait_settled(session, fake)

    assert fake.texts(1101) == [
        f"Chào mừng Lan! Bạn đã tham gia {TAN_HOA} với vai trò thành viên.\n"
        "Để báo cáo, gửi một tin như: hộ 12 vneid 5 bdhvs 3 — hoặc gửi /baocao để được hướng dẫn.\n"
        "Gửi /trogiup để xem mọi việc bạn làm được."
    ]
    assert fake.texts(1102) == [BAD_CODE]
    assert fake.texts(1103) == [JOIN_HINT]

    fresh(session)
    account = session.exec(select(ChannelAccount).where(ChannelAccount.external_id == "1101")).one()
    assert account.channel == "telegram" and account.blocked_at is None
    person = session.get(Person, account.person_id)
    assert person.name == "Lan" and person.locale == "vi"
    membership = session.exec(select(Membership).where(Membership.person_id == person.id)).one()
    assert (membership.org_unit_id, membership.role) == (commune.villages[TAN_HOA].id, Role.MEMBER)
    assert session.exec(select(Invite.uses_left).where(Invite.code == code)).one() == 2
    assert count(session, Person) == 1  # the bad code and the stranger left no one behind
    nothing_stored_for(session, 1102)
    nothing_stored_for(session, 1103)
    assert entries(session) == []


# ── 2. quick report ──────────────────────────────────────────────────────────────────────


def test_quick_report_is_saved_before_it_is_confirmed(session, commune, fake, start_bot, today):
    lan = member(session, commune, 1201)
    start_bot()

    update = fake.send_text(1201, "hộ 12 vneid 5")
    [reply] = fake.wait_sent(1, 1201)
    # The reply is out, so the entry must be committed already.
    assert entries(session) == [("1201", str(update["message"]["message_id"]), lan.id, {"ho": 12, "vneid": 5})]
    assert reply["text"] == saved(today, "Hộ 12 · VNeID 5")
    assert reply.get("reply_markup") is None

    wait_settled(session, fake)
    entry = fresh(session).exec(select(Entry)).one()
    assert (entry.village_id, entry.day, entry.channel) == (commune.villages[TAN_HOA].id, today, "telegram")
    assert fake.texts(1201) == [reply["text"]]


# ── 3. guided report with buttons ────────────────────────────────────────────────────────


def test_guided_report_with_buttons(session, commune, fake, start_bot, today):
    lan = member(session, commune, 1301)
    start_bot()

    [menu] = fake.say(1301, "/baocao")
    assert menu["text"] == MENU
    assert buttons(menu) == [*INDICATOR_BUTTONS, "cancel"]

    presses = [fake.press_button(1301, "i:vneid")]
    [question] = fake.wait_sent(2, 1301)[1:]
    assert question["text"] == HOW_MANY_VNEID
    assert buttons(question) == ["1", "2", "3", "4", "5"]

    presses.append(fake.press_button(1301, "5"))
    [draft] = fake.wait_sent(3, 1301)[2:]
    assert draft["text"] == f"{TAN_HOA} hôm nay: VNeID 5. Chọn thêm chỉ tiêu hoặc bấm Lưu."
    assert buttons(draft) == [*INDICATOR_BUTTONS, "save", "cancel"]
    labels = [b["text"] for row in draft["reply_markup"]["inline_keyboard"] for b in row]
    assert labels[1] == "VNeID ✓5" and labels[-2:] == ["Lưu", "Hủy"]

    presses.append(fake.press_button(1301, "save"))
    [done] = fake.wait_sent(4, 1301)[3:]
    assert done["text"] == saved(today, "VNeID 5")

    query_ids = [p["callback_query"]["id"] for p in presses]
    fake.wait_for(lambda: all(q in fake.callback_answers for q in query_ids))
    wait_settled(session, fake)
    assert len(fake.calls_of("answerCallbackQuery")) == 3
    assert all(c.ok for c in fake.calls_of("answerCallbackQuery"))
    for message in fake.sent(1301):
        for data in buttons(message):
            assert 1 <= len(data.encode()) <= 64
    assert entries(session) == [("1301", f"cb{query_ids[-1]}", lan.id, {"vneid": 5})]
    assert count(session, Conversation) == 0  # the conversation is over
    assert len(fake.texts(1301)) == 4


# ── 4. evidence photos ───────────────────────────────────────────────────────────────────


def test_evidence_photos(session, commune, fake, start_bot, today):
    lan = member(session, commune, 1401)
    hoa = member(session, commune, 1402, village=PHU_LOI, name="Hoa")
    start_bot()

    # A photo whose caption is a report: saved with the photo attached.
    with_caption = fake.send_photo(1401, caption="vneid 2", file_id="photo-lan-large")
    # A report, then a photo alone: evidence for that latest report.
    fake.send_text(1402, "vneid 1")
    fake.send_text(1402, "ho 3")
    alone = fake.send_photo(1402, file_id="photo-hoa-large")

    fake.wait_sent(1, 1401)
    fake.wait_sent(3, 1402)
    wait_settled(session, fake)
    assert fake.texts(1401) == [saved(today, "VNeID 2", photo=True)]
    assert fake.texts(1402) == [
        saved(today, "VNeID 1", PHU_LOI),
        saved(today, "Hộ 3", PHU_LOI, week="Hộ 3 · VNeID 1"),
        f"📎 Đã nhận minh chứng cho {PHU_LOI}, ngày {today:%d/%m/%Y}: Hộ 3. Văn phòng xã sẽ xem xét.",
    ]

    photo_sizes = with_caption["message"]["photo"]
    assert photo_sizes[-1]["file_id"] == "photo-lan-large" and photo_sizes[0]["file_id"] != "photo-lan-large"
    fresh(session)
    lan_entry = session.exec(select(Entry).where(Entry.person_id == lan.id)).one()
    hoa_entries = session.exec(select(Entry).where(Entry.person_id == hoa.id).order_by(Entry.id)).all()
    assert len(hoa_entries) == 2
    evidence = {(e.entry_id, e.person_id, e.kind, e.file_ref, e.message_id, e.status)
                for e in session.exec(select(Evidence)).all()}
    assert evidence == {
        (lan_entry.id, lan.id, "photo", "photo-lan-large", str(with_caption["message"]["message_id"]), "pending"),
        (hoa_entries[-1].id, hoa.id, "photo", "photo-hoa-large", str(alone["message"]["message_id"]), "pending"),
    }
    assert len(entries(session)) == 3  # the photo alone made no entry


def office_member(session: Session, commune, user_id: int, name: str) -> Person:
    person = Person(name=name, locale="vi")
    session.add(person)
    session.flush()
    session.add(ChannelAccount(person_id=person.id, channel="telegram", external_id=str(user_id)))
    join(session, person, commune.unit, Role.OFFICE)
    session.commit()
    return person


def test_evidence_review_round_trip(session, commune, fake, start_bot, today, tmp_path):
    """A member's photo is fetched and kept by its hash; the office sees it with /duyet,
    marks it "Chờ hoàn thiện" with a reason the member receives; a second reviewer
    pressing the old button is told it was already reviewed."""
    lan = member(session, commune, 1451)
    office_member(session, commune, 1452, "Hà")
    office_member(session, commune, 1453, "Minh")
    folder = tmp_path / "evidence-files"
    start_bot(TOCDS_EVIDENCE_DIR=str(folder))
    photo = TINY_PNG + b"lan's photo"
    fake.send_photo(1451, caption="vneid 2", file_id="photo-review", content=photo)
    fake.wait_sent(1, 1451)
    digest = hashlib.sha256(photo).hexdigest()
    wait_until(lambda: fresh(session).exec(select(Evidence.stored_path)).one() is not None, 20, "the file kept")
    kept = fresh(session).exec(select(Evidence)).one()
    assert (kept.sha256, kept.size) == (digest, len(photo))
    assert (folder / kept.stored_path).read_bytes() == photo and digest in kept.stored_path

    [item] = fake.say(1452, "/duyet")
    assert item["_method"] == "sendPhoto" and fake.calls_of("sendPhoto")[-1].files["photo"] == photo
    assert item["caption"].startswith("🔎 Minh chứng chờ duyệt: 1")
    assert f"{TAN_HOA}, ngày {today:%d/%m/%Y}: VNeID 2" in item["caption"]
    assert buttons(item) == ["ok", "redo", "skip", "stop"]
    [other_view] = fake.say(1453, "/duyet")  # a second reviewer opens the same item

    fake.press_button(1452, "redo")
    [why] = fake.wait_sent(2, 1452)[1:]
    assert why["text"].startswith("Thành viên cần hoàn thiện gì?")
    [marked, nothing_left] = fake.say(1452, "ảnh mờ, chụp lại", replies=2)
    assert marked["text"] == "⏳ Đã chuyển sang “Chờ hoàn thiện”; Lan sẽ nhận được lý do."
    assert nothing_left["text"] == "Không có minh chứng nào chờ duyệt. 👍"
    [notice] = fake.wait_sent(2, 1451)[1:]
    assert notice["text"] == (f"⏳ Minh chứng của bạn cho {TAN_HOA}, ngày {today:%d/%m/%Y}: VNeID 2 cần hoàn thiện "
                              "(Chờ hoàn thiện): ảnh mờ, chụp lại\nGửi ảnh mới để hoàn thiện.")

    fake.press_button(1453, "ok", message=other_view)
    [late, _] = fake.wait_sent(3, 1453)[1:]
    assert late["text"].startswith("Hà đã duyệt minh chứng này")
    wait_settled(session, fake)
    reviewed = fresh(session).exec(select(Evidence)).one()
    assert (reviewed.status, reviewed.review_reason, reviewed.person_id) == ("needs_completion", "ảnh mờ, chụp lại", lan.id)


def test_a_leaders_progress_and_the_offices_quarter_export(session, commune, fake, start_bot, today):
    member(session, commune, 1461)
    office_member(session, commune, 1462, "Hà")
    leader = Person(name="Chủ tịch", locale="vi")
    session.add(leader)
    session.flush()
    session.add(ChannelAccount(person_id=leader.id, channel="telegram", external_id="1463"))
    join(session, leader, commune.unit, Role.LEADER)
    session.commit()
    start_bot()
    fake.say(1461, "vneid 6")

    [progress] = fake.say(1463, "tiến độ vneid")  # one indicator: its trend's picture, the text its caption
    assert progress["_method"] == "sendPhoto" and fake.calls_of("sendPhoto")[-1].files["photo"][:4] == b"\x89PNG"
    assert progress["caption"].splitlines()[0].startswith(f"📊 {COMMUNE} — tuần")
    assert "VNeID: tuần này 6" in progress["caption"]
    assert fake.say(1463, "/tiendo vneid")[0]["caption"] == progress["caption"]

    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    [export] = fake.say(1462, f"/xuat {quarter}")
    assert export["_method"] == "sendDocument"
    assert export["caption"].startswith(f"{COMMUNE}, kỳ {quarter} (")
    upload = fake.calls_of("sendDocument")[-1]
    assert upload.file_names["document"] == f"tocds-xa-dong-phu-{quarter}.xlsx"
    assert upload.files["document"][:2] == b"PK"  # an XLSX is a zip


# ── 5. a duplicate update ────────────────────────────────────────────────────────────────


def test_duplicate_update_is_applied_once(session, commune, fake, start_bot, today):
    lan = member(session, commune, 1501)
    update = fake.send_text(1501, "vneid 3")
    fake.queue_update(copy.deepcopy(update))  # delivered twice, same update_id
    assert fake.pending_updates == 2
    start_bot()

    fake.wait_sent(1, 1501)
    wait_settled(session, fake)
    assert fake.texts(1501) == [saved(today, "VNeID 3")]
    assert entries(session) == [("1501", str(update["message"]["message_id"]), lan.id, {"vneid": 3})]
    assert count(session, InboxUpdate) == 1


# ── 6. kill -9 ───────────────────────────────────────────────────────────────────────────


def test_kill_after_a_reply_then_messages_while_down(session, commune, fake, start_bot, today):
    people = {uid: member(session, commune, uid, name=f"P{uid}") for uid in (1601, 1602, 1603)}
    bot = start_bot()

    first = fake.send_text(1601, "vneid 1")
    fake.wait_sent(1, 1601)
    bot.kill()
    assert entries(session) == [("1601", str(first["message"]["message_id"]), people[1601].id, {"vneid": 1})]

    # While it is down: a second message from the same person, and two others.
    while_down = {
        1601: fake.send_text(1601, "ho 2"),
        1602: fake.send_text(1602, "bdhvs 3"),
        1603: fake.send_text(1603, "cks 4"),
    }
    restart(fake, bot)
    fake.wait_sent(2, 1601, timeout=30)
    fake.wait_sent(1, 1602, timeout=30)
    fake.wait_sent(1, 1603, timeout=30)
    wait_settled(session, fake, timeout=30)

    expected = [("1601", str(first["message"]["message_id"]), people[1601].id, {"vneid": 1})] + [
        (str(uid), str(update["message"]["message_id"]), people[uid].id, counts)
        for (uid, update), counts in zip(while_down.items(), ({"ho": 2}, {"bdhvs": 3}, {"cks": 4}), strict=True)
    ]
    assert sorted(entries(session)) == sorted(expected)
    assert count(session, InboxUpdate) == 4
    # The first reply may go out again if the kill came between sending it and noting it
    # sent; each later message is answered exactly once.
    lan = [line.split("\n")[0] for line in fake.texts(1601)]
    assert lan.count(saved_line(today, "VNeID 1")) in (1, 2)
    assert lan.count(saved_line(today, "Hộ 2")) == 1
    assert len(lan) in (2, 3) and lan[-1] == saved_line(today, "Hộ 2")
    assert [t.split("\n")[0] for t in fake.texts(1602)] == [saved_line(today, "Học vụ số 3")]
    assert [t.split("\n")[0] for t in fake.texts(1603)] == [saved_line(today, "Chữ ký số 4")]


@contextlib.contextmanager
def replies_refused(db_url: str):
    """The database refuses outbox rows for a while: every handling transaction fails and
    rolls back (the handler writes its replies in it), while updates are still stored."""
    engine = get_engine(db_url)
    if engine.dialect.name == "postgresql":
        create = ["CREATE FUNCTION refuse_reply() RETURNS trigger LANGUAGE plpgsql AS "
                  "$$ BEGIN RAISE EXCEPTION 'replies refused by the test'; END $$",
                  "CREATE TRIGGER refuse_reply BEFORE INSERT ON outbox "
                  "FOR EACH ROW EXECUTE FUNCTION refuse_reply()"]
        drop = ["DROP TRIGGER refuse_reply ON outbox", "DROP FUNCTION refuse_reply()"]
    else:
        create = ["CREATE TRIGGER refuse_reply BEFORE INSERT ON outbox "
                  "BEGIN SELECT RAISE(ABORT, 'replies refused by the test'); END"]
        drop = ["DROP TRIGGER refuse_reply"]
    with engine.begin() as connection:
        for statement in create:
            connection.execute(sql(statement))
    try:
        yield
    finally:
        with engine.begin() as connection:
            for statement in drop:
                connection.execute(sql(statement))


def test_kill_during_a_burst_applies_everything_once(session, commune, fake, start_bot, db_url, today):
    users = list(range(1701, 1721))
    people = {uid: member(session, commune, uid, village=(TAN_HOA, PHU_LOI)[uid % 2], name=f"P{uid}")
              for uid in users}
    bot = start_bot()

    # 1. Killed while the whole burst is stored but not handled (handling keeps failing),
    #    and not yet confirmed to Telegram, which delivers it all again after the restart.
    with replies_refused(db_url):
        updates = {uid: fake.send_text(uid, f"vneid {n}") for n, uid in enumerate(users, start=1)}
        wait_until(lambda: count(session, InboxUpdate, InboxUpdate.failures > 0), 20,
                   "a handling attempt to fail", describe=bot.log)
        bot.kill()
    assert count(session, InboxUpdate, InboxUpdate.handled_at.is_(None)) == len(users)
    assert entries(session) == [] and fake.sent_count() == 0
    assert fake.pending_updates == len(users)
    restart(fake, bot)

    # 2. Killed again when about half the replies are out.
    fake.wait_for(lambda: fake.sent_count() >= len(users) // 2, timeout=20)
    bot.kill()
    restart(fake, bot)

    for uid in users:
        fake.wait_sent(1, uid, timeout=30)
    wait_settled(session, fake, timeout=30)
    expected = [
        (str(uid), str(updates[uid]["message"]["message_id"]), people[uid].id, {"vneid": n})
        for n, uid in enumerate(users, start=1)
    ]
    assert sorted(entries(session)) == sorted(expected)  # each exactly once
    assert count(session, InboxUpdate) == len(users)
    for n, uid in enumerate(users, start=1):
        village = (TAN_HOA, PHU_LOI)[uid % 2]
        lines = [t.split("\n")[0] for t in fake.texts(uid)]
        # A reply goes out twice only if it was in flight at the second kill.
        assert lines in ([saved_line(today, f"VNeID {n}", village)] * 1,
                         [saved_line(today, f"VNeID {n}", village)] * 2), (uid, lines)


# ── 7. 429 and 500 ───────────────────────────────────────────────────────────────────────


def test_throttled_and_failed_sends_are_retried(session, commune, fake, start_bot, today):
    member(session, commune, 1801)
    member(session, commune, 1802, village=PHU_LOI)
    start_bot()

    fake.fail_next("sendMessage", 429, retry_after=1)
    fake.fail_next("sendMessage", 500)
    fake.send_text(1801, "vneid 1")
    fake.wait_for(lambda: fake.calls_of("sendMessage"))  # the 429 goes to the first reply
    fake.send_text(1802, "vneid 2")

    fake.wait_sent(1, 1801, timeout=30)
    fake.wait_sent(1, 1802, timeout=30)
    wait_settled(session, fake, timeout=30)
    assert fake.texts(1801) == [saved(today, "VNeID 1")]
    assert fake.texts(1802) == [saved(today, "VNeID 2", PHU_LOI)]

    calls = fake.calls_of("sendMessage")
    assert (calls[0].params["chat_id"], calls[0].status) == (1801, 429)
    assert sorted(c.status for c in calls) == [200, 200, 429, 500]
    assert sorted(c.params["chat_id"] for c in calls if c.ok) == [1801, 1802]
    failed = next(c.params["chat_id"] for c in calls if c.status == 500)
    ok = next(c for c in calls if c.params["chat_id"] == 1801 and c.ok)
    assert ok.at - calls[0].at >= 1.0 - 0.05, "the 429's retry_after was not waited out"
    fresh(session)
    outbox = {row.chat_id: row for row in session.exec(select(OutboxMessage)).all()}
    assert sorted(outbox) == ["1801", "1802"]
    assert all(row.sent_at is not None and row.gave_up is None for row in outbox.values())
    assert outbox[str(failed)].attempts == 2  # the 500 counts as a failed attempt; the 429 does not
    [other] = {1801, 1802} - {failed}
    assert outbox[str(other)].attempts == 1


# ── 8. a user who blocked the bot ────────────────────────────────────────────────────────


def test_blocked_user(session, commune, fake, start_bot, today):
    member(session, commune, 1901)
    member(session, commune, 1902, village=PHU_LOI)
    bot = start_bot()
    fake.block(1901)

    blocked_update = fake.send_text(1901, "vneid 1")
    fake.send_text(1902, "vneid 2")
    fake.wait_sent(1, 1902)
    wait_settled(session, fake)

    fresh(session)
    row = session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == "1901")).one()
    assert row.gave_up == "blocked" and row.sent_at is None
    account = session.exec(select(ChannelAccount).where(ChannelAccount.external_id == "1901")).one()
    assert account.blocked_at is not None
    other = session.exec(select(ChannelAccount).where(ChannelAccount.external_id == "1902")).one()
    assert other.blocked_at is None
    # The report itself was saved: only the confirmation could not be delivered.
    assert ("1901", str(blocked_update["message"]["message_id"])) in [e[:2] for e in entries(session)]
    assert fake.sent_count(1901) == 0
    assert [c.status for c in fake.calls_of("sendMessage") if c.params["chat_id"] == 1901] == [403]

    # The process keeps running and answering others.
    assert bot.alive
    fake.say(1902, "ho 3")
    wait_settled(session, fake)
    assert fake.texts(1902)[-1] == saved(today, "Hộ 3", PHU_LOI, week="Hộ 3 · VNeID 2")
    assert bot.alive


# ── 9. bad input ─────────────────────────────────────────────────────────────────────────


def test_bad_input_gets_one_clear_answer_and_stores_nothing(session, commune, fake, start_bot, today):
    for uid in range(2001, 2007):
        member(session, commune, uid, name=f"P{uid}")
    start_bot()

    long_text = ("Xin chào cả nhà, hôm nay trời mưa to quá. " * 200)[:5000]
    assert len(long_text) == 5000
    fake.send_text(2001, long_text)
    fake.send_text(2002, "/abc")
    fake.send_text(2003, "🙂🙂🙂")  # (👍 is thanks: tests/test_intents_in_chat.py)
    fake.queue_update({"message": sticker_message(fake, 2004)})
    fake.queue_update(channel_post("vneid 5"))
    # A stranger: a sticker, an edit, a report — each gets the join hint, nothing is kept.
    fake.queue_update({"message": sticker_message(fake, 2101)})
    stranger_text = fake.send_text(2101, "vneid 2")
    fake.queue_update(edited(stranger_text["message"], "vneid 3"))
    # A report, then the same message edited.
    original = fake.send_text(2005, "vneid 1")
    fake.wait_sent(1, 2005)
    fake.queue_update(edited(original["message"], "vneid 9"))
    # A button of a question that was closed.
    [menu] = fake.say(2006, "/baocao")
    fake.say(2006, "/huy")
    late = fake.press_button(2006, "i:vneid", message=menu)

    fake.wait_sent(3, 2006)
    for chat, replies in {2001: 1, 2002: 1, 2003: 1, 2004: 1, 2005: 2, 2101: 3}.items():
        fake.wait_sent(replies, chat)
    fake.wait_for(lambda: late["callback_query"]["id"] in fake.callback_answers)
    wait_settled(session, fake)

    assert fake.texts(2001) == [NOT_UNDERSTOOD]
    assert fake.texts(2002) == [UNKNOWN_ABC]
    assert fake.texts(2003) == [NOT_UNDERSTOOD]
    assert fake.texts(2004) == [ONLY_TEXT_AND_PHOTOS]
    assert fake.texts(2005) == [saved(today, "VNeID 1"), NO_EDITS]
    assert fake.texts(2006) == [MENU, CANCELLED, CLOSED_BUTTON]
    assert fake.texts(2101) == [JOIN_HINT] * 3
    assert not [m for m in fake.sent() if m["chat"]["id"] < 0]  # the channel post: no reply

    # Only the one real report is stored; the edit changed nothing.
    assert [(chat, counts) for chat, _, _, counts in entries(session)] == [("2005", {"vneid": 1})]
    assert count(session, Conversation) == 0
    nothing_stored_for(session, 2101)
    assert count(session, Person) == 6


# ── 10. groups ───────────────────────────────────────────────────────────────────────────


def test_group_chat(session, commune, fake, start_bot, today):
    group = -4001
    lan = member(session, commune, 2201)
    start_bot()

    def say(user_id: int, text: str, name: str = "Lan") -> dict:
        return fake.send_text(user_id, text, chat_id=group, chat_type="group", first_name=name)

    say(2201, f"/trogiup@{BOT_NAME}")
    report = say(2201, "vneid 4")
    say(2201, "Chào cả nhà, chiều nay họp ở nhà văn hóa nhé")
    say(2201, "/trogiup@other_bot")
    say(2202, "Xin chào mọi người", name="Khách")
    fake.wait_sent(2, group)
    wait_settled(session, fake)

    assert fake.texts(group) == [MEMBER_HELP, saved(today, "VNeID 4")]
    assert fake.sent_count() == 2  # nothing went to anybody's private chat either
    assert entries(session) == [(str(group), str(report["message"]["message_id"]), lan.id, {"vneid": 4})]
    nothing_stored_for(session, 2202)
    assert count(session, Person) == 1
    assert count(session, InboxUpdate) == 5


# ── 11. command menus and join links ─────────────────────────────────────────────────────


def test_command_menus_and_the_invite_link(session, commune, fake, procs, start_bot, today):
    start_bot()
    fake.wait_for(lambda: len(fake.commands) == 4)

    private_vi = ["baocao", "sua", "xoa", "khong", "minhchung", "xoaanh", "tiendo", "tuan", "thang", "quy", "nam", "xephang",
                  "chuabaocao", "duyet", "nhatky", "moi", "thanhvien", "xuat", "baocaoky", "web", "nhantin", "thongbao",
                  "hoi", "traloi", "roi", "ngonngu", "huy", "trogiup"]
    private_en = ["report", "edit", "undo", "none", "evidence", "unphoto", "progress", "week", "month", "quarter", "year",
                  "ranking", "missing", "review", "audit", "invite", "members", "export", "periodreport", "web", "subscribe",
                  "announce", "ask", "reply", "leave", "lang",
                  "cancel", "help"]
    menus = {key: [c["command"] for c in commands] for key, commands in fake.commands.items()}
    assert menus == {
        ("all_private_chats", ""): private_vi,
        ("all_group_chats", ""): ["khong", "tiendo", "huy", "trogiup"],
        ("all_private_chats", "en"): private_en,
        ("all_group_chats", "en"): ["none", "progress", "cancel", "help"],
    }
    descriptions = {key: commands[0]["description"] for key, commands in fake.commands.items()}
    assert descriptions[("all_private_chats", "")] == "báo cáo từng bước, bằng nút bấm"
    assert descriptions[("all_private_chats", "en")] == "report step by step, with buttons"
    assert fresh(session).get(ChannelBot, "telegram").username == BOT_NAME

    result = procs.run("admin", "invite", "--commune", COMMUNE, "--village", TAN_HOA,
                       "--role", "member", "--json")
    assert result.returncode == 0, result.stderr
    invite = json.loads(result.stdout)
    assert invite["link"] == f"https://t.me/{BOT_NAME}?start={invite['code']}"
    assert {invite["org_unit"], invite["role"], invite["uses"]} == {TAN_HOA, "member", 30}

    # The deep link's /start CODE joins.
    [welcome] = fake.say(2301, f"/start {invite['code']}")
    assert welcome["text"].startswith(f"Chào mừng Lan! Bạn đã tham gia {TAN_HOA} với vai trò thành viên.")
    assert count(session, ChannelAccount, ChannelAccount.external_id == "2301") == 1


# ── 12. long texts ───────────────────────────────────────────────────────────────────────


def test_send_splits_long_texts_at_line_ends(fake):
    lines = [f"{n:03d} " + "ô" * (40 + n * 37 % 110) for n in range(103)]
    text = "\n".join(lines)
    assert len(text) >= 10_000
    choices = (Choice("Có", "yes"), Choice("Không", "no"))

    async def scenario():
        channel = TelegramChannel(fake.token, fake.api_url)
        await channel.start()
        try:
            await channel.send("2401", Outgoing(text, choices))
        finally:
            await channel.stop()

    asyncio.run(scenario())
    sent = fake.sent(2401)
    pieces = [m["text"] for m in sent]
    assert len(pieces) == 3
    assert all(len(piece) <= MAX_TEXT for piece in pieces)
    assert "\n".join(pieces) == text  # nothing lost, nothing added
    assert [line for piece in pieces for line in piece.split("\n")] == lines  # cut at line ends only
    for piece, after in zip(pieces, pieces[1:], strict=False):  # each as full as it can be
        assert len(piece) + 1 + len(after.split("\n")[0]) > MAX_TEXT
    assert [buttons(m) for m in sent] == [[], [], ["yes", "no"]]  # the keyboard with the last piece
    calls = [c for c in fake.calls_of("sendMessage") if c.ok]
    assert all(b.at - a.at >= 0.9 for a, b in zip(calls, calls[1:], strict=False)), "over one message a second"


def test_split_text_edge_cases():
    def split(text: str) -> list[str]:
        return split_text(text, MAX_TEXT)

    assert split("kết quả") == ["kết quả"]
    assert split("a" * MAX_TEXT) == ["a" * MAX_TEXT]
    assert split("a" * (MAX_TEXT + 1)) == ["a" * MAX_TEXT, "a"]
    # A single line longer than a message is cut inside the line.
    assert split("a" * 10_000) == ["a" * 4096, "a" * 4096, "a" * 1808]
    assert split("mở đầu\n" + "b" * 5000 + "\nhết") == ["mở đầu", "b" * 4096, "b" * 904 + "\nhết"]
    assert split("a\n\n" + "b" * 5000) == ["a\n", "b" * 4096, "b" * 904]
    # Two lines that just fit stay together; one more character and they part.
    assert split("a" * 2000 + "\n" + "b" * 2095) == ["a" * 2000 + "\n" + "b" * 2095]
    assert split("a" * 2000 + "\n" + "b" * 2096) == ["a" * 2000, "b" * 2096]
    assert split_text("x\ny", 3) == ["x\ny"]
    assert split_text("xy\nz", 3) == ["xy", "z"]
    assert split("") == ["…"]  # never an empty message, which Telegram refuses


# ── 13. tocds serve ──────────────────────────────────────────────────────────────────────


def post(port: int, body, secret: str | None = SECRET) -> int:
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = httpx.post(f"http://127.0.0.1:{port}/telegram", content=content,
                          headers={"Content-Type": "application/json", **headers}, timeout=10)
    return response.status_code


def healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def start_serve(procs, fake, port: int, **env):
    server = procs.start("serve", TOCDS_TELEGRAM_TOKEN=fake.token, TOCDS_TELEGRAM_API_URL=fake.api_url,
                         TOCDS_WEBHOOK_SECRET=SECRET, TOCDS_LISTEN=f"127.0.0.1:{port}", **env)
    wait_until(lambda: healthy(port) or not server.alive, 30, "GET /healthz")
    assert server.alive, f"tocds serve exited with {server.returncode}:\n{server.log()}"
    return server


def test_serve_webhook(session, commune, fake, procs, today):
    lan = member(session, commune, 2501)
    port = free_port()
    server = start_serve(procs, fake, port, TOCDS_WEBHOOK_URL="https://tocds.example.org/hooks/")
    assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json() == {"ok": True}
    assert fake.webhook["url"] == "https://tocds.example.org/hooks/telegram"
    assert fake.webhook["secret_token"] == SECRET
    assert fake.calls_of("getUpdates") == []

    update = {"update_id": 700001, "message": fake.make_message(2501, "vneid 6")}
    assert post(port, update, secret=None) == 403
    assert post(port, update, secret="wrong") == 403
    assert post(port, update, secret=SECRET + "x") == 403
    assert post(port, b"not json") == 400
    assert count(session, InboxUpdate) == 0 and entries(session) == []

    assert post(port, update) == 200
    fake.wait_sent(1, 2501)
    assert post(port, update) == 200  # Telegram delivers it again
    assert post(port, {"update_id": 700002, **channel_post("vneid 5")}) == 200
    wait_settled(session)

    assert fake.texts(2501) == [saved(today, "VNeID 6")]
    assert fake.sent_count() == 1
    assert entries(session) == [("2501", str(update["message"]["message_id"]), lan.id, {"vneid": 6})]
    fresh(session)
    assert sorted(session.exec(select(InboxUpdate.update_key)).all()) == ["700001", "700002"]
    assert count(session, OutboxMessage) == 1
    assert server.alive


def test_serve_and_run_refuse_to_start_half_configured(procs, fake):
    serve = procs.run("serve", TOCDS_TELEGRAM_TOKEN=fake.token, TOCDS_TELEGRAM_API_URL=fake.api_url,
                      TOCDS_LISTEN=f"127.0.0.1:{free_port()}")
    assert serve.returncode == 2, serve.stderr
    assert "set TOCDS_WEBHOOK_SECRET" in serve.stderr and "Traceback" not in serve.stderr

    run = procs.run("run")
    assert run.returncode == 2, run.stderr
    assert "TOCDS_TELEGRAM_TOKEN" in run.stderr and "Traceback" not in run.stderr
    assert fake.calls == []


# ── 14. two webhook workers on one PostgreSQL database ───────────────────────────────────


def test_two_serve_processes_share_the_work(session, commune, fake, procs, db_url, today):
    if not db_url.startswith("postgresql"):
        pytest.skip("several `tocds serve` workers need PostgreSQL (set TOCDS_TEST_DATABASE_URL)")
    users = list(range(2601, 2631))
    people = {uid: member(session, commune, uid, village=(TAN_HOA, PHU_LOI)[uid % 2], name=f"P{uid}")
              for uid in users}
    ports = [free_port(), free_port()]
    for port in ports:
        start_serve(procs, fake, port)
    assert fake.webhook is None  # no TOCDS_WEBHOOK_URL: a proxy set it

    updates = {uid: {"update_id": 800000 + uid, "message": fake.make_message(uid, f"vneid {n}")}
               for n, uid in enumerate(users, start=1)}
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda job: post(job[0], job[1]),
                                 [(port, update) for update in updates.values() for port in ports]))
    assert statuses == [200] * (2 * len(users))

    for uid in users:
        fake.wait_sent(1, uid, timeout=30)
    wait_settled(session, timeout=30)
    expected = [
        (str(uid), str(updates[uid]["message"]["message_id"]), people[uid].id, {"vneid": n})
        for n, uid in enumerate(users, start=1)
    ]
    assert sorted(entries(session)) == sorted(expected)
    assert count(session, InboxUpdate) == len(users)
    for n, uid in enumerate(users, start=1):
        village = (TAN_HOA, PHU_LOI)[uid % 2]
        assert [t.split("\n")[0] for t in fake.texts(uid)] == [saved_line(today, f"VNeID {n}", village)]
    assert fake.sent_count() == len(users)


def test_pictures_and_files_go_with_send_photo_and_send_document():
    with FakeTelegram() as fake:
        channel = TelegramChannel(fake.token, fake.api_url)

        async def scenario():
            await channel.start()
            try:
                await channel.send("700", Outgoing("Biểu đồ tuần", attachment=Attachment("picture", "chart.png", TINY_PNG)))
                await channel.send("701", Outgoing("Bảng tính", attachment=Attachment("file", "tuan.csv", b"a,b\n1,2\n")))
                await channel.send("702", Outgoing("x" * 3000, attachment=Attachment("file", "long.csv", b"1\n")))
            finally:
                await channel.stop()

        asyncio.run(scenario())
        photo = fake.calls_of("sendPhoto")[0]
        assert photo.params["caption"] == "Biểu đồ tuần" and photo.files["photo"] == TINY_PNG
        document = fake.calls_of("sendDocument")
        assert document[0].params["caption"] == "Bảng tính" and document[0].files["document"] == b"a,b\n1,2\n"
        assert document[0].file_names["document"] == "tuan.csv"
        # A text too long for a caption goes first, the file after it.
        assert fake.texts(702)[0] == "x" * 3000 and "caption" not in document[1].params
