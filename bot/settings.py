"""Operator settings: environment variables prefixed ORDERBOT_, or a `.env` file."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB = Path("var") / "orderbot.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ORDERBOT_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{DEFAULT_DB}",
        description="SQLAlchemy async URL; postgresql+asyncpg://... for PostgreSQL",
    )
    auto_migrate: bool = Field(default=True, description="upgrade the schema at start-up")
    database_retry_seconds: float = Field(
        default=10.0,
        ge=0,
        le=300,
        description="how long work waits for a database it lost the connection to (a restart,"
        " a failover) before it fails; 0: no retry (docs/operations.md)",
    )
    catalog_dir: Path | None = Field(
        default=None, description="folder with kr.csv and kz.csv (default: the shipped samples)"
    )
    telegram_token: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org"
    staff_chat_id: int | None = None
    staff_language: str = Field(
        default="en", description="language of the bot's own words in the staff group (en/ko/ru)"
    )
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8080
    webhook_max_connections: int = Field(
        default=40,
        ge=1,
        le=100,
        description="setWebhook max_connections: how many requests Telegram keeps open at once "
        "(each chat's updates stay in order whatever the value: docs/telegram.md)",
    )
    intake_lease_seconds: float = Field(
        default=15.0,
        gt=0,
        description="how long a worker's hold on a chat's stored updates lasts unless renewed: "
        "after a crash, another worker (or the next start) takes them over after this long",
    )
    kakao_host: str = "127.0.0.1"
    kakao_port: int = 8081
    kakao_path: str = Field(
        default="/kakao/skill",
        description="the skill URL's path (an unguessable one adds a little: docs/kakao.md)",
    )
    kakao_bot_id: str | None = Field(
        default=None, description="the Open Builder bot's id: requests of another bot get 403"
    )
    kakao_secret_header: str = Field(
        default="X-Orderbot-Secret", description="the custom header set on the skill"
    )
    kakao_secret: SecretStr | None = Field(
        default=None, description="its value: requests without it get 401"
    )
    kakao_fallback_block_id: str = Field(
        default="", description="the fallback block's id: quick replies send their text there"
    )
    kakao_max_body: int = Field(
        default=64 * 1024, ge=1024, le=1024 * 1024, description="bytes; a larger body gets 413"
    )
    kakao_budget_seconds: float = Field(
        default=3.5,
        gt=0,
        le=4.5,
        description='a turn not done by then is answered "one moment" and its answer kept for '
        "the user's next message (Kakao gives up after 5 s)",
    )
    kakao_event_api_key: SecretStr | None = Field(
        default=None,
        description="REST API key for Kakao's paid Event API: notices are sent at once "
        "(15 KRW each) instead of waiting for the user's next message",
    )
    kakao_event_api_base: str = "https://bot-api.kakao.com"
    log_level: str = "INFO"
