"""Wiring: settings -> database (schema checked) -> resources -> engine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.settings import Settings
from flows.context import Resources
from flows.engine import Engine, utc_now
from flows.registry import default_flows
from storage.db import Database
from storage.migrate import ensure_schema


def load_resources(settings: Settings, *, staff_desk: bool) -> Resources:
    from flows.catalog import load_catalogs

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
