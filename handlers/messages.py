"""What a handler takes in and gives back, the same for every messenger."""

import base64
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Incoming:
    """One message from a person, as any channel maps it."""

    channel: str  # "console", "telegram", "zalo"
    chat_id: str
    sender_id: str  # the person's id on that channel
    message_id: str  # unique within the chat: a redelivered message is applied once
    sender_name: str = ""
    text: str = ""  # the text, or a photo's caption
    choice: str | None = None  # the data of a pressed button, where the channel has buttons
    is_group: bool = False
    kind: str = "text"  # text, photo, document, edited (a changed old message), other (stickers, voice, …)
    attachment: str | None = None  # the channel's reference to a photo or document
    replying_to: str = ""  # the text of the message this one answers (Telegram's reply), if any


@dataclass(frozen=True)
class Choice:
    label: str
    data: str  # short: it travels in Telegram's callback_data (64 bytes at most)


@dataclass(frozen=True)
class Attachment:
    """A picture (a chart) or a file (a spreadsheet) sent with a reply: its bytes, or the
    messenger's own reference to a file it already holds (Telegram's file id, the URL of a
    Zalo picture), sent again as it is."""

    kind: str  # "picture" or "file"
    name: str  # the file name people see, e.g. tocds-2026-W47.csv
    content: bytes = b""
    ref: str = ""  # instead of the bytes: valid on one messenger only (an announcement's photo)


@dataclass(frozen=True)
class Outgoing:
    """One reply: a text, the choices offered with it (buttons or numbered lines), maybe a file."""

    text: str
    choices: tuple[Choice, ...] = ()
    attachment: Attachment | None = None

    def to_dict(self) -> dict:
        """For the outbox (JSON)."""
        data = {"text": self.text, "choices": [asdict(c) for c in self.choices]}
        if self.attachment:
            data["attachment"] = {"kind": self.attachment.kind, "name": self.attachment.name,
                                  "content": base64.b64encode(self.attachment.content).decode()}
            if self.attachment.ref:
                data["attachment"]["ref"] = self.attachment.ref
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Outgoing":
        attached = data.get("attachment")
        return cls(
            data["text"],
            tuple(Choice(**choice) for choice in data.get("choices", ())),
            Attachment(attached["kind"], attached["name"], base64.b64decode(attached["content"]), attached.get("ref", ""))
            if attached else None,
        )
