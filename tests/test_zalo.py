"""The Zalo channel (bot/channels/zalo.py) against the fake Zalo Bot API (tests/fake_zalo.py)."""

import asyncio
import json
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn
from fake_zalo import MAX_TEXT, FakeZalo
from sqlmodel import select

from helpers import DEFAULTS, fresh, live_counts
from tocds.bot.channels import Blocked, Failed, Throttled, render
from tocds.bot.channels.zalo import DEFAULT_RETRY_AFTER, ZaloChannel, ZaloClient
from tocds.bot.mailroom import Mailroom
from tocds.bot.serve import create_app
from tocds.bot.settings import Settings
from tocds.handlers.messages import Attachment, Choice, Incoming, Outgoing
from tocds.models import ChannelAccount, Evidence, Person, Role
from tocds.models.invites import join

FIXTURES = Path(__file__).parent / "fixtures" / "zalo"
LAN = "6ede9afa66b88fe6a6a9"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def run(coroutine):
    return asyncio.run(coroutine)


@pytest.fixture
def fake():
    with FakeZalo() as server:
        yield server


def client_call(fake: FakeZalo, method: str, *args, token: str | None = None, **kwargs):
    """Calls one ZaloClient method against the fake, in a fresh event loop."""
    async def go():
        async with ZaloClient(token or fake.token, fake.api_url) as client:
            return await getattr(client, method)(*args, **kwargs)
    return run(go())


def channel_call(fake: FakeZalo, method: str, *args, started: bool = True, **kwargs):
    async def go():
        channel = ZaloChannel(fake.token, fake.api_url, poll_timeout=0)
        try:
            if started:
                await channel.start()
            return channel, await getattr(channel, method)(*args, **kwargs)
        finally:
            await channel.stop()
    return run(go())


def mocked_client(handler) -> ZaloClient:
    """A client whose requests go to `handler(request) -> httpx.Response`, nowhere else."""
    return ZaloClient("1:SECRET", "http://127.0.0.1:9/bot", transport=httpx.MockTransport(handler))


# ── the client against the fake ─────────────────────────────────────────────────────────


def test_get_me(fake):
    me = client_call(fake, "get_me")
    assert me == fake.bot
    assert fake.calls[-1].method == "getMe" and fake.calls[-1].status == 200


def test_get_updates_returns_one_update_at_a_time(fake):
    first = fake.send_text(LAN, "vneid 5")
    second = fake.send_image(LAN, "https://f20-zpc.zdn.vn/jpg/1/a.jpg", caption="bdhvs 2")

    async def go():
        async with ZaloClient(fake.token, fake.api_url) as client:
            return [await client.get_updates(timeout=0) for _ in range(3)]

    got = run(go())
    assert got == [first, second, None]  # one object per poll, each handed out once
    assert isinstance(got[0]["message"]["message_id"], str)
    assert got[0]["message"]["date"] > 10**12  # milliseconds
    assert fake.calls_of("getUpdates")[0].params == {"timeout": 0}


@pytest.mark.parametrize("empty_poll", ["http", "body", "bare"])
def test_an_empty_poll_is_error_408_and_means_nothing_yet(empty_poll):
    with FakeZalo(empty_poll=empty_poll) as fake:
        assert client_call(fake, "get_updates", timeout=0) is None
        call = fake.calls_of("getUpdates")[-1]
        assert call.status == (200 if empty_poll == "body" else 408)
        if empty_poll != "bare":
            assert call.response == fixture("error_timeout")


def test_a_long_poll_wakes_as_soon_as_an_update_comes(fake):
    threading.Timer(0.3, fake.send_text, args=(LAN, "hộ 3")).start()
    started = time.monotonic()
    update = client_call(fake, "get_updates", timeout=20)
    assert update["message"]["text"] == "hộ 3"
    assert time.monotonic() - started < 10


def test_408_on_a_send_is_a_temporary_failure(fake):
    fake.fail_next("sendMessage", 408)
    with pytest.raises(Failed) as caught:
        client_call(fake, "send_message", LAN, "xin chào")
    assert caught.value.temporary


