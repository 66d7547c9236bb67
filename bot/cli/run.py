"""`orderbot run [--webhook]`: the Telegram bot. Settings are checked before anything starts."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys

from bot.cli.common import settings_for
from bot.settings import Settings

SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as a secret_token


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
    # aiogram takes seconds to import: loaded by this command only, not by every `orderbot`.
    from aiogram.utils.token import TokenValidationError

    from bot.channels.telegram.app import Fatal, serve

    settings = settings_for(args)
    found = problem(settings, webhook=args.webhook)
    if found:
        sys.exit(f"orderbot: {found}")
    try:
        asyncio.run(serve(settings, webhook=args.webhook))
    except (Fatal, TokenValidationError) as error:
        sys.exit(f"orderbot: {error}")


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
