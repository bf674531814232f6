"""Logs on stderr as `key=value` lines (logfmt), with secrets masked.

    time=2026-11-25T12:00:00+07:00 level=INFO logger=tocds.bot.mailroom msg="telegram channel ready" channel=telegram

Keys a call passes with `extra={...}` follow `msg`; an exception follows as `error=` and
`traceback=` (newlines escaped, so that one record stays one line). What the bot logs names
channels, message and outbox ids, jobs and communes — never a message's text, a person's
name, a chat id or an invite code (personal data: the ids lead to them in the database) — and every registered secret (the bot tokens, the webhook secret) and anything shaped
like a Telegram token is masked wherever it appears, tracebacks included.
"""

import logging
import os
import re
import sys

MASK = "[secret]"
# A Telegram bot token (`123456789:AA…`), also inside a URL such as …/bot<token>/getUpdates.
TOKEN_SHAPE = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}")
SECRET_VARIABLES = ("TOCDS_TELEGRAM_TOKEN", "TOCDS_ZALO_TOKEN", "TOCDS_WEBHOOK_SECRET")
MIN_SECRET = 6  # shorter values would mask ordinary words

_secrets: set[str] = set()
# What every LogRecord has; anything else on a record came from `extra`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
_BARE = re.compile(r"[^\s\"=\\]+")


def add_secret(value: str | None) -> None:
    """Masks `value` in every log line from now on."""
    if value and len(value) >= MIN_SECRET:
        _secrets.add(value)


def mask(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return TOKEN_SHAPE.sub(MASK, text)


def quote(value: object) -> str:
    text = str(value)
    if text and _BARE.fullmatch(text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields.update((key, value) for key, value in vars(record).items()
                      if key not in _STANDARD and not key.startswith("_"))
        if record.exc_info and record.exc_info[0] is not None:
            fields["error"] = record.exc_info[0].__name__
            fields["traceback"] = self.formatException(record.exc_info)
        elif record.exc_text:
            fields["traceback"] = record.exc_text
        return mask(" ".join(f"{key}={quote(value)}" for key, value in fields.items()))

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        from datetime import datetime

        return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


def configure(verbose: bool) -> None:
    """Root logging to stderr: INFO with -v, WARNING otherwise."""
    for variable in SECRET_VARIABLES:
        add_secret(os.environ.get(variable))
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    # httpx logs every request URL at INFO, and Telegram's URLs carry the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
