"""The retry policy for lost database connections (storage/retry.py), and the engine on it."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError

from core import engine as engine_module
from core.engine import Engine
from services.orders import draft, mark, place
from services.tickets import Desk
from storage import postgres
from storage.db import Database
from storage.records import Conversation, OrderLine
from storage.repos import StaleConversation, Tx
from storage.retry import DatabaseUnavailable, Retry, connection_failure
from tests.dialogue import Dialogue
from tests.flaky import fast_retries, lose_commits, refuse_connections

pg = asyncpg.exceptions


class FakeTime:
    """A clock that moves only when the policy sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.pauses: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


def policy(time: FakeTime, within: float = 10.0, jitter: float = 0.5) -> Retry:
    return Retry(within, clock=time.clock, sleep=time.sleep, jitter=lambda: jitter)


class Work:
    """Fails with the given errors, one per call, then returns "done"."""

    def __init__(self, *errors: BaseException, forever: BaseException | None = None) -> None:
        self.errors = list(errors)
        self.forever = forever
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        if self.forever is not None:
            raise self.forever
        return "done"


def lost(message: str = "closed") -> OperationalError:
    """A connection closed in the middle of a transaction, as storage/postgres.py names it."""
    return OperationalError("SELECT 1", (), pg.ConnectionDoesNotExistError(message), True)


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed"),
        ConnectionResetError(104, "Connection reset by peer"),
        BrokenPipeError(32, "Broken pipe"),
        TimeoutError(),  # a connect that never got an answer
        lost(),
        OperationalError("COMMIT", (), pg.ConnectionDoesNotExistError("closed"), False),
        DBAPIError("BEGIN", (), Exception("whatever the driver said"), connection_invalidated=True),
        pg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        pg.ClientCannotConnectError("08001"),
        pg.ConnectionFailureError("08006"),
        pg.AdminShutdownError("terminating connection due to administrator command"),
        pg.CrashShutdownError("57P02"),
        pg.CannotConnectNowError("the database system is starting up"),
        pg.CannotConnectNowError("the database system is shutting down"),
    ],
    ids=repr,
)
def test_connection_failures_are_recognized(error: BaseException) -> None:
    assert connection_failure(error)


NOT_RETRIED = [
    IntegrityError("INSERT", (), pg.UniqueViolationError("duplicate key")),
    StaleConversation(7),
    ProgrammingError("SELEC 1", (), pg.PostgresSyntaxError("syntax error")),
    # A bind with the wrong number of parameters: class 08, but our bug, not the network.
    DBAPIError("SELECT $1", (), pg.ProtocolViolationError("bind message supplies 2 ...")),
    pg.ProtocolViolationError("bind message supplies 2 parameters"),
    pg.QueryCanceledError("canceling statement due to statement timeout"),  # class 57, not P0x
    pg.TooManyConnectionsError("sorry, too many clients already"),
    OperationalError("BEGIN IMMEDIATE", (), sqlite3.OperationalError("database is locked")),
    DatabaseUnavailable("an inner retry gave up already"),
    ValueError("a bug"),
]


@pytest.mark.parametrize("error", NOT_RETRIED, ids=repr)
async def test_other_errors_are_raised_at_once(error: BaseException) -> None:
    assert not connection_failure(error)
    time = FakeTime()
    work = Work(forever=error)
    with pytest.raises(type(error)) as raised:
        await policy(time).run(work)
    assert raised.value is error and work.calls == 1 and time.pauses == []


def test_pauses_double_with_jitter_up_to_a_ceiling() -> None:
    time = FakeTime()
    low, high = policy(time, jitter=0.0), policy(time, jitter=0.999999)
    assert [round(high.pause(n), 3) for n in range(1, 7)] == [0.05, 0.1, 0.2, 0.4, 0.8, 1.0]
    for n in range(1, 200):
        assert low.pause(n) >= high.pause(n) / 2
        assert 0.025 <= low.pause(n) <= high.pause(n) <= 1.0


async def test_work_succeeds_once_the_connection_is_back(caplog) -> None:
    time = FakeTime()
    work = Work(ConnectionRefusedError(111, "refused"), lost(), lost())
    assert await policy(time).run(work, "a turn") == "done"
    assert work.calls == 4
    assert time.pauses == pytest.approx([0.0375, 0.075, 0.15])  # 3/4 of 0.05, 0.1, 0.2
    said = [record.getMessage() for record in caplog.records]
    assert len(said) == 2
    assert said[0].startswith("database connection lost (ConnectionRefusedError: ")
    assert said[1] == ("database reachable again after 0.3 s: 1 piece(s) of work waited, 0 gave up")


