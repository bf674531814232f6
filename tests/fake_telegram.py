"""A fake Telegram Bot API server for tests and benchmarks.

``FakeTelegram`` listens on 127.0.0.1 (a free port) in a background thread and speaks
enough of the Bot API, over real HTTP, for python-telegram-bot 22 and for a bot process
under test (``tocds run`` with ``TOCDS_TELEGRAM_API_URL=fake.api_url``)::

    with FakeTelegram() as fake:
        bot = telegram.Bot(fake.token, base_url=f"{fake.url}/bot",
                           base_file_url=f"{fake.url}/file/bot")
        fake.send_text(42, "/start ABC")          # what a user does: queue an update
        ...                                        # the bot polls getUpdates and answers
        reply = fake.wait_sent(1, chat_id=42)[0]  # what the bot did
        assert "Chào" in reply["text"]

It never contacts any other address: webhook URLs are only recorded and photo/document
URLs given to sendPhoto/sendDocument are not fetched.

Fidelity that matters to a bot, as Telegram does it:

* getUpdates: an ``offset`` confirms (drops) every update with a lower update_id; a
  negative offset keeps only the last ``-offset`` updates; long polls wake as soon as an
  update is queued; 409 while a webhook is set, and 409 for a long poll that a newer
  getUpdates superseded ("terminated by other getUpdates request"); ``allowed_updates``
  is remembered and updates of other types are dropped when a poll would deliver them
  (by default chat_member, message_reaction and message_reaction_count are not delivered).
* sends: text 1-4096 characters and captions up to 1024 (counted after parsing
  ``parse_mode`` entities), malformed HTML / MarkdownV2 / Markdown gives "can't parse
  entities", callback_data 1-64 bytes (BUTTON_DATA_INVALID), a reply to an unknown message
  gives "message to be replied not found", editing with identical content gives "message
  is not modified", a second answerCallbackQuery for one query is refused.
* message ids are per chat and shared by the user's and the bot's messages in that chat,
  starting at 1, as in private chats and basic groups.

Everything is guarded by one lock; each HTTP connection gets its own thread (keep-alive,
HTTP/1.1, Nagle disabled, the response written in one send).
"""

from __future__ import annotations

import http.client
import itertools
import json
import math
import mimetypes
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from loopback import LoopbackFake

__all__ = ["Call", "FakeTelegram", "TINY_PNG"]

# A valid 1x1 PNG: the default content of a user's photo.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d6a4f200"
    "00000049454e44ae426082"
)


@dataclass
class Call:
    """One Bot API call the fake received, in arrival order."""

    method: str  # canonical name ("sendMessage") when known, else as requested
    params: dict  # decoded parameters (JSON body, form or multipart; JSON-valued fields parsed)
    files: dict[str, bytes]  # uploaded multipart files by part name
    at: float  # time.monotonic() when the request arrived
    status: int | None = None  # HTTP status answered (None while a long poll is still waiting)
    response: dict | None = None  # the JSON answered
    file_names: dict[str, str] = field(default_factory=dict)  # part name -> uploaded file name
    http_method: str = "POST"

    @property
    def ok(self) -> bool:
        return self.status == 200


class _ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

# Update types Telegram delivers when allowed_updates was never set (or set to []).
_NOT_DELIVERED_BY_DEFAULT = {"chat_member", "message_reaction", "message_reaction_count"}

# Form/multipart values are strings; these fields hold JSON, the others that look like
# integers or booleans are converted, and these text fields always stay strings.
_JSON_FIELDS = {
    "reply_markup", "reply_parameters", "entities", "caption_entities", "commands", "scope",
    "allowed_updates", "link_preview_options", "media", "menu_button", "reaction", "results",
    "options", "explanation_entities", "question_entities", "rights",
}
_STRING_FIELDS = {
    "text", "caption", "parse_mode", "callback_query_id", "url", "secret_token", "ip_address",
    "file_id", "language_code", "description", "short_description", "name", "inline_message_id",
    "business_connection_id", "message_effect_id", "action", "emoji", "title", "query",
    "photo", "document", "audio", "video", "voice", "animation", "thumbnail", "sticker",
    "certificate", "question", "first_name", "last_name", "phone_number", "address",
}
_INT_RE = re.compile(r"-?\d+\Z")

_UPDATE_KINDS = (
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages",
    "message_reaction", "message_reaction_count", "inline_query", "chosen_inline_result",
    "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll",
    "poll_answer", "my_chat_member", "chat_member", "chat_join_request", "chat_boost",
    "removed_chat_boost",
)


def _update_kind(update: dict) -> str | None:
    for key in update:
        if key != "update_id":
            return key
    return None


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


# --------------------------------------------------------------------------- entity parsing


def _entity_error(message: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: can't parse entities: {message}")


_HTML_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "code", "pre", "tg-emoji", "blockquote", "tg-time",
}
_HTML_ENTITY_RE = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);")
_HTML_ATTRS_RE = re.compile(
    r"""(?:\s+[A-Za-z0-9_:-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*\s*>"""
)


