"""A database outage under load: customers keep talking while PostgreSQL goes away, twice.

A loopback TCP proxy stands between the engine and PostgreSQL. While conversations run (each
chat onboards and places an order), the proxy is cut for 2 s, twice: every connection through
it is closed, in the middle of whatever it was doing, and new ones are refused, as during a
server restart. Then: no event failed, nothing was done twice, nothing was lost.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from core.actions import Action
from core.engine import Engine
from core.flow import Resources
from core.types import Event
from flows.quick_order.actions import Checkout, Pay
from flows.registry import default_flows
from flows.start import StartLanguage, StartMarket
from storage.db import Database
from tests.conftest import POSTGRES_URL, Clock
from tests.dialogue import Dialogue
from tests.quick_order.helpers import ADDRESS, PHONE, RECIPIENT, confirm_action

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]

CHATS = 48
OUTAGE_S = 2.0
CUTS_AT = (1.5, 5.5)  # seconds into the run
PAUSE_S = (0.5, 0.9)  # a customer's pause between two messages


class Proxy:
    """A loopback TCP proxy that can be cut (connections closed, new ones refused) and
    restored on the same port."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.port = 0
        self.up = False
        self.server: asyncio.Server | None = None
        self.links: set[asyncio.StreamWriter] = set()

    async def open(self) -> None:
        self.server = await asyncio.start_server(
            self._link, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self.server.sockets[0].getsockname()[1]
        self.up = True

    async def cut(self) -> None:
        """Refuse new connections (nothing listens) and drop every open one."""
        assert self.server is not None
        self.up = False
        self.server.close()
        for writer in list(self.links):
            writer.transport.abort()
        self.links.clear()
        await self.server.wait_closed()

    async def close(self) -> None:
        if self.up:
            await self.cut()

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            return
        if not self.up:  # cut while this one was being connected
            writer.transport.abort()
            up_writer.transport.abort()
            return
        self.links |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            self.links.discard(writer)
            writer.transport.abort()


@dataclass
class Chat:
    """One customer: the events processed, the failures (each followed by the customer sending
    the same again, as after an apology), the answers lost to an ambiguous commit (the turn
    was committed, and its retry found it done)."""

    dialogue: Dialogue
    processed: int = 0
    failed: list[BaseException] = field(default_factory=list)
    unanswered: int = 0

    async def send(self, event: Callable[[], Event]) -> None:
        while True:
            try:
                await self.dialogue.send(event())
                break
            except Exception as error:
                self.failed.append(error)
                await asyncio.sleep(PAUSE_S[1])
        self.processed += 1
        if not self.dialogue.replies:
            # Its commit landed but the answer was lost: the customer asks again.
            self.unanswered += 1
            await self.send(lambda: self.dialogue.event_for("/help"))


async def converse(chat: Chat, rng: random.Random) -> None:
    """Onboard, put two products in the cart, check out with card, confirm, list the orders:
    11 events (and one /help per answer lost)."""
    d = chat.dialogue

    async def step(event: Callable[[], Event]) -> None:
        await asyncio.sleep(rng.uniform(*PAUSE_S))
        await chat.send(event)

    def tap(action: Action) -> Callable[[], Event]:
        return lambda: d.action_event(action.pack())

    def say(text: str) -> Callable[[], Event]:
        return lambda: d.event_for(text)

    await step(say("/start"))
    await step(tap(StartLanguage(code="en")))
    await step(tap(StartMarket(market="KR")))
    await step(say("/order lemon 1, wild orange 2"))
    await step(tap(Checkout()))
    await step(say(ADDRESS))
    await step(say(PHONE))
    await step(say(RECIPIENT))
    await step(tap(Pay("card")))
    await step(tap(confirm_action(d)))
    await step(say("/orders"))


def chats_failed(chats: list[Chat]) -> list[BaseException]:
    return [error for chat in chats for error in chat.failed]


async def outages(proxy: Proxy, started: float) -> None:
    for at in CUTS_AT:
        await asyncio.sleep(max(0.0, started + at - time.monotonic()))
        await proxy.cut()
        await asyncio.sleep(OUTAGE_S)
        await proxy.open()


async def test_two_outages_under_load_lose_and_duplicate_nothing(
    db: Database, clock: Clock, resources: Resources, caplog
) -> None:
    caplog.set_level(logging.WARNING)
    assert POSTGRES_URL is not None
    direct = make_url(POSTGRES_URL)
    proxy = Proxy(direct.host or "127.0.0.1", direct.port or 5432)
    await proxy.open()
    through = Database(direct.set(host="127.0.0.1", port=proxy.port).render_as_string(False))
    engine = Engine(through, default_flows(), resources=resources, clock=clock)
    chats = [Chat(Dialogue(engine, f"outage-{n}")) for n in range(CHATS)]
    rng = random.Random(8)
    started = time.monotonic()
    try:
        cutting = asyncio.create_task(outages(proxy, started))
        await asyncio.gather(*(converse(chat, random.Random(rng.random())) for chat in chats))
        await cutting
    finally:
        await proxy.close()
        await through.dispose()
    elapsed = time.monotonic() - started

    processed = sum(chat.processed for chat in chats)
    failed = sum(len(chat.failed) for chat in chats)
    unanswered = sum(chat.unanswered for chat in chats)
    print(
        f"\n{CHATS} chats, {len(CUTS_AT)} outages of {OUTAGE_S:.0f} s, {elapsed:.1f} s:"
        f" {failed} of {processed + failed} events failed (each sent again), {unanswered}"
        " answers lost to an ambiguous commit"
    )
    assert not failed, f"{failed} events failed, the first: {chats_failed(chats)[0]!r}"
    assert elapsed > CUTS_AT[-1] + OUTAGE_S, "the load ended before the second outage did"
    # Logged once per outage (its start and its end), not per attempt.
    said = [r.getMessage() for r in caplog.records if r.name == "storage.retry"]
    starts = ("database connection lost", "database reachable again")
    kinds = [next((s for s in starts if line.startswith(s)), line) for line in said]
    assert kinds == list(starts) * len(CUTS_AT), said

    conn = await asyncpg.connect(direct.set(drivername="postgresql").render_as_string(False))
    try:
        users = await conn.fetch(
            """
            SELECT u.external_id, u.language, u.market, c.flow, c.version,
                   (SELECT count(*) FROM inbox i WHERE i.delivery_id LIKE u.external_id || '-%')
                     AS deliveries
            FROM users u JOIN conversations c ON c.user_id = u.id
            WHERE u.transport = 'test'
            """
        )
        orders = await conn.fetch(
            """
            SELECT u.external_id, o.id, o.status, o.payment_method, o.total,
                   (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id) AS lines,
                   (SELECT count(*) FROM outbox x WHERE x.dedup_key = 'order-placed-' || o.id)
                     AS staff_notices
            FROM orders o JOIN users u ON u.id = o.user_id
            """
        )
    finally:
        await conn.close()

    sent_by = {chat.dialogue.user.external_id: chat.processed for chat in chats}
    assert len(users) == CHATS  # one user per chat, none created twice
    for user in users:
        assert (user["language"], user["market"], user["flow"]) == ("en", "KR", "quick_order")
        # Every event was processed, and processed once: one delivery recorded and one
        # conversation version per event.
        assert user["deliveries"] == user["version"] == sent_by[user["external_id"]], user
    assert sorted(order["external_id"] for order in orders) == sorted(sent_by)  # one each
    for order in orders:
        assert (order["status"], order["payment_method"]) == ("awaiting_payment", "card")
        assert order["total"] == 50000
        assert (order["lines"], order["staff_notices"]) == (2, 1), order
