"""Two workers acting on one ticket at once: the ticket ends in a state consistent with what
the customer and the staff desk were told, and each was told exactly once.

Each trial opens a ticket for a new customer, then runs two actions together, each on its own
`Database` (two worker processes share nothing but the database). On PostgreSQL a barrier
holds each action just before its first write to the ticket until the other has got there
too, so both have read the ticket as open before either changes it: the interleaving that lost
updates. On SQLite every transaction is BEGIN IMMEDIATE, so the two cannot overlap (a barrier
inside them would wait forever): there they only run concurrently.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from typing import Any

import pytest
from sqlalchemy import select

from core.engine import Engine
from core.types import Event
from services.tickets import Desk
from storage.compiled import DriverConnection
from storage.db import Database
from storage.schema import outbox, support_tickets, ticket_messages
from tests.conftest import BACKENDS
from tests.dialogue import Dialogue

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)

TRIALS = 20
CLOSED = "is closed"  # in both the customer's own reply and the staff close notice

_BEFORE_WRITE: ContextVar[asyncio.Barrier | None] = ContextVar("before_write", default=None)


@pytest.fixture
async def other(database_url: str) -> AsyncIterator[Database]:
    """The second worker."""
    database = Database(database_url)
    yield database
    await database.dispose()


Race = Callable[..., Awaitable[list[Any]]]


@pytest.fixture
def race(monkeypatch: pytest.MonkeyPatch, db: Database) -> Race:
    """`await race(a, b)`: run the coroutine functions a and b at once, their results."""
    execute = DriverConnection.execute

    async def held_before_write(self: DriverConnection, statement: Any, *args: Any) -> Any:
        barrier = _BEFORE_WRITE.get()
        if barrier is not None and _writes_ticket(statement):
            _BEFORE_WRITE.set(None)  # once per action
            async with asyncio.timeout(10):
                await barrier.wait()
        return await execute(self, statement, *args)

    monkeypatch.setattr(DriverConnection, "execute", held_before_write)

    async def run(*actions: Callable[[], Awaitable[Any]]) -> list[Any]:
        barrier = None if db.is_sqlite else asyncio.Barrier(len(actions))

        async def one(action: Callable[[], Awaitable[Any]]) -> Any:
            _BEFORE_WRITE.set(barrier)  # this task's own context
            return await action()

        return list(await asyncio.gather(*(one(action) for action in actions)))

    return run


def _writes_ticket(statement: Any) -> bool:
    return bool(getattr(statement, "is_update", False)) and statement.table is support_tickets


async def open_ticket(engine: Engine, trial: int) -> tuple[Dialogue, int, int]:
    """A new customer with an open ticket: (their dialogue, user id, ticket id)."""
    dialogue = Dialogue(engine, f"customer{trial}")
    await dialogue.onboard("en", "KR")
    await dialogue.say("/support where is my parcel?")
    async with engine.db.transaction() as tx:
        user = await tx.users.find("test", f"customer{trial}")
        assert user is not None
        ticket = await tx.tickets.open_for(user.id)
        assert ticket is not None
        return dialogue, user.id, ticket.id


class Told:
    """What the ticket's customer and the staff desk were sent through the outbox."""

    def __init__(self, rows: list[Any], user_id: int, ticket_id: int) -> None:
        self.customer = [r for r in rows if r.channel == "user" and r.user_id == user_id]
        self.staff = [
            r for r in rows if r.channel == "staff" and r.payload.get("ticket_id") == ticket_id
        ]

    def closed_notices(self) -> list[Any]:
        return [r for r in self.customer if CLOSED in r.payload["text"]]

    def staff_messages(self) -> list[Any]:
        return [r for r in self.customer if "row_id" in r.payload]

    def staff_events(self, kind: str) -> list[Any]:
        return [r for r in self.staff if r.payload["type"] == kind]


async def each_trial(trial: Callable[[int], Awaitable[None]]) -> None:
    """Run TRIALS trials; fail with how many of them went wrong, and the first one's why."""
    wrong = []
    for number in range(TRIALS):
        try:
            await trial(number)
        except AssertionError as error:
            wrong.append(f"trial {number}: {error}")
    assert not wrong, f"{len(wrong)} of {TRIALS} trials inconsistent; {wrong[0]}"


