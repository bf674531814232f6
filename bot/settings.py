"""Configuration from `TOCDS_*` environment variables and a `.env` file."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOCDS_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///tocds.db"
    telegram_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    zalo_token: str | None = None
    zalo_api_url: str = "https://bot-api.zaloplatforms.com/bot"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    listen: str = "127.0.0.1:8080"
    timezone: str = "Asia/Ho_Chi_Minh"
    locale: str = "vi"
    evidence_dir: Path = Path("evidence")  # photos and files members send, by SHA-256; never web-served

    def defaults(self):
        """What new people and communes start with, as the handlers take it."""
        from ..handlers.context import Defaults  # imported late: `tocds --help` stays light

        return Defaults(language=self.locale, timezone=self.timezone, evidence_dir=self.evidence_dir)


@lru_cache
def get_settings() -> Settings:
    return Settings()
