"""What the command groups share: the `--now` clock, the settings with `--db` applied, and
running a command's work on its database."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import policy
from bot.settings import Settings
from core.engine import utc_now
from storage.db import Database, sqlite_url
from storage.migrate import ensure_schema

Work = Callable[[Database, datetime], Awaitable[int]]


def parse_now(value: str, market: str | None) -> datetime:
    """`--now` in ISO 8601; without an offset it is the market's local time. Anything else
    ends the command with a one-line error."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise SystemExit(
            f"orderbot: --now {value!r} is not a date and time in ISO 8601, e.g. 2026-11-30T14:59"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(policy.market_config(market or "KR").timezone))
    return moment


def settings_for(args: argparse.Namespace) -> Settings:
    settings = Settings()
    if getattr(args, "db", None):
        db = str(args.db)
        settings.database_url = db if "://" in db else sqlite_url(Path(db))
    return settings


def run_on_database(args: argparse.Namespace, work: Work, settings: Settings | None = None) -> None:
    """`work(db, now)` on the database of `--db` (else of the settings), its schema upgraded as
    the settings allow, at `--now` (else the real time); the command exits with the code it
    returns."""
    now = parse_now(args.now, None) if args.now else utc_now()
    settings = settings or settings_for(args)

    async def main() -> int:
        db = Database(settings.database_url, retry_within=settings.database_retry_seconds)
        try:
            await ensure_schema(db, auto_upgrade=settings.auto_migrate)
            return await work(db, now)
        finally:
            await db.dispose()

    code = asyncio.run(main())
    if code:
        sys.exit(code)
