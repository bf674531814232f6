"""Zalo, through the Zalo Bot Platform's HTTP API: updates in, replies out (see ZALO.md).

The API copies Telegram's shape but not its details, and no mature client exists, so this
module holds a small httpx client of our own. The quirks it deals with:

* `error_code` in the body is read before the HTTP status (the two may disagree);
* getUpdates hands out ONE update (not a list) with no offset, and an empty long poll is
  error 408 "Request timeout", in the HTTP status or in the body: that means "nothing yet";
* there are no buttons: choices become numbered lines, answered by a digit;
* a text is at most 2000 characters: longer ones go in several messages cut at line ends;
* a webhook body may be the bare update or wrapped as {"ok": true, "result": {...}};
* an update may come more than once: its key is (event_name, message_id);
* ids are strings, and the picture of an image message is in `photo_url` or `photo`.

The bot token is part of every URL path, so neither URLs nor httpx's own errors (whose
text may carry the URL) end up in our errors or logs.
"""

import hashlib
import json
import logging
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import httpx

from ...handlers.messages import Attachment, Incoming, Outgoing
from ..published import Publisher
from . import Blocked, Channel, Failed, Throttled, WebhookInfo, render, split_text

log = logging.getLogger(__name__)

NAME = "zalo"
DEFAULT_API_URL = "https://bot-api.zaloplatforms.com/bot"
MAX_TEXT = 2000  # sendMessage: 1–2000 characters
MAX_FILE_BYTES = 20 * 1024 * 1024  # a picture larger than this is no phone photo
POLL_TIMEOUT = 30  # seconds a getUpdates call may wait for news
REQUEST_TIMEOUT = 15.0  # seconds for every other call
DEFAULT_RETRY_AFTER = 5.0  # a 429 without a retry_after
SECRET_LENGTH = (8, 256)  # setWebhook's secret_token
USERNAME_LENGTH = 64  # what the channel_bot table keeps

EMPTY_POLL = 408  # getUpdates with nothing to hand out ("Request timeout")
TEXT_EVENT = "message.text.received"
IMAGE_EVENT = "message.image.received"
OTHER_EVENTS = frozenset({
    "message.sticker.received",
    "message.voice.received",
    "message.unsupported.received",
})


# The client --------------------------------------------------------------------------


def _error_kind(code: Any) -> str | None:
    """What an error code means to us; None for a code we cannot read."""
    if isinstance(code, bool) or not isinstance(code, int):
        try:
            code = int(code)
        except (TypeError, ValueError):
            return None
    if code == 429:
        return "throttled"
    if code == 403:
        return "blocked"
    if code == EMPTY_POLL:
        return "timeout"
    if 500 <= code <= 599:
        return "temporary"
    if 400 <= code <= 499:
        return "permanent"
    return None


def _retry_after(body: dict, response: httpx.Response) -> float:
    parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
    for value in (parameters.get("retry_after"), body.get("retry_after"), response.headers.get("Retry-After")):
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            continue
        if seconds >= 0:
            return seconds
    return DEFAULT_RETRY_AFTER


