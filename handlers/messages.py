"""What a handler takes in and gives back, the same for every messenger."""

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


@dataclass(frozen=True)
class Choice:
    label: str
    data: str  # short: it travels in Telegram's callback_data (64 bytes at most)


@dataclass(frozen=True)
class Outgoing:
    """One reply: a text, and the choices offered with it (buttons or numbered lines)."""

    text: str
    choices: tuple[Choice, ...] = ()

    def to_dict(self) -> dict:
        """For the outbox."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Outgoing":
        return cls(data["text"], tuple(Choice(**choice) for choice in data.get("choices", ())))
