"""The fake Telegram Bot API server, driven by python-telegram-bot's own client."""

import asyncio
import json
import threading
import time

import httpx
import pytest
import telegram
from fake_telegram import TINY_PNG
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter

# RetryAfter.retry_after warns about its coming timedelta type; not our concern here.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")



def run_bot(fake, scenario):
    """Runs ``await scenario(bot)`` with an initialized telegram.Bot pointed at the fake."""

    async def main():
        bot = telegram.Bot(fake.token, base_url=f"{fake.url}/bot", base_file_url=f"{fake.url}/file/bot")
        async with bot:
            return await scenario(bot)

    return asyncio.run(main())


def test_urls_and_get_me(fake):
    assert fake.url.startswith("http://127.0.0.1:")
    assert fake.api_url == f"{fake.url}/bot"

    async def scenario(bot):
        return await bot.get_me()

    me = run_bot(fake, scenario)
    assert me.is_bot and me.username == "tocds_test_bot" and me.id == 123
    assert me.can_join_groups is True
    assert [c.method for c in fake.calls] == ["getMe", "getMe"]  # Bot.initialize() calls it too
    assert all(c.status == 200 for c in fake.calls)


def test_get_updates_offset_confirms(fake):
    first = fake.send_text(42, "/start ABC")
    fake.send_text(42, "hộ 12 vneid 5")
    group = fake.send_text(43, "/tiendo@tocds_test_bot", chat_id=-100777, first_name="Sen")
    assert fake.pending_updates == 3

    async def scenario(bot):
        updates = await bot.get_updates()
        again = await bot.get_updates(offset=updates[1].update_id)  # confirms the first only
        rest = await bot.get_updates(offset=updates[-1].update_id + 1)
        return updates, again, rest

    updates, again, rest = run_bot(fake, scenario)
    assert [u.update_id for u in updates] == [first["update_id"], first["update_id"] + 1, group["update_id"]]
    start = updates[0].message
    assert isinstance(updates[0], Update)
    assert start.text == "/start ABC" and start.chat.id == 42 and start.chat.type == "private"
    assert start.from_user.first_name == "Lan" and start.from_user.language_code == "vi"
    assert [(e.type, e.offset, e.length) for e in start.entities] == [("bot_command", 0, 6)]
    assert updates[1].message.text == "hộ 12 vneid 5" and not updates[1].message.entities
    assert updates[2].message.chat.type == "supergroup" and updates[2].message.from_user.id == 43
    # message ids are per chat, shared by both sides
    assert [u.message.message_id for u in updates] == [1, 2, 1]
    assert len(again) == 2
    assert rest == () and fake.pending_updates == 0


def test_long_poll_wakes_when_an_update_arrives(fake):
    async def scenario(bot):
        timer = threading.Timer(0.2, fake.send_text, args=(7, "xin chào"))
        timer.start()
        started = time.monotonic()
        updates = await bot.get_updates(timeout=5)
        woke = time.monotonic() - started
        started = time.monotonic()
        empty = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=1)
        waited = time.monotonic() - started
        return updates, woke, empty, waited

    updates, woke, empty, waited = run_bot(fake, scenario)
    assert [u.message.text for u in updates] == ["xin chào"]
    assert woke < 2.5  # woken by the update, not by the 5 s timeout
    assert empty == () and 0.8 < waited < 3  # held for the whole timeout when nothing comes


def test_a_newer_long_poll_terminates_the_older(fake):
    """Two bot instances polling at once: Telegram ends the older poll with 409."""
    results = {}

    def poll(name):
        with httpx.Client() as client:
            results[name] = client.post(f"{fake.api_url}{fake.token}/getUpdates", json={"timeout": 5}, timeout=10)

    older = threading.Thread(target=poll, args=("older",))
    older.start()
    fake.wait_for(lambda: len(fake.calls_of("getUpdates")) == 1)
    newer = threading.Thread(target=poll, args=("newer",))
    newer.start()
    older.join(timeout=3)
    assert results["older"].status_code == 409
    assert "terminated by other getUpdates" in results["older"].json()["description"]
    fake.send_text(1, "hi")
    newer.join(timeout=3)
    assert [u["message"]["text"] for u in results["newer"].json()["result"]] == ["hi"]


