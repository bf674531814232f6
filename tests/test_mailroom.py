"""The inbox and outbox with a scripted channel: stored once, handled once, retried right."""

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.exc import OperationalError
from sqlmodel import select

import tocds
from helpers import DEFAULTS, NOW, Chatter
from tocds.bot.channels import Blocked, Channel, Failed, Throttled
from tocds.bot.mailroom import MAX_HANDLING_FAILURES, Mailroom, padded
from tocds.handlers.messages import Incoming, Outgoing
from tocds.models import ChannelAccount, Entry, InboxUpdate, OutboxMessage, Person, Role
from tocds.models.invites import join
from tocds.models.mailbox import queue
from tocds.models.queries import messages_sent
from tocds.models.review import notify


class ScriptedChannel(Channel):
    """Updates are dicts {"id", "chat", "text"}; sends fail as scripted, else are recorded."""

    name = "scripted"
    secret_header = "X-Test"

    def __init__(self):
        self.sent: list[tuple[str, str]] = []
        self.failures: list[Exception] = []

    def update_key(self, payload):
        return str(payload["id"])

    def to_incoming(self, payload):
        if payload.get("ignore"):
            return None
        return Incoming(channel=self.name, chat_id=payload["chat"], sender_id=payload["chat"],
                        message_id=str(payload["id"]), text=payload["text"])

    async def fetch(self):
        return []

    async def send(self, chat_id, message: Outgoing):
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((chat_id, message.text))


class Clock:
    def __init__(self):
        self.now = NOW

    def __call__(self):
        return self.now


@pytest.fixture
def channel():
    return ScriptedChannel()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def mailroom(db_url, clock):
    return Mailroom(db_url, DEFAULTS, clock=clock)


@pytest.fixture
def member(session, commune):
    person = Person(name="Lan")
    session.add(person)
    session.flush()
    session.add(ChannelAccount(person_id=person.id, channel="scripted", external_id="c1"))
    join(session, person, commune.villages["Thôn Tân Hòa"], Role.MEMBER)
    session.commit()
    return person


def update(n, text="vneid 1", chat="c1", **extra):
    return {"id": n, "chat": chat, "text": text, **extra}


def run(coroutine):
    return asyncio.run(coroutine)


def test_an_update_is_stored_once(mailroom, channel, session):
    assert len(mailroom.store(channel, [update(1), update(2)])) == 2
    assert mailroom.store(channel, [update(2), update(3)]) != []
    assert len(session.exec(select(InboxUpdate)).all()) == 3


def test_handling_marks_the_update_and_writes_the_reply_in_one_go(mailroom, channel, session, member):
    mailroom.store(channel, [update(1, "vneid 4")])
    assert run(mailroom.handle_all(channel)) == 1
    assert run(mailroom.handle_all(channel)) == 0  # nothing left: applied once
    row = session.exec(select(InboxUpdate)).one()
    assert row.handled_at is not None
    reply = session.exec(select(OutboxMessage)).one()
    assert (reply.chat_id, reply.inbox_id, reply.sent_at) == ("c1", row.id, None)
    assert reply.payload["text"].startswith("✅ Đã lưu")
    assert len(session.exec(select(Entry)).all()) == 1


def test_an_ignored_update_is_marked_handled_without_reply(mailroom, channel, session):
    mailroom.store(channel, [update(1, ignore=True)])
    run(mailroom.handle_all(channel))
    assert session.exec(select(InboxUpdate)).one().handled_at is not None
    assert session.exec(select(OutboxMessage)).all() == []


def test_replies_are_sent_once_in_order(mailroom, channel, session, member):
    mailroom.store(channel, [update(1, "vneid 1"), update(2, "vneid 2"), update(3, "/khong", chat="c2")])
    run(mailroom.handle_all(channel))
    assert run(mailroom.deliver_due(channel)) == 3
    assert run(mailroom.deliver_due(channel)) == 0
    mine = [text for chat, text in channel.sent if chat == "c1"]
    assert len(mine) == 2
    assert "VNeID 1." in mine[0] and "VNeID 2." in mine[1]
    assert all(r.sent_at is not None for r in session.exec(select(OutboxMessage)).all())


