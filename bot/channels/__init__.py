"""Channels carry messages between a messenger and the handlers.

Each messenger is one module behind the small `Channel` interface below; what is common
to all of them — storing updates, handling them, delivering replies with retries — is
written once, in `bot/mailroom.py`. A channel only maps payloads and talks HTTP, and
reports a failed send as one of the typed errors here, so that one place decides what
to retry.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass

from ...handlers.messages import Incoming, Outgoing


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at line ends where there are any."""
    pieces, current = [], ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single line longer than a message
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            candidate = line
        current = candidate
    pieces.append(current)
    return [piece for piece in pieces if piece.strip()] or ["…"]  # a messenger refuses blank texts


def render(message: Outgoing) -> str:
    """Choices as numbered lines, for messengers without buttons (console, Zalo)."""
    lines = [message.text]
    lines += [f"{number}. {choice.label}" for number, choice in enumerate(message.choices, start=1)]
    if message.attachment:
        lines.append(f"📎 {message.attachment.name}")
    return "\n".join(lines)


class SendError(Exception):
    """A message did not reach the messenger."""


class Throttled(SendError):
    """Too many messages: try again after `retry_after` seconds."""

    def __init__(self, retry_after: float, detail: str = ""):
        super().__init__(detail or f"throttled for {retry_after}s")
        self.retry_after = retry_after


class Blocked(SendError):
    """The person blocked the bot or the chat is gone: never retry."""


class Failed(SendError):
    """Any other failure; `temporary` ones (network, 5xx) are retried with backoff."""

    def __init__(self, detail: str, temporary: bool):
        super().__init__(detail)
        self.temporary = temporary


@dataclass(frozen=True)
class WebhookInfo:
    url: str  # empty: no webhook, updates wait for getUpdates
    pending: int | None = None  # updates waiting to be delivered, where the messenger says


class Channel(ABC):
    name: str
    username: str | None = None  # the bot's own name on the messenger, once started
    secret_header: str  # the webhook request header that carries TOCDS_WEBHOOK_SECRET

    async def start(self) -> None:  # noqa: B027  (optional hook)
        """Connect (e.g. learn the bot's own name); called once before anything else."""

    async def stop(self) -> None:  # noqa: B027
        """Release connections."""

    @abstractmethod
    def update_key(self, payload: dict) -> str:
        """The messenger's unique id of an update, to store it once."""

    @abstractmethod
    def to_incoming(self, payload: dict) -> Incoming | None:
        """The handlers' view of an update; None for updates the bot ignores."""

    @abstractmethod
    async def fetch(self) -> list[dict]:
        """Waits for new updates (long polling); they come again until confirmed."""

    def confirm(self, payloads: list[dict]) -> None:  # noqa: B027
        """The updates are stored: the messenger need not deliver them again."""

    @abstractmethod
    async def send(self, chat_id: str, message: Outgoing) -> None:
        """Sends one reply; raises Throttled, Blocked or Failed."""

    async def download(self, file_ref: str) -> tuple[bytes, str]:
        """A photo or file a person sent (by the reference in `Incoming.attachment`): its
        bytes and a file suffix such as `.jpg`; raises Failed where the messenger has none."""
        raise Failed(f"{self.name} keeps no files", temporary=False)

    async def set_commands(self, menus: dict[tuple[str, str], list[tuple[str, str]]]) -> None:  # noqa: B027
        """Publishes the command menus (by scope and language), where the messenger has them."""

    async def use_polling(self) -> None:  # noqa: B027
        """Prepares the messenger for `fetch` (e.g. removes a webhook)."""

    async def use_webhook(self, url: str, secret: str) -> None:  # noqa: B027
        """Asks the messenger to POST updates to `url` with the secret in `secret_header`."""

    async def webhook_info(self) -> WebhookInfo | None:
        """Where the messenger sends updates now (for `tocds doctor`); None where it cannot say."""
        return None

    def unwrap(self, body: dict) -> dict:
        """The update in a webhook request's body."""
        return body

    async def acknowledge(self, payload: dict) -> None:  # noqa: B027
        """Tells the messenger an update was handled, where it wants that (button presses)."""
