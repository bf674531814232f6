"""Telegram, through python-telegram-bot: updates in, replies out, within Telegram's limits.

Polling is ours, not PTB's Updater: the Updater confirms an update's offset before the
update is handled, while tocds confirms only what the inbox has stored (see mailroom).
"""

import asyncio
import time
from collections import deque
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta
from pathlib import PurePosixPath

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from ...handlers.messages import Choice, Incoming, Outgoing
from . import Blocked, Channel, Failed, Throttled, WebhookInfo, split_text

NAME = "telegram"
MAX_TEXT = 4096
MAX_CAPTION = 1024
POLL_TIMEOUT = 30  # seconds a getUpdates call may wait for news
PRIVATE_CHAT_INTERVAL = 1.0  # Telegram: about one message a second per chat
OVERALL_PER_SECOND = 30  # Telegram: about 30 a second across chats (counted from answers: see `paced`)
GROUP_PER_MINUTE = 20
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
SHORT_LABEL = 4  # choices this short (numbers) share one keyboard row


def file_url(api_url: str) -> str:
    """`…/bot` → `…/file/bot`: downloads come from the same server as the API."""
    head, _, tail = api_url.rstrip("/").rpartition("/")
    return f"{head}/file/{tail}"


def keyboard(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup | None:
    if not choices:
        return None
    buttons = [InlineKeyboardButton(c.label, callback_data=c.data) for c in choices]
    if all(len(c.label) <= SHORT_LABEL for c in choices):
        return InlineKeyboardMarkup([buttons])
    return InlineKeyboardMarkup([[button] for button in buttons])


@contextmanager
def typed_errors():
    """PTB's errors as the channels' typed send errors."""
    try:
        yield
    except RetryAfter as error:
        raise Throttled(seconds(error.retry_after), str(error)) from error
    except Forbidden as error:
        raise Blocked(str(error)) from error
    except BadRequest as error:
        if "chat not found" in error.message.lower():
            raise Blocked(str(error)) from error
        raise Failed(str(error), temporary=False) from error
    except NetworkError as error:  # includes timeouts and Telegram's 5xx
        raise Failed(str(error), temporary=True) from error
    except TelegramError as error:
        raise Failed(str(error), temporary=False) from error


def seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramChannel(Channel):
    name = NAME
    secret_header = "X-Telegram-Bot-Api-Secret-Token"

    def __init__(self, token: str, api_url: str):
        self.bot = ExtBot(
            token,
            base_url=api_url,
            base_file_url=file_url(api_url),
            request=HTTPXRequest(connection_pool_size=64),
            get_updates_request=HTTPXRequest(read_timeout=POLL_TIMEOUT + 10),
            # The per-group limit as an even pace rather than a bucket (a bucket of 20 lets 20
            # go at once and more within the minute, which Telegram answers with 429s); the
            # overall limit is `pace`'s window. A 429 still comes back to us (max_retries=0) so
            # that the outbox waits it out without holding other chats.
            rate_limiter=AIORateLimiter(
                overall_max_rate=0, group_max_rate=1, group_time_period=60 / GROUP_PER_MINUTE, max_retries=0,
            ),
        )
        self.offset: int | None = None
        self.next_send: dict[str, float] = {}  # chat -> when it may have its next message
        self.answered: deque[float] = deque()  # when the messages of the last second were answered
        self.in_flight = 0  # messages sent and not answered yet

    @property
    def username(self) -> str:
        return self.bot.username

    async def start(self) -> None:
        with typed_errors():  # a refused token is permanent, a network error temporary
            await self.bot.initialize()  # getMe: learns the bot's username

    async def stop(self) -> None:
        await self.bot.shutdown()

    # Updates in --------------------------------------------------------------------------

    def update_key(self, payload: dict) -> str:
        return str(payload["update_id"])

    async def fetch(self) -> list[dict]:
        with typed_errors():
            updates = await self.bot.get_updates(
                offset=self.offset, timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES
            )
        return [update.to_dict() for update in updates]

    def confirm(self, payloads: list[dict]) -> None:
        if payloads:
            self.offset = max(p["update_id"] for p in payloads) + 1

    def to_incoming(self, payload: dict) -> Incoming | None:
        update = Update.de_json(payload, self.bot)
        if update.callback_query is not None:
            query = update.callback_query
            if query.message is None or query.data is None:
                return None
            return Incoming(
                channel=NAME, chat_id=str(query.message.chat.id), sender_id=str(query.from_user.id),
                message_id=f"cb{query.id}", sender_name=query.from_user.full_name,
                choice=query.data, is_group=query.message.chat.type != "private",
            )
        message = update.message or update.edited_message
        if message is None or message.from_user is None or message.from_user.is_bot:
            return None  # channel posts, service messages, other bots
        text = message.text or message.caption or ""
        if message.text and not self.addressed_to_us(message.text):
            return None  # `/cmd@another_bot` in a group
        kind, attachment = "text", None
        if update.edited_message is not None:
            kind = "edited"
        elif message.photo:
            kind, attachment = "photo", message.photo[-1].file_id  # the largest size
        elif message.document:
            kind, attachment = "document", message.document.file_id
        elif not message.text:
            kind = "other"  # stickers, voice, locations, contacts, …
        return Incoming(
            channel=NAME, chat_id=str(message.chat.id), sender_id=str(message.from_user.id),
            message_id=str(message.message_id), sender_name=message.from_user.full_name,
            text=text, is_group=message.chat.type != "private", kind=kind, attachment=attachment,
            replying_to=(replied.text or replied.caption or "") if (replied := message.reply_to_message) else "",
        )

    def addressed_to_us(self, text: str) -> bool:
        first = text.split(maxsplit=1)[0] if text.strip() else ""
        if not first.startswith("/") or "@" not in first:
            return True
        return first.split("@", 1)[1].lower() == (self.bot.username or "").lower()

    async def acknowledge(self, payload: dict) -> None:
        query = payload.get("callback_query")
        if query:
            await self.bot.answer_callback_query(query["id"])

    # Replies out -----------------------------------------------------------------------

    @asynccontextmanager
    async def paced(self, chat_id: str):
        """One message within Telegram's limits: at most OVERALL_PER_SECOND in any one
        second, and one a second to a private chat (groups: AIORateLimiter's 20/min).

        The overall limit is a sliding window, not a bucket: a burst (50 members reporting
        at once) gets its first 29 replies at once, yet no second ever carries more, which a
        bucket refilling at 30/s would allow. Both limits count from when a message was
        *answered*: Telegram has surely received it by then, so a slow request cannot bunch
        two seconds' messages into one at Telegram's end."""
        private = not chat_id.startswith("-")
        if private and (wait := self.next_send.get(chat_id, 0.0) - time.monotonic()) > 0:
            await asyncio.sleep(wait)  # the mailroom sends one chat's replies one at a time
        while True:
            now = time.monotonic()
            while self.answered and now - self.answered[0] >= 1.0:
                self.answered.popleft()
            if len(self.answered) + self.in_flight < OVERALL_PER_SECOND:
                break
            await asyncio.sleep(1.0 - (now - self.answered[0]) if self.answered else 0.01)
        self.in_flight += 1  # no await since the check: no other message slipped in
        try:
            yield
        finally:
            self.in_flight -= 1
            done = time.monotonic()
            self.answered.append(done)
            if private:
                self.next_send[chat_id] = done + PRIVATE_CHAT_INTERVAL

    async def send(self, chat_id: str, message: Outgoing) -> None:
        attachment = message.attachment
        # A short text travels as the picture's or file's caption; a long one goes before it.
        caption = message.text if attachment and len(message.text) <= MAX_CAPTION else None
        pieces = [] if caption is not None else split_text(message.text, MAX_TEXT)
        with typed_errors():
            for number, piece in enumerate(pieces, start=1):
                last = number == len(pieces) and not attachment
                async with self.paced(chat_id):
                    await self.bot.send_message(chat_id, piece,
                                                reply_markup=keyboard(message.choices) if last else None)
            if attachment:
                upload = attachment.ref or InputFile(attachment.content, filename=attachment.name)
                send = self.bot.send_photo if attachment.kind == "picture" else self.bot.send_document
                async with self.paced(chat_id):
                    await send(chat_id, upload, caption=caption, reply_markup=keyboard(message.choices))

    async def download(self, file_ref: str) -> tuple[bytes, str]:
        with typed_errors():
            file = await self.bot.get_file(file_ref)
            content = await file.download_as_bytearray()
        suffix = PurePosixPath(file.file_path or "").suffix.lower()
        return bytes(content), suffix if suffix.isascii() and len(suffix) <= 8 else ""

    # Set-up --------------------------------------------------------------------------------

    async def set_commands(self, menus: dict[tuple[str, str], list[tuple[str, str]]]) -> None:
        """Menus by (scope: private|group, language: vi|en) → [(command, description)]."""
        scopes = {"private": BotCommandScopeAllPrivateChats(), "group": BotCommandScopeAllGroupChats()}
        for (scope, language), commands in menus.items():
            await self.bot.set_my_commands(
                [BotCommand(name, description) for name, description in commands],
                scope=scopes[scope],
                language_code=None if language == "vi" else language,  # vi is everyone's default
            )

    async def use_polling(self) -> None:
        """getUpdates does not work while a webhook is set; pending updates are kept."""
        await self.bot.delete_webhook(drop_pending_updates=False)

    async def use_webhook(self, url: str, secret: str) -> None:
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def webhook_info(self) -> WebhookInfo:
        info = await self.bot.get_webhook_info()
        return WebhookInfo(info.url or "", info.pending_update_count)


