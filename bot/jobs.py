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

from flows.orders import expire_unpaid
from storage.db import Database

log = logging.getLogger(__name__)

# Telegram redelivers an unacknowledged update for up to 24 hours; a week is ample margin.
INBOX_RETENTION = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[Database, datetime], Awaitable[int]]  # returns how many rows it changed


async def expire_orders(db: Database, now: datetime) -> int:
    """R-KR-PAY-3: bank transfers not paid by their deadline are cancelled."""
    return len(await expire_unpaid(db, now))


async def prune_inbox(db: Database, now: datetime) -> int:
    async with db.transaction() as tx:
        return await tx.inbox.prune(now - INBOX_RETENTION)


JOBS: tuple[Job, ...] = (
    Job("expire_unpaid_orders", timedelta(minutes=1), expire_orders),
    Job("prune_inbox", timedelta(hours=1), prune_inbox),
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
