"""One scenario, played on the console, on Telegram and on Zalo: the channels cannot drift apart.

Join, a quick report, a mistake, the guided report, an evidence photo, a redelivered
update, a restart in the middle, and taking a report back — each step expecting the same
answer whatever the messenger, and the same rows in the database at the end.
"""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fake_telegram import FakeTelegram
from fake_zalo import FakeZalo
from processes import Processes, wait_until
from sqlmodel import select

from helpers import live_counts, send, totals_drift
from tocds.bot.channels import render
from tocds.handlers.messages import Choice, Incoming, Outgoing
from tocds.models import Entry, Evidence, InboxUpdate, OutboxMessage, Role
from tocds.models.invites import create_invite


class Console:
    """The handlers in this process, as `tocds chat` uses them."""

    def __init__(self, session):
        self.session = session
        self.count = 0
        self.last_message: Incoming | None = None

    def deliver(self, message: Incoming) -> list[str]:
        self.last_message = message
        return [render(r) for r in send(self.session, message, datetime.now(UTC))]

    def message(self, **fields) -> Incoming:
        self.count += 1
        return Incoming(channel="console", chat_id="u1", sender_id="u1", message_id=f"m{self.count}",
                        sender_name="Mai", **fields)

    def say(self, text: str) -> list[str]:
        return self.deliver(self.message(text=text))

    def choose(self, number: int) -> list[str]:
        return self.say(str(number))

    def photo(self) -> list[str]:
        return self.deliver(self.message(kind="photo", attachment="photo-1"))

    def redeliver(self, message) -> list[str]:
        return self.deliver(message)

    def restart(self) -> None:
        self.session.close()


class Remote:
    """`tocds run` against a fake messenger server, as a phone would use it."""

    def __init__(self, processes: Processes, fake, env: dict, session):
        self.fake, self.session = fake, session
        self.bot = processes.start("run", **env)
        self.seen = 0
        self.last_message = None

    def replies(self, expected: int = 1) -> list[str]:
        sent = self.fake.wait_sent(self.seen + expected, self.chat, timeout=20)
        new, self.seen = sent[self.seen:], len(sent)
        return [self.text(m) for m in new]

    def redeliver(self, update) -> list[str]:
        before = self.fake.sent_count(self.chat)
        self.fake.queue_update(update)
        settle(self.session)
        assert self.fake.sent_count(self.chat) == before  # stored once, applied once: no second reply
        return []

    def restart(self) -> None:
        self.bot.kill()
        self.bot.start()


class Telegram(Remote):
    chat = 501

    def text(self, message: dict) -> str:
        buttons = [b for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
        return render(Outgoing(message["text"], tuple(Choice(b["text"], b["callback_data"]) for b in buttons)))

    def say(self, text):
        self.last_message = self.fake.send_text(self.chat, text, first_name="Mai")
        return self.replies()

    def choose(self, number):
        markup = self.fake.sent(self.chat)[-1]["reply_markup"]["inline_keyboard"]
        data = [b for row in markup for b in row][number - 1]["callback_data"]
        self.last_message = self.fake.press_button(self.chat, data)
        return self.replies()

    def photo(self):
        self.last_message = self.fake.send_photo(self.chat)
        return self.replies()


class Zalo(Remote):
    chat = "6ede9afa66b88fe6a6a9"

    def text(self, message: dict) -> str:
        return message["text"]

    def say(self, text):
        self.last_message = self.fake.send_text(self.chat, text, display_name="Mai")
        return self.replies()

    def choose(self, number):
        return self.say(str(number))

    def photo(self):
        self.last_message = self.fake.send_image(self.chat, self.fake.image_url(b"\xff\xd8 a photo"))
        return self.replies()


def settle(session, timeout: float = 20) -> None:
    """Waits until every stored update is handled and every reply sent."""
    def quiet():
        session.commit()  # a fresh snapshot
        return (not session.exec(select(InboxUpdate).where(InboxUpdate.handled_at.is_(None))).first()
                and not session.exec(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))).first())

    wait_until(quiet, timeout, "the inbox and outbox to settle")