def test_send_message_with_inline_keyboard_and_buttons(fake):
    fake.send_text(42, "/baocao")
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton("VNeID", callback_data="ind:vneid"), InlineKeyboardButton("Hủy", callback_data="cancel")]]
    )

    async def scenario(bot):
        sent = await bot.send_message(42, "Chọn chỉ tiêu:", reply_markup=keyboard)
        fake.press_button(42, "ind:vneid")
        updates = await bot.get_updates(offset=-1)
        query = updates[0].callback_query
        await query.answer("OK")
        with pytest.raises(BadRequest, match="(?i)query is too old"):
            await query.answer("again")
        edited = await query.edit_message_text("VNeID: bao nhiêu?")
        with pytest.raises(BadRequest, match="(?i)message is not modified"):
            await query.edit_message_text("VNeID: bao nhiêu?")
        reply = await bot.send_message(42, "Đã lưu", reply_parameters=telegram.ReplyParameters(1))
        with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
            await bot.send_message(42, "x", reply_to_message_id=999)
        return sent, query, edited, reply

    sent, query, edited, reply = run_bot(fake, scenario)
    assert sent.message_id == 2 and sent.chat.id == 42 and sent.from_user.is_bot  # 1 was the user's /baocao
    assert sent.reply_markup == keyboard
    assert query.data == "ind:vneid" and query.from_user.id == 42 and query.message.message_id == 2
    assert query.message.reply_markup == keyboard
    assert edited.text == "VNeID: bao nhiêu?" and edited.reply_markup is None
    assert reply.reply_to_message.text == "/baocao"

    messages = fake.sent(42)
    assert [m["message_id"] for m in messages] == [2, 3]
    assert messages[0]["text"] == "VNeID: bao nhiêu?"  # edits update sent() in place
    assert fake.calls_of("sendMessage")[0].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "ind:vneid"
    assert fake.texts() == ["VNeID: bao nhiêu?", "Đã lưu"]
    assert fake.sent(99) == []
    assert fake.edits(42)[0]["text"] == "VNeID: bao nhiêu?"
    assert list(fake.callback_answers.values())[0]["text"] == "OK"
    with pytest.raises(AssertionError, match="(?i)no button with callback_data"):
        fake.press_button(42, "nope", message=messages[0])


def test_telegram_limits_give_bad_request(fake):
    async def scenario(bot):
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await bot.send_message(1, "x" * 4097)
        await bot.send_message(1, "x" * 4096)
        with pytest.raises(BadRequest, match="(?i)message text is empty"):
            await bot.send_message(1, "   ")
        too_long_data = "ộ" * 22  # 22 characters, 66 bytes of UTF-8
        with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(
                1, "x", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data=too_long_data)]])
            )
        with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(
                1, "x", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="d" * 65)]])
            )
        with pytest.raises(BadRequest, match="(?i)caption is too long"):
            await bot.send_photo(1, TINY_PNG, caption="c" * 1025)
        with pytest.raises(BadRequest, match="(?i)can't parse entities"):
            await bot.send_message(1, "a <b>b", parse_mode="HTML")
        with pytest.raises(BadRequest, match="(?i)can't parse entities: Unsupported start tag"):
            await bot.send_message(1, "1 < 2", parse_mode="HTML")
        await bot.send_message(1, "<b>Thôn</b> &lt;Tân Hòa&gt; <a href='https://x.vn'>x</a>", parse_mode="HTML")
        with pytest.raises(BadRequest, match="(?i)Character '.' is reserved"):
            await bot.send_message(1, "Đã lưu.", parse_mode="MarkdownV2")
        await bot.send_message(1, r"*Đã lưu* `a.b` [x](https://x.vn/a_b) \- xong\.", parse_mode="MarkdownV2")

    run_bot(fake, scenario)
    assert [c.status for c in fake.calls[1:]] == [400, 200, 400, 400, 400, 400, 400, 400, 200, 400, 200]
    assert len(fake.sent()) == 3  # refused messages are not "sent"


def test_fail_next_maps_to_ptb_errors(fake):
    async def scenario(bot):
        fake.fail_next("sendMessage", 429, retry_after=1)
        with pytest.raises(RetryAfter) as retry:
            await bot.send_message(1, "a")
        fake.fail_next("sendMessage", 500, times=2)
        for _ in range(2):
            with pytest.raises(NetworkError) as server_error:
                await bot.send_message(1, "b")
            assert not isinstance(server_error.value, BadRequest)
        fake.fail_next("sendMessage", 403)
        with pytest.raises(Forbidden, match="(?i)blocked by the user"):
            await bot.send_message(1, "c")
        fake.fail_next("getMe", 400, description="Bad Request: custom")
        with pytest.raises(BadRequest, match="(?i)custom"):
            await bot.get_me()
        await bot.send_message(1, "d")  # the failures are used up
        return retry.value

    retry = run_bot(fake, scenario)
    assert "Retry in 1" in str(retry)
    assert [(c.method, c.status) for c in fake.calls[1:]] == [
        ("sendMessage", 429), ("sendMessage", 500), ("sendMessage", 500), ("sendMessage", 403),
        ("getMe", 400), ("sendMessage", 200),
    ]
    assert fake.calls[1].response["parameters"] == {"retry_after": 1}
    assert fake.texts() == ["d"]