def _plain_len_html(text: str) -> int:
    """Length after parsing Telegram-style HTML, or _ApiError as Telegram words it."""
    plain = 0
    stack: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "&":
            m = _HTML_ENTITY_RE.match(text, i)
            if m and (m.group(1)[0] == "#" or m.group(1) in ("lt", "gt", "amp", "quot")):
                plain += 1
                i = m.end()
            else:
                plain += 1
                i += 1
            continue
        if c != "<":
            plain += 1
            i += 1
            continue
        begin = i
        if text.startswith("</", i):
            j = i + 2
            while j < n and text[j] != ">":
                j += 1
            if j >= n:
                raise _entity_error(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
            name = text[i + 2 : j].strip().lower()
            if not stack:
                raise _entity_error(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
            if name and name != stack[-1]:
                raise _entity_error(
                    f'Unmatched end tag at byte offset {_byte_offset(text, begin)}, '
                    f'expected "</{stack[-1]}>", found "</{name}>"'
                )
            stack.pop()
            i = j + 1
            continue
        j = i + 1
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        if j >= n:
            raise _entity_error(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        name = text[i + 1 : j].lower()
        if name not in _HTML_TAGS:
            raise _entity_error(f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, begin)}')
        m = _HTML_ATTRS_RE.match(text, j)
        if not m:
            raise _entity_error(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        stack.append(name)
        i = m.end()
    if stack:
        raise _entity_error(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return plain


_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "italic": "Italic", "bold": "Bold", "underline": "Underline", "strike": "Strikethrough",
    "spoiler": "Spoiler", "text_url": "TextUrl", "custom_emoji": "CustomEmoji", "code": "Code",
    "pre": "Pre",
}


def _plain_len_markdown_v2(text: str) -> int:
    plain = 0
    stack: list[tuple[str, int]] = []  # (kind, index where it opened)
    i, n = 0, len(text)

    def reserved(ch: str, at: int) -> _ApiError:
        return _entity_error(f"Character '{ch}' is reserved and must be escaped with the preceding '\\'")

    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            plain += 1
            i += 2
            continue
        top = stack[-1][0] if stack else None
        if top in ("code", "pre"):
            if top == "pre" and text.startswith("```", i):
                stack.pop()
                i += 3
            elif top == "code" and c == "`":
                stack.pop()
                i += 1
            else:
                plain += 1
                i += 1
            continue
        if c not in _MDV2_RESERVED:
            plain += 1
            i += 1
            continue
        # the end of the innermost entity?
        if top == "underline" and text.startswith("__", i):
            stack.pop()
            i += 2
            continue
        if (top == "italic" and c == "_") or (top == "bold" and c == "*") or (top == "strike" and c == "~"):
            stack.pop()
            i += 1
            continue
        if top == "spoiler" and text.startswith("||", i):
            stack.pop()
            i += 2
            continue
        if top in ("text_url", "custom_emoji") and c == "]":
            stack.pop()
            i += 1
            if i < n and text[i] == "(":
                j = i + 1
                while j < n and text[j] != ")":
                    j += 2 if text[j] == "\\" else 1
                if j >= n:
                    raise _entity_error(f"Can't find end of a url at byte offset {_byte_offset(text, i)}")
                i = j + 1
            continue
        # the start of a new entity
        if c == "_":
            kind, width = ("underline", 2) if text.startswith("__", i) else ("italic", 1)
        elif c == "*":
            kind, width = "bold", 1
        elif c == "~":
            kind, width = "strike", 1
        elif c == "|" and text.startswith("||", i):
            kind, width = "spoiler", 2
        elif c == "[":
            kind, width = "text_url", 1
        elif c == "!" and text.startswith("![", i):
            kind, width = "custom_emoji", 2
        elif c == "`":
            kind, width = ("pre", 3) if text.startswith("```", i) else ("code", 1)
        elif c == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1  # a blockquote line
            continue
        else:
            raise reserved(c, i)
        stack.append((kind, i))
        i += width
    if stack:
        kind, at = stack[-1]
        raise _entity_error(f"Can't find end of {_MDV2_NAMES[kind]} entity at byte offset {_byte_offset(text, at)}")
    return plain


def _plain_len_markdown(text: str) -> int:
    """Legacy ``Markdown``: *bold* _italic_ `code` ```pre``` [text](url)."""
    plain = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            plain += 1
            i += 2
            continue
        if c in "_*`[":
            closer = {"_": "_", "*": "*", "`": "`", "[": "]"}[c]
            width = 1
            if text.startswith("```", i):
                closer, width = "```", 3
            end = text.find(closer, i + width)
            if end < 0:
                raise _entity_error(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            plain += end - i - width
            i = end + len(closer)
            if c == "[" and i < n and text[i] == "(":
                close = text.find(")", i)
                if close < 0:
                    raise _entity_error(
                        f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                    )
                i = close + 1
            continue
        plain += 1
        i += 1
    return plain


def _plain_len(text: str, parse_mode: str | None) -> int:
    if not parse_mode:
        return len(text.strip())
    mode = parse_mode.lower()
    if mode == "html":
        return _plain_len_html(text.strip())
    if mode == "markdownv2":
        return _plain_len_markdown_v2(text.strip())
    if mode == "markdown":
        return _plain_len_markdown(text.strip())
    raise _ApiError(400, f"Bad Request: unsupported parse_mode: {parse_mode}")


# --------------------------------------------------------------------------- rate limits


class _Window:
    """At most ``rate`` events per ``period`` seconds, as a sliding window of whole events:
    rate 30/s -> 30 in any 1 s; rate 1/s -> 1 in 1 s; rate 0.5/s -> 1 in 2 s."""

    def __init__(self, rate: float, period: float):
        if rate <= 0:
            raise ValueError("a rate limit must be positive")
        self.max = max(1, math.floor(rate))
        self.window = period * self.max / rate
        self.events: dict[Any, deque[float]] = {}

    def allows(self, key: Any, now: float) -> bool:
        dq = self.events.setdefault(key, deque())
        while dq and now - dq[0] >= self.window:
            dq.popleft()
        return len(dq) < self.max

    def add(self, key: Any, now: float) -> None:
        self.events.setdefault(key, deque()).append(now)


# --------------------------------------------------------------------------- HTTP layer


# --------------------------------------------------------------------------- the fake


class FakeTelegram(LoopbackFake):
    def __init__(self, token: str = "123:TEST", username: str = "tocds_test_bot"):
        super().__init__()
        self.token = token
        self.username = username
        head = token.split(":", 1)[0]
        self.bot_id = int(head) if head.isdigit() else 123
        self.bot_user = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "TOCDS Test Bot",
            "username": username,
        }
        self.api_url = ""
        self.file_url = ""


        self.calls: list[Call] = []
        self.downloads: list[str] = []  # file paths served by /file/bot<token>/...
        self._updates: list[dict] = []  # queued, not yet confirmed
        self._next_update_id = 100001
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0

        self.users: dict[int, dict] = {}
        self.chats: dict[int, dict] = {}
        self._messages: dict[tuple[int, int], dict] = {}  # (chat_id, message_id) -> message
        self._next_message_id: dict[int, int] = {}
        self._sent: list[dict] = []
        self._sent_by_chat: dict[int, list[dict]] = {}
        self.callback_queries: dict[str, dict] = {}
        self.callback_answers: dict[str, dict] = {}  # query id -> answerCallbackQuery params
        self._callback_counter = itertools.count(1)
        self._files: dict[str, dict] = {}  # file_id -> {file_unique_id, content, file_path, ...}
        self._files_by_path: dict[str, str] = {}
        self._file_counter = itertools.count(1)

        self.webhook: dict | None = None
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.blocked: set[int] = set()  # chats whose sends answer 403 "bot was blocked by the user"
        self._failures: dict[str, deque[tuple[int, int | None, str]]] = {}

        self.accepted = 0
        self.over_limit = 0
        self._limits: list[tuple[str, _Window]] = []

    # ------------------------------------------------------------------ lifecycle

    def start(self, port: int = 0) -> FakeTelegram:
        if self._server is None:
            super().start(port)
            self.api_url = f"{self.url}/bot"
            self.file_url = f"{self.url}/file/bot"
        return self

    def __repr__(self) -> str:
        return f"<FakeTelegram {self.url or '(stopped)'} calls={len(self.calls)} pending={self.pending_updates}>"

    def bot_kwargs(self) -> dict:
        """Keyword arguments for ``telegram.Bot`` / ``ApplicationBuilder`` pointing at the fake."""
        return {"token": self.token, "base_url": self.api_url, "base_file_url": self.file_url}

    def add_user(self, user_id: int, *, first_name: str = "Lan", language_code: str | None = "vi",
                 last_name: str | None = None, username: str | None = None) -> dict:
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        with self._lock:
            self.users[user_id] = user
        return user

    def add_chat(self, chat_id: int, *, type: str | None = None, title: str | None = None) -> dict:
        """Registers a chat. Types: private (id = the user's id), group (negative id),
        supergroup / channel (ids like -100...). Inferred from the id when not given."""
        if type is None:
            type = "private" if chat_id > 0 else ("supergroup" if str(chat_id).startswith("-100") else "group")
        chat: dict[str, Any] = {"id": chat_id, "type": type}
        if type == "private":
            user = self.users.get(chat_id)
            chat["first_name"] = user["first_name"] if user else f"User {chat_id}"
        else:
            chat["title"] = title or f"Test {type} {chat_id}"
        with self._lock:
            self.chats[chat_id] = chat
        return chat

    def _user(self, user_id: int, first_name: str | None = None, language_code: str | None = None) -> dict:
        user = self.users.get(user_id)
        if user is None or (first_name and user["first_name"] != first_name) or (
            language_code and user.get("language_code") != language_code
        ):
            old = user or {}
            user = self.add_user(
                user_id,
                first_name=first_name or old.get("first_name", "Lan"),
                language_code=language_code or old.get("language_code"),
            )
        return user

    def _chat(self, chat_id: int, chat_type: str | None = None) -> dict:
        chat = self.chats.get(chat_id)
        if chat is None:
            if chat_type == "private" and chat_id < 0:
                chat_type = None  # negative ids are groups
            chat = self.add_chat(chat_id, type=chat_type)
        return chat

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _remember_message(self, message: dict) -> None:
        chat_id = message["chat"]["id"]
        message_id = message["message_id"]
        self._messages[(chat_id, message_id)] = message
        if self._next_message_id.get(chat_id, 1) <= message_id:
            self._next_message_id[chat_id] = message_id + 1

    # ------------------------------------------------------------------ feeding the bot

    def make_message(self, user_id: int, text: str | None = None, *, chat_id: int | None = None,
                     chat_type: str = "private", first_name: str = "Lan", language_code: str = "vi",
                     message_id: int | None = None, entities: list[dict] | None = None,
                     reply_to_message: dict | None = None, **extra: Any) -> dict:
        """A user's Message (registered, so the bot can reply to or edit-check it) — not queued.
        /commands get bot_command entities, as Telegram adds them."""
        with self._lock:
            user = self._user(user_id, first_name, language_code)
            chat = self._chat(user_id if chat_id is None else chat_id, chat_type)
            if chat["type"] == "private" and chat["id"] == user_id:
                chat["first_name"] = user["first_name"]
            if message_id is None:
                message_id = self._new_message_id(chat["id"])
            message: dict[str, Any] = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": dict(chat),
                "from": dict(user),
            }
            if text is not None:
                message["text"] = text
                if entities is None:
                    entities = self.command_entities(text)
                if entities:
                    message["entities"] = entities
            if reply_to_message is not None:
                message["reply_to_message"] = {k: v for k, v in reply_to_message.items()
                                               if not k.startswith("_") and k != "reply_to_message"}
            message.update(extra)
            self._remember_message(message)
            return message

    @staticmethod
    def command_entities(text: str) -> list[dict]:
        entities = []
        for m in re.finditer(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?", text):
            entities.append({"type": "bot_command", "offset": _utf16_len(text[: m.start()]),
                             "length": _utf16_len(m.group())})
        return entities

    def queue_update(self, update: dict) -> dict:
        """Queues any raw update (assigning update_id if missing); its messages are registered."""
        with self._cond:
            if "update_id" not in update:
                update["update_id"] = self._next_update_id
            self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
            for kind in ("message", "edited_message", "channel_post", "edited_channel_post", "business_message"):
                msg = update.get(kind)
                if isinstance(msg, dict) and "chat" in msg and "message_id" in msg:
                    if kind.startswith("edited_") and (msg["chat"]["id"], msg["message_id"]) in self._messages:
                        self._messages[(msg["chat"]["id"], msg["message_id"])].update(msg)
                    else:
                        self._remember_message(msg)
            if isinstance(update.get("callback_query"), dict):
                self.callback_queries[update["callback_query"]["id"]] = update["callback_query"]
            self._updates.append(update)
            self._changed()
        return update

    def send_text(self, user_id: int, text: str, *, chat_id: int | None = None, chat_type: str = "private",
                  first_name: str = "Lan", language_code: str = "vi", message_id: int | None = None,
                  entities: list[dict] | None = None, reply_to_message: dict | None = None) -> dict:
        """Queues a message update from the user; returns the update."""
        message = self.make_message(user_id, text, chat_id=chat_id, chat_type=chat_type, first_name=first_name,
                                    language_code=language_code, message_id=message_id, entities=entities,
                                    reply_to_message=reply_to_message)
        return self.queue_update({"message": message})

    def press_button(self, user_id: int, data: str, *, message: dict | None = None, chat_id: int | None = None,
                     check: bool = True) -> dict:
        """Queues a callback_query update. ``message``: the bot message carrying the keyboard;
        by default the latest bot message to the chat (``chat_id``, default the user's private
        chat). With ``check`` the message must have an inline button with that callback_data."""
        with self._lock:
            target = user_id if chat_id is None else chat_id
            if message is None:
                candidates = [m for m in self._sent_by_chat.get(target, ()) if not m.get("_deleted")]
                if not candidates:
                    raise AssertionError(f"press_button: the bot sent no message to chat {target}")
                message = candidates[-1]
            else:
                message = self._messages.get((message["chat"]["id"], message["message_id"]), message)
            if check:
                markup = message.get("reply_markup") or {}
                datas = [b.get("callback_data") for row in markup.get("inline_keyboard", []) for b in row]
                if data not in datas:
                    raise AssertionError(
                        f"press_button: no button with callback_data {data!r} on message "
                        f"{message['message_id']} ({message.get('text', message.get('caption'))!r}); "
                        f"buttons: {datas!r} (pass check=False to press it anyway)"
                    )
            user = self._user(user_id)
            query = {
                "id": f"{self.bot_id}{next(self._callback_counter):08d}",
                "from": dict(user),
                "chat_instance": f"{abs(message['chat']['id']) * 7919 + 13}",
                "data": data,
                "message": self._public(message),
            }
            return self.queue_update({"callback_query": query})

    def send_photo(self, user_id: int, *, caption: str | None = None, file_id: str | None = None,
                   content: bytes = TINY_PNG, chat_id: int | None = None, chat_type: str = "private",
                   first_name: str = "Lan", language_code: str = "vi") -> dict:
        """Queues a photo message (two sizes; the largest has ``file_id``); both sizes are
        downloadable through getFile + /file/bot<token>/<file_path>."""
        with self._lock:
            big = self._store_file(content, kind="photos", ext=".jpg", file_id=file_id)
            small = self._store_file(content, kind="photos", ext=".jpg")
            extra: dict[str, Any] = {"photo": [
                {"file_id": small["file_id"], "file_unique_id": small["file_unique_id"],
                 "width": 90, "height": 90, "file_size": len(content)},
                {"file_id": big["file_id"], "file_unique_id": big["file_unique_id"],
                 "width": 800, "height": 800, "file_size": len(content)},
            ]}
            if caption is not None:
                extra["caption"] = caption
            message = self.make_message(user_id, None, chat_id=chat_id, chat_type=chat_type,
                                        first_name=first_name, language_code=language_code, **extra)
        return self.queue_update({"message": message})

    def send_document(self, user_id: int, *, file_name: str, content: bytes, mime_type: str | None = None,
                      caption: str | None = None, chat_id: int | None = None, chat_type: str = "private",
                      file_id: str | None = None, first_name: str = "Lan", language_code: str = "vi") -> dict:
        """Queues a document message; the file is downloadable like a photo."""
        with self._lock:
            ext = "." + file_name.rsplit(".", 1)[1] if "." in file_name else ""
            stored = self._store_file(content, kind="documents", ext=ext, file_id=file_id)
            document = {"file_id": stored["file_id"], "file_unique_id": stored["file_unique_id"],
                        "file_name": file_name,
                        "mime_type": mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream",
                        "file_size": len(content)}
            extra: dict[str, Any] = {"document": document}
            if caption is not None:
                extra["caption"] = caption
            message = self.make_message(user_id, None, chat_id=chat_id, chat_type=chat_type,
                                        first_name=first_name, language_code=language_code, **extra)
        return self.queue_update({"message": message})

    def _store_file(self, content: bytes, *, kind: str, ext: str, file_id: str | None = None) -> dict:
        n = next(self._file_counter)
        file_id = file_id or f"fake-{kind[:-1]}-{n:06d}"
        path = f"{kind}/file_{n}{ext}"
        stored = {"file_id": file_id, "file_unique_id": f"uniq{n:06d}", "content": bytes(content),
                  "file_path": path}
        self._files[file_id] = stored
        self._files_by_path[path] = file_id
        return stored

    def file_content(self, file_id: str) -> bytes:
        return self._files[file_id]["content"]

    @property
    def pending_updates(self) -> int:
        with self._lock:
            return len(self._updates)

    # ------------------------------------------------------------------ what the bot did

    def sent(self, chat_id: int | None = None) -> list[dict]:
        """Messages the bot sent (sendMessage/sendPhoto/sendDocument), in order. Each is the
        Message as answered plus: ``reply_markup`` as sent (any keyboard type), ``_method``,
        ``_file_bytes`` / ``_file_name`` for uploads, ``_deleted`` once deleted. Edits update
        these dicts in place (``calls`` keeps the history)."""
        with self._lock:
            return list(self._sent if chat_id is None else self._sent_by_chat.get(chat_id, ()))

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [m.get("text", m.get("caption")) or "" for m in self.sent(chat_id)]

    def last_sent(self, chat_id: int | None = None) -> dict:
        sent = self.sent(chat_id)
        if not sent:
            raise AssertionError(f"the bot sent nothing{'' if chat_id is None else f' to chat {chat_id}'}\n"
                                 + self.dump())
        return sent[-1]

    def calls_of(self, method: str, *, since: int = 0) -> list[Call]:
        return [c for c in self.calls[since:] if c.method == method]

    def mark(self) -> int:
        """An index into ``calls``, for ``calls_of(..., since=)`` / ``wait_call(..., since=)``."""
        return len(self.calls)

    def say(self, user_id: int, text: str, *, replies: int = 1, timeout: float = 10, **kwargs: Any) -> list[dict]:
        """send_text, then wait for ``replies`` new bot messages in that chat; returns them."""
        chat_id = kwargs.get("chat_id") or user_id
        before = self.sent_count(chat_id)
        self.send_text(user_id, text, **kwargs)
        return self.wait_sent(before + replies, chat_id, timeout)[before:]

    def wait_call(self, method: str, *, since: int = 0, timeout: float = 10,
                  where: Callable[[Call], bool] | None = None) -> Call:
        """Waits for a completed call of ``method`` at index >= ``since`` (see ``mark``)."""
        def find() -> Call | None:
            for call in self.calls[since:]:
                if call.method == method and call.status is not None and (where is None or where(call)):
                    return call
            return None
        self.wait_for(lambda: find() is not None, timeout)
        found = find()
        assert found is not None
        return found

    def wait_idle(self, quiet: float = 0.2, timeout: float = 10) -> None:
        """Waits until no call except a long-polling getUpdates arrived for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                last = max((c.at for c in self.calls if c.method != "getUpdates"), default=0.0)
            if time.monotonic() - last >= quiet:
                return
            time.sleep(quiet / 4)
        raise AssertionError(f"the bot was still busy after {timeout} s\n{self.dump()}")

    def edits(self, chat_id: int | None = None) -> list[dict]:
        """Parameters of the bot's successful editMessage* calls, in order."""
        return [c.params for c in self.calls
                if c.method.startswith("editMessage") and c.ok
                and (chat_id is None or c.params.get("chat_id") == chat_id)]

    def dump(self, last: int = 25) -> str:
        with self._lock:
            calls = self.calls[-last:]
            first = len(self.calls) - len(calls)
            lines = [f"FakeTelegram {self.url}: {len(self.calls)} calls, {len(self._updates)} pending updates,"
                     f" {len(self._sent)} messages sent; last calls:"]
            for i, call in enumerate(calls, first):
                params = {k: v for k, v in call.params.items()}
                text = json.dumps(params, ensure_ascii=False, default=str)
                if len(text) > 300:
                    text = text[:300] + "…"
                desc = ""
                if call.response and not call.response.get("ok"):
                    desc = f" {call.response.get('description')!r}"
                lines.append(f"  #{i} {call.method} -> {call.status}{desc} {text}")
            if self._updates:
                lines.append("pending updates: " + ", ".join(
                    f"{u['update_id']}:{_update_kind(u)}" for u in self._updates[:10]))
        return "\n".join(lines)

    # ------------------------------------------------------------------ fault injection

    def fail_next(self, method: str, status: int, *, times: int = 1, retry_after: int | None = None,
                  description: str = "") -> None:
        """The next ``times`` calls of ``method`` ("*" for any method) answer
        {"ok": false, "error_code": status, "description": ..., "parameters": {"retry_after": N}}
        with that HTTP status. 429 gets retry_after=1 unless given."""
        if status == 429 and retry_after is None:
            retry_after = 1
        if not description:
            description = _DEFAULT_DESCRIPTIONS.get(status, "Error")
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
        with self._lock:
            queue = self._failures.setdefault(method.lower(), deque())
            for _ in range(times):
                queue.append((status, retry_after, description))

    def set_rate_limits(self, *, per_second: float | None = None, per_chat_per_second: float | None = None,
                        per_group_per_minute: float | None = None) -> None:
        """Telegram-like limits on send* methods (not sendChatAction): beyond them the call
        answers 429 with retry_after=1 and counts in ``over_limit``. None turns a limit off;
        calling this resets the windows."""
        limits: list[tuple[str, _Window]] = []
        if per_second is not None:
            limits.append(("global", _Window(per_second, 1.0)))
        if per_chat_per_second is not None:
            limits.append(("chat", _Window(per_chat_per_second, 1.0)))
        if per_group_per_minute is not None:
            limits.append(("group", _Window(per_group_per_minute, 60.0)))
        with self._lock:
            self._limits = limits

    def block(self, chat_id: int) -> None:
        """Sends to this chat answer 403 "Forbidden: bot was blocked by the user" until unblock."""
        with self._lock:
            self.blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        with self._lock:
            self.blocked.discard(chat_id)

    def deliver_webhook(self, timeout: float = 10) -> list[int]:
        """Webhook mode: POSTs the queued updates, in order, to the URL setWebhook set, with
        the X-Telegram-Bot-Api-Secret-Token header, as Telegram does; a 2xx answer removes
        an update from the queue, anything else stops there (Telegram retries later).
        Returns the HTTP statuses. Only loopback webhook URLs are contacted."""
        with self._lock:
            if self.webhook is None:
                raise AssertionError("deliver_webhook: no webhook is set")
            url = urlsplit(str(self.webhook["url"]))
            secret = self.webhook.get("secret_token")
        if url.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise AssertionError(f"deliver_webhook: refusing to contact {url.hostname}; only loopback URLs")
        statuses: list[int] = []
        connection_class = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        connection = connection_class(url.hostname, url.port, timeout=timeout)
        try:
            while True:
                with self._lock:
                    if not self._updates:
                        break
                    update = self._updates[0]
                body = json.dumps(update, ensure_ascii=False).encode("utf-8")
                headers = {"Content-Type": "application/json"}
                if secret:
                    headers["X-Telegram-Bot-Api-Secret-Token"] = str(secret)
                path = (url.path or "/") + (f"?{url.query}" if url.query else "")
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                statuses.append(response.status)
                if not 200 <= response.status < 300:
                    break
                with self._cond:
                    if self._updates and self._updates[0] is update:
                        self._updates.pop(0)
                    self._changed()
        finally:
            connection.close()
        return statuses

    # ------------------------------------------------------------------ HTTP dispatch

    def _handle_http(self, verb: str, raw_path: str, headers: Any, body: bytes) -> tuple[int, bytes, str]:
        split = urlsplit(raw_path)
        path = unquote(split.path)
        m = re.fullmatch(r"/file/bot([^/]+)/(.+)", path)
        if m:
            return self._serve_file(m.group(1), m.group(2))
        m = re.fullmatch(r"/bot([^/]+)/([A-Za-z0-9_]+)/?", path)
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        names: dict[str, str] = {}
        if m:
            params, files, names = self._decode(split.query, headers.get("Content-Type", ""), body)
        method_raw = m.group(2) if m else path
        method = _METHOD_NAMES.get(method_raw.lower(), method_raw)
        call = Call(method=method, params=params, files=files, at=time.monotonic(), file_names=names,
                    http_method=verb)
        with self._cond:
            self.calls.append(call)
            try:
                if not m:
                    raise _ApiError(404, "Not Found")
                if m.group(1) != self.token:
                    raise _ApiError(401, "Unauthorized")
                handler = _HANDLERS.get(method)
                if handler is None:
                    raise _ApiError(404, "Not Found")
                failures = self._failures.get(method.lower()) or self._failures.get("*")
                if failures:
                    status, retry_after, description = failures.popleft()
                    raise _ApiError(status, description,
                                    {"retry_after": retry_after} if retry_after is not None else None)
                result = handler(self, params, files, names)
                response: dict[str, Any] = {"ok": True, "result": result}
                call.status = 200
            except _ApiError as err:
                response = {"ok": False, "error_code": err.status, "description": err.description}
                if err.parameters:
                    response["parameters"] = err.parameters
                call.status = err.status
            call.response = response
            self._changed()
        return call.status, json.dumps(response, ensure_ascii=False).encode("utf-8"), "application/json"

    def _serve_file(self, token: str, file_path: str) -> tuple[int, bytes, str]:
        with self._cond:
            if token != self.token:
                return 401, b'{"ok":false,"error_code":401,"description":"Unauthorized"}', "application/json"
            file_id = self._files_by_path.get(file_path)
            if file_id is None:
                return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}', "application/json"
            self.downloads.append(file_path)
            self._changed()
            content = self._files[file_id]["content"]
        ctype = mimetypes.guess_type(file_path)[0] or "application/octet-stream"
        return 200, content, ctype

    def _decode(self, query: str, content_type: str, body: bytes) -> tuple[dict, dict, dict]:
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        names: dict[str, str] = {}
        typed = False
        for key, value in parse_qsl(query, keep_blank_values=True):
            params[key] = value
        ctype = content_type.split(";", 1)[0].strip().lower()
        if body:
            if ctype == "application/json":
                decoded = json.loads(body.decode("utf-8"))
                if isinstance(decoded, dict):
                    params.update(decoded)
                typed = True
            elif ctype == "multipart/form-data":
                boundary = _header_params(content_type).get("boundary", "")
                for part_headers, data in _split_multipart(body, boundary):
                    disposition = _header_params(part_headers.get("content-disposition", ""))
                    name = disposition.get("name", "")
                    if "filename" in disposition or "filename*" in disposition:
                        files[name] = data
                        names[name] = disposition.get("filename*") or disposition.get("filename", "")
                    else:
                        params[name] = data.decode("utf-8")
            else:  # application/x-www-form-urlencoded and anything else
                for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
                    params[key] = value
        for key, value in list(params.items()):
            if isinstance(value, str) and (not typed or key in _JSON_FIELDS or key == "chat_id"):
                params[key] = _coerce(key, value)
        return params, files, names

    # ------------------------------------------------------------------ helpers for handlers

    def _check_limits(self, chat_id: Any) -> None:
        if not self._limits:
            return
        now = time.monotonic()
        keys = []
        for kind, window in self._limits:
            if kind == "global":
                keys.append((window, None))
            elif kind == "chat":
                keys.append((window, chat_id))
            elif kind == "group" and isinstance(chat_id, int) and chat_id < 0:
                keys.append((window, chat_id))
        if not all(window.allows(key, now) for window, key in keys):
            self.over_limit += 1
            raise _ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        for window, key in keys:
            window.add(key, now)

    def _target_chat(self, params: dict) -> dict:
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise _ApiError(400, "Bad Request: chat_id is empty")
        if isinstance(chat_id, str):
            if chat_id.startswith("@"):
                for chat in self.chats.values():
                    if chat.get("username") == chat_id[1:]:
                        return chat
                raise _ApiError(400, "Bad Request: chat not found")
            raise _ApiError(400, "Bad Request: chat not found")
        return self._chat(chat_id)

    def _public(self, message: dict) -> dict:
        """A stored message as the Bot API shows it (no _keys, only inline reply_markup)."""
        out = {k: v for k, v in message.items() if not k.startswith("_")}
        markup = out.get("reply_markup")
        if not (isinstance(markup, dict) and "inline_keyboard" in markup):
            out.pop("reply_markup", None)
        return out

    def _send_common(self, method: str, params: dict, body: dict, *, file_bytes: bytes | None = None,
                     file_name: str | None = None) -> dict:
        chat = self._target_chat(params)
        if chat["id"] in self.blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        markup = _validate_markup(params.get("reply_markup"))
        reply_to = self._reply_target(params, chat["id"])
        self._check_limits(chat["id"])
        message: dict[str, Any] = {
            "message_id": self._new_message_id(chat["id"]),
            "date": int(time.time()),
            "chat": dict(chat),
            "from": dict(self.bot_user),
        }
        message.update(body)
        if reply_to is not None:
            message["reply_to_message"] = {k: v for k, v in self._public(reply_to).items()
                                           if k != "reply_to_message"}
        if markup is not None:
            message["reply_markup"] = markup
        message["_method"] = method
        if file_bytes is not None or file_name is not None:
            message["_file_bytes"] = file_bytes
            message["_file_name"] = file_name
        self._remember_message(message)
        self._sent.append(message)
        self._sent_by_chat.setdefault(chat["id"], []).append(message)
        self.accepted += 1
        return self._public(message)

    def _reply_target(self, params: dict, chat_id: int) -> dict | None:
        reply = params.get("reply_parameters")
        allow = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            chat_id = reply.get("chat_id", chat_id)
            allow = allow or bool(reply.get("allow_sending_without_reply"))
        else:
            message_id = params.get("reply_to_message_id")
        if message_id in (None, ""):
            return None
        found = self._messages.get((chat_id, message_id))
        if found is None and not allow:
            raise _ApiError(400, "Bad Request: message to be replied not found")
        return found

    def _caption(self, params: dict) -> dict:
        caption = params.get("caption")
        if caption in (None, ""):
            return {}
        caption = str(caption)
        if _plain_len(caption, params.get("parse_mode")) > 1024:
            raise _ApiError(400, "Bad Request: message caption is too long")
        out: dict[str, Any] = {"caption": caption}
        if params.get("caption_entities"):
            out["caption_entities"] = params["caption_entities"]
        return out

    def _input_file(self, params: dict, files: dict, names: dict, field_name: str, kind: str,
                    default_ext: str) -> tuple[dict, bytes | None, str | None, str | None]:
        """The stored file for an upload, a known file_id, or a URL (not fetched)."""
        value = params.get(field_name)
        part = field_name
        if isinstance(value, str) and value.startswith("attach://"):
            part = value[len("attach://"):]
            value = None
        if part in files:
            name = names.get(part) or f"file{default_ext}"
            ext = "." + name.rsplit(".", 1)[1] if "." in name else default_ext
            stored = self._store_file(files[part], kind=kind, ext=ext)
            return stored, files[part], name, None
        if isinstance(value, str) and value:
            if re.match(r"https?://", value):
                stored = self._store_file(b"", kind=kind, ext=default_ext)
                return stored, None, value.rsplit("/", 1)[-1] or None, value
            if value in self._files:
                stored = self._files[value]
                return stored, stored["content"], None, None
            raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        raise _ApiError(400, f"Bad Request: there is no {field_name} in the request")


def _coerce(key: str, value: str) -> Any:
    if key in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if key in _STRING_FIELDS:
        return value
    if _INT_RE.match(value):
        return int(value)
    if value in ("true", "false"):
        return value == "true"
    if value in ("True", "False"):
        return value == "True"
    return value


def _header_params(value: str) -> dict[str, str]:
    """The ``key=value`` parameters of a header such as Content-Disposition / Content-Type."""
    out: dict[str, str] = {}
    if ";" not in value:
        return out
    rest = value.split(";", 1)[1]
    for m in re.finditer(r'\s*([A-Za-z0-9_*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)\s*;?', rest):
        key, raw = m.group(1).lower(), m.group(2).strip()
        if raw.startswith('"'):
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1]).replace("%22", '"')
        if key.endswith("*") and "''" in raw:
            raw = unquote(raw.split("''", 1)[1])
        out[key] = raw
    return out


