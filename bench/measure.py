"""What the bench measures with: logged errors (`ERRORS`), resident memory, latency
quantiles, a run's `Measure`, feeding one update and timing it (`feeder`), and C workers
driving customers (`drive`). Used by bench/stack.py and bench/run.py."""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot
from aiogram.types import Update

from bench.adapter import Tracked
from bench.offline import OfflineSession
from bench.scenario import Counters


class ErrorCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.first: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if self.first is None:
            self.first = self.format(record)[:2000]


ERRORS = ErrorCounter()


def rss_mb() -> float:
    """Current resident set size (not the peak)."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def quantile_ms(ordered: list[float], q: float) -> float:
    if not ordered:
        return 0.0
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1e3, 3)


@dataclass(slots=True)
class Measure:
    latencies: list[float] = field(default_factory=list)
    counters: Counters = field(default_factory=Counters)
    seconds: float = 0.0
    # The process's CPU time over the run: unlike wall time, barely moved by other work on a
    # shared machine, so per-update CPU compares two builds run at different moments.
    cpu_seconds: float = 0.0

    def stats(self, session: OfflineSession | None = None) -> dict[str, Any]:
        lat = sorted(self.latencies)
        n = len(lat)
        result: dict[str, Any] = {
            "updates": n,
            "seconds": round(self.seconds, 3),
            "updates_per_s": round(n / self.seconds, 1) if self.seconds else 0.0,
            "us_per_update": round(self.seconds / n * 1e6, 1) if n else 0.0,
            "cpu_us_per_update": round(self.cpu_seconds / n * 1e6, 1) if n else 0.0,
            "p50_ms": quantile_ms(lat, 0.5),
            "p90_ms": quantile_ms(lat, 0.9),
            "p99_ms": quantile_ms(lat, 0.99),
            "p999_ms": quantile_ms(lat, 0.999),
            "mean_ms": round(statistics.fmean(lat) * 1e3, 3) if n else 0.0,
            "script_misses": self.counters.misses,
        }
        if session is not None and n:
            result["api_calls_per_update"] = round(sum(session.calls.values()) / n, 2)
        return result


def chat_of(raw: dict[str, Any]) -> int:
    if "message" in raw:
        return int(raw["message"]["chat"]["id"])
    return int(raw["callback_query"]["message"]["chat"]["id"])


Feed = Callable[[Update, dict[str, Any]], Awaitable[Any]]


def feeder(
    feed: Feed, bot: Bot, measure: Measure, tracker: Tracked | None = None
) -> Callable[[dict[str, Any]], Awaitable[None]]:
    """Parse the raw update (as polling or a webhook does), `feed` it, wait until it is handled
    (its replies sent); the time of all of it is the update's latency."""

    async def send(raw: dict[str, Any]) -> None:
        start = time.perf_counter()
        await feed(Update.model_validate(raw, context={"bot": bot}), raw)
        if tracker is not None:
            await tracker.done(chat_of(raw))
        measure.latencies.append(time.perf_counter() - start)

    return send


async def drive(
    jobs: list[Callable[[], Awaitable[None]]], concurrency: int, measure: Measure
) -> None:
    """C workers take customers from one queue; the wall and CPU time go to `measure`."""
    queue = iter(jobs)

    async def worker() -> None:
        for job in queue:
            await job()

    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    measure.seconds = time.perf_counter() - start
    measure.cpu_seconds = time.process_time() - cpu
