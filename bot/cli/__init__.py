"""The `orderbot` command: chat in the terminal, run the Telegram bot, operate the store."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import policy
from bot.cli.orders import register_orders
from bot.cli.run import register_run
from bot.settings import Settings
from storage.db import SchemaError, sqlite_url

Register = Callable[[argparse._SubParsersAction], None]


def parse_now(value: str, market: str | None) -> datetime:
    """`--now` in ISO 8601; without an offset it is the market's local time."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(policy.market_config(market or "KR").timezone))
    return moment


def settings_for(args: argparse.Namespace) -> Settings:
    settings = Settings()
    if getattr(args, "db", None):
        db = str(args.db)
        settings.database_url = db if "://" in db else sqlite_url(Path(db))
    return settings


def _chat(args: argparse.Namespace) -> None:
    from bot.app import build_engine
    from bot.channels.terminal import TerminalChat
    from core.engine import utc_now

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


def register_chat(commands: argparse._SubParsersAction) -> None:
    chat = commands.add_parser("chat", help="chat with the assistant in this terminal (no network)")
    chat.add_argument("--market", choices=["KR", "KZ"], type=str.upper)
    chat.add_argument("--lang", choices=["ko", "ru", "en"], type=str.lower)
    chat.add_argument("--db", help="SQLite file (or a database URL); default var/orderbot.db")
    chat.add_argument("--user", default="local", help="who you are (one conversation per name)")
    chat.add_argument("--now", help="fix the clock, ISO 8601 (e.g. 2026-11-30T14:59)")
    chat.set_defaults(run=_chat)


def _db(args: argparse.Namespace) -> None:
    from storage import migrate
    from storage.db import Database

    async def main() -> None:
        db = Database(settings_for(args).database_url)
        try:
            if args.action == "upgrade":
                await migrate.upgrade(db)
            current = await migrate.current_revision(db) or "empty"
            print(f"schema: {current} (head {migrate.head_revision()})")
        finally:
            await db.dispose()

    asyncio.run(main())


def register_db(commands: argparse._SubParsersAction) -> None:
    db = commands.add_parser("db", help="database schema: show or upgrade")
    db.add_argument("action", choices=["current", "upgrade"])
    db.add_argument("--db", help="SQLite file or database URL (default: ORDERBOT_DATABASE_URL)")
    db.set_defaults(run=_db)


def _i18n(args: argparse.Namespace) -> None:
    from bot import i18n_tool

    sys.exit(i18n_tool.main(args.action, args.domain))


def register_i18n(commands: argparse._SubParsersAction) -> None:
    i18n = commands.add_parser(
        "i18n", help="translation catalogues: extract, update, compile, check"
    )
    i18n.add_argument("action", choices=["update", "compile", "check"])
    i18n.add_argument("--domain", help="only this domain (core, quick_order, kz_move, telegram)")
    i18n.set_defaults(run=_i18n)


def _flows(args: argparse.Namespace) -> None:
    from flows.docs import write_diagrams

    for path in write_diagrams(Path(args.out)):
        print(path)


def register_flows(commands: argparse._SubParsersAction) -> None:
    flows = commands.add_parser("flows", help="write the flows' state diagrams (docs/flows)")
    flows.add_argument("--out", default="docs/flows")
    flows.set_defaults(run=_flows)


def _jobs(args: argparse.Namespace) -> None:
    from bot.jobs import all_jobs, run_once
    from core.engine import utc_now
    from core.surface import Surface
    from flows.registry import default_flows
    from storage.db import Database
    from storage.migrate import ensure_schema

    async def main() -> dict[str, int]:
        settings = settings_for(args)
        db = Database(settings.database_url)
        try:
            await ensure_schema(db, auto_upgrade=settings.auto_migrate)
            now = parse_now(args.now, None) if args.now else utc_now()
            return await run_once(db, now, all_jobs(Surface(default_flows())))
        finally:
            await db.dispose()

    done = asyncio.run(main())
    for name, count in done.items():
        print(f"{name}: {'failed (see log)' if count < 0 else count}")
    if any(count < 0 for count in done.values()):
        sys.exit(1)


def register_jobs(commands: argparse._SubParsersAction) -> None:
    jobs = commands.add_parser("jobs", help="run the scheduled jobs once (for cron)")
    jobs.add_argument("--db", help="SQLite file or database URL (default: ORDERBOT_DATABASE_URL)")
    jobs.add_argument("--now", help="the time to run them at, ISO 8601 (default: now)")
    jobs.set_defaults(run=_jobs)


REGISTER: list[Register] = [
    register_chat,
    register_db,
    register_i18n,
    register_flows,
    register_orders,
    register_run,
    register_jobs,
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="orderbot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for register in REGISTER:
        register(commands)
    args = parser.parse_args(argv)
    # The terminal chat is a conversation, not a log: only warnings interrupt it.
    level = "WARNING" if args.command == "chat" else Settings().log_level
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        args.run(args)
    except SchemaError as error:
        sys.exit(f"orderbot: {error}")
    except KeyboardInterrupt:
        pass
    except BrokenPipeError:
        # The reader went away (`orderbot chat ... | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