@pytest.mark.parametrize(("error_code", "http_status", "expected", "temporary"), [
    (429, None, Throttled, None),
    (500, None, Failed, True),
    (502, None, Failed, True),
    (503, None, Failed, True),
    (403, None, Blocked, None),
    (400, None, Failed, False),
    (401, None, Failed, False),
    (404, None, Failed, False),
    (426, None, Failed, False),
    # the body's error_code first, whatever the HTTP status says
    (429, 200, Throttled, None),
    (403, 200, Blocked, None),
    (503, 200, Failed, True),
    (400, 200, Failed, False),
    (400, 500, Failed, False),
    (500, 400, Failed, True),
    (-201, 200, Failed, False),  # a code we do not know: not retried
    (-201, 502, Failed, True),  # … unless the status says the server failed
])
def test_errors_become_the_typed_send_errors(fake, error_code, http_status, expected, temporary):
    fake.fail_next("sendMessage", error_code, http_status=http_status)
    with pytest.raises(expected) as caught:
        client_call(fake, "send_message", LAN, "xin chào")
    if temporary is not None:
        assert caught.value.temporary is temporary
    assert fake.token not in str(caught.value)
    assert fake.sent() == []


def test_429_waits_as_long_as_the_body_says_else_five_seconds(fake):
    fake.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(Throttled) as caught:
        client_call(fake, "send_message", LAN, "a")
    assert caught.value.retry_after == 7
    fake.fail_next("sendMessage", 429)
    with pytest.raises(Throttled) as caught:
        client_call(fake, "send_message", LAN, "a")
    assert caught.value.retry_after == DEFAULT_RETRY_AFTER == 5


def test_an_error_page_that_is_not_json_is_temporary(fake):
    fake.fail_next("sendMessage", 502, raw=b"<html><body>502 Bad Gateway</body></html>")
    with pytest.raises(Failed) as caught:
        client_call(fake, "send_message", LAN, "a")
    assert caught.value.temporary


def test_a_bad_token_is_a_permanent_failure_that_does_not_show_the_token(fake):
    with pytest.raises(Failed) as caught:
        client_call(fake, "get_me", token="999:WRONGTOKEN")
    assert not caught.value.temporary
    assert "WRONGTOKEN" not in str(caught.value)


def test_network_errors_are_temporary_and_do_not_show_the_token():
    fake = FakeZalo().start()
    fake.stop()  # nothing listens on that port any more
    with pytest.raises(Failed) as caught:
        client_call(fake, "send_message", LAN, "a")
    assert caught.value.temporary
    assert fake.token not in str(caught.value) and caught.value.__cause__ is None


def test_a_timeout_is_temporary(fake):
    async def go():
        async with ZaloClient(fake.token, fake.api_url) as client:
            await client.call("getUpdates", {"timeout": 5}, timeout=0.2)

    with pytest.raises(Failed) as caught:
        run(go())
    assert caught.value.temporary


def test_the_fake_refuses_a_text_over_2000_characters(fake):
    with pytest.raises(Failed) as caught:
        client_call(fake, "send_message", LAN, "x" * (MAX_TEXT + 1))
    assert not caught.value.temporary
    assert fake.calls[-1].response["error_code"] == 400
    client_call(fake, "send_message", LAN, "x" * MAX_TEXT)
    assert fake.texts(LAN) == ["x" * MAX_TEXT]


def test_send_message_request_and_answer_are_zalo_shaped(fake):
    shape = fixture("send_message")
    result = client_call(fake, "send_message", shape["request"]["chat_id"], shape["request"]["text"])
    call = fake.calls_of("sendMessage")[-1]
    assert call.params == shape["request"]
    assert json.loads(call.raw_body) == shape["request"]
    assert set(result) == set(shape["response"]["result"])
    assert isinstance(result["message_id"], str)


