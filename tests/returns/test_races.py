"""Return requests under concurrency, on SQLite and PostgreSQL: two customers sending at once
get the next two numbers of the month (the unique key settles a race), and two agents
deciding at once decide once, with one notice to the customer."""

from __future__ import annotations

import asyncio

import pytest

from core.engine import Engine
from services import returns
from storage.db import Database
from tests.conftest import BACKENDS
from tests.dialogue import Dialogue
from tests.returns.helpers import notices, paid_order, requests, submit, to_quote

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


async def _at_quote(engine: Engine, db: Database, clock, user: str) -> Dialogue:
    d = Dialogue(engine, user)
    order = await paid_order(d, db, clock, "en", "2026-11-10")
    clock.set("2026-12-01T10:00:00+09:00")
    await d.say("/return")
    await d.tap(order.number)
    return await to_quote(d)


async def test_two_requests_at_once_get_the_next_two_numbers(
    engine: Engine, db: Database, clock
) -> None:
    alice = await _at_quote(engine, db, clock, "alice")
    boris = await _at_quote(engine, db, clock, "boris")
    await asyncio.gather(submit(alice), submit(boris))
    numbers = {r.number for user in ("alice", "boris") for r in await requests(db, user)}
    assert numbers == {"RT-KR-2612-000001", "RT-KR-2612-000002"}


async def test_two_agents_approving_at_once_decide_once(
    engine: Engine, db: Database, clock
) -> None:
    await submit(await _at_quote(engine, db, clock, "alice"))
    [request] = await requests(db)
    changes = await asyncio.gather(
        returns.mark(db, request.id, returns.APPROVED, "Mina", clock()),
        returns.mark(db, request.id, returns.APPROVED, "Oleg", clock()),
        returns.mark(db, request.id, returns.REJECTED, "Yuri", clock(), reason="late"),
    )
    assert [change.made for change in changes].count(True) == 1
    told = [n for n in await notices(db) if request.number in n.payload["text"]]
    assert len(told) == 1
