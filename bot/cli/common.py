"""What the command groups share: the `--now` clock and the settings with `--db` applied."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import policy
from bot.settings import Settings
from storage.db import sqlite_url


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