def test_a_throttled_reply_waits_and_holds_back_the_chat(mailroom, channel, session, member, clock):
    mailroom.store(channel, [update(1, "vneid 1"), update(2, "vneid 2")])
    run(mailroom.handle_all(channel))
    channel.failures = [Throttled(7)]
    run(mailroom.deliver_due(channel))
    assert channel.sent == []
    rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert {r.next_attempt_at for r in rows} == {NOW + timedelta(seconds=7)}
    assert run(mailroom.deliver_due(channel)) == 0  # not due yet
    clock.now = NOW + timedelta(seconds=7)
    assert run(mailroom.deliver_due(channel)) == 2
    assert len(channel.sent) == 2 and "VNeID 1." in channel.sent[0][1]


def test_a_temporary_failure_is_retried_with_backoff(mailroom, channel, session, member, clock):
    mailroom.store(channel, [update(1)])
    run(mailroom.handle_all(channel))
    channel.failures = [Failed("502", temporary=True)]
    run(mailroom.deliver_due(channel))
    session.expire_all()
    row = session.exec(select(OutboxMessage)).one()
    assert (row.attempts, row.sent_at, row.next_attempt_at) == (1, None, NOW + timedelta(seconds=2))
    clock.now = NOW + timedelta(seconds=2)
    run(mailroom.deliver_due(channel))
    assert len(channel.sent) == 1


def test_a_permanent_failure_is_given_up(mailroom, channel, session, member):
    mailroom.store(channel, [update(1)])
    run(mailroom.handle_all(channel))
    channel.failures = [Failed("400 bad request", temporary=False)]
    run(mailroom.deliver_due(channel))
    row = session.exec(select(OutboxMessage)).one()
    assert row.gave_up == "400 bad request"
    assert run(mailroom.deliver_due(channel)) == 0


def test_a_chat_that_blocked_the_bot_is_marked_and_skipped(mailroom, channel, session, member):
    mailroom.store(channel, [update(1), update(2, "vneid 2")])
    run(mailroom.handle_all(channel))
    channel.failures = [Blocked("403")]
    run(mailroom.deliver_due(channel))
    session.expire_all()
    assert {r.gave_up for r in session.exec(select(OutboxMessage)).all()} == {"blocked"}
    account = session.exec(select(ChannelAccount).where(ChannelAccount.external_id == "c1")).one()
    assert account.blocked_at == NOW
    assert channel.sent == []


def test_a_lease_keeps_a_second_sender_off_until_it_expires(mailroom, channel, session, member, clock):
    mailroom.store(channel, [update(1)])
    run(mailroom.handle_all(channel))
    assert len(mailroom.claim(channel)) == 1  # a process claims it, then dies
    assert mailroom.claim(channel) == []
    clock.now = NOW + timedelta(seconds=61)
    assert len(mailroom.claim(channel)) == 1


def test_console_chats_are_unaffected(session, commune):
    # The console channel goes through the same handlers without the mailroom.
    lan = Chatter(session, "Lan", [commune.villages["Thôn Tân Hòa"]], Role.MEMBER)
    assert lan.say("vneid 1").startswith("✅")


class FlakyDatabase(ScriptedChannel):
    """Handling fails with a database error the first `failing` times."""

    def __init__(self, failing: int):
        super().__init__()
        self.failing = failing

    def to_incoming(self, payload):
        if self.failing > 0:
            self.failing -= 1
            raise OperationalError("SELECT 1", {}, Exception("database is locked"))
        return super().to_incoming(payload)


def test_a_database_failure_keeps_the_update_for_a_retry(mailroom, session, member):
    flaky = FlakyDatabase(failing=2)
    mailroom.store(flaky, [update(1, "vneid 3")])
    for _ in range(2):
        with pytest.raises(OperationalError):
            run(mailroom.handle_all(flaky))
    assert run(mailroom.handle_all(flaky)) == 1
    session.commit()  # a fresh snapshot
    assert session.exec(select(InboxUpdate)).one().failures == 2
    assert len(session.exec(select(Entry)).all()) == 1


