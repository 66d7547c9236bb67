"""`orderbot jobs`: every scheduled job once (for cron); a running bot runs them itself."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.app import load_resources
from bot.cli.common import parse_now, settings_for
from bot.jobs import all_jobs, run_once
from core.engine import utc_now
from core.surface import Surface
from flows.registry import default_flows
from storage.db import Database
from storage.migrate import ensure_schema


def register_jobs(commands: argparse._SubParsersAction) -> None:
    jobs = commands.add_parser("jobs", help="run the scheduled jobs once (for cron)")
    jobs.add_argument("--db", help="SQLite file or database URL (default: ORDERBOT_DATABASE_URL)")
    jobs.add_argument("--now", help="the time to run them at, ISO 8601 (default: now)")
    jobs.set_defaults(run=_jobs)


def _jobs(args: argparse.Namespace) -> None:
    async def main() -> dict[str, int]:
        settings = settings_for(args)
        db = Database(settings.database_url, retry_within=settings.database_retry_seconds)
        try:
            await ensure_schema(db, auto_upgrade=settings.auto_migrate)
            now = parse_now(args.now, None) if args.now else utc_now()
            # The workers' resources: a staff desk where they have a staff chat.
            resources = load_resources(settings, staff_desk=settings.staff_chat_id is not None)
            return await run_once(db, now, all_jobs(Surface(default_flows())), resources)
        finally:
            await db.dispose()

    done = asyncio.run(main())
    for name, count in done.items():
        print(f"{name}: {'failed (see log)' if count < 0 else count}")
    if any(count < 0 for count in done.values()):
        sys.exit(1)
