"""Configuration from `TOCDS_*` environment variables and a `.env` file."""

from functools import lru_cache
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCALES = ("vi", "en")
MAILROOM_KEEP_DAYS_LEAST = 2  # Telegram redelivers an update for 24 hours


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOCDS_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///tocds.db"
    telegram_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    zalo_token: str | None = None
    zalo_api_url: str = "https://bot-api.zaloplatforms.com/bot"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    web_url: str | None = None  # the web desk's public base URL: its sign-in links start with it
    listen: str = "127.0.0.1:8080"
    timezone: str = "Asia/Ho_Chi_Minh"
    locale: str = "vi"
    evidence_dir: Path = Path("evidence")  # photos and files members send, by SHA-256; never web-served
    mailroom_keep_days: int = 30  # handled updates and sent replies (names, texts) are deleted after this
    backup_dir: Path | None = None  # where the daily backup goes (the service files' timer); `doctor` checks its age

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone; write one such as Asia/Ho_Chi_Minh") from None
        return value

    @field_validator("mailroom_keep_days")
    @classmethod
    def _past_redelivery(cls, value: int) -> int:
        if value < MAILROOM_KEEP_DAYS_LEAST:
            raise ValueError(f"{value} days is too short: a messenger redelivers an update for up to a day, "
                             f"and a redelivered one must still be known; write {MAILROOM_KEEP_DAYS_LEAST} or more")
        return value

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in LOCALES:
            raise ValueError(f"{value!r} is not a language of tocds; write {' or '.join(LOCALES)}")
        return value

    @field_validator("listen")
    @classmethod
    def _host_and_port(cls, value: str) -> str:
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{value!r} is not host:port; write one such as 127.0.0.1:8080")
        return value

    def defaults(self):
        """What new people and communes start with, as the handlers take it."""
        from ..handlers.context import Defaults  # imported late: `tocds --help` stays light

        return Defaults(language=self.locale, timezone=self.timezone, evidence_dir=self.evidence_dir,
                        web_url=self.web_url)


class SettingsProblem(Exception):
    """A setting that cannot be right; the message names the variable and how to fix it."""


@lru_cache
def get_settings() -> Settings:
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as problem:
        raise SettingsProblem("; ".join(
            f"TOCDS_{'_'.join(map(str, error['loc'])).upper()}: {error['msg'].removeprefix('Value error, ')}"
            for error in problem.errors())) from None
