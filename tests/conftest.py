"""Shared fixtures: a settable clock, a fresh database per test, an engine on it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from core.engine import Engine
from core.flow import Resources
from flows.registry import default_flows
from flows.shopping.catalog import load_catalogs
from storage.db import Database, sqlite_url
from storage.migrate import ensure_schema
from tests.dialogue import Dialogue

POSTGRES_URL = os.environ.get("ORDERBOT_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


class Clock:
    """A clock the test sets and moves; the engine reads it for every event."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, iso: str) -> None:
        self.now = datetime.fromisoformat(iso)
        assert self.now.tzinfo is not None, "give the test clock an offset"

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    # A Tuesday morning in Seoul, in office hours (support open).
    return Clock(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))


async def reset_postgres(url: str) -> None:
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await db.dispose()


@pytest.fixture
async def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """SQLite by default; tests may parametrize `backend` over BACKENDS."""
    backend = getattr(request, "param", "sqlite")
    if backend == "postgresql":
        if not POSTGRES_URL:
            pytest.skip("ORDERBOT_TEST_POSTGRES_URL is not set (CI sets it)")
        await reset_postgres(POSTGRES_URL)
        return POSTGRES_URL
    return sqlite_url(tmp_path / "orderbot.db")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await ensure_schema(database, auto_upgrade=True)
    yield database
    await database.dispose()


@pytest.fixture(scope="session")
def resources() -> Resources:
    return Resources(catalogs=load_catalogs(), staff_desk=True)


@pytest.fixture
def engine(db: Database, clock: Clock, resources: Resources) -> Engine:
    return Engine(db, default_flows(), resources=resources, clock=clock)


@pytest.fixture
def dialogue(engine: Engine) -> Dialogue:
    return Dialogue(engine, "alice")