class ZaloClient:
    """`POST {api_url}{token}/{method}` with a JSON body; failures as the channels' typed errors.

    Every call returns the reply's `result`, or raises `Throttled` (429), `Blocked` (403),
    `Failed(temporary=True)` (5xx, 408, network errors and timeouts) or
    `Failed(temporary=False)` (400, 401, 404, 426 and anything else).
    """

    def __init__(self, token: str, api_url: str = DEFAULT_API_URL, *, timeout: float = REQUEST_TIMEOUT,
                 transport: httpx.AsyncBaseTransport | None = None):
        self._token = token
        self.api_url = api_url
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
            transport=transport,
            headers={"Content-Type": "application/json"},
        )
        self._pending: list[dict] = []  # updates of a getUpdates that answered a list (not seen so far)

    def __repr__(self) -> str:  # never the token
        return f"<ZaloClient {self.api_url}…>"

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> "ZaloClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "<token>") if self._token else text

    async def call(self, method: str, params: dict | None = None, *, timeout: float | None = None,
                   empty_ok: bool = False) -> Any:
        """One API call. With `empty_ok`, error 408 returns None instead of raising."""
        url = f"{self.api_url}{self._token}/{method}"
        content = json.dumps(params or {}, ensure_ascii=False).encode("utf-8")
        try:
            response = await self._http.post(
                url, content=content, timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else timeout
            )
        except httpx.UnsupportedProtocol as error:  # TOCDS_ZALO_API_URL is not a URL
            raise Failed(f"{method}: bad API URL ({type(error).__name__})", temporary=False) from None
        except httpx.TransportError as error:  # connection refused/reset, timeouts, protocol errors
            detail = self._redact(str(error)) or "no detail"
            raise Failed(f"{method}: {type(error).__name__}: {detail}", temporary=True) from None
        return self._result(method, response, empty_ok)

    def _result(self, method: str, response: httpx.Response, empty_ok: bool) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            body = {}
        if body.get("ok") is True:
            return body.get("result")
        # The body's error_code first: the HTTP status may be 200 for an error (or 4xx for 5xx).
        code = body.get("error_code")
        kind = _error_kind(code)
        if kind is None and response.is_error:  # no code we can read in the body: the status
            code, kind = response.status_code, _error_kind(response.status_code)
        if kind is None:
            if body.get("ok") is False or code is not None:
                kind = "permanent"  # an error code we do not know
            elif response.is_success and body:
                return body.get("result")  # no `ok` at all: take what is there
            else:
                kind = "temporary"  # an answer we cannot read (a proxy's page, a cut body)
        description = self._redact(str(body.get("description") or response.reason_phrase or ""))
        detail = f"{method}: {code} {description}".strip()
        if kind == "timeout":
            if empty_ok:
                return None
            raise Failed(detail, temporary=True)
        if kind == "throttled":
            raise Throttled(_retry_after(body, response), detail)
        if kind == "blocked":
            raise Blocked(detail)
        raise Failed(detail, temporary=kind == "temporary")

    async def fetch_file(self, url: str) -> tuple[bytes, str]:
        """A picture a person sent, by the URL in its message (at most MAX_FILE_BYTES)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise Failed("file: not an http(s) URL", temporary=False)
        try:
            async with self._http.stream("GET", url) as response:
                if response.status_code in (404, 410):
                    raise Failed(f"file: {response.status_code}", temporary=False)
                if response.is_error:
                    raise Failed(f"file: {response.status_code}", temporary=True)
                content = bytearray()
                async for chunk in response.aiter_bytes():
                    content += chunk
                    if len(content) > MAX_FILE_BYTES:
                        raise Failed("file: larger than 20 MB", temporary=False)
        except httpx.TransportError as error:
            raise Failed(f"file: {type(error).__name__}", temporary=True) from None
        suffix = PurePosixPath(parts.path).suffix.lower()
        return bytes(content), suffix if suffix.isascii() and len(suffix) <= 8 else ".jpg"

    # The API's methods -----------------------------------------------------------------

    async def get_me(self) -> dict:
        return await self.call("getMe") or {}

    async def get_updates(self, timeout: int = POLL_TIMEOUT) -> dict | None:
        """Waits up to `timeout` seconds for one update; None when there is none (error 408)."""
        if self._pending:
            return self._pending.pop(0)
        result = await self.call("getUpdates", {"timeout": timeout}, timeout=timeout + 10, empty_ok=True)
        if isinstance(result, list):  # should the API ever answer like Telegram: lose none
            self._pending = [update for update in result if isinstance(update, dict) and update]
            return self._pending.pop(0) if self._pending else None
        return result if isinstance(result, dict) and result else None

    async def set_webhook(self, url: str, secret_token: str) -> Any:
        return await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> Any:
        return await self.call("deleteWebhook")

    async def get_webhook_info(self) -> dict:
        return await self.call("getWebhookInfo") or {}

    async def send_message(self, chat_id: str, text: str) -> Any:
        return await self.call("sendMessage", {"chat_id": chat_id, "text": text})

    async def send_photo(self, chat_id: str, photo_url: str, caption: str | None = None) -> Any:
        params = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            params["caption"] = caption
        return await self.call("sendPhoto", params)

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> Any:
        return await self.call("sendChatAction", {"chat_id": chat_id, "action": action})


# The channel ---------------------------------------------------------------------------


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _picture(message: dict) -> str | None:
    """The image's URL: `photo_url` in practice, `photo` in some docs (a URL, or sizes)."""
    for field in ("photo_url", "photo"):
        value = message.get(field)
        if isinstance(value, list) and value:  # sizes, largest last, as Telegram does
            value = value[-1]
        if isinstance(value, dict):
            value = value.get("url") or value.get("photo_url") or value.get("file_id")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _sender_name(sender: dict) -> str:
    for field in ("display_name", "first_name", "name"):
        if name := _text(sender.get(field)):
            return name
    return ""


