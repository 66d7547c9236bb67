"""`orderbot jobs`: every scheduled job once (for cron); a running bot runs them itself."""

from __future__ import annotations

import argparse
from datetime import datetime

from bot.app import load_resources
from bot.cli.common import run_on_database, settings_for
from bot.jobs import all_jobs, run_once
from core.surface import Surface
from flows.registry import default_flows
from storage.db import Database


def register_jobs(commands: argparse._SubParsersAction) -> None:
    jobs = commands.add_parser("jobs", help="run the scheduled jobs once (for cron)")
    jobs.add_argument("--db", help="SQLite file or database URL (default: ORDERBOT_DATABASE_URL)")
    jobs.add_argument("--now", help="the time to run them at, ISO 8601 (default: now)")
    jobs.set_defaults(run=_jobs)


def _jobs(args: argparse.Namespace) -> None:
    settings = settings_for(args)

    async def work(db: Database, now: datetime) -> int:
        # The workers' resources: a staff desk where they have a staff chat.
        resources = load_resources(settings, staff_desk=settings.staff_chat_id is not None)
        done = await run_once(db, now, all_jobs(Surface(default_flows())), resources)
        for name, count in done.items():
            print(f"{name}: {'failed (see log)' if count < 0 else count}")
        return 1 if any(count < 0 for count in done.values()) else 0

    run_on_database(args, work, settings)