def test_send_photo_and_chat_action(fake):
    client_call(fake, "send_photo", LAN, "https://tocds.example/c/9f2e.png", "Tuần 48")
    client_call(fake, "send_chat_action", LAN, "typing")
    assert fake.sent(LAN)[0]["photo"] == "https://tocds.example/c/9f2e.png"
    assert fake.texts(LAN) == ["Tuần 48"]
    assert fake.calls_of("sendChatAction")[0].params == {"chat_id": LAN, "action": "typing"}


def test_webhook_calls(fake):
    async def go():
        async with ZaloClient(fake.token, fake.api_url) as client:
            await client.set_webhook("https://tocds.example/zalo", "s3cret-s3cret")
            info = await client.get_webhook_info()
            await client.delete_webhook()
            return info, await client.get_webhook_info()

    before, after = run(go())
    assert before["url"] == "https://tocds.example/zalo" and after["url"] == ""


# ── what the client does with answers the fake never gives ──────────────────────────────


def test_fixture_answers_read_by_the_client():
    answers = {"getMe": (200, fixture("get_me")), "getUpdates": (200, fixture("error_timeout")),
               "sendMessage": (200, fixture("error_throttled"))}

    def handler(request: httpx.Request) -> httpx.Response:
        status, body = answers[request.url.path.rsplit("/", 1)[1]]
        return httpx.Response(status, json=body)

    async def go():
        async with mocked_client(handler) as client:
            me = await client.get_me()
            update = await client.get_updates(timeout=1)
            with pytest.raises(Throttled) as caught:
                await client.send_message(LAN, "a")
            return me, update, caught.value

    me, update, throttled = run(go())
    assert me["display_name"] == "TOCDS Bot" and update is None and throttled.retry_after == 7


def test_a_list_from_get_updates_loses_no_update():
    updates = [fixture("text"), fixture("sticker")]
    requests = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json={"ok": True, "result": updates})

    async def go():
        async with mocked_client(handler) as client:
            return [await client.get_updates(1), await client.get_updates(1)]

    assert run(go()) == updates
    assert len(requests) == 1
    assert requests[0].url.path == "/bot1:SECRET/getUpdates"


# ── the channel: updates in ─────────────────────────────────────────────────────────────


@pytest.fixture
def channel():
    zalo = ZaloChannel("1:SECRET", "http://127.0.0.1:9/bot")
    zalo.username = "TOCDS Bot"
    return zalo


def test_text(channel):
    assert channel.to_incoming(fixture("text")) == Incoming(
        channel="zalo", chat_id=LAN, sender_id=LAN, message_id="2d758cb5e222177a4a35",
        sender_name="Lan", text="vneid 5 bdhvs 3", is_group=False, kind="text", attachment=None,
    )


def test_image_with_photo_url(channel):
    incoming = channel.to_incoming(fixture("image_photo_url"))
    assert (incoming.kind, incoming.text) == ("photo", "vneid 2 hôm qua")
    assert incoming.attachment == "https://f20-zpc.zdn.vn/jpg/2403217768953826436/8f1c2b3a4d5e.jpg"


def test_image_with_photo_and_no_caption(channel):
    incoming = channel.to_incoming(fixture("image_photo"))
    assert (incoming.kind, incoming.text, incoming.sender_name) == ("photo", "", "Minh")
    assert incoming.attachment == "https://f21-zpc.zdn.vn/jpg/5512836620034127715/0a9b8c7d6e5f.jpg"


@pytest.mark.parametrize("name", ["sticker", "voice", "unsupported"])
def test_stickers_voice_and_the_rest_are_other(channel, name):
    incoming = channel.to_incoming(fixture(name))
    assert (incoming.kind, incoming.text, incoming.attachment) == ("other", "", None)
    assert (incoming.chat_id, incoming.sender_name) == (LAN, "Lan")


def test_group_message_mentioning_the_bot(channel):
    incoming = channel.to_incoming(fixture("group_text"))
    assert incoming.is_group
    assert (incoming.chat_id, incoming.sender_id) == ("51d0e6a3c2b9f8e7d6c5", "9a8b7c6d5e4f3a2b1c0d")
    assert incoming.sender_name == "Chị Hoa"  # from `name`
    assert incoming.text == "/tiendo"  # the mention of the bot taken off


