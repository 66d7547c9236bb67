"""Scheduled work: cancel unpaid bank-transfer orders, forget old delivery ids.

Each job is safe to run on several workers at once (rows are claimed with expected-status
guards, and `FOR UPDATE SKIP LOCKED` on PostgreSQL) and safe to run twice in a row, so a
plain loop per worker is enough: no leader election, no external scheduler. `orderbot jobs`
runs them once, for cron.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.orders import expire_unpaid
from storage.db import Database
from storage.repos import Tx

log = logging.getLogger(__name__)

# Telegram redelivers an unacknowledged update for up to 24 hours; a week is ample margin.
INBOX_RETENTION = timedelta(days=7)
# Sent messages are kept a while for support's questions ("did the customer get it?").
OUTBOX_RETENTION = timedelta(days=30)
PRUNE_BATCH = 5000


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[Database, datetime], Awaitable[int]]  # returns how many rows it changed


async def expire_orders(db: Database, now: datetime) -> int:
    """R-KR-PAY-3: bank transfers not paid by their deadline are cancelled."""
    return len(await expire_unpaid(db, now))


async def prune_inbox(db: Database, now: datetime) -> int:
    return await _in_batches(db, lambda tx: tx.inbox.prune(now - INBOX_RETENTION, PRUNE_BATCH))


async def prune_outbox(db: Database, now: datetime) -> int:
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


JOBS: tuple[Job, ...] = (
    Job("expire_unpaid_orders", timedelta(minutes=1), expire_orders),
    Job("prune_inbox", timedelta(hours=1), prune_inbox),
    Job("prune_outbox", timedelta(hours=6), prune_outbox),
)


async def run_once(db: Database, now: datetime, jobs: tuple[Job, ...] = JOBS) -> dict[str, int]:
    """Every job once; one failing job is logged and does not stop the others."""
    done: dict[str, int] = {}
    for job in jobs:
        try:
            done[job.name] = await job.run(db, now)
        except Exception:
            log.exception("job %s failed", job.name)
            done[job.name] = -1
    return done


async def run_forever(
    db: Database,
    clock: Callable[[], datetime],
    stop: asyncio.Event,
    jobs: tuple[Job, ...] = JOBS,
    tick: float = 5.0,
) -> None:
    """Run each job when due until `stop` is set."""
    next_run = {job.name: clock() for job in jobs}
    while not stop.is_set():
        now = clock()
        due = tuple(job for job in jobs if next_run[job.name] <= now)
        if due:
            await run_once(db, now, due)
            for job in due:
                next_run[job.name] = now + job.every
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=tick)