async def test_gives_up_after_the_bound_with_the_last_error(caplog) -> None:
    time = FakeTime()
    last = lost("the last one")
    work = Work(ConnectionRefusedError(111, "refused"), forever=last)
    with pytest.raises(DatabaseUnavailable, match="a turn: no database connection for 10 s") as e:
        await policy(time).run(work, "a turn")
    assert e.value.__cause__ is last
    assert sum(time.pauses) == pytest.approx(10.0)  # the last pause ends at the bound
    assert max(time.pauses) <= 1.0
    assert work.calls == len(time.pauses) + 1
    assert [record.levelname for record in caplog.records] == ["WARNING", "ERROR"]


async def test_no_wait_at_all_when_the_bound_is_zero() -> None:
    time = FakeTime()
    with pytest.raises(DatabaseUnavailable):
        await policy(time, within=0).run(Work(forever=lost()))
    assert time.pauses == []


async def test_a_different_error_while_retrying_is_raised_as_it_is() -> None:
    time = FakeTime()
    bug = ValueError("a bug")
    work = Work(lost(), bug)
    with pytest.raises(ValueError):
        await policy(time).run(work)
    assert work.calls == 2


async def test_an_outage_is_logged_once_whatever_waits_on_it(caplog) -> None:
    time = FakeTime()
    retry = policy(time, within=2.0)
    for _ in range(3):  # three pieces of work, each giving up
        with pytest.raises(DatabaseUnavailable):
            await retry.run(Work(forever=lost()))
    assert await retry.run(Work()) == "done"  # the first success ends the outage
    said = [record.getMessage() for record in caplog.records]
    assert [line.split(" ")[1] for line in said] == ["connection", "unreachable", "reachable"]
    assert said[-1].endswith("3 piece(s) of work waited, 3 gave up")
    caplog.clear()
    await retry.run(Work())  # healthy: nothing to say
    with pytest.raises(DatabaseUnavailable):
        await retry.run(Work(forever=lost()))  # the next outage is a new one
    assert len(caplog.records) == 2


# -- the engine on it (SQLite: the failures are simulated) ------------------------------------


async def test_a_turn_waits_out_a_refused_connection(
    engine: Engine, db: Database, monkeypatch
) -> None:
    db.retry = Retry(5.0, first=0.001, longest=0.002)
    d = Dialogue(engine, "alice")
    await d.onboard("en", "KR")
    open_turn = Tx.open_turn
    failures = [ConnectionRefusedError(111, "refused"), lost(), lost()]

    async def flaky(self: Tx, *args: Any) -> Any:
        if failures:
            raise failures.pop(0)
        return await open_turn(self, *args)

    monkeypatch.setattr(Tx, "open_turn", flaky)
    await d.say("/menu")
    d.expect("What would you like to do?")
    assert not failures


async def test_a_turn_that_cannot_reach_the_database_raises_database_unavailable(
    engine: Engine, db: Database, monkeypatch
) -> None:
    db.retry = Retry(0.05, first=0.001, longest=0.01)
    d = Dialogue(engine, "alice")
    await d.onboard("en", "KR")

    async def refused(self: Tx, *args: Any) -> Any:
        raise ConnectionRefusedError(111, "refused")

    monkeypatch.setattr(Tx, "open_turn", refused)
    with pytest.raises(DatabaseUnavailable) as raised:
        await d.say("/menu")
    assert isinstance(raised.value.__cause__, ConnectionRefusedError)
    monkeypatch.undo()
    await d.redeliver()  # kept and handled later: nothing of it was committed
    d.expect("What would you like to do?")


@pytest.mark.parametrize(
    "conflict", [StaleConversation(1), IntegrityError("INSERT", (), Exception("duplicate"))]
)
async def test_conflicts_are_retried_by_the_engine_alone(
    engine: Engine, db: Database, monkeypatch, conflict: Exception, caplog
) -> None:
    caplog.set_level(logging.INFO)
    d = Dialogue(engine, "alice")
    calls = 0

    async def conflicting(self: Tx, *args: Any) -> Any:
        nonlocal calls
        calls += 1
        raise conflict

    monkeypatch.setattr(Tx, "open_turn", conflicting)
    with pytest.raises(type(conflict)):
        await d.say("/start")
    assert calls == engine_module.MAX_ATTEMPTS  # as many as before, no more
    assert not [record for record in caplog.records if record.name == "storage.retry"]


async def test_a_programming_error_in_a_turn_is_not_retried(engine: Engine, monkeypatch) -> None:
    calls = 0

    async def broken(self: Tx, *args: Any) -> Any:
        nonlocal calls
        calls += 1
        await self.conn.exec_driver_sql("SELEC 1")

    monkeypatch.setattr(Tx, "open_turn", broken)
    with pytest.raises(Exception) as raised:
        await Dialogue(engine, "alice").say("/start")
    assert not connection_failure(raised.value)
    assert calls == 1