def test_an_unknown_kind_of_message_gets_the_polite_answer(channel):
    incoming = channel.to_incoming(fixture("unknown_event"))  # message.location.received
    assert (incoming.kind, incoming.text, incoming.attachment) == ("other", "", None)
    assert channel.to_incoming({"event_name": "user.joined", "message": {"message_id": "1"}}) is None


def test_other_bots_and_empty_messages_are_ignored(channel):
    assert channel.to_incoming(fixture("from_bot")) is None
    assert channel.to_incoming({"event_name": "message.text.received"}) is None


def test_ids_are_strings(channel):
    update = fixture("text")
    update["message"].update(message_id=123, chat={"id": 456, "chat_type": "PRIVATE"},
                             **{"from": {"id": 456, "display_name": "Lan"}})
    incoming = channel.to_incoming(update)
    assert (incoming.chat_id, incoming.sender_id, incoming.message_id) == ("456", "456", "123")


def test_a_wrapped_webhook_body_is_unwrapped(channel):
    body = fixture("webhook_wrapped")
    update = channel.unwrap(body)
    assert update == body["result"]
    assert channel.unwrap(update) is update  # a bare update stays as it is
    incoming = channel.to_incoming(update)
    assert (incoming.kind, incoming.text) == ("photo", "minh chứng thôn Tân Hòa")
    assert channel.update_key(update) == "message.image.received:c6d7e8f9a0b1c2d3e456"
    with pytest.raises(KeyError):  # an error body is no update: the webhook answers 400
        channel.update_key(channel.unwrap(fixture("error_timeout")))


def test_update_key_is_event_and_message_id(channel):
    text = fixture("text")
    assert channel.update_key(text) == "message.text.received:2d758cb5e222177a4a35"
    assert channel.update_key(json.loads(json.dumps(text))) == channel.update_key(text)
    other_event = {**text, "event_name": "message.unsupported.received"}
    assert channel.update_key(other_event) != channel.update_key(text)
    without_id = {"event_name": "message.text.received", "message": {"text": "hộ 1"}}
    assert channel.update_key(without_id) == channel.update_key(json.loads(json.dumps(without_id)))
    assert channel.update_key(without_id) != channel.update_key(
        {"event_name": "message.text.received", "message": {"text": "hộ 2"}})
    with pytest.raises(KeyError):
        channel.update_key({"message": text["message"]})


def test_every_fake_update_maps(fake):
    fake.send_text(LAN, "vneid 1")
    fake.send_image(LAN, "https://f20-zpc.zdn.vn/jpg/1/a.jpg", field="photo")
    fake.send_sticker(LAN)
    fake.send_voice(LAN)
    fake.send_unsupported(LAN)
    fake.send_text("9a8b7c6d5e4f3a2b1c0d", "ho 2", chat_type="GROUP", display_name="Hoa")

    async def go():
        channel = ZaloChannel(fake.token, fake.api_url, poll_timeout=0)
        try:
            await channel.start()
            batches = [await channel.fetch() for _ in range(7)]
            return channel, batches
        finally:
            await channel.stop()

    channel, batches = run(go())
    assert [len(b) for b in batches] == [1, 1, 1, 1, 1, 1, 0]  # one update per poll, then none
    kinds = [channel.to_incoming(b[0]).kind for b in batches[:6]]
    assert kinds == ["text", "photo", "other", "other", "other", "text"]
    assert channel.to_incoming(batches[1][0]).attachment == "https://f20-zpc.zdn.vn/jpg/1/a.jpg"
    group = channel.to_incoming(batches[5][0])
    assert group.is_group and group.chat_id != group.sender_id == "9a8b7c6d5e4f3a2b1c0d"
    assert len({channel.update_key(b[0]) for b in batches[:6]}) == 6


# ── the channel: start, set-up and replies ──────────────────────────────────────────────