def test_blocked_user_gets_forbidden(fake):
    fake.block(5)

    async def scenario(bot):
        with pytest.raises(Forbidden):
            await bot.send_message(5, "a")
        fake.unblock(5)
        await bot.send_message(5, "b")

    run_bot(fake, scenario)
    assert fake.texts(5) == ["b"]


def test_uploads_and_downloads(fake):
    photo = fake.send_photo(42, caption="ảnh", content=b"photo-bytes")
    doc = fake.send_document(42, file_name="thon.csv", content=b"a,b\n1,2\n", mime_type="text/csv")

    async def scenario(bot):
        updates = await bot.get_updates()
        photo_id = updates[0].message.photo[-1].file_id
        photo_bytes = await (await bot.get_file(photo_id)).download_as_bytearray()
        small_bytes = await (await bot.get_file(updates[0].message.photo[0].file_id)).download_as_bytearray()
        document = updates[1].message.document
        doc_bytes = await (await bot.get_file(document.file_id)).download_as_bytearray()
        sent_doc = await bot.send_document(42, b"\x00\x01report\r\n\xff", filename="bao-cao.xlsx", caption="Báo cáo")
        sent_photo = await bot.send_photo(42, TINY_PNG)
        again = await bot.send_photo(42, photo_id)  # by file_id
        back = await (await bot.get_file(sent_doc.document.file_id)).download_as_bytearray()
        with pytest.raises(BadRequest, match="(?i)invalid file_id"):
            await bot.get_file("nope")
        return updates, photo_bytes, small_bytes, document, doc_bytes, sent_doc, sent_photo, again, back

    updates, photo_bytes, small_bytes, document, doc_bytes, sent_doc, sent_photo, again, back = run_bot(fake, scenario)
    assert updates[0].message.caption == "ảnh" and updates[0].update_id == photo["update_id"]
    assert bytes(photo_bytes) == b"photo-bytes" == bytes(small_bytes)
    assert document.file_name == "thon.csv" and document.mime_type == "text/csv"
    assert bytes(doc_bytes) == b"a,b\n1,2\n" and updates[1].update_id == doc["update_id"]
    assert sent_doc.document.file_name == "bao-cao.xlsx" and sent_doc.caption == "Báo cáo"
    assert bytes(back) == b"\x00\x01report\r\n\xff"
    assert sent_photo.photo[-1].file_size == len(TINY_PNG)
    sent = fake.sent(42)
    assert sent[0]["_file_bytes"] == b"\x00\x01report\r\n\xff" and sent[0]["_file_name"] == "bao-cao.xlsx"
    assert sent[0]["caption"] == "Báo cáo" and fake.texts(42)[0] == "Báo cáo"
    assert sent[1]["_file_bytes"] == TINY_PNG
    assert sent[2]["_file_bytes"] == b"photo-bytes"
    assert fake.calls_of("sendDocument")[0].files["document"] == b"\x00\x01report\r\n\xff"
    assert len(fake.downloads) == 4


def test_webhook_blocks_get_updates(fake):
    async def scenario(bot):
        await bot.set_webhook("https://bot.example.vn/hook", secret_token="s3cret_-", drop_pending_updates=True)
        info = await bot.get_webhook_info()
        with pytest.raises(Conflict, match="(?i)webhook is active"):
            await bot.get_updates()
        with pytest.raises(BadRequest, match="(?i)secret token"):
            await bot.set_webhook("https://bot.example.vn/hook", secret_token="bad token!")
        await bot.delete_webhook()
        updates = await bot.get_updates()
        return info, updates

    fake.send_text(1, "dropped")
    fake.wait_for(lambda: fake.pending_updates == 1)
    info, updates = run_bot(fake, scenario)
    assert info.url == "https://bot.example.vn/hook" and info.pending_update_count == 0
    assert updates == ()
    assert fake.webhook is None
    assert fake.calls_of("setWebhook")[0].params["secret_token"] == "s3cret_-"