def test_an_update_that_keeps_failing_is_answered_with_an_apology(mailroom, session, member):
    flaky = FlakyDatabase(failing=100)
    mailroom.store(flaky, [update(1, "vneid 3"), update(2, "vneid 4")])
    for _ in range(4):
        with pytest.raises(OperationalError):
            run(mailroom.handle_all(flaky))
    flaky.failing = 1  # the fifth failure gives update 1 up; update 2 then goes through
    assert run(mailroom.handle_all(flaky)) == 1
    session.commit()
    replies = [r.payload["text"] for r in session.exec(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert replies[0].startswith("Xin lỗi, bot chưa lưu được lúc này.")
    assert session.get(InboxUpdate, 1).gave_up.startswith("OperationalError")
    assert replies[1].startswith("✅ Đã lưu cho Thôn Tân Hòa, ngày 25/11/2026: VNeID 4.")


class Unreadable(ScriptedChannel):
    """An update whose mapping raises: a payload shaped as the messenger never was before."""

    def to_incoming(self, payload):
        if payload.get("unreadable"):
            raise KeyError("from")
        return super().to_incoming(payload)


def test_an_update_that_cannot_be_mapped_is_given_up_and_the_next_ones_go_on(mailroom, session, member):
    channel = Unreadable()
    mailroom.store(channel, [update(1, unreadable=True), update(2, "vneid 4")])
    for _ in range(MAX_HANDLING_FAILURES - 1):
        with pytest.raises(KeyError):
            run(mailroom.handle_all(channel))
    assert run(mailroom.handle_all(channel)) == 1  # update 1 given up, update 2 handled
    session.commit()
    unreadable, fine = session.exec(select(InboxUpdate).order_by(InboxUpdate.id)).all()
    assert (unreadable.failures, unreadable.gave_up) == (MAX_HANDLING_FAILURES, "KeyError: 'from'")
    assert unreadable.handled_at is not None and fine.gave_up is None
    replies = [r.payload["text"] for r in session.exec(select(OutboxMessage))]
    assert len(replies) == 1 and replies[0].startswith("✅ Đã lưu")  # no chat to answer the unreadable one
    assert run(mailroom.handle_all(channel)) == 0


def test_messages_sent_are_counted_per_channel_and_day(mailroom, channel, session, member, clock):
    mailroom.store(channel, [update(1), update(2, "vneid 2")])
    run(mailroom.handle_all(channel))
    run(mailroom.deliver_due(channel))
    session.commit()
    assert messages_sent(session, NOW - timedelta(days=1)) == [("scripted", NOW.date(), 2)]
    assert messages_sent(session, NOW + timedelta(days=1)) == []


@pytest.mark.parametrize("length", range(10))
def test_an_in_list_is_padded_to_a_power_of_two_with_the_same_values(length):
    values = list(range(100, 100 + length))
    padded_values = padded(values)
    assert set(padded_values) == set(values)
    assert padded_values[:length] == values
    assert len(padded_values) == (0 if length == 0 else 1 << (length - 1).bit_length())


def test_the_nightly_job_deletes_what_the_mailroom_no_longer_needs(mailroom, channel, session, commune, member,
                                                                     clock, monkeypatch):
    from tocds.bot.settings import get_settings
    from tocds.jobs.evidence_retention import EVIDENCE_RETENTION
    from tocds.jobs.runner import run_job
    from tocds.models.announcements import Announcement, AnnouncementDelivery

    clock.now = NOW - timedelta(days=31)
    mailroom.store(channel, [update(1, "vneid 1"), update(2, ignore=True)])
    run(mailroom.handle_all(channel))
    run(mailroom.deliver_due(channel))
    announcement = Announcement(sender_id=member.id, unit_id=commune.unit.id, audience="commune", text="Họp thôn")
    receipt_read = OutboxMessage(channel="scripted", chat_id="c1", payload={"text": "Họp thôn"},
                                 created_at=clock.now, sent_at=clock.now)
    given_up = OutboxMessage(channel="scripted", chat_id="c2", payload={"text": "chặn"}, created_at=clock.now,
                             gave_up="blocked")
    session.add_all([announcement, receipt_read, given_up])
    session.flush()
    session.add(AnnouncementDelivery(announcement_id=announcement.id, person_id=member.id, channel="scripted",
                                     outbox_id=receipt_read.id))
    session.commit()
    clock.now = NOW - timedelta(days=1)
    mailroom.store(channel, [update(3, "vneid 3")])
    run(mailroom.handle_all(channel))
    run(mailroom.deliver_due(channel))
    mailroom.store(channel, [update(4, "vneid 4")])  # not handled yet
    session.add(OutboxMessage(channel="scripted", chat_id="c2", payload={"text": "chờ"}, created_at=clock.now
                              - timedelta(days=40)))  # not sent yet
    session.commit()

    monkeypatch.delenv("TOCDS_MAILROOM_KEEP_DAYS", raising=False)
    get_settings.cache_clear()
    try:
        assert run_job(session, EVIDENCE_RETENTION, commune.unit, NOW) is not None
    finally:
        get_settings.cache_clear()
    session.expire_all()
    assert sorted(r.update_key for r in session.exec(select(InboxUpdate))) == ["3", "4"]
    assert sorted(m.payload["text"][:7] for m in session.exec(select(OutboxMessage))) == ["Họp thô", "chờ", "✅ Đã lư"]
    assert mailroom.store(channel, [update(3, "vneid 3")]) == []  # a redelivery within the days kept is known


def test_keeping_the_mailroom_less_than_the_redelivery_horizon_is_refused(monkeypatch):
    from tocds.bot.settings import SettingsProblem, get_settings

    monkeypatch.setenv("TOCDS_MAILROOM_KEEP_DAYS", "1")
    get_settings.cache_clear()
    try:
        with pytest.raises(SettingsProblem, match="TOCDS_MAILROOM_KEEP_DAYS|2 or more"):
            get_settings()
    finally:
        get_settings.cache_clear()


def test_a_notice_to_a_person_is_queued_the_way_every_message_to_a_chat_is(session, member, clock):
    """One function writes a message to a chat into the outbox (`mailbox.queue`): a person's
    notice (`review.notify`) goes through it, and a chat that blocked the bot gets nothing."""
    held = clock.now + timedelta(hours=8)
    queued = queue(session, "scripted", "g1", Outgoing("Họp tổ 8 giờ").to_dict(), wait=held)
    assert notify(session, member.id, "scripted", Outgoing("Ảnh cần bổ sung").to_dict())
    session.commit()
    rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(r.chat_id, r.payload["text"], r.next_attempt_at) for r in rows] == [
        ("g1", "Họp tổ 8 giờ", held), ("c1", "Ảnh cần bổ sung", None)]
    assert rows[0].id == queued.id and rows[0].sent_at is None
    account = session.exec(select(ChannelAccount).where(ChannelAccount.person_id == member.id)).one()
    account.blocked_at = clock.now
    session.add(account)
    assert not notify(session, member.id, "scripted", Outgoing("again").to_dict())
    assert not notify(session, member.id, "zalo", Outgoing("no such chat").to_dict())
    session.commit()
    assert session.exec(select(func.count()).select_from(OutboxMessage)).one() == 2


def test_only_the_mailbox_builds_an_outbox_row():
    """Every other module queues through `mailbox.queue`, so what a queued message carries is
    decided in one place."""
    package = Path(tocds.__file__).parent
    builders = sorted(str(path.relative_to(package)) for path in package.rglob("*.py")
                      if "tests" not in path.parts and "OutboxMessage(" in path.read_text(encoding="utf-8"))
    assert builders == ["models/mailbox.py"]