async def test_a_server_that_never_answers_is_given_up_on_within_the_bound(monkeypatch) -> None:
    """A silent host (a failover to an address nobody answers on): each connection attempt
    times out, so the retries' bound holds (asyncpg would wait 60 s for one)."""
    silent: list[asyncio.StreamWriter] = []

    async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        silent.append(writer)  # never a byte back

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setattr(postgres, "CONNECT_TIMEOUT_S", 0.2)
    db = Database(f"postgresql+asyncpg://nobody@127.0.0.1:{port}/none", retry_within=0.5)
    started = time.monotonic()
    try:
        with pytest.raises(DatabaseUnavailable) as raised:
            await db.run_in_transaction(lambda tx: tx.inbox.record("x", datetime.now(UTC)))
    finally:
        for writer in silent:
            writer.close()
        server.close()
        await db.dispose()
    assert isinstance(raised.value.__cause__, TimeoutError)
    assert time.monotonic() - started < 0.5 + 0.2 + 0.5


async def conversation(db: Database) -> Conversation:
    async with db.transaction() as tx:
        found = await tx.users.find_with_conversation("test", "alice")
    assert found is not None and found[1] is not None
    return found[1]


async def test_a_turn_whose_commit_landed_is_not_run_twice(
    engine: Engine, db: Database, monkeypatch
) -> None:
    fast_retries(db)
    d = Dialogue(engine, "alice")
    await d.onboard("en", "KR")
    before = await conversation(db)
    left = lose_commits(monkeypatch, db, 1)
    await d.say("/menu")
    assert left == [0] and d.replies == []  # done; the answer was lost with the connection
    after = await conversation(db)
    assert after.version == before.version + 1 and after.flow == "menu"
    await d.say("/help")  # the customer asks again
    d.expect("What would you like to do?")


# -- the staff actions on it ------------------------------------------------------------------


async def open_ticket(db: Database, clock) -> int:
    async with db.transaction() as tx:
        user = await tx.users.create("test", "alice", "Alice", clock.now)
        await tx.users.update(user, language="en", market="KR")
        ticket = await tx.tickets.create(user.id, "customer", "menu", "main", {}, clock.now)
        return ticket.id


async def queued(db: Database) -> list[dict[str, Any]]:
    async with db.transaction() as tx:
        rows = await tx.outbox.due(datetime(2100, 1, 1, tzinfo=UTC), 100)
    return [row.payload for row in rows]


async def test_a_staff_reply_waits_out_a_refused_connection_and_is_relayed_once(
    db: Database, clock, monkeypatch
) -> None:
    fast_retries(db)
    ticket = await open_ticket(db, clock)
    refused = refuse_connections(monkeypatch, db, 3)
    lost = lose_commits(monkeypatch, db, 1)
    desk = Desk(db)
    assert await desk.staff_reply(ticket, "Kim", "On its way", 7, clock.now, delivery_id="s-1")
    assert refused == lost == [0]
    assert [p.get("text") for p in await queued(db)] == ["Support: On its way"]
    lost = lose_commits(monkeypatch, db, 1)
    assert (await desk.close(ticket, "Kim", clock.now, delivery_id="s-2")) is not None
    assert lost == [0]
    assert [p.get("type") for p in await queued(db)] == [None, None, "ticket_closed"]


async def test_an_order_marked_paid_whose_commit_landed_is_found_paid(
    db: Database, clock, monkeypatch
) -> None:
    fast_retries(db)
    await open_ticket(db, clock)  # the customer
    async with db.transaction() as tx:
        user = await tx.users.find("test", "alice")
        assert user is not None
        line = OrderLine("KR-1", "Lemon", 1, Decimal(18000), Decimal(18000))
        order = draft(user.id, "KR", [line], "card", "Seoul", "010", clock.now)
        placed, _ = await place(tx, order, "checkout-1", user)
    lost = lose_commits(monkeypatch, db, 1)
    change = await mark(db, placed.number, "paid", clock.now)
    assert lost == [0]
    assert (change.before, change.changed) == ("paid", False)  # the retry found it done
    assert len([p for p in await queued(db) if "Payment for order" in p.get("text", "")]) == 1


async def test_the_setting_bounds_the_waiting(monkeypatch, tmp_path) -> None:
    from bot.app import build_engine
    from bot.settings import Settings

    monkeypatch.setenv("ORDERBOT_DATABASE_RETRY_SECONDS", "3.5")
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    engine = await build_engine(settings, staff_desk=False)
    try:
        assert engine.db.retry.within == 3.5
    finally:
        await engine.db.dispose()