def test_webhook_is_recorded(fake):
    run_bot(fake, lambda bot: bot.set_webhook("https://h.vn/x", secret_token="abc", allowed_updates=["message"]))
    assert fake.webhook["url"] == "https://h.vn/x" and fake.webhook["secret_token"] == "abc"
    assert fake.webhook["allowed_updates"] == ["message"]


def test_deliver_webhook_to_a_local_server(fake):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    received = []

    class Hook(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers.get("X-Telegram-Bot-Api-Secret-Token"), json.loads(body)))
            status = 500 if len(received) == 2 else 200  # the second delivery fails once
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    with ThreadingHTTPServer(("127.0.0.1", 0), Hook) as hook:
        threading.Thread(target=hook.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        try:
            url = f"http://127.0.0.1:{hook.server_address[1]}/telegram"
            run_bot(fake, lambda bot: bot.set_webhook(url, secret_token="abc"))
            fake.send_text(1, "một")
            fake.send_text(1, "hai")
            assert fake.deliver_webhook() == [200, 500]
            assert fake.pending_updates == 1
            assert fake.deliver_webhook() == [200]
        finally:
            hook.shutdown()
    assert [(path, secret) for path, secret, _ in received] == [("/telegram", "abc")] * 3
    assert [update["message"]["text"] for _, _, update in received] == ["một", "hai", "hai"]
    assert fake.pending_updates == 0
    run_bot(fake, lambda bot: bot.set_webhook("https://example.com/hook"))
    with pytest.raises(AssertionError, match="only loopback"):
        fake.deliver_webhook()


def test_commands_by_scope_and_language(fake):
    async def scenario(bot):
        await bot.set_my_commands([("baocao", "Báo cáo"), ("tiendo", "Tiến độ")])
        await bot.set_my_commands([("report", "Report")], language_code="en")
        await bot.set_my_commands([("moi", "Mời")], scope=telegram.BotCommandScopeAllGroupChats())
        with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
            await bot.set_my_commands([("Bad-Name", "x")])
        english = await bot.get_my_commands(language_code="en")
        await bot.delete_my_commands(language_code="en")
        return english, await bot.get_my_commands(language_code="en")

    english, after_delete = run_bot(fake, scenario)
    assert fake.commands[("default", "")] == [
        {"command": "baocao", "description": "Báo cáo"},
        {"command": "tiendo", "description": "Tiến độ"},
    ]
    assert fake.commands[("all_group_chats", "")] == [{"command": "moi", "description": "Mời"}]
    assert ("default", "en") not in fake.commands
    assert [c.command for c in english] == ["report"] and after_delete == ()


def test_rate_limits(fake):
    fake.set_rate_limits(per_chat_per_second=1)

    async def scenario(bot):
        await bot.send_message(1, "a")
        with pytest.raises(RetryAfter):
            await bot.send_message(1, "b")
        await bot.send_message(2, "other chat")
        await bot.send_chat_action(1, "typing")  # not a send

    run_bot(fake, scenario)
    assert fake.over_limit == 1 and fake.accepted == 2
    assert fake.calls[2].response["parameters"] == {"retry_after": 1}

    fake.set_rate_limits(per_group_per_minute=2)
    run_bot(fake, lambda bot: asyncio.gather(*(bot.send_message(-5, str(i)) for i in range(3)),
                                             return_exceptions=True))
    assert fake.over_limit == 2 and len(fake.sent(-5)) == 2


def test_raw_http_details(fake):
    """Form-encoded and GET requests, errors, and keep-alive, without python-telegram-bot."""
    with httpx.Client(base_url=fake.url) as client:
        r = client.post(f"/bot{fake.token}/sendMessage", data={
            "chat_id": "-42", "text": "123",
            "reply_markup": '{"inline_keyboard": [[{"text": "x", "callback_data": "1"}]]}'})
        assert r.status_code == 200 and r.headers["content-length"]
        message = r.json()["result"]
        assert message["text"] == "123" and message["chat"] == {"id": -42, "type": "group", "title": "Test group -42"}
        assert message["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "1"
        r = client.get(f"/bot{fake.token}/getUpdates", params={"offset": "0", "timeout": "0"})
        assert r.json() == {"ok": True, "result": []}
        r = client.post(f"/bot{fake.token}/sendMessage", json={"chat_id": 1, "text": "x",
                        "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": ""}]]}})
        assert r.status_code == 400 and r.json()["description"] == "Bad Request: BUTTON_DATA_INVALID"
        r = client.post(f"/bot{fake.token}/noSuchMethod")
        assert r.status_code == 404 and r.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        r = client.post("/bot999:WRONG/getMe")
        assert r.status_code == 401 and r.json()["description"] == "Unauthorized"
        assert client.get(f"/file/bot{fake.token}/photos/none.jpg").status_code == 404
        r = client.post(f"/bot{fake.token}/SENDMESSAGE", json={"chat_id": 3, "text": "case-insensitive"})
        assert r.status_code == 200
    assert fake.calls[-1].method == "sendMessage"


