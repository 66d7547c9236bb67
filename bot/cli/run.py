"""`orderbot run [--webhook] [--kakao]`: the Telegram bot and/or the Kakao skill server in the
process host (bot/app.py), with the outbox runner and the jobs. Settings are checked before
anything starts."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from typing import TYPE_CHECKING

from bot.app import ChannelApp, Host, build_engine, tune_gc
from bot.cli.common import settings_for
from bot.settings import Settings
from core.engine import Engine

if TYPE_CHECKING:
    from bot.channels.kakao.app import KakaoApp
    from bot.channels.telegram.app import TelegramApp

SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as a secret_token


def register_run(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser(
        "run",
        help="run the Telegram bot (long polling; --webhook for a webhook server) and/or the "
        "Kakao skill server (--kakao)",
    )
    run.add_argument(
        "--webhook",
        action="store_true",
        help="serve Telegram's webhook (ORDERBOT_WEBHOOK_URL, _SECRET, _HOST, _PORT)",
    )
    run.add_argument(
        "--kakao",
        action="store_true",
        help="serve the KakaoTalk skill (ORDERBOT_KAKAO_BOT_ID, _SECRET, _HOST, _PORT); "
        "Telegram runs beside it when ORDERBOT_TELEGRAM_TOKEN is set (docs/kakao.md)",
    )
    run.add_argument("--db", help="SQLite file or database URL (default: ORDERBOT_DATABASE_URL)")
    run.set_defaults(run=_run)


def has_telegram(settings: Settings) -> bool:
    return settings.telegram_token is not None and bool(settings.telegram_token.get_secret_value())


def problem(settings: Settings, *, webhook: bool, kakao: bool = False) -> str | None:
    """A one-line explanation of what is missing, or None."""
    if kakao:
        if not settings.kakao_bot_id:
            return "--kakao needs ORDERBOT_KAKAO_BOT_ID (the Open Builder bot's id, docs/kakao.md)"
        if settings.kakao_secret is None or not settings.kakao_secret.get_secret_value():
            return "--kakao needs ORDERBOT_KAKAO_SECRET (the value of the skill's secret header)"
        if not has_telegram(settings):
            return None  # Kakao alone
    if not has_telegram(settings):
        return (
            "no Telegram bot token: set ORDERBOT_TELEGRAM_TOKEN (environment or .env, see "
            "docs/telegram.md), or try the assistant without Telegram: `orderbot chat`"
        )
    if webhook:
        if not settings.webhook_url:
            return "--webhook needs ORDERBOT_WEBHOOK_URL (the public https URL Telegram calls)"
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
        if not SECRET_TOKEN.fullmatch(secret):
            return "--webhook needs ORDERBOT_WEBHOOK_SECRET: 1-256 characters of A-Z a-z 0-9 _ -"
    return None


def telegram_app(engine: Engine, settings: Settings, *, webhook: bool) -> TelegramApp:
    """The Telegram channel as the settings describe it: long polling, or the webhook."""
    from bot.channels.telegram.app import TelegramApp, create_bot
    from bot.channels.telegram.webhook import Webhook

    assert settings.telegram_token is not None
    bot = create_bot(settings.telegram_token.get_secret_value(), settings.telegram_api_base)
    hook = None
    if webhook:
        assert settings.webhook_url and settings.webhook_secret
        hook = Webhook(
            url=settings.webhook_url,
            secret=settings.webhook_secret.get_secret_value(),
            host=settings.webhook_host,
            port=settings.webhook_port,
            max_connections=settings.webhook_max_connections,
        )
    return TelegramApp(
        engine,
        bot,
        staff_chat_id=settings.staff_chat_id,
        staff_language=settings.staff_language,
        webhook=hook,
        lease_seconds=settings.intake_lease_seconds,
    )


def kakao_app(engine: Engine, settings: Settings) -> KakaoApp:
    """The Kakao channel as the settings describe it (loaded by `--kakao` only)."""
    from bot.channels.kakao.app import KakaoApp
    from bot.channels.kakao.event_api import EventApi
    from bot.channels.kakao.server import SkillEndpoint

    assert settings.kakao_bot_id and settings.kakao_secret
    endpoint = SkillEndpoint(
        bot_id=settings.kakao_bot_id,
        secret=settings.kakao_secret.get_secret_value(),
        secret_header=settings.kakao_secret_header,
        path=settings.kakao_path,
        host=settings.kakao_host,
        port=settings.kakao_port,
        max_body=settings.kakao_max_body,
    )
    key = settings.kakao_event_api_key
    event_api = None
    if key is not None and key.get_secret_value():
        event_api = EventApi(settings.kakao_event_api_base, key.get_secret_value())
    return KakaoApp(
        engine,
        endpoint,
        block_id=settings.kakao_fallback_block_id,
        budget=settings.kakao_budget_seconds,
        event_api=event_api,
    )


def _run(args: argparse.Namespace) -> None:
    settings = settings_for(args)
    found = problem(settings, webhook=args.webhook, kakao=args.kakao)
    if found:
        sys.exit(f"orderbot: {found}")
    telegram = has_telegram(settings)
    # aiogram takes seconds to import: loaded by this command only, once the settings are fine.
    from aiogram.utils.token import TokenValidationError

    from bot.channels.telegram.app import Fatal

    async def serve() -> None:
        # With a staff group set, customers' requests become tickets whichever channel this
        # process runs: the Telegram process (this one, or another) delivers them to the desk.
        engine = await build_engine(settings, staff_desk=settings.staff_chat_id is not None)
        try:
            apps: list[ChannelApp] = []
            if telegram:
                apps.append(telegram_app(engine, settings, webhook=args.webhook))
            if args.kakao:
                apps.append(kakao_app(engine, settings))
            host = Host(engine, apps)
            tune_gc()  # start-up objects frozen, fewer collections: docs/performance.md
            await host.run()
        finally:
            await engine.db.dispose()

    try:
        asyncio.run(serve())
    except (Fatal, TokenValidationError) as error:
        sys.exit(f"orderbot: {error}")
