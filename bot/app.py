"""Wiring: settings -> database (schema checked) -> resources -> engine."""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import datetime

from bot.settings import Settings
from core.engine import Engine, utc_now
from core.flow import Resources
from flows.registry import default_flows
from storage.db import Database
from storage.migrate import ensure_schema


def load_resources(settings: Settings, *, staff_desk: bool) -> Resources:
    from flows.shopping.catalog import load_catalogs

    return Resources(catalogs=load_catalogs(settings.catalog_dir), staff_desk=staff_desk)


async def build_engine(
    settings: Settings,
    *,
    staff_desk: bool,
    clock: Callable[[], datetime] = utc_now,
) -> Engine:
    db = Database(settings.database_url)
    await ensure_schema(db, auto_upgrade=settings.auto_migrate)
    return Engine(
        db, default_flows(), resources=load_resources(settings, staff_desk=staff_desk), clock=clock
    )


# Young objects a collection waits for (CPython's default: 700). See `tune_gc`.
GC_YOUNG_THRESHOLD = 50_000


def tune_gc() -> None:
    """Call once start-up is done (engine, catalogues, translators, aiogram loaded).

    Everything alive now lives as long as the process: `gc.freeze()` moves it out of the
    collector's sight, so a full collection no longer walks it (one took 150-270 ms here, a
    p99 spike under load). Collections of young objects then run every 50,000 allocations
    instead of 700: a message allocates thousands of objects, nearly all freed by reference
    counting, so the default collected several times per message for little (docs/performance.md).
    Only reference cycles wait longer to be freed; frozen objects are still freed by reference
    counting when dropped.
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, max(middle, 20), max(old, 20))
