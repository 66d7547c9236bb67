"""`orderbot db current|upgrade`: the database schema's revision, and upgrading it."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.common import settings_for
from storage import migrate
from storage.db import Database


def register_db(commands: argparse._SubParsersAction) -> None:
    db = commands.add_parser("db", help="database schema: show or upgrade")
    db.add_argument("action", choices=["current", "upgrade"])
    db.add_argument("--db", help="SQLite file or database URL (default: ORDERBOT_DATABASE_URL)")
    db.set_defaults(run=_db)


def _db(args: argparse.Namespace) -> None:
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
