"""`python -m bench.lrp`: the monthly auto-order run at scale (docs/performance.md).

Seeds N templates (default 100,000) due on one day, each with its own customer, then
measures the chat path idle (customers typing to the engine at a fixed rate), then runs the
day with TWO runners at once (this process and a second one: two workers) while the same chat
load goes on in this process, then measures idle again, sampling RSS throughout. Both
processes tune the collector as `orderbot run` does (bot/app.py `tune_gc`). Reports
orders/s, the run's wall time, RSS as the run goes on, duplicates (orders per (template,
period) beyond one, and notices beyond one), and the chat p50/p99 during the run as ratios of
the idle ones (the windows before and after the run together).

    python -m bench.lrp                                  # SQLite in a temporary folder
    python -m bench.lrp --db postgresql+asyncpg://postgres@127.0.0.1:5432/h10_lrp_bench
    python -m bench.lrp --templates 10000 --out bench/results/lrp.json

PostgreSQL: the named database is dropped and created again (use a scratch one).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

from bot.app import tune_gc
from core.engine import Engine
from core.flow import Resources
from core.types import Event, Kind, UserRef
from flows.registry import default_flows
from flows.shopping.catalog import load_catalogs
from services.lrp_runs import BATCH, RunReport, run_due
from storage.db import Database, sqlite_url
from storage.migrate import ensure_schema
from storage.schema import lrp_runs, lrp_templates, orders, outbox, users

RUN_DAY = date(2026, 12, 28)
# The run's clock: 09:00 in Seoul on the run day (the job's first pass that day).
RUN_AT = datetime(2026, 12, 28, 0, 0, tzinfo=UTC)
SEED_CHUNK = 5_000
LINES = [
    {"sku": "KR-LAV15", "name": "Lavender", "quantity": 2},
    {"sku": "KR-LEM15", "name": "Lemon", "quantity": 1},
]


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


async def reset_postgres(url: str) -> None:
    name = make_url(url).database
    admin = Database(str(make_url(url).set(database="postgres")))
    async with admin.engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()


async def seed(db: Database, count: int) -> None:
    """N customers, each with one active template due on RUN_DAY (ids 1..N)."""
    made = datetime(2026, 12, 1, tzinfo=UTC)
    for start in range(1, count + 1, SEED_CHUNK):
        ids = range(start, min(start + SEED_CHUNK, count + 1))
        async with db.transaction() as tx:
            await tx.conn.execute(
                insert(users),
                [
                    {
                        "id": i,
                        "transport": "seed",
                        "external_id": str(i),
                        "language": ("en", "ko", "ru")[i % 3],
                        "market": "KR",
                        "display_name": f"Customer {i}",
                        "created_at": made,
                    }
                    for i in ids
                ],
            )
            await tx.conn.execute(
                insert(lrp_templates),
                [
                    {
                        "id": i,
                        "user_id": i,
                        "market": "KR",
                        "currency": "KRW",
                        "status": "active",
                        "day": 28,
                        "lines": LINES,
                        "address": f"{i} Teheran-ro, Gangnam-gu, Seoul",
                        "phone": "+821012345678",
                        "next_run": RUN_DAY,
                        "next_period": "2026-12",
                        "remind_on": date(2026, 12, 21),
                        "created_at": made,
                        "updated_at": made,
                    }
                    for i in ids
                ],
            )
    if db.engine.dialect.name == "postgresql":
        async with db.engine.begin() as conn:  # the seeded ids: let the sequences go on
            for table in ("users", "lrp_templates"):
                await conn.execute(
                    text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
                )


class Chat:
    """Customers typing to the engine at a fixed rate; each message's latency is recorded."""

    def __init__(self, engine: Engine, customers: int = 50, rate: float = 40.0) -> None:
        self.engine = engine
        self.customers = customers
        self.interval = 1.0 / rate
        self.sent = 0

    async def onboard(self) -> None:
        for n in range(self.customers):
            for event in self._onboarding(n):
                await self.engine.handle(event)

    def _event(self, n: int, kind: Kind, **fields: Any) -> Event:
        self.sent += 1
        return Event(UserRef("chat", str(n)), kind, delivery_id=f"c{self.sent}", **fields)

    def _onboarding(self, n: int) -> list[Event]:
        return [
            self._event(n, Kind.COMMAND, command="start"),
            self._event(n, Kind.ACTION, action="start:lang:en"),
            self._event(n, Kind.ACTION, action="start:market:KR"),
        ]

    async def _one(self, event: Event, due: float, into: list[float]) -> None:
        # From when the message was due, not when the starved sender got to it: a loop held by
        # the run shows as latency rather than as messages never sent.
        await self.engine.handle(event)
        into.append((time.perf_counter() - due) * 1000)

    async def load(self, until: asyncio.Event | float) -> list[float]:
        """Messages at the fixed rate until `until` is set (or for that many seconds)."""
        latencies: list[float] = []
        tasks: set[asyncio.Task[None]] = set()
        start = time.perf_counter()
        n = 0
        while True:
            # Every message whose time has come is sent, however late the loop wakes.
            if time.perf_counter() < start + n * self.interval:
                await asyncio.sleep(start + n * self.interval - time.perf_counter())
            if isinstance(until, asyncio.Event) and until.is_set():
                break
            if isinstance(until, float) and time.perf_counter() - start >= until:
                break
            customer = n % self.customers
            if n % 2:
                event = self._event(customer, Kind.COMMAND, command="cart")
            else:
                event = self._event(customer, Kind.COMMAND, command="order", text="lemon 1")
            task = asyncio.create_task(self._one(event, start + n * self.interval, latencies))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            n += 1
        await asyncio.gather(*tasks)
        return latencies


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    cuts = statistics.quantiles(ordered, n=100) if len(ordered) > 1 else ordered * 99
    return {"n": len(ordered), "p50_ms": cuts[49], "p99_ms": cuts[98]}