def _split_multipart(body: bytes, boundary: str) -> list[tuple[dict[str, str], bytes]]:
    if not boundary:
        raise _ApiError(400, "Bad Request: multipart without boundary")
    delimiter = b"--" + boundary.encode("latin-1")
    parts = []
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        head, _, data = chunk.partition(b"\r\n\r\n")
        if data.endswith(b"\r\n"):
            data = data[:-2]
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            if ":" in line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        parts.append((headers, data))
    return parts


def _validate_markup(markup: Any) -> dict | None:
    if markup in (None, ""):
        return None
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError:
            raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object") from None
    if not isinstance(markup, dict):
        raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _ApiError(400, "Bad Request: field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays")
        if sum(len(r) for r in rows) > 100:
            raise _ApiError(400, "Bad Request: too many inline keyboard buttons")
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                    raise _ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                actions = [k for k in button if k != "text"]
                if not actions:
                    raise _ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                        raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if "url" in button and not re.match(r"(https?|tg)://\S+\Z", str(button["url"])):
                    raise _ApiError(400, "Bad Request: BUTTON_URL_INVALID")
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _ApiError(400, "Bad Request: field \"keyboard\" of the ReplyKeyboardMarkup must be an Array of Arrays")
        for row in rows:
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not isinstance(text, str) or not text.strip():
                    raise _ApiError(400, "Bad Request: keyboard button text must be non-empty")
    elif not ("remove_keyboard" in markup or "force_reply" in markup):
        raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    return markup


