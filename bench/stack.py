"""The orderbot stack the bench drives (bench/run.py): the full stack on an offline Telegram
session (`Stack`, `open_stack`), a fresh database for it (SQLite or a PostgreSQL database of
the bench's own), optionally seeded, warmed by unmeasured customers (`warmed_stack`), the
script it plays (`script_for`), one measured run of N customers on it (`run_orderbot`), and
the sizes of its per-chat structures (`memory_census`)."""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench import scenario
from bench.adapter import Tracked, orderbot_dispatcher
from bench.measure import Measure, drive, feeder
from bench.offline import BOT_TOKEN, OfflineSession, Updates
from bench.scenario import Step
from bot.app import tune_gc
from bot.channels.telegram.app import TelegramApp
from core.engine import Engine
from core.flow import Resources
from core.i18n import translator
from flows.registry import default_flows
from flows.shopping.catalog import load_catalogs
from storage.db import Database
from storage.migrate import ensure_schema

BENCH_PG_DATABASE = "orderbot_bench"
UPDATES = Updates()  # one id sequence for the whole process: update ids never repeat


def script_for(engine: Engine) -> tuple[str, scenario.ScriptFactory]:
    """The quick order when the flow is registered, else menu/info/help conversations."""
    if "quick_order" in engine.flows:
        from bench.quick_order_script import quick_order

        return "quick_order", quick_order
    return "info", scenario.info_conversation


RESOURCES: Resources | None = None


def resources() -> Resources:
    global RESOURCES
    if RESOURCES is None:
        RESOURCES = Resources(catalogs=load_catalogs(), staff_desk=True)
    return RESOURCES


@dataclass(slots=True)
class Stack:
    db: Database
    engine: Engine
    session: OfflineSession
    bot: Bot
    dp: Dispatcher
    adapter: str
    adapter_obj: TelegramApp
    tracker: Tracked
    housekeeping: asyncio.Task[None]

    async def close(self) -> None:
        self.adapter_obj.intake.stop()
        await self.housekeeping
        await self.adapter_obj.intake.close()
        await self.adapter_obj.sender.close()
        await self.adapter_obj.queues.close()
        await self.bot.session.close()
        await self.db.dispose()


async def open_stack(url: str) -> Stack:
    db = Database(url)
    await ensure_schema(db, auto_upgrade=True)
    engine = Engine(db, default_flows(), resources=resources())
    session = OfflineSession()
    bot = Bot(BOT_TOKEN, session=session)
    dp, adapter, adapter_obj, tracker = await orderbot_dispatcher(engine, bot)
    tune_gc()  # as `orderbot run` does once started (bot/app.py)
    housekeeping = asyncio.create_task(adapter_obj.intake.run())
    return Stack(db, engine, session, bot, dp, adapter, adapter_obj, tracker, housekeeping)


async def run_orderbot(
    stack: Stack,
    customers: int,
    concurrency: int,
    first_chat: int,
    *,
    record: list[list[dict[str, Any]]] | None = None,
    rate: float | None = None,
    steps: Callable[[int], list[Step]] | None = None,
    durable: bool = True,
) -> Measure:
    """N customers, C at a time. `rate` (updates/s): customers think between messages,
    exponentially distributed, so that C of them offer about `rate` updates/s. `durable`:
    through the durable intake, as the webhook does (stored, then processed); else queued in
    memory and processed from there, as before the intake (bench/intake.py compares them)."""
    measure = Measure()
    app = stack.adapter_obj

    async def from_memory(update: Update, _raw: dict[str, Any]) -> None:
        key = app.chat_key(update)
        assert key is not None
        await app.queues.room()
        app.queues.put(key, lambda: app.dispatcher.feed_update(app.bot, update))

    def durably(update: Update, raw: dict[str, Any]) -> Awaitable[None]:
        return app.accept([(update, raw)])

    send = feeder(durably if durable else from_memory, stack.bot, measure, stack.tracker)
    _, factory = script_for(stack.engine)
    factory = steps or factory
    rng = random.Random(first_chat)
    think = None
    if rate:
        mean = concurrency / rate

        async def think() -> None:
            await asyncio.sleep(rng.expovariate(1 / mean))

    jobs = []
    for index in range(customers):
        chat_id = first_chat + index
        log = [] if record is not None else None
        if record is not None:
            record.append(log)  # type: ignore[arg-type]

        async def job(chat_id: int = chat_id, index: int = index, log: Any = log) -> None:
            await scenario.play(
                chat_id, factory(index), UPDATES, stack.session, send, measure.counters, log, think
            )

        jobs.append(job)
    await drive(jobs, concurrency, measure)
    return measure


async def postgres_bench_url(url: str) -> str:
    """A database of our own next to the one named (never the test suite's), schema reset."""
    import asyncpg

    u = make_url(url)
    name = u.database if (u.database or "").endswith("bench") else BENCH_PG_DATABASE
    conn = await asyncpg.connect(
        host=u.host, port=u.port, user=u.username, password=u.password, database=u.database
    )
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return u.set(database=name).render_as_string(hide_password=False)


async def reset_database(url: str) -> None:
    if make_url(url).get_backend_name() == "sqlite":
        path = Path(make_url(url).database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await db.dispose()


async def fresh_stack(url: str, seed: int = 0) -> Stack:
    from bench.seed import seed_postgres, seed_sqlite

    await reset_database(url)
    db = Database(url)
    await ensure_schema(db, auto_upgrade=True)
    await db.dispose()
    if seed:
        started = time.perf_counter()
        if make_url(url).get_backend_name() == "sqlite":
            await asyncio.to_thread(seed_sqlite, url, seed)
        else:
            await seed_postgres(url, seed)
        print(f"  seeded {seed:,} conversations in {time.perf_counter() - started:.1f} s")
    return await open_stack(url)


def memory_census(stack: Stack) -> dict[str, Any]:
    """Sizes of every per-chat structure we know of: all must stay bounded."""
    census: dict[str, Any] = {
        "engine_locks": len(stack.engine.locks),
        "translators_cached": translator.cache_info().currsize,
        "session_inbox": len(stack.session.inbox),
    }
    storage = getattr(stack.dp.fsm.storage, "storage", None)
    census["aiogram_fsm_records"] = len(storage) if storage is not None else None
    app = stack.adapter_obj  # bot.telegram's per-chat tables
    census["adapter_chat_queues"] = len(app.queues)
    census["adapter_sender_chats"] = len(app.sender)
    census["adapter_keyboards"] = len(app.customers.keyboards)
    census["bench_waiters"] = len(stack.tracker.waiters)
    return census


WARM_CUSTOMERS = 50


async def warmed_stack(
    url: str,
    args: argparse.Namespace,
    first_chat: int,
    *,
    seed: int = 0,
    warm: int = WARM_CUSTOMERS,
) -> Stack:
    """A fresh stack (`seed` conversations stored first) that has served `warm` customers,
    not measured: statements compiled, plans and keyboards cached, as in a process that has
    been up for a while. A cold stack puts its first second's compilations into the measured
    tail (p99 10-16 ms vs 6-7 ms for the same paced load, measured)."""
    stack = await fresh_stack(url, seed=seed)
    await run_orderbot(stack, min(warm, args.customers), args.concurrency, first_chat)
    stack.session.calls.clear()  # API calls per update count the measured updates only
    return stack