@pytest.fixture(params=["console", "telegram", "zalo"])
def messenger(request, session, commune, db_url, tmp_path) -> Iterator:
    if request.param == "console":
        yield Console(session)
        return
    processes = Processes(tmp_path, {"TOCDS_DATABASE_URL": db_url})
    fake = (FakeTelegram() if request.param == "telegram" else FakeZalo()).start()
    env = ({"TOCDS_TELEGRAM_TOKEN": fake.token, "TOCDS_TELEGRAM_API_URL": fake.api_url}
           if request.param == "telegram" else
           {"TOCDS_ZALO_TOKEN": fake.token, "TOCDS_ZALO_API_URL": fake.api_url})
    try:
        yield (Telegram if request.param == "telegram" else Zalo)(processes, fake, env, session)
    except BaseException:
        print(processes.logs())
        raise
    finally:
        processes.stop()
        fake.stop()


def test_the_same_scenario_on_every_channel(messenger, session, commune):
    village = commune.villages["Thôn Tân Hòa"]
    code = create_invite(session, village, Role.MEMBER, uses=5).code
    session.commit()
    one = lambda replies: (len(replies) == 1 and replies[0]) or replies  # noqa: E731

    assert one(messenger.say("vneid 5")).startswith("Bạn chưa tham gia.")
    assert one(messenger.say(f"/start {code}")).startswith("Chào mừng Mai! Bạn đã tham gia Thôn Tân Hòa")

    saved = one(messenger.say("hộ 3 vneid 2"))
    assert saved.startswith("✅ Đã lưu cho Thôn Tân Hòa") and "Hộ 3 · VNeID 2." in saved
    report = messenger.last_message
    assert one(messenger.say("dinh dang 1")).startswith("⚠️ Chưa lưu. Không hiểu “dinh dang”. Có phải bạn muốn viết “định danh”?")

    menu = one(messenger.say("/baocao"))
    assert menu.startswith("Báo cáo cho Thôn Tân Hòa, hôm nay. Chọn chỉ tiêu:\n1. Hộ\n2. VNeID")
    assert one(messenger.choose(2)) == "VNeID được bao nhiêu? Chọn hoặc gõ một số.\n1. 1\n2. 2\n3. 3\n4. 4\n5. 5"
    assert "\n8. Lưu\n" in one(messenger.choose(4))
    assert "VNeID 4." in one(messenger.choose(8))

    # Written as people talk: proposed, saved with one tap (a button on Telegram, a digit elsewhere).
    proposal = one(messenger.say("dạ hôm nay em hướng dẫn được 2 người cài sổ sức khỏe ạ"))
    assert proposal.startswith("Hiểu là: Sổ sức khỏe 2 (Thôn Tân Hòa, ")
    assert proposal.endswith("Lưu?\n1. Đúng, lưu\n2. Không, hủy")
    assert one(messenger.choose(1)).startswith("✅ Đã lưu cho Thôn Tân Hòa")

    assert one(messenger.photo()).startswith("📎 Đã nhận minh chứng cho Thôn Tân Hòa")

    messenger.redeliver(report)  # the first report again: applied once

    messenger.restart()
    assert "Sổ sức khỏe 1." in one(messenger.say("ssk 1"))
    assert one(messenger.say("/xoa")).endswith("Sổ sức khỏe 1?\n1. Đúng, rút lại\n2. Không, giữ lại")
    assert one(messenger.choose(1)).startswith("✅ Đã rút lại: Sổ sức khỏe 1")

    session.commit()
    assert live_counts(session) == {"ho": 3, "vneid": 6, "ssk": 2}
    assert totals_drift(session) == {}
    assert len(session.exec(select(Entry)).all()) == 4
    assert len(session.exec(select(Evidence)).all()) == 1
