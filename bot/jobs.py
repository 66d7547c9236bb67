"""The jobs loop: the flows' declared jobs (core/surface.py) and the store's housekeeping.

Each job is safe to run on several workers at once (rows are claimed with expected-status
guards, and `FOR UPDATE SKIP LOCKED` on PostgreSQL) and safe to run twice in a row, so a
plain loop per worker is enough: no leader election, no external scheduler. The process host
runs it whichever channels run (bot/app.py); `orderbot jobs` runs every job once, for cron.
Being safe to run twice, a job caught by a lost database connection is run again, whole, for
a bounded time (storage/retry.py); past it, it waits for its next turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable
from datetime import datetime

from core.flow import Resources
from core.surface import Job, Surface
from services.housekeeping import HOUSEKEEPING
from storage.db import Database
from storage.retry import DatabaseUnavailable

log = logging.getLogger(__name__)


def all_jobs(surface: Surface) -> tuple[Job, ...]:
    """What a worker runs: the flows' jobs, then housekeeping."""
    return (*surface.jobs, *HOUSEKEEPING)


async def run_once(
    db: Database, now: datetime, jobs: tuple[Job, ...], resources: Resources
) -> dict[str, int]:
    """Every job once, with the process's `resources`; one failing job is logged and does not
    stop the others."""
    done: dict[str, int] = {}
    for job in jobs:
        try:
            run = functools.partial(job.run, db, now, resources)
            done[job.name] = await db.with_retries(run, f"job {job.name}")
        except DatabaseUnavailable:  # the retry policy has logged the outage
            done[job.name] = -1
        except Exception:
            log.exception("job %s failed", job.name)
            done[job.name] = -1
    return done


async def run_forever(
    db: Database,
    clock: Callable[[], datetime],
    stop: asyncio.Event,
    jobs: tuple[Job, ...],
    resources: Resources,
    tick: float = 5.0,
) -> None:
    """Run each job when due, with the process's `resources`, until `stop` is set."""
    next_run = {job.name: clock() for job in jobs}
    while not stop.is_set():
        now = clock()
        due = tuple(job for job in jobs if next_run[job.name] <= now)
        if due:
            await run_once(db, now, due, resources)
            for job in due:
                next_run[job.name] = now + job.every
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=tick)