def test_wrong_token_is_invalid_for_ptb(fake):
    async def main():
        async with telegram.Bot("999:WRONG", base_url=fake.api_url) as bot:
            await bot.get_me()

    with pytest.raises(InvalidToken):
        asyncio.run(main())
    assert fake.calls[-1].status == 401


def test_wait_helpers_report_what_happened(fake):
    fake.send_text(1, "hello")
    with pytest.raises(AssertionError) as failure:
        fake.wait_sent(1, chat_id=1, timeout=0.2)
    assert "expected 1 sent messages to chat 1, got 0" in str(failure.value)
    assert "1 pending updates" in str(failure.value)

    def reply_later():
        run_bot(fake, lambda bot: bot.send_message(1, "chào"))

    thread = threading.Thread(target=reply_later)
    thread.start()
    assert fake.wait_sent(1, chat_id=1)[0]["text"] == "chào"
    thread.join()
    assert fake.wait_call("sendMessage").params["text"] == "chào"


def test_a_python_telegram_bot_application_end_to_end(fake):
    """A tiny PTB Application polling the fake, the way `tocds run` will."""
    from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, MessageHandler, filters

    async def start(update, context):
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Có", callback_data="yes")]])
        await update.message.reply_text(f"Chào {update.effective_user.first_name}: {context.args}", reply_markup=keyboard)

    async def button(update, context):
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(f"Bạn chọn {update.callback_query.data}")

    async def echo(update, context):
        await update.message.reply_text(update.message.text.upper())

    async def main():
        app = (ApplicationBuilder().token(fake.token).base_url(fake.api_url)
               .base_file_url(f"{fake.url}/file/bot").build())
        app.add_handler(CommandHandler("start", start))
        app.add_handler(CallbackQueryHandler(button))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0, timeout=2)
            try:
                loop = asyncio.get_running_loop()
                replies = await loop.run_in_executor(None, lambda: fake.say(42, "/start ABC"))
                fake.press_button(42, "yes")
                await loop.run_in_executor(
                    None, lambda: fake.wait_for(lambda: fake.sent(42)[0]["text"] == "Bạn chọn yes"))
                echoed = await loop.run_in_executor(None, lambda: fake.say(42, "vneid 5"))
            finally:
                await app.updater.stop()
                await app.stop()
        return replies, echoed

    replies, echoed = asyncio.run(main())
    # replies[0] is the live message, since edited by the button handler (which also removed
    # the keyboard, as editMessageText without reply_markup does); calls keep the history
    assert len(replies) == 1 and replies[0]["text"] == "Bạn chọn yes" and "reply_markup" not in replies[0]
    first = fake.calls_of("sendMessage")[0].params
    assert first["text"] == "Chào Lan: ['ABC']" and first["reply_markup"]["inline_keyboard"][0][0]["text"] == "Có"
    assert echoed[0]["text"] == "VNEID 5"
    assert fake.pending_updates == 0  # the updater confirmed everything on the way out
    assert len(fake.callback_answers) == 1


def test_keep_alive_calls_do_not_stall(fake):
    # Not a speed test: a server that writes headers and body in separate packets with
    # Nagle's algorithm on makes every keep-alive call wait for the client's delayed ACK,
    # about 40 ms each. Any healthy run is far below 20 ms per call, even on a slow machine;
    # a mean above it means that stall is back.
    calls = 200
    with httpx.Client(base_url=fake.url) as client:
        client.post(f"/bot{fake.token}/sendMessage", json={"chat_id": 1, "text": "warm-up"})
        started = time.perf_counter()
        for i in range(calls):
            r = client.post(f"/bot{fake.token}/sendMessage", json={"chat_id": 1, "text": f"m{i}"})
            assert r.status_code == 200
        mean = (time.perf_counter() - started) / calls
    assert mean < 0.020, f"mean {mean * 1000:.1f} ms per call: the delayed-ACK stall"
    assert len(fake.sent(1)) == calls + 1
