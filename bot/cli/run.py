"""`orderbot run [--webhook]`: the Telegram bot in the process host (bot/app.py), with the
outbox runner and the jobs. Settings are checked before anything starts."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys

from bot.app import Host, build_engine, tune_gc
from bot.cli.common import settings_for
from bot.settings import Settings

SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as a secret_token


def register_run(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser(
        "run", help="run the Telegram bot (long polling; --webhook for a webhook server)"
    )
    run.add_argument(
        "--webhook",
        action="store_true",
        help="serve Telegram's webhook (ORDERBOT_WEBHOOK_URL, _SECRET, _HOST, _PORT)",
    )
    run.add_argument("--db", help="SQLite file or database URL (default: ORDERBOT_DATABASE_URL)")
    run.set_defaults(run=_run)


def problem(settings: Settings, *, webhook: bool) -> str | None:
    """A one-line explanation of what is missing, or None."""
    if settings.telegram_token is None or not settings.telegram_token.get_secret_value():
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


def _run(args: argparse.Namespace) -> None:
    settings = settings_for(args)
    found = problem(settings, webhook=args.webhook)
    if found:
        sys.exit(f"orderbot: {found}")
    # aiogram takes seconds to import: loaded by this command only, once the settings are fine.
    from aiogram.utils.token import TokenValidationError

    from bot.channels.telegram.app import Fatal, TelegramApp, create_bot
    from bot.channels.telegram.webhook import Webhook

    async def serve() -> None:
        assert settings.telegram_token is not None
        bot = create_bot(settings.telegram_token.get_secret_value(), settings.telegram_api_base)
        hook = None
        if args.webhook:
            assert settings.webhook_url and settings.webhook_secret
            hook = Webhook(
                url=settings.webhook_url,
                secret=settings.webhook_secret.get_secret_value(),
                host=settings.webhook_host,
                port=settings.webhook_port,
                max_connections=settings.webhook_max_connections,
            )
        engine = await build_engine(settings, staff_desk=settings.staff_chat_id is not None)
        try:
            app = TelegramApp(
                engine,
                bot,
                staff_chat_id=settings.staff_chat_id,
                staff_language=settings.staff_language,
                webhook=hook,
                lease_seconds=settings.intake_lease_seconds,
            )
            host = Host(engine, [app])
            tune_gc()  # start-up objects frozen, fewer collections: docs/performance.md
            await host.run()
        finally:
            await engine.db.dispose()

    try:
        asyncio.run(serve())
    except (Fatal, TokenValidationError) as error:
        sys.exit(f"orderbot: {error}")