def test_start_learns_the_bots_name(fake):
    channel, _ = channel_call(fake, "use_polling")
    assert channel.username == "TOCDS Bot"
    with FakeZalo(display_name="", account_name="", bot_id="7c1e5a9b3d2f4e6a8b0c") as nameless:
        channel, _ = channel_call(nameless, "use_polling")
        assert channel.username == "7c1e5a9b3d2f4e6a8b0c"


def test_polling_needs_the_webhook_deleted(fake):
    channel_call(fake, "use_webhook", "https://tocds.example/zalo", "s3cret-s3cret")
    assert fake.webhook["secret_token"] == "s3cret-s3cret"
    with pytest.raises(Failed):
        channel_call(fake, "fetch")  # getUpdates is refused while a webhook is set
    fake.send_text(LAN, "vneid 1")
    channel_call(fake, "use_polling")
    assert fake.webhook is None
    _, fetched = channel_call(fake, "fetch")
    assert fetched[0]["message"]["text"] == "vneid 1"


def test_a_webhook_secret_must_suit_zalo(fake):
    with pytest.raises(ValueError, match="8 to 256"):
        channel_call(fake, "use_webhook", "https://tocds.example/zalo", "short")
    assert fake.calls_of("setWebhook") == []


def test_a_short_reply_with_choices_is_one_message_as_the_console_shows_it(fake):
    message = Outgoing("Lấy lại báo cáo VNeID 5?", (Choice("Có, lấy lại", "yes"), Choice("Không", "no")))
    channel_call(fake, "send", LAN, message, started=False)
    assert fake.texts(LAN) == [render(message)]
    assert fake.texts(LAN)[0].splitlines()[1:] == ["1. Có, lấy lại", "2. Không"]


def test_a_long_reply_is_split_at_line_ends_with_the_choices_last(fake):
    lines = [f"Thôn số {n:03d}: VNeID {n * 7} · BDHVS {n * 3} · hộ {n * 11}".ljust(88, ".") for n in range(50)]
    text = "\n".join(lines)
    assert len(text) > 4400
    message = Outgoing(text, (Choice("Xuất bảng tính", "x"), Choice("Xem xếp hạng", "r"), Choice("Thôi", "c")))
    channel_call(fake, "send", LAN, message, started=False)
    parts = fake.texts(LAN)
    assert len(parts) == 3
    assert all(len(part) <= MAX_TEXT for part in parts)
    assert "\n".join(parts) == render(message)  # cut only at line ends, nothing lost or added
    assert all(set(part.splitlines()) <= set(lines) for part in parts[:-1])
    assert parts[-1].endswith("\n1. Xuất bảng tính\n2. Xem xếp hạng\n3. Thôi")


def test_the_choices_stay_together_when_the_text_fills_its_last_part(fake):
    text = "\n".join(["a" * 999, "b" * 990])  # 1990 characters: no room left for the choices
    message = Outgoing(text, (Choice("Có", "yes"), Choice("Không", "no")))
    channel_call(fake, "send", LAN, message, started=False)
    assert fake.texts(LAN) == [text, "1. Có\n2. Không"]


def test_a_single_line_over_the_limit_is_cut(fake):
    channel_call(fake, "send", LAN, Outgoing("x" * 4500), started=False)
    assert [len(part) for part in fake.texts(LAN)] == [2000, 2000, 500]


def test_choices_without_text(fake):
    channel_call(fake, "send", LAN, Outgoing("", (Choice("A", "a"), Choice("B", "b"))), started=False)
    assert fake.texts(LAN) == ["1. A\n2. B"]


@pytest.mark.parametrize("published", [True, False])
def test_a_picture_without_text_sends_no_text(fake, tmp_path, published):
    """Monday's chart: the picture by its link where files are published, else nothing."""
    from tocds.bot.published import Publisher

    chart = Outgoing("", attachment=Attachment("picture", "tocds-xa-2026-W48.png", b"\x89PNG chart"))

    async def go():
        publisher = Publisher(tmp_path, "https://tocds.example/", "s3cret-s3cret") if published else None
        channel = ZaloChannel(fake.token, fake.api_url, publisher=publisher)
        try:
            await channel.send(LAN, chart)
        finally:
            await channel.stop()

    run(go())
    assert [m["_method"] for m in fake.sent(LAN)] == (["sendPhoto"] if published else [])