async def told(db: Database, user_id: int, ticket_id: int) -> tuple[str, Told, int]:
    """The ticket's status, what was sent about it, and how many staff messages it holds."""
    async with db.transaction() as tx:
        ticket = await tx.tickets.get(ticket_id)
        assert ticket is not None
        query = select(outbox.c.id, outbox.c.channel, outbox.c.user_id, outbox.c.payload)
        rows = (await tx.conn.execute(query.order_by(outbox.c.id))).all()
        out = select(ticket_messages.c.id).where(
            ticket_messages.c.ticket_id == ticket_id, ticket_messages.c.direction == "out"
        )
        replies = len((await tx.conn.execute(out)).all())
    return ticket.status, Told(rows, user_id, ticket_id), replies


async def test_claim_racing_close(engine: Engine, db: Database, other: Database, race, clock):
    async def trial(number: int) -> None:
        _, user_id, ticket_id = await open_ticket(engine, number)
        claimed, closed = await race(
            lambda: Desk(db).claim(ticket_id, "Joon", clock()),
            lambda: Desk(other).close(ticket_id, "Mina", clock()),
        )
        status, sent, _ = await told(db, user_id, ticket_id)
        # Closed is final: a claim either came first (then the close ended it) or was refused.
        assert status == "closed", "claimed after the customer was told it was closed"
        assert closed is not None
        assert len(sent.closed_notices()) == 1
        assert len(sent.staff_events("ticket_closed")) == 1
        claims = sent.staff_events("ticket_claimed")
        assert len(claims) == (0 if claimed is None else 1)
        if claims:
            assert claims[0].id < sent.staff_events("ticket_closed")[0].id

    await each_trial(trial)


async def test_close_racing_close(engine: Engine, db: Database, other: Database, race, clock):
    async def trial(number: int) -> None:
        _, user_id, ticket_id = await open_ticket(engine, number)
        if number % 2:  # from handling as well as from waiting
            assert await Desk(db).claim(ticket_id, "Joon", clock()) is not None
        results = await race(
            lambda: Desk(db).close(ticket_id, "Joon", clock()),
            lambda: Desk(other).close(ticket_id, "Mina", clock()),
        )
        status, sent, _ = await told(db, user_id, ticket_id)
        assert status == "closed"
        assert sum(r is not None for r in results) == 1, "both closed it"
        assert len(sent.closed_notices()) == 1, "the customer was told twice"
        assert len(sent.staff_events("ticket_closed")) == 1

    await each_trial(trial)


async def test_staff_reply_racing_close(engine: Engine, db: Database, other: Database, race, clock):
    async def trial(number: int) -> None:
        _, user_id, ticket_id = await open_ticket(engine, number)
        if number % 2:
            assert await Desk(db).claim(ticket_id, "Joon", clock()) is not None
        relayed, closed = await race(
            lambda: Desk(db).staff_reply(ticket_id, "Joon", "It left today", 500, clock()),
            lambda: Desk(other).close(ticket_id, "Mina", clock()),
        )
        status, sent, replies = await told(db, user_id, ticket_id)
        # A reply never reopens a closed ticket: it came first and was relayed, or was refused.
        assert status == "closed", "the reply reopened a closed ticket"
        assert closed is not None
        assert len(sent.closed_notices()) == 1
        messages = sent.staff_messages()
        assert len(messages) == replies == (1 if relayed else 0)
        if messages:  # the customer reads the answer, then that the request is closed
            assert messages[0].id < sent.closed_notices()[0].id

    await each_trial(trial)


async def test_customer_close_racing_staff_close(
    engine: Engine, db: Database, other: Database, race, clock
):
    async def trial(number: int) -> None:
        dialogue, user_id, ticket_id = await open_ticket(engine, number)
        if number % 2:
            assert await Desk(db).claim(ticket_id, "Joon", clock()) is not None
        tap: Event = dialogue.action_event(dialogue.button("Close the request").action)
        _, staff_closed = await race(
            lambda: dialogue.send(tap), lambda: Desk(other).close(ticket_id, "Mina", clock())
        )
        status, sent, _ = await told(db, user_id, ticket_id)
        said_closed = CLOSED in dialogue.text
        assert status == "closed"
        # Told once: by the reply to their own tap, or by the staff's close notice.
        assert said_closed + len(sent.closed_notices()) == 1, "the customer was told twice"
        assert said_closed == (staff_closed is None)
        assert len(sent.staff_events("ticket_closed")) == 1

    await each_trial(trial)