def message_key(payload: dict) -> str:
    """The message's id; a digest of the update when it has none (one key per content)."""
    message = payload.get("message")
    message_id = message.get("message_id") if isinstance(message, dict) else None
    if message_id not in (None, ""):
        return str(message_id)
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"sha256-{digest[:32]}"


class ZaloChannel(Channel):
    name = NAME
    secret_header = "X-Bot-Api-Secret-Token"

    def __init__(self, token: str, api_url: str = DEFAULT_API_URL, *, poll_timeout: int = POLL_TIMEOUT,
                 client: ZaloClient | None = None, publisher: Publisher | None = None):
        self.client = client or ZaloClient(token, api_url)
        self.publisher = publisher  # where pictures and files go to be linked; without one, text only
        self.poll_timeout = poll_timeout
        self.username: str | None = None
        self.bot_id: str | None = None

    async def start(self) -> None:
        me = await self.client.get_me()
        me = me if isinstance(me, dict) else {}
        self.bot_id = str(me["id"]) if me.get("id") not in (None, "") else None
        name = (_text(me.get("display_name")) or _text(me.get("account_name")) or _text(me.get("name"))
                or self.bot_id)
        self.username = name[:USERNAME_LENGTH] if name else None

    async def stop(self) -> None:
        await self.client.close()

    # Updates in --------------------------------------------------------------------------

    def update_key(self, payload: dict) -> str:
        """(event_name, message_id): Zalo may deliver an update more than once."""
        event = payload["event_name"]  # KeyError: not an update (the webhook answers 400)
        if not isinstance(event, str) or not event:
            raise KeyError("event_name")
        return f"{event}:{message_key(payload)}"

    async def fetch(self) -> list[dict]:
        """One long poll. No offset exists: an update is handed out once, so `confirm` has
        nothing to do, and what the poll returns must be stored (the mailroom does that
        before anything else)."""
        update = await self.client.get_updates(self.poll_timeout)
        if update is None:
            return []
        if not isinstance(update.get("event_name"), str) or not update["event_name"]:
            log.warning("zalo: ignored an update without event_name (keys: %s)", sorted(update)[:10])
            return []
        return [update]

    def unwrap(self, body: dict) -> dict:
        """A webhook body is the bare update or {"ok": true, "result": {update}}."""
        if "event_name" not in body and isinstance(body.get("result"), dict):
            return body["result"]
        return body

    def to_incoming(self, payload: dict) -> Incoming | None:
        event = payload.get("event_name")
        message = payload.get("message")
        if not isinstance(message, dict):
            return None
        if event == TEXT_EVENT:
            kind, text, attachment = "text", self.without_mention(message.get("text")), None
        elif event == IMAGE_EVENT:
            kind, text, attachment = "photo", self.without_mention(message.get("caption")), _picture(message)
        elif event in OTHER_EVENTS or str(event).startswith("message."):
            # Stickers, voice, and message kinds Zalo may add: a polite "text and photos only".
            kind, text, attachment = "other", "", None
        else:
            return None  # not a message (events we do not know yet)
        sender = message.get("from") if isinstance(message.get("from"), dict) else {}
        chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
        if sender.get("is_bot") is True or (self.bot_id and str(sender.get("id")) == self.bot_id):
            return None  # other bots, and our own messages should Zalo ever echo them
        sender_id = str(sender.get("id") or chat.get("id") or "")
        chat_id = str(chat.get("id") or sender_id)
        if not chat_id:
            return None
        return Incoming(
            channel=NAME,
            chat_id=chat_id,
            sender_id=sender_id or chat_id,
            message_id=message_key(payload),
            sender_name=_sender_name(sender),
            text=text,
            is_group=str(chat.get("chat_type") or "").upper() == "GROUP",
            kind=kind,
            attachment=attachment,
        )

    def without_mention(self, text: Any) -> str:
        """In a group the bot only sees messages that mention it: `@Bot vneid 5` → `vneid 5`."""
        text = _text(text)
        mention = f"@{self.username}" if self.username else None
        if mention and text.lower().startswith(mention.lower()):
            rest = text[len(mention):]
            if not rest or not (rest[0].isalnum() or rest[0] == "_"):
                return rest.lstrip(" ,:\u00a0\t\n")
        return text

    # Replies out -----------------------------------------------------------------------

    @staticmethod
    def pieces(message: Outgoing) -> list[str]:
        """The texts to send: no more than 2000 characters each, cut at line ends, the
        choices as numbered lines after the text (kept with its last part when they fit).
        Nothing for a message with neither: a picture alone goes without a stray "…"."""
        menu = render(Outgoing("", message.choices)).lstrip("\n") if message.choices else ""
        if not message.text.strip():
            return split_text(menu, MAX_TEXT) if menu else []
        if not menu:
            return split_text(message.text, MAX_TEXT)
        pieces = split_text(message.text, MAX_TEXT)
        if len(pieces[-1]) + 1 + len(menu) <= MAX_TEXT:
            pieces[-1] = f"{pieces[-1]}\n{menu}"
        else:
            pieces += split_text(menu, MAX_TEXT)
        return pieces

    def link(self, attachment: Attachment) -> str | None:
        """Where Zalo fetches a file: a picture's own URL (a Zalo picture sent again), else a
        published copy of its bytes; None without a publisher."""
        if attachment.ref:
            return attachment.ref if attachment.kind == "picture" else None
        return self.publisher.publish(attachment.name, attachment.content) if self.publisher else None

    async def send(self, chat_id: str, message: Outgoing) -> None:
        attachment = message.attachment
        link = self.link(attachment) if attachment else None
        if link and attachment.kind == "picture":
            await self.client.send_photo(chat_id, link)
        elif link:  # Zalo has no documents: the spreadsheet is a link that expires
            message = replace(message, text=f"{message.text}\n📎 {attachment.name}: {link}".strip())
        for piece in self.pieces(message):
            await self.client.send_message(chat_id, piece)

    async def download(self, file_ref: str) -> tuple[bytes, str]:
        return await self.client.fetch_file(file_ref)

    async def send_photo(self, chat_id: str, photo_url: str, caption: str | None = None) -> None:
        """A picture by its public URL (Zalo uploads no bytes); raises like `send`."""
        await self.client.send_photo(chat_id, photo_url, caption)

    # Set-up --------------------------------------------------------------------------------

    async def use_polling(self) -> None:
        """getUpdates does not work while a webhook is set."""
        await self.client.delete_webhook()

    async def use_webhook(self, url: str, secret: str) -> None:
        low, high = SECRET_LENGTH
        if not low <= len(secret or "") <= high:
            raise ValueError(f"Zalo needs a webhook secret of {low} to {high} characters: "
                             "set TOCDS_WEBHOOK_SECRET accordingly")
        await self.client.set_webhook(url, secret)

    async def webhook_info(self) -> WebhookInfo:
        info = await self.client.get_webhook_info()
        return WebhookInfo(str((info or {}).get("url") or ""))