def test_a_picture_zalo_holds_goes_again_by_its_url_and_another_messengers_file_id_never_shows(fake):
    """An announcement's photo sent from Zalo: the picture by its own URL, with no publisher; a
    reference that is no Zalo picture (a Telegram document's id) is never sent as text."""
    url = "https://photo-stal.zdn.vn/bot/lich-tiem.jpg"
    photo = Outgoing("📢 Lịch tiêm", (Choice("✅ Đã nhận", "ack:1"),), Attachment("picture", "announcement-1", ref=url))
    channel_call(fake, "send", LAN, photo, started=False)
    document = Outgoing("📢 Công văn", attachment=Attachment("file", "announcement-2", ref="BQACAgIAAxkBAAIB"))
    channel_call(fake, "send", LAN, document, started=False)
    assert [(m["_method"], m.get("photo") or m.get("text")) for m in fake.sent(LAN)] == [
        ("sendPhoto", url), ("sendMessage", "📢 Lịch tiêm\n1. ✅ Đã nhận"), ("sendMessage", "📢 Công văn")]


def test_sending_to_a_chat_that_blocked_the_bot(fake):
    fake.block(LAN)
    with pytest.raises(Blocked):
        channel_call(fake, "send", LAN, Outgoing("nhắc báo cáo"), started=False)


# ── through the mailroom and the webhook server ─────────────────────────────────────────


@pytest.fixture
def zalo_member(session, commune):
    person = Person(name="Lan")
    session.add(person)
    session.flush()
    session.add(ChannelAccount(person_id=person.id, channel="zalo", external_id=LAN))
    join(session, person, commune.villages["Thôn Tân Hòa"], Role.MEMBER)
    session.commit()
    return person


def test_polling_a_report_and_answering_a_choice_with_a_digit(fake, db_url, session, zalo_member, commune):
    async def go():
        mailroom = Mailroom(db_url, DEFAULTS)
        channel = ZaloChannel(fake.token, fake.api_url)
        await channel.start()
        await channel.use_polling()
        tasks = [asyncio.create_task(mailroom.poll_forever(channel)),
                 asyncio.create_task(mailroom.deliver_forever(channel))]
        try:
            update = fake.send_text(LAN, "vneid 5")
            fake.queue_update(json.loads(json.dumps(update)))  # Zalo delivered it twice
            first = (await asyncio.to_thread(fake.wait_sent, 1, LAN))[0]["text"]
            fake.send_text(LAN, "/xoa")
            question = (await asyncio.to_thread(fake.wait_sent, 2, LAN))[1]["text"]
            fake.send_text(LAN, "1")
            answer = (await asyncio.to_thread(fake.wait_sent, 3, LAN))[2]["text"]
            await asyncio.sleep(0.3)  # time for a reply to the duplicate, were there one
            return first, question, answer
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await channel.stop()

    first, question, answer = run(go())
    assert first.startswith("✅")
    assert "\n1. " in question and "\n2. " in question
    assert len(fake.sent(LAN)) == 3  # the duplicate was applied once and answered once
    assert live_counts(session).get("vneid", 0) == 0  # "1" chose "take it back"
    assert answer