# --------------------------------------------------------------------------- method handlers

_HANDLERS: dict[str, Callable[[FakeTelegram, dict, dict, dict], Any]] = {}


def _method(*names: str) -> Callable:
    def register(fn: Callable) -> Callable:
        for name in names:
            _HANDLERS[name] = fn
        return fn
    return register


@_method("getMe")
def _get_me(fake: FakeTelegram, params: dict, files: dict, names: dict) -> dict:
    return {**fake.bot_user, "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}


@_method("getUpdates")
def _get_updates(fake: FakeTelegram, params: dict, files: dict, names: dict) -> list:
    # runs with fake._cond held; waiting releases it
    if fake.webhook is not None:
        raise _ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                             "use deleteWebhook to delete the webhook first")
    offset = params.get("offset")
    if isinstance(offset, int) and offset != 0:
        if offset > 0:
            fake._updates = [u for u in fake._updates if u["update_id"] >= offset]
        else:
            fake._updates = fake._updates[offset:]
    limit = params.get("limit")
    limit = 100 if not isinstance(limit, int) or limit <= 0 else min(limit, 100)
    try:
        timeout = max(0.0, float(params.get("timeout") or 0))
    except (TypeError, ValueError):
        timeout = 0.0
    allowed = params.get("allowed_updates")
    if isinstance(allowed, list):
        fake._allowed_updates = allowed or None
    fake._poll_generation += 1
    generation = fake._poll_generation
    fake._changed()  # wakes an older long poll, which then answers 409
    deadline = time.monotonic() + timeout
    while True:
        if fake._allowed_updates is not None:
            allowed_set = set(fake._allowed_updates)
        else:
            allowed_set = set(_UPDATE_KINDS) - _NOT_DELIVERED_BY_DEFAULT
        fake._updates = [u for u in fake._updates if _update_kind(u) in allowed_set or _update_kind(u) not in _UPDATE_KINDS]
        if fake._updates or fake._stopping:
            return json.loads(json.dumps(fake._updates[:limit]))
        if fake._poll_generation != generation:
            raise _ApiError(409, "Conflict: terminated by other getUpdates request; "
                                 "make sure that only one bot instance is running")
        if fake.webhook is not None:
            raise _ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                 "use deleteWebhook to delete the webhook first")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return []
        fake._cond.wait(remaining)