async def counts(db: Database) -> dict[str, int]:
    async with db.engine.connect() as conn:

        async def one(stmt: Any) -> int:
            return int((await conn.execute(stmt)).scalar_one())

        lrp_orders = orders.c.idempotency_key.like("lrp:%")
        notices = outbox.c.dedup_key.like("lrp-run-%")
        return {
            "runs": await one(select(func.count()).select_from(lrp_runs)),
            "orders": await one(select(func.count()).where(lrp_orders)),
            "distinct_order_keys": await one(
                select(func.count(func.distinct(orders.c.idempotency_key))).where(lrp_orders)
            ),
            "notices": await one(select(func.count()).where(notices)),
            "templates_left_due": await one(
                select(func.count()).where(lrp_templates.c.next_run <= RUN_DAY)
            ),
        }


async def bench(url: str, count: int, batch: int, idle_seconds: float, rate: float) -> dict:
    db = Database(url)
    try:
        await ensure_schema(db, auto_upgrade=True)
        began = time.perf_counter()
        await seed(db, count)
        seeded = time.perf_counter() - began
        catalogs = load_catalogs()
        resources = Resources(catalogs=catalogs)
        engine = Engine(db, default_flows(), resources=resources, clock=lambda: RUN_AT)
        chat = Chat(engine, rate=rate)
        await chat.onboard()
        tune_gc()  # as `orderbot run` does once started (bot/app.py)
        await chat.load(2.0)  # warm-up, not reported

        rss: list[float] = [rss_mb()]
        progress: list[tuple[int, float]] = []  # (runs made, RSS MB)
        sampled = asyncio.Event()

        async def sample() -> None:
            while not sampled.is_set():
                rss.append(rss_mb())
                async with db.engine.connect() as conn:
                    made = (
                        await conn.execute(select(func.count()).select_from(lrp_runs))
                    ).scalar_one()
                progress.append((int(made), round(rss[-1], 1)))
                await asyncio.sleep(2.0)

        # Idle and during are measured alike: the sampler runs through both, and the idle
        # windows come before and after the run (the machine is shared: its load drifts).
        sampler = asyncio.create_task(sample())
        idle_before = await chat.load(idle_seconds / 2)
        done = asyncio.Event()
        chat_task = asyncio.create_task(chat.load(done))
        began = time.perf_counter()
        # The second runner is another worker: another process on the same database.
        worker = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.lrp",
            "--runner",
            url,
            "--batch",
            str(batch),
            stdout=asyncio.subprocess.PIPE,
        )
        first = await run_due(db, RUN_AT, catalogs, batch=batch, markets=("KR",))
        out, _ = await worker.communicate()
        other = RunReport(**json.loads(out))
        wall = time.perf_counter() - began
        done.set()
        during = percentiles(await chat_task)
        idle_after = await chat.load(idle_seconds / 2)
        sampled.set()
        await sampler
        idle = percentiles(idle_before + idle_after)
        rss.append(rss_mb())
        found = await counts(db)
    finally:
        await db.dispose()
    ordered = first.ordered + other.ordered
    return {
        "database": make_url(url).get_backend_name(),
        "templates": count,
        "batch": batch,
        "seed_s": round(seeded, 1),
        "run_wall_s": round(wall, 1),
        "orders_per_s": round(ordered / wall, 1),
        "runner_split": [first.ordered, other.ordered],
        "already_claimed": first.already + other.already,
        "duplicates": found["orders"]
        - found["distinct_order_keys"]
        + max(0, found["notices"] - found["runs"]),
        "counts": found,
        "rss_mb": {
            "before": round(rss[0], 1),
            "peak": round(max(rss), 1),
            "after": round(rss[-1], 1),
            "growth": round(max(rss) - rss[0], 1),
            # RSS as the run goes on: flat once warm, whatever the number of templates.
            "by_runs_made": progress[:: max(1, len(progress) // 8)],
        },
        "chat_idle": {k: round(v, 2) for k, v in idle.items()},
        "chat_idle_p99_before_after": [
            round(percentiles(idle_before)["p99_ms"], 2),
            round(percentiles(idle_after)["p99_ms"], 2),
        ],
        "chat_during": {k: round(v, 2) for k, v in during.items()},
        "chat_p50_ratio": round(during["p50_ms"] / idle["p50_ms"], 2),
        "chat_p99_ratio": round(during["p99_ms"] / idle["p99_ms"], 2),
    }


async def runner(url: str, batch: int) -> None:
    """The second worker: runs the day and prints its report."""
    db = Database(url)
    catalogs = load_catalogs()
    tune_gc()  # a worker's process: as `orderbot run` does once started
    try:
        report = await run_due(db, RUN_AT, catalogs, batch=batch, markets=("KR",))
    finally:
        await db.dispose()
    print(json.dumps(dataclasses.asdict(report)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lrp", description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="a PostgreSQL URL (a scratch database); default SQLite")
    parser.add_argument("--templates", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=BATCH)
    parser.add_argument(
        "--idle-seconds", type=float, default=10.0, help="half before the run, half after"
    )
    parser.add_argument("--chat-rate", type=float, default=40.0, help="chat messages per second")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here too")
    parser.add_argument("--runner", metavar="URL", help=argparse.SUPPRESS)  # the second worker
    args = parser.parse_args(argv)
    if args.runner:
        asyncio.run(runner(args.runner, args.batch))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or sqlite_url(Path(folder) / "lrp-bench.db")
        if args.db:
            asyncio.run(reset_postgres(args.db))
        result = asyncio.run(
            bench(url, args.templates, args.batch, args.idle_seconds, args.chat_rate)
        )
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    targets = result["duplicates"] == 0 and result["counts"]["templates_left_due"] == 0
    return 0 if targets else 1


if __name__ == "__main__":
    sys.exit(main())