def test_webhook_server_takes_bare_and_wrapped_updates(fake, db_url):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    secret = "webhook-s3cret-for-tests"
    settings = Settings(database_url=db_url, zalo_token=fake.token, zalo_api_url=fake.api_url,
                        webhook_url=f"http://127.0.0.1:{port}", webhook_secret=secret)
    url = f"http://127.0.0.1:{port}/zalo"

    async def go():
        channel = ZaloChannel(settings.zalo_token, settings.zalo_api_url)
        server = uvicorn.Server(uvicorn.Config(create_app(settings, [channel]), log_level="warning",
                                               access_log=False))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            while not server.started:
                await asyncio.sleep(0.02)
            refused = await asyncio.to_thread(fake.post_webhook, url, fixture("text"), "wrong-secret")
            bare = await asyncio.to_thread(fake.post_webhook, url, fixture("text"), secret)
            again = await asyncio.to_thread(fake.post_webhook, url, fixture("text"), secret, True)
            wrapped = await asyncio.to_thread(fake.post_webhook, url, fixture("image_photo"), secret, True)
            not_update = await asyncio.to_thread(fake.post_webhook, url, fixture("error_timeout"), secret)
            fake.send_text("0a1b2c3d4e5f60718293", "xin chào")
            delivered = await asyncio.to_thread(fake.deliver_webhook)
            await asyncio.to_thread(fake.wait_sent, 3)
            await asyncio.sleep(0.3)  # time for a reply to the duplicate, were there one
            return refused, bare, again, wrapped, not_update, delivered
        finally:
            server.should_exit = True
            await task

    refused, bare, again, wrapped, not_update, delivered = run(go())
    assert fake.calls_of("setWebhook")[0].params == {"url": url, "secret_token": secret}
    assert [refused[0], bare[0], again[0], wrapped[0], not_update[0]] == [403, 200, 200, 200, 400]
    assert delivered == [200]
    # not joined: each person gets one short answer, the duplicate none
    assert sorted(m["chat_id"] for m in fake.sent()) == sorted([LAN, "3f9c1d2e8b7a6c5d4e3f", "0a1b2c3d4e5f60718293"])


# ── the office and a leader on Zalo, through `tocds serve` as a process ──────────────────

HA, CHU_TICH = "a0b1c2d3e4f5a6b7c8d9", "d9c8b7a6f5e4d3c2b1a0"
SECRET = "zalo-webhook-s3cret"


def zalo_person(session, unit, user_id: str, name: str, role: Role) -> Person:
    person = Person(name=name)
    session.add(person)
    session.flush()
    session.add(ChannelAccount(person_id=person.id, channel="zalo", external_id=user_id))
    join(session, person, unit, role)
    session.commit()
    return person


def say(fake: FakeZalo, user_id: str, text: str, replies: int = 1) -> list[str]:
    before = len(fake.sent(user_id))
    fake.send_text(user_id, text)
    assert fake.deliver_webhook() == [200]
    return [m.get("text") or m.get("photo") for m in fake.wait_sent(before + replies, user_id)[before:]]