@_method("sendMessage")
def _send_message(fake: FakeTelegram, params: dict, files: dict, names: dict) -> dict:
    text = params.get("text")
    text = "" if text is None else str(text)
    plain = _plain_len(text, params.get("parse_mode"))
    if plain == 0:
        raise _ApiError(400, "Bad Request: message text is empty")
    if plain > 4096:
        raise _ApiError(400, "Bad Request: message is too long")
    body: dict[str, Any] = {"text": text}
    if params.get("entities"):
        body["entities"] = params["entities"]
    if params.get("parse_mode"):
        body["_parse_mode"] = params["parse_mode"]
    return fake._send_common("sendMessage", params, body)


@_method("sendPhoto")
def _send_photo(fake: FakeTelegram, params: dict, files: dict, names: dict) -> dict:
    caption = fake._caption(params)
    stored, content, name, url = fake._input_file(params, files, names, "photo", "photos", ".jpg")
    size = len(content or b"")
    body: dict[str, Any] = {"photo": [
        {"file_id": stored["file_id"], "file_unique_id": stored["file_unique_id"],
         "width": 800, "height": 800, "file_size": size},
    ], **caption}
    if url:
        body["_file_url"] = url
    return fake._send_common("sendPhoto", params, body, file_bytes=content, file_name=name)


