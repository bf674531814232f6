"""A fake Zalo Bot API server for tests.

``FakeZalo`` listens on 127.0.0.1 (a free port) in a background thread and speaks the
calls of ZALO.md over real HTTP, with the quirks a client must survive::

    with FakeZalo() as fake:
        client = ZaloClient(fake.token, fake.api_url)
        fake.send_text("6ede9afa66b88fe6a6a9", "vneid 5")   # what a user does
        ...                                                  # the bot polls and answers
        reply = fake.wait_sent(1, chat_id="6ede9afa66b88fe6a6a9")[0]

The quirks, as ZALO.md describes them:

* ``POST /bot{token}/{method}`` with a JSON body; replies ``{"ok": true, "result": …}``
  or ``{"ok": false, "error_code": N, "description": "…"}``; ``fail_next`` can make the
  body's error_code and the HTTP status disagree.
* getUpdates answers ONE update object (not a list), has no offset (an update is handed
  out once), long-polls up to ``timeout`` seconds (waking at once when an update is
  queued), answers error 408 "Request timeout" when nothing came — as HTTP 408
  (``empty_poll="http"``), as HTTP 200 with the error in the body (``"body"``), or as
  HTTP 408 with an empty body (``"bare"``) — and is refused while a webhook is set.
* ids are hex strings, ``date`` is in milliseconds; sendMessage takes 1–2000 characters
  and a string ``chat_id``; photos are sent by URL.

It never contacts any other address: ``post_webhook`` and ``deliver_webhook`` only POST
to loopback URLs, and photo URLs given to sendPhoto are not fetched.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import secrets
import socket
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from loopback import LoopbackFake, client

__all__ = ["Call", "FakeZalo", "LOOPBACK", "MAX_TEXT", "SECRET_HEADER"]

MAX_TEXT = 2000
SECRET_HEADER = "X-Bot-Api-Secret-Token"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_POLL = 60.0  # seconds: a longer getUpdates timeout is cut to this
WEBHOOK_ACTIVE = 400  # getUpdates while a webhook is set (ZALO.md: "does not work"; the code is a guess)

_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request timeout",
    426: "Upgrade Required",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def _now_ms() -> int:
    return int(time.time() * 1000)


def _hex_id() -> str:
    return secrets.token_hex(10)  # 20 hex digits, like "2d758cb5e222177a4a35"


@dataclass
class Call:
    """One API call the fake received, in arrival order."""

    method: str
    params: dict
    at: float  # time.monotonic() when it arrived
    status: int | None = None  # HTTP status answered (None while a long poll waits)
    response: dict | None = None  # the JSON answered (None for an empty body)
    raw_body: bytes = b""  # the request body as received

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response.get("ok"))


class _ApiError(Exception):
    def __init__(self, error_code: int, description: str = "", *, http_status: int | None = None,
                 parameters: dict | None = None, raw: bytes | None = None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description or _DESCRIPTIONS.get(error_code, "Error")
        self.http_status = http_status if http_status is not None else (
            error_code if 100 <= error_code <= 599 else 200)
        self.parameters = parameters
        self.raw = raw  # an answer that is not the API's JSON (e.g. a proxy's HTML page)


# --------------------------------------------------------------------------- HTTP layer


# --------------------------------------------------------------------------- the fake


class FakeZalo(LoopbackFake):
    def __init__(self, token: str = "1234567890:FAKEzaloTOKENabcdef", *, bot_id: str = "7c1e5a9b3d2f4e6a8b0c",
                 display_name: str = "TOCDS Bot", account_name: str = "bot.tocds", empty_poll: str = "http"):
        super().__init__()
        if empty_poll not in ("http", "body", "bare"):
            raise ValueError("empty_poll is 'http' (HTTP 408), 'body' (HTTP 200, error 408 in the body) or 'bare'")
        self.token = token
        self.empty_poll = empty_poll
        self.bot = {"id": bot_id, "account_name": account_name, "account_type": "BASIC",
                    "can_join_groups": True, "display_name": display_name}


        self.calls: list[Call] = []
        self._updates: deque[dict] = deque()
        self.handed_out: list[dict] = []  # updates getUpdates has delivered (once each)
        self._sent: list[dict] = []
        self.webhook: dict | None = None  # {"url", "secret_token", "updated_at"}
        self.blocked: set[str] = set()
        self._failures: dict[str, deque[_ApiError]] = {}
        self.images: dict[str, bytes] = {}  # path -> content: what image URLs give (Zalo's CDN)

    # ------------------------------------------------------------------ lifecycle

    @property
    def api_url(self) -> str:
        return f"{self.url}/bot"

    def start(self) -> FakeZalo:
        if self._server is None:
            super().start()
        return self

    def __repr__(self) -> str:
        return f"<FakeZalo {self.url or '(stopped)'} calls={len(self.calls)} pending={self.pending_updates}>"

    def queue_update(self, raw: dict) -> dict:
        """Queues an update exactly as given (to getUpdates, or `deliver_webhook`)."""
        with self._cond:
            self._updates.append(raw)
            self._changed()
        return raw

    def make_message(self, user_id: str, *, chat_id: str | None = None, chat_type: str = "PRIVATE",
                     display_name: str = "Lan", **fields: Any) -> dict:
        """A message as Zalo shapes it: hex string ids, `date` in milliseconds."""
        if chat_id is None:
            chat_id = user_id if chat_type == "PRIVATE" else hashlib.md5(f"group:{user_id}".encode()).hexdigest()[:20]
        message = {"message_id": _hex_id(), "date": _now_ms()}
        message.update({k: v for k, v in fields.items() if v is not None})
        message["from"] = {"id": str(user_id), "display_name": display_name, "is_bot": False}
        message["chat"] = {"id": str(chat_id), "chat_type": chat_type}
        return message

    def _queue_event(self, event_name: str, user_id: str, **kwargs: Any) -> dict:
        return self.queue_update({"event_name": event_name, "message": self.make_message(user_id, **kwargs)})

    def send_text(self, user_id: str, text: str, *, chat_type: str = "PRIVATE", display_name: str = "Lan",
                  chat_id: str | None = None) -> dict:
        return self._queue_event("message.text.received", user_id, text=text, chat_type=chat_type,
                                 display_name=display_name, chat_id=chat_id)

    def send_image(self, user_id: str, photo_url: str, caption: str | None = None, field: str = "photo_url",
                   **kwargs: Any) -> dict:
        """An image message; its URL in `photo_url` (as in practice) or `photo` (as some docs say)."""
        if field not in ("photo_url", "photo"):
            raise ValueError("field is 'photo_url' or 'photo'")
        return self._queue_event("message.image.received", user_id, caption=caption,
                                 **{field: photo_url}, **kwargs)

    def send_sticker(self, user_id: str, sticker: str = "bfe458bf64fa8da4d4eb", **kwargs: Any) -> dict:
        return self._queue_event("message.sticker.received", user_id, sticker=sticker,
                                 url=f"https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid={sticker}", **kwargs)

    def send_voice(self, user_id: str, url: str = "https://voice-aac-dl.zdn.vn/example/voice.aac",
                   **kwargs: Any) -> dict:
        return self._queue_event("message.voice.received", user_id, url=url, **kwargs)

    def send_unsupported(self, user_id: str, **kwargs: Any) -> dict:
        return self._queue_event("message.unsupported.received", user_id, **kwargs)

    @property
    def pending_updates(self) -> int:
        with self._lock:
            return len(self._updates)

    # ------------------------------------------------------------------ webhooks

    @staticmethod
    def post_webhook(url: str, update: dict, secret: str | None, wrapped: bool = False,
                     timeout: float = 10) -> tuple[int, Any]:
        """POSTs one update to a webhook URL on loopback, as Zalo would: the bare update or
        {"ok": true, "result": update}, the secret in X-Bot-Api-Secret-Token (none when
        `secret` is None). Returns (HTTP status, the answer's JSON or text)."""
        target = urlsplit(url)
        if target.hostname not in LOOPBACK:
            raise AssertionError(f"post_webhook: refusing to contact {target.hostname}; only loopback URLs")
        body = json.dumps({"ok": True, "result": update} if wrapped else update, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        connection_class = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
        connection = connection_class(target.hostname, target.port, timeout=timeout)
        try:
            path = (target.path or "/") + (f"?{target.query}" if target.query else "")
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        try:
            answer: Any = json.loads(raw)
        except ValueError:
            answer = raw.decode("utf-8", "replace")
        return response.status, answer

    def deliver_webhook(self, *, wrapped: bool = False, timeout: float = 10) -> list[int]:
        """Webhook mode: POSTs the queued updates, in order, to the URL setWebhook set, with
        its secret; a 2xx answer removes an update from the queue, anything else stops
        there. Returns the HTTP statuses."""
        with self._lock:
            if self.webhook is None:
                raise AssertionError("deliver_webhook: no webhook is set")
            url, secret = self.webhook["url"], self.webhook["secret_token"]
        statuses = []
        while True:
            with self._lock:
                if not self._updates:
                    break
                update = self._updates[0]
            status, _ = self.post_webhook(url, update, secret, wrapped, timeout)
            statuses.append(status)
            if not 200 <= status < 300:
                break
            with self._cond:
                if self._updates and self._updates[0] is update:
                    self._updates.popleft()
                self._changed()
        return statuses

    # ------------------------------------------------------------------ what the bot did

    def sent(self, chat_id: str | None = None) -> list[dict]:
        """Messages the bot sent, in order: {"chat_id", "text"} (sendMessage) or
        {"chat_id", "photo", "caption"} (sendPhoto), plus "message_id", "date", "_method"."""
        with self._lock:
            return [m for m in self._sent if chat_id is None or m["chat_id"] == chat_id]

    def texts(self, chat_id: str | None = None) -> list[str]:
        return [m.get("text", m.get("caption")) or "" for m in self.sent(chat_id)]

    def calls_of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def dump(self, last: int = 25) -> str:
        with self._lock:
            calls = self.calls[-last:]
            lines = [f"FakeZalo {self.url}: {len(self.calls)} calls, {len(self._updates)} pending updates, "
                     f"{len(self._sent)} messages sent; last calls:"]
            for call in calls:
                params = json.dumps(call.params, ensure_ascii=False, default=str)
                if len(params) > 300:
                    params = params[:300] + "…"
                description = ""
                if call.response and not call.response.get("ok"):
                    description = f" {call.response.get('error_code')} {call.response.get('description')!r}"
                lines.append(f"  {call.method} -> {call.status}{description} {params}")
        return "\n".join(lines)

    # ------------------------------------------------------------------ fault injection

    def fail_next(self, method: str, error_code: int, *, http_status: int | None = None, times: int = 1,
                  description: str = "", retry_after: float | None = None, raw: bytes | None = None) -> None:
        """The next `times` calls of `method` ("*" for any) answer
        {"ok": false, "error_code": error_code, "description": …} with HTTP status
        `http_status` (default: error_code when it is an HTTP status, else 200) — the two may
        differ, as ZALO.md warns. `retry_after` adds "parameters": {"retry_after": N};
        `raw` answers those bytes instead of JSON (a proxy's error page)."""
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        with self._lock:
            queue = self._failures.setdefault(method, deque())
            for _ in range(times):
                queue.append(_ApiError(error_code, description, http_status=http_status,
                                       parameters=parameters, raw=raw))

    def block(self, chat_id: str) -> None:
        """Sends to this chat answer 403 (the user blocked the bot) until `unblock`."""
        with self._lock:
            self.blocked.add(chat_id)

    def unblock(self, chat_id: str) -> None:
        with self._lock:
            self.blocked.discard(chat_id)

    # ------------------------------------------------------------------ HTTP dispatch

    def image_url(self, content: bytes) -> str:
        """A URL of this server that gives `content`, as Zalo's CDN gives a sent picture."""
        path = f"/images/{len(self.images) + 1}.jpg"
        self.images[path] = content
        return f"{self.url}{path}"

    def _handle_http(self, verb: str, raw_path: str, headers: Any, body: bytes) -> tuple[int, bytes, str]:
        if verb == "GET" and raw_path.startswith("/images/"):
            content = self.images.get(urlsplit(raw_path).path)
            return (200, content, "image/jpeg") if content is not None else (404, b"gone", "text/plain")
        status, payload = self._answer(verb, raw_path, body)
        return status, payload, "application/json; charset=utf-8"

    def _answer(self, verb: str, raw_path: str, body: bytes) -> tuple[int, bytes]:
        path = unquote(urlsplit(raw_path).path)
        head, _, method = path.rpartition("/")
        call = Call(method=method, params={}, at=time.monotonic(), raw_body=body)
        with self._cond:
            self.calls.append(call)
            self._changed()
            try:
                if verb != "POST" or not head.startswith("/bot"):
                    raise _ApiError(404, "Not Found")
                if head[len("/bot"):] != self.token:
                    raise _ApiError(401, "Unauthorized")
                handler = _HANDLERS.get(method)
                if handler is None:
                    raise _ApiError(404, "Not Found: unknown method")
                try:
                    params = json.loads(body) if body.strip() else {}
                except ValueError:
                    raise _ApiError(400, "Bad Request: the body is not JSON") from None
                if not isinstance(params, dict):
                    raise _ApiError(400, "Bad Request: the body is not a JSON object")
                call.params = params
                failures = self._failures.get(method) or self._failures.get("*")
                if failures:
                    raise failures.popleft()
                response: dict[str, Any] = {"ok": True, "result": handler(self, params)}
                call.status = 200
            except _ApiError as error:
                call.status = error.http_status
                if error.raw is not None:
                    self._changed()
                    return call.status, error.raw
                response = {"ok": False, "error_code": error.error_code, "description": error.description}
                if error.parameters:
                    response["parameters"] = error.parameters
            call.response = response
            self._changed()
        return call.status, json.dumps(response, ensure_ascii=False).encode("utf-8")

    # ------------------------------------------------------------------ checks shared by sends

    def _chat(self, params: dict) -> str:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, str) or not chat_id:
            raise _ApiError(400, "Bad Request: chat_id must be a non-empty string")
        if chat_id in self.blocked:
            raise _ApiError(403, "Forbidden: the user has blocked the bot")
        return chat_id

    def _record(self, method: str, chat_id: str, fields: dict) -> dict:
        result = {"message_id": _hex_id(), "date": _now_ms()}
        self._sent.append({"chat_id": chat_id, **fields, **result, "_method": method})
        return result


# --------------------------------------------------------------------------- the API's methods

_HANDLERS: dict[str, Callable[[FakeZalo, dict], Any]] = {}


def _method(name: str):
    def register(function):
        _HANDLERS[name] = function
        return function
    return register


class _EmptyPoll(_ApiError):
    def __init__(self, fake: FakeZalo):
        super().__init__(408, "Request timeout", http_status=200 if fake.empty_poll == "body" else 408)


class _BarePoll(_ApiError):
    def __init__(self) -> None:
        super().__init__(408, "Request timeout", http_status=408, raw=b"")  # no body at all


@_method("getMe")
def _get_me(fake: FakeZalo, params: dict) -> dict:
    return dict(fake.bot)


def _client_gone() -> bool:
    """The poller hung up (e.g. was killed): hand it nothing, or the update would vanish."""
    connection = getattr(client, "connection", None)
    if connection is None:
        return False
    try:
        return connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except (BlockingIOError, InterruptedError):
        return False  # open, and nothing to read: still waiting for our answer
    except OSError:
        return True


@_method("getUpdates")
def _get_updates(fake: FakeZalo, params: dict) -> Any:
    # runs with fake._cond held; waiting releases it
    try:
        timeout = min(max(0.0, float(params.get("timeout") or 0)), MAX_POLL)
    except (TypeError, ValueError):
        raise _ApiError(400, "Bad Request: timeout must be a number of seconds") from None
    deadline = time.monotonic() + timeout
    while True:
        if fake.webhook is not None:
            raise _ApiError(WEBHOOK_ACTIVE, "Bad Request: getUpdates is not available while a webhook is set")
        if fake._updates and not _client_gone():
            update = fake._updates.popleft()  # handed out once: there is no offset
            fake.handed_out.append(update)
            return json.loads(json.dumps(update))
        remaining = deadline - time.monotonic()
        if remaining <= 0 or fake._stopping or _client_gone():
            break
        fake._cond.wait(min(remaining, 0.5))
    if fake.empty_poll == "bare":
        raise _BarePoll()
    raise _EmptyPoll(fake)


@_method("setWebhook")
def _set_webhook(fake: FakeZalo, params: dict) -> dict:
    url, secret = params.get("url"), params.get("secret_token")
    if not isinstance(url, str) or not url:
        raise _ApiError(400, "Bad Request: url is required")
    target = urlsplit(url)
    if target.scheme != "https" and not (target.scheme == "http" and target.hostname in LOOPBACK):
        raise _ApiError(400, "Bad Request: the webhook url must be HTTPS")
    if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
        raise _ApiError(400, "Bad Request: secret_token must be 8 to 256 characters")
    fake.webhook = {"url": url, "secret_token": secret, "updated_at": _now_ms()}
    return {"url": url, "updated_at": fake.webhook["updated_at"]}


@_method("deleteWebhook")
def _delete_webhook(fake: FakeZalo, params: dict) -> dict:
    fake.webhook = None
    return {"url": "", "updated_at": _now_ms()}


@_method("getWebhookInfo")
def _get_webhook_info(fake: FakeZalo, params: dict) -> dict:
    if fake.webhook is None:
        return {"url": "", "updated_at": 0}
    return {"url": fake.webhook["url"], "updated_at": fake.webhook["updated_at"]}


@_method("sendMessage")
def _send_message(fake: FakeZalo, params: dict) -> dict:
    chat_id = fake._chat(params)
    text = params.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _ApiError(400, "Bad Request: text is empty")
    if len(text) > MAX_TEXT:
        raise _ApiError(400, f"Bad Request: text must be 1 to {MAX_TEXT} characters")
    return fake._record("sendMessage", chat_id, {"text": text})


@_method("sendPhoto")
def _send_photo(fake: FakeZalo, params: dict) -> dict:
    chat_id = fake._chat(params)
    photo = params.get("photo")
    if not isinstance(photo, str) or urlsplit(photo).scheme not in ("http", "https"):
        raise _ApiError(400, "Bad Request: photo must be a public URL")
    caption = params.get("caption")
    if caption is not None and (not isinstance(caption, str) or len(caption) > MAX_TEXT):
        raise _ApiError(400, "Bad Request: caption is too long")
    return fake._record("sendPhoto", chat_id, {"photo": photo, "caption": caption})


@_method("sendSticker")
def _send_sticker(fake: FakeZalo, params: dict) -> dict:
    chat_id = fake._chat(params)
    sticker = params.get("sticker")
    if not isinstance(sticker, str) or not sticker:
        raise _ApiError(400, "Bad Request: sticker is required")
    return fake._record("sendSticker", chat_id, {"sticker": sticker})


@_method("sendChatAction")
def _send_chat_action(fake: FakeZalo, params: dict) -> bool:
    fake._chat(params)
    if params.get("action") not in ("typing", "upload_photo"):
        raise _ApiError(400, "Bad Request: unknown action")
    return True