def test_progress_review_and_export_on_zalo(fake, session, commune, zalo_member, db_url, tmp_path):
    """A leader's /tiendo, the office's /duyet round-trip (the member is told why) and
    `/xuat 2026-Q4`, whose spreadsheet Zalo gets as a signed link that `tocds serve` answers."""
    from processes import Processes, free_port, wait_until

    zalo_person(session, commune.unit, HA, "Hà", Role.OFFICE)
    zalo_person(session, commune.unit, CHU_TICH, "Chủ tịch", Role.LEADER)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    procs = Processes(tmp_path, {"TOCDS_DATABASE_URL": db_url})
    try:
        server = procs.start("serve", TOCDS_ZALO_TOKEN=fake.token, TOCDS_ZALO_API_URL=fake.api_url,
                             TOCDS_WEBHOOK_URL=base, TOCDS_WEBHOOK_SECRET=SECRET, TOCDS_LISTEN=f"127.0.0.1:{port}",
                             TOCDS_EVIDENCE_DIR=str(tmp_path / "files"))
        def up() -> bool:  # the webhook is registered before the server listens: wait for both
            try:
                return fake.webhook is not None and httpx.get(f"{base}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(lambda: up() or not server.alive, 30, "tocds serve to listen")
        assert server.alive, server.log()

        photo = b"\xff\xd8 the photo of Lan's evidence"
        fake.send_image(LAN, fake.image_url(photo), caption="vneid 4")
        assert fake.deliver_webhook() == [200]
        assert fake.wait_sent(1, LAN)[0]["text"].startswith("✅ Đã lưu cho Thôn Tân Hòa")
        # Kept means recorded: the file is written before its row says where it is.
        wait_until(lambda: fresh(session).exec(select(Evidence.stored_path)).one() is not None, 20, "the photo kept")
        assert (tmp_path / "files" / fresh(session).exec(select(Evidence.stored_path)).one()).read_bytes() == photo

        # An indicator named: its trend picture too, which Zalo takes by a signed link, then the text.
        [trend, progress] = say(fake, CHU_TICH, "tiến độ vneid", replies=2)
        assert trend.startswith(f"{base}/files/") and httpx.get(trend, timeout=10).content.startswith(b"\x89PNG")
        assert progress.splitlines()[0].startswith("📊 Xã Đồng Phú — tuần") and "VNeID: tuần này 4" in progress

        [picture, item] = say(fake, HA, "/duyet", replies=2)  # Zalo takes pictures by URL: a signed link
        assert picture.startswith(f"{base}/files/") and httpx.get(picture, timeout=10).content == photo
        assert item.startswith("🔎 Minh chứng chờ duyệt: 1\nThôn Tân Hòa") and item.endswith("\n4. Dừng")
        [why] = say(fake, HA, "2")
        assert why.startswith("Thành viên cần hoàn thiện gì?") and "\n1. Ảnh bị mờ" in why
        marked = say(fake, HA, "1", replies=2)
        assert marked == ["⏳ Đã chuyển sang “Chờ hoàn thiện”; Lan sẽ nhận được lý do.",
                          "Không có minh chứng nào chờ duyệt. 👍"]
        wait_until(lambda: len(fake.sent(LAN)) == 2, 20, "the member told")
        assert fake.sent(LAN)[1]["text"].endswith("cần hoàn thiện (Chờ hoàn thiện): Ảnh bị mờ\nGửi ảnh mới để hoàn thiện.")

        [export] = say(fake, HA, "/xuat 2026-Q4")
        head, link_line = export.rsplit("\n", 1)
        assert head.startswith("Xã Đồng Phú, kỳ 2026-Q4 (01/10/2026–31/12/2026)")
        name, link = link_line.removeprefix("📎 ").split(": ", 1)
        assert name == "tocds-xa-dong-phu-2026-Q4.xlsx" and link.startswith(f"{base}/files/")
        got = httpx.get(link, timeout=10)
        assert got.status_code == 200 and got.content[:2] == b"PK"  # an XLSX is a zip
        forged = link.replace("/files/", "/files/0", 1)[:-1]
        assert httpx.get(forged, timeout=10).status_code == 404
    finally:
        procs.stop()
        print(procs.logs())


def test_a_published_link_works_until_it_expires_and_only_as_signed(tmp_path):
    from tocds.bot.published import LIFETIME, Expired, NotPublished, Publisher

    publisher = Publisher(tmp_path, "https://tocds.example/", "s3cret-s3cret")
    link = publisher.publish("tocds-xa-2026-Q4.xlsx", b"PK spreadsheet", now=1_000_000)
    digest, expires, signature, name = link.removeprefix("https://tocds.example/files/").split("/")
    assert int(expires) == 1_000_000 + LIFETIME
    assert publisher.open(digest, expires, signature, name, now=1_000_001).read_bytes() == b"PK spreadsheet"
    with pytest.raises(Expired):
        publisher.open(digest, expires, signature, name, now=1_000_000 + LIFETIME + 1)
    for forged in ((digest, str(int(expires) + 3600), signature, name), (digest, expires, signature, "other.xlsx"),
                   ("0" * 64, expires, signature, name), ("../../etc", expires, signature, name)):
        with pytest.raises(NotPublished):
            publisher.open(*forged, now=1_000_001)
    other_secret = Publisher(tmp_path, "https://tocds.example/", "another-secret")
    with pytest.raises(NotPublished):
        other_secret.open(digest, expires, signature, name, now=1_000_001)
    # The next publication, a week and a day later, deletes the file no link names any more.
    publisher.publish("chart.png", b"\x89PNG", now=1_000_000 + LIFETIME + 86_400)
    assert not (tmp_path / digest).exists() and len(list(tmp_path.iterdir())) == 1
