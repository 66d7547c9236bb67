"""Jobs that keep the store small: forget old delivery ids and sent outbox rows.

They belong to no flow: every process that runs jobs runs them (bot/jobs.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from core.flow import Resources
from core.surface import Job
from storage.db import Database
from storage.repos import Tx

# Telegram redelivers an unacknowledged update for up to 24 hours; a week is ample margin.
INBOX_RETENTION = timedelta(days=7)
# Sent messages are kept a while for support's questions ("did the customer get it?").
OUTBOX_RETENTION = timedelta(days=30)
PRUNE_BATCH = 5000


async def prune_inbox(db: Database, now: datetime, _: Resources | None = None) -> int:
    return await _in_batches(db, lambda tx: tx.inbox.prune(now - INBOX_RETENTION, PRUNE_BATCH))


async def prune_outbox(db: Database, now: datetime, _: Resources | None = None) -> int:
    return await _in_batches(
        db, lambda tx: tx.outbox.prune_sent(now - OUTBOX_RETENTION, PRUNE_BATCH)
    )


async def _in_batches(db: Database, batch: Callable[[Tx], Awaitable[int]]) -> int:
    """Repeat a bounded delete, one short transaction each, letting other work run between
    them: a week of backlog must not hold SQLite's single writer (or the loop) for long."""
    total = 0
    while True:
        async with db.transaction() as tx:
            deleted = await batch(tx)
        total += deleted
        if deleted < PRUNE_BATCH:
            return total
        await asyncio.sleep(0)


HOUSEKEEPING: tuple[Job, ...] = (
    Job("prune_inbox", timedelta(hours=1), prune_inbox),
    Job("prune_outbox", timedelta(hours=6), prune_outbox),
)