@_method("sendDocument")
def _send_document(fake: FakeTelegram, params: dict, files: dict, names: dict) -> dict:
    caption = fake._caption(params)
    stored, content, name, url = fake._input_file(params, files, names, "document", "documents", "")
    document = {"file_id": stored["file_id"], "file_unique_id": stored["file_unique_id"],
                "file_size": len(content or b"")}
    if name:
        document["file_name"] = name
        document["mime_type"] = mimetypes.guess_type(name)[0] or "application/octet-stream"
    body: dict[str, Any] = {"document": document, **caption}
    if url:
        body["_file_url"] = url
    return fake._send_common("sendDocument", params, body, file_bytes=content, file_name=name)


@_method("sendChatAction")
def _send_chat_action(fake: FakeTelegram, params: dict, files: dict, names: dict) -> bool:
    if fake._target_chat(params)["id"] in fake.blocked:
        raise _ApiError(403, "Forbidden: bot was blocked by the user")
    if not params.get("action"):
        raise _ApiError(400, "Bad Request: wrong parameter action in request")
    return True


@_method("answerCallbackQuery")
def _answer_callback_query(fake: FakeTelegram, params: dict, files: dict, names: dict) -> bool:
    query_id = str(params.get("callback_query_id") or "")
    if query_id not in fake.callback_queries or query_id in fake.callback_answers:
        raise _ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
    if len(str(params.get("text") or "")) > 200:
        raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
    fake.callback_answers[query_id] = params
    return True


