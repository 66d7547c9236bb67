"""`orderbot chat`: the assistant in this terminal, on a local SQLite file (no network)."""

from __future__ import annotations

import argparse
import asyncio

from bot.app import build_engine
from bot.channels.terminal import TerminalChat
from bot.cli.common import parse_now, settings_for
from core.engine import utc_now


def register_chat(commands: argparse._SubParsersAction) -> None:
    chat = commands.add_parser("chat", help="chat with the assistant in this terminal (no network)")
    chat.add_argument("--market", choices=["KR", "KZ"], type=str.upper)
    chat.add_argument("--lang", choices=["ko", "ru", "en"], type=str.lower)
    chat.add_argument("--db", help="SQLite file (or a database URL); default var/orderbot.db")
    chat.add_argument("--user", default="local", help="who you are (one conversation per name)")
    chat.add_argument("--now", help="fix the clock, ISO 8601 (e.g. 2026-11-30T14:59)")
    chat.set_defaults(run=_chat)


def _chat(args: argparse.Namespace) -> None:
    clock = utc_now
    if args.now:
        fixed = parse_now(args.now, args.market)
        clock = lambda: fixed  # noqa: E731

    async def main() -> None:
        engine = await build_engine(settings_for(args), staff_desk=False, clock=clock)
        try:
            await TerminalChat(
                engine, args.user, language=args.lang, market=args.market, clock=clock
            ).run()
        finally:
            await engine.db.dispose()

    asyncio.run(main())