def _message_to_edit(fake: FakeTelegram, params: dict) -> dict | None:
    if params.get("inline_message_id"):
        return None
    chat = params.get("chat_id")
    message_id = params.get("message_id")
    if chat in (None, ""):
        raise _ApiError(400, "Bad Request: chat_id is empty")
    if message_id in (None, ""):
        raise _ApiError(400, "Bad Request: message identifier is not specified")
    message = fake._messages.get((chat, message_id))
    if message is None or message.get("_deleted"):
        raise _ApiError(400, "Bad Request: message to edit not found")
    if message.get("from", {}).get("id") != fake.bot_id:
        raise _ApiError(400, "Bad Request: message can't be edited")
    return message


def _apply_edit(fake: FakeTelegram, message: dict | None, changes: dict) -> Any:
    if message is None:
        return True  # inline messages: Telegram answers True
    current = {k: message.get(k) for k in changes}
    if current == changes:
        raise _ApiError(400, "Bad Request: message is not modified: specified new message content and reply "
                             "markup are exactly the same as a current content and reply markup of the message")
    for key, value in changes.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    message["edit_date"] = int(time.time())
    return fake._public(message)


@_method("editMessageText")
def _edit_message_text(fake: FakeTelegram, params: dict, files: dict, names: dict) -> Any:
    text = "" if params.get("text") is None else str(params["text"])
    plain = _plain_len(text, params.get("parse_mode"))
    if plain == 0:
        raise _ApiError(400, "Bad Request: message text is empty")
    if plain > 4096:
        raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
    markup = _validate_markup(params.get("reply_markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise _ApiError(400, "Bad Request: inline keyboard expected")
    message = _message_to_edit(fake, params)
    if message is not None and "text" not in message:
        raise _ApiError(400, "Bad Request: there is no text in the message to edit")
    return _apply_edit(fake, message, {"text": text, "reply_markup": markup, "entities": params.get("entities")})


@_method("editMessageCaption")
def _edit_message_caption(fake: FakeTelegram, params: dict, files: dict, names: dict) -> Any:
    caption = fake._caption(params).get("caption")
    markup = _validate_markup(params.get("reply_markup"))
    message = _message_to_edit(fake, params)
    return _apply_edit(fake, message, {"caption": caption, "reply_markup": markup})


@_method("editMessageReplyMarkup")
def _edit_message_reply_markup(fake: FakeTelegram, params: dict, files: dict, names: dict) -> Any:
    markup = _validate_markup(params.get("reply_markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise _ApiError(400, "Bad Request: inline keyboard expected")
    message = _message_to_edit(fake, params)
    return _apply_edit(fake, message, {"reply_markup": markup})


@_method("deleteMessage")
def _delete_message(fake: FakeTelegram, params: dict, files: dict, names: dict) -> bool:
    message = fake._messages.get((params.get("chat_id"), params.get("message_id")))
    if message is None or message.get("_deleted"):
        raise _ApiError(400, "Bad Request: message to delete not found")
    message["_deleted"] = True
    return True


def _scope_key(params: dict) -> tuple[str, str]:
    scope = params.get("scope") or {}
    if not isinstance(scope, dict):
        raise _ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
    return scope.get("type", "default"), str(params.get("language_code") or "")


@_method("setMyCommands")
def _set_my_commands(fake: FakeTelegram, params: dict, files: dict, names: dict) -> bool:
    commands = params.get("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise _ApiError(400, "Bad Request: can't parse commands JSON object")
    for command in commands:
        if not isinstance(command, dict) or not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
            raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
            raise _ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
    language = str(params.get("language_code") or "")
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise _ApiError(400, "Bad Request: LANG_CODE_INVALID")
    fake.commands[_scope_key(params)] = [{"command": c["command"], "description": c["description"]} for c in commands]
    return True


@_method("deleteMyCommands")
def _delete_my_commands(fake: FakeTelegram, params: dict, files: dict, names: dict) -> bool:
    fake.commands.pop(_scope_key(params), None)
    return True


@_method("getMyCommands")
def _get_my_commands(fake: FakeTelegram, params: dict, files: dict, names: dict) -> list:
    return list(fake.commands.get(_scope_key(params), []))


@_method("setWebhook")
def _set_webhook(fake: FakeTelegram, params: dict, files: dict, names: dict) -> bool:
    url = str(params.get("url") or "")
    secret = params.get("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
        raise _ApiError(400, "Bad Request: secret token contains unallowed characters")
    if params.get("drop_pending_updates"):
        fake._updates.clear()
    if not url:
        fake.webhook = None  # an empty url removes the webhook, as Telegram does
        return True
    if not re.match(r"https?://", url):
        raise _ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    fake.webhook = {k: v for k, v in params.items() if k != "certificate"}
    if isinstance(params.get("allowed_updates"), list):
        fake._allowed_updates = params["allowed_updates"] or None
    return True


@_method("deleteWebhook")
def _delete_webhook(fake: FakeTelegram, params: dict, files: dict, names: dict) -> bool:
    fake.webhook = None
    if params.get("drop_pending_updates"):
        fake._updates.clear()
    return True


@_method("getWebhookInfo")
def _get_webhook_info(fake: FakeTelegram, params: dict, files: dict, names: dict) -> dict:
    info: dict[str, Any] = {"url": "", "has_custom_certificate": False, "pending_update_count": len(fake._updates)}
    if fake.webhook is not None:
        info["url"] = fake.webhook.get("url", "")
        info["max_connections"] = fake.webhook.get("max_connections", 40)
        if fake.webhook.get("ip_address"):
            info["ip_address"] = fake.webhook["ip_address"]
    if fake._allowed_updates:
        info["allowed_updates"] = list(fake._allowed_updates)
    return info


@_method("getFile")
def _get_file(fake: FakeTelegram, params: dict, files: dict, names: dict) -> dict:
    stored = fake._files.get(str(params.get("file_id") or ""))
    if stored is None:
        raise _ApiError(400, "Bad Request: invalid file_id")
    return {"file_id": stored["file_id"], "file_unique_id": stored["file_unique_id"],
            "file_size": len(stored["content"]), "file_path": stored["file_path"]}


@_method("getChat")
def _get_chat(fake: FakeTelegram, params: dict, files: dict, names: dict) -> dict:
    chat = dict(fake._target_chat(params))
    chat.setdefault("accent_color_id", 0)
    chat.setdefault("max_reaction_count", 11)
    return chat


@_method("getChatMember")
def _get_chat_member(fake: FakeTelegram, params: dict, files: dict, names: dict) -> dict:
    fake._target_chat(params)
    user_id = params.get("user_id")
    user = fake.bot_user if user_id == fake.bot_id else fake.users.get(user_id)
    if user is None:
        raise _ApiError(400, "Bad Request: user not found")
    return {"status": "member", "user": dict(user)}


@_method("setMyDescription", "setMyShortDescription", "setMyName", "setChatMenuButton",
         "pinChatMessage", "unpinChatMessage", "leaveChat", "setMessageReaction", "logOut", "close")
def _accepted(fake: FakeTelegram, params: dict, files: dict, names: dict) -> bool:
    return True


_METHOD_NAMES = {name.lower(): name for name in _HANDLERS}
