"""Storage: migrations, schema checks, optimistic concurrency, outbox and inbox."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from storage import migrate, postgres
from storage.compiled import DriverConnection
from storage.db import Database, SchemaError, sqlite_url
from storage.records import Conversation, Order, OrderLine
from storage.repos import StaleConversation, Tx
from storage.schema import metadata
from tests.conftest import BACKENDS, reset_postgres

NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


async def test_migrations_build_exactly_the_declared_schema(db: Database) -> None:
    async with db.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
        )
    assert diff == []


async def test_old_schema_is_refused_with_advice(database_url: str) -> None:
    db = Database(database_url)
    try:
        with pytest.raises(SchemaError, match="orderbot db upgrade"):
            await migrate.ensure_schema(db, auto_upgrade=False)
        await migrate.ensure_schema(db, auto_upgrade=True)
        assert await migrate.current_revision(db) == migrate.head_revision()
    finally:
        await db.dispose()


async def test_unknown_newer_schema_is_refused(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffff_future'")
    with pytest.raises(SchemaError, match="does not know"):
        await migrate.ensure_schema(db, auto_upgrade=True)


@asynccontextmanager
async def empty_database(database_url: str, folder: Path) -> AsyncIterator[str]:
    """A new, empty database: on PostgreSQL one beside the test database (its name with
    `_migrate` appended), dropped after; on SQLite a new file."""
    if database_url.startswith("sqlite"):
        folder.mkdir()
        yield sqlite_url(folder / "orderbot.db")
        return
    url = make_url(database_url)
    name = f"{url.database}_migrate"
    admin = await asyncpg.connect(postgres.dsn(url))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


STARTING_TOGETHER = 6
ROUNDS = 2
# One worker process's start-up: import everything, say so, wait for the word, then what
# bot/app.py does first (ORDERBOT_AUTO_MIGRATE=true).
WORKER_START = """
import asyncio, sys
from storage.db import Database
from storage.migrate import ensure_schema

async def start(url):
    db = Database(url)
    try:
        await ensure_schema(db, auto_upgrade=True)
    finally:
        await db.dispose()

print("ready", flush=True)
sys.stdin.readline()
asyncio.run(start(sys.argv[1]))
"""


async def start_workers_together(url: str, count: int) -> list[str]:
    """Start `count` worker processes on `url` at the same moment: the stderr of each that
    failed. Processes, not tasks: Alembic keeps its running migration in module globals."""
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            WORKER_START,
            url,
            cwd=Path(__file__).resolve().parents[1],
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(count)
    ]
    try:
        async with asyncio.timeout(120):
            for worker in workers:  # all imported: the gate opens for all at once
                assert worker.stdout is not None
                assert await worker.stdout.readline() == b"ready\n"
            for worker in workers:
                assert worker.stdin is not None
                worker.stdin.write(b"go\n")
            ended = await asyncio.gather(*(worker.communicate() for worker in workers))
    finally:
        for worker in workers:
            if worker.returncode is None:
                worker.kill()
                await worker.wait()
    return [
        next((line for line in reversed(err.decode().splitlines()) if "Error" in line), "?")
        for worker, (_, err) in zip(workers, ended, strict=True)
        if worker.returncode != 0
    ]


async def test_workers_starting_together_on_an_empty_database_all_start(
    database_url: str, tmp_path: Path
) -> None:
    """Workers started at once on an empty database, each upgrading it (ORDERBOT_AUTO_MIGRATE):
    one migrates, the others wait for it and find the schema current."""
    wrong = []
    for number in range(ROUNDS):
        async with empty_database(database_url, tmp_path / f"round{number}") as url:
            failed = await start_workers_together(url, STARTING_TOGETHER)
            if failed:
                wrong.append(f"{len(failed)} of {STARTING_TOGETHER} failed: {failed[0]}")
                continue
            db = Database(url)
            try:
                assert await migrate.current_revision(db) == migrate.head_revision()
                async with db.connect() as conn:
                    versions = await conn.exec_driver_sql("SELECT * FROM alembic_version")
                    assert len(versions.all()) == 1
                    diff = await conn.run_sync(
                        lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
                    )
                    assert diff == []
            finally:
                await db.dispose()
    assert not wrong, f"{len(wrong)} of {ROUNDS} rounds: {wrong}"


async def test_stale_conversation_version_is_detected(db: Database) -> None:
    async with db.transaction() as tx:
        user = await tx.users.create("test", "u1", "U", NOW)
        conv = await tx.conversations.load(user.id, "start", "language")
        await tx.conversations.save(conv, NOW)
    async with db.transaction() as tx:
        first = await tx.conversations.load(user.id, "start", "language")
    async with db.transaction() as tx:
        second = await tx.conversations.load(user.id, "start", "language")
        second.state = "market"
        await tx.conversations.save(second, NOW)
    with pytest.raises(StaleConversation):
        async with db.transaction() as tx:
            await tx.conversations.save(first, NOW)


async def test_inbox_records_each_delivery_once(db: Database) -> None:
    async with db.transaction() as tx:
        assert await tx.inbox.record("tg:1", NOW)
        assert not await tx.inbox.record("tg:1", NOW)
        assert await tx.inbox.prune(NOW + timedelta(days=1)) == 1


async def test_outbox_dedup_due_and_postpone(db: Database) -> None:
    async with db.transaction() as tx:
        user = await tx.users.create("test", "u2", "U", NOW)
        assert await tx.outbox.add("user", {"text": "hi"}, NOW, user_id=user.id, dedup_key="k1")
        assert not await tx.outbox.add("user", {"text": "hi"}, NOW, user_id=user.id, dedup_key="k1")
        (message,) = await tx.outbox.due(NOW, channel="user", user_id=user.id)
        await tx.outbox.postpone(message.id, NOW + timedelta(minutes=1), "timeout")
        assert await tx.outbox.due(NOW, channel="user") == []
        (again,) = await tx.outbox.due(NOW + timedelta(minutes=2), channel="user")
        assert again.attempts == 1
        await tx.outbox.mark_sent(again.id, NOW)
        assert await tx.outbox.due(NOW + timedelta(hours=1)) == []


async def test_naive_datetimes_are_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive"):
        async with db.transaction() as tx:
            await tx.users.create("test", "u3", "U", datetime(2026, 11, 24))


async def test_times_come_back_aware_in_utc(db: Database) -> None:
    seoul = datetime.fromisoformat("2026-11-24T10:00:00+09:00")
    async with db.transaction() as tx:
        user = await tx.users.create("test", "u4", "U", seoul)
        ticket = await tx.tickets.create(user.id, "customer", "", "", {}, seoul)
    async with db.transaction() as tx:
        stored = await tx.tickets.get(ticket.id)
    assert stored is not None
    assert stored.created_at == seoul
    assert stored.created_at.utcoffset() == timedelta(0)


def test_memory_sqlite_is_refused(database_url: str) -> None:
    with pytest.raises(ValueError, match="file"):
        Database("sqlite+aiosqlite:///:memory:")
    assert sqlite_url("x.db").endswith("x.db")


async def test_user_with_conversation_in_one_statement(db: Database) -> None:
    async with db.transaction() as tx:
        assert await tx.users.find_with_conversation("test", "u5") is None
        user = await tx.users.create("test", "u5", "U", NOW)
        found = await tx.users.find_with_conversation("test", "u5")
        assert found == (user, None)
        conv = tx.conversations.fresh(user.id, "start", "language")
        conv.slots = {"start": {"pick": "ko"}, "_trail": ["language"]}
        await tx.conversations.save(conv, NOW)
    async with db.transaction() as tx:
        found = await tx.users.find_with_conversation("test", "u5")
        loaded = await tx.conversations.load(user.id, "menu", "main")
        assert await tx.users.find_with_conversation("test", "nobody") is None
    assert found is not None
    assert found == (user, loaded)
    assert loaded.version == 1
    assert loaded.slots == {"start": {"pick": "ko"}, "_trail": ["language"]}


async def test_a_turn_opens_once_per_delivery_with_the_user_and_conversation(
    db: Database,
) -> None:
    """The start of every message (one statement on PostgreSQL): a delivery id is recorded
    once; the user and conversation come with it, or None when not stored yet."""
    async with db.transaction() as tx:
        assert await tx.open_turn("tg:7:1", NOW, "test", "u7") == (True, None)
        assert await tx.open_turn("tg:7:1", NOW, "test", "u7") == (False, None)
        user = await tx.users.create("test", "u7", "U", NOW)
        assert await tx.open_turn("tg:7:2", NOW, "test", "u7") == (True, (user, None))
        conv = tx.conversations.fresh(user.id, "menu", "main")
        conv.slots = {"_trail": ["language"]}
        await tx.conversations.save(conv, NOW)
    async with db.transaction() as tx:
        assert await tx.open_turn("tg:7:2", NOW, "test", "u7") == (False, None)
        fresh, found = await tx.open_turn("tg:7:3", NOW, "test", "u7")
        assert await tx.open_turn(None, NOW, "test", "u7") == (True, found)
        assert await tx.open_turn(None, NOW, "test", "nobody") == (True, None)
    assert fresh
    assert found == (user, conv)
    async with db.transaction() as tx:  # each id above was recorded, and only those
        for delivery in ("tg:7:1", "tg:7:2", "tg:7:3"):
            assert not await tx.inbox.record(delivery, NOW)


async def _every_kind_of_statement(tx: Tx) -> list[object]:
    """Repository calls covering each kind of value and statement: aware datetimes, JSON,
    Decimal, dates, column defaults, RETURNING, IN lists, executemany, conflicts ignored.
    Returns what was read back."""
    seoul = datetime.fromisoformat("2026-11-24T10:00:00.5+09:00")
    read: list[object] = []
    assert await tx.inbox.record("tg:1", seoul)
    assert not await tx.inbox.record("tg:1", seoul)
    user = await tx.users.create("test", "u6", "U", NOW)
    await tx.users.update(user, phone="+82 10-1234-5678", language="ko")
    conv = tx.conversations.fresh(user.id, "start", "language")
    conv.slots = {"menu": {"note": "한국어 ✓", "n": 1.5}, "_trail": ["language"]}
    await tx.conversations.save(conv, seoul)
    conv.state = "market"
    await tx.conversations.save(conv, NOW)
    with pytest.raises(StaleConversation):
        await tx.conversations.save(Conversation(user.id, "menu", "main", {}, 0 + 1), NOW)
    read.append(await tx.users.find_with_conversation("test", "u6"))
    assert await tx.outbox.add("user", {"text": "hi"}, NOW, user_id=user.id, dedup_key="k1")
    assert not await tx.outbox.add("user", {"text": "hi"}, NOW, user_id=user.id, dedup_key="k1")
    due = await tx.outbox.due(NOW, channel="user", transport="test")
    await tx.outbox.lease([message.id for message in due], NOW + timedelta(minutes=1))
    read.append(await tx.outbox.renew([due[0].id], NOW + timedelta(minutes=1), seoul))
    read.append(due)
    lines = [
        OrderLine("LAV-15", "Lavender 15 mL", 2, Decimal("27000.00"), Decimal("54000.00")),
        OrderLine("LEM-15", "Lemon 15 mL", 1, Decimal("11500.50"), Decimal("11500.50")),
    ]
    order = Order(
        0, "", user.id, "KR", "KRW", "awaiting_payment", "bank_transfer",
        Decimal("65500.50"), Decimal("0"), Decimal("65500.50"), 2026, 11, seoul,
        seoul + timedelta(days=1), date(2026, 11, 26), date(2026, 11, 28), "Seoul", "010",
        lines,
    )  # fmt: skip
    placed, created = await tx.orders.create(order, "checkout-1", NOW)
    again, created_again = await tx.orders.create(order, "checkout-1", NOW)
    read += [created, created_again, again == placed, await tx.orders.get(placed.id)]
    ticket = await tx.tickets.create(user.id, "customer", "menu", "main", {"q": "?"}, seoul)
    await tx.tickets.update(ticket, NOW, hours_notice_on=date(2026, 11, 24))
    read += [await tx.tickets.open_for(user.id), await tx.tickets.get(ticket.id)]
    read += [
        await tx.tickets.move(ticket, "handling", NOW, claimed_by="Mina", unless_claimed=True),
        await tx.tickets.move(ticket, "closed", NOW),
        await tx.tickets.move(ticket, "handling", NOW, claimed_by="Joon"),
        await tx.tickets.get(ticket.id),
    ]
    await tx.checklists.save(user.id, NOW, progress={"step": 2}, ar_balance_usd=Decimal("150.00"))
    read.append(await tx.checklists.get(user.id))
    return read


async def test_ticket_status_moves_are_guarded(db: Database) -> None:
    async with db.transaction() as tx:
        user = await tx.users.create("test", "alice", "Alice", NOW)
        ticket = await tx.tickets.create(user.id, "customer", "menu", "main", {}, NOW)
        with pytest.raises(ValueError, match="move"):
            await tx.tickets.update(ticket, NOW, status="closed")
        assert await tx.tickets.move(
            ticket, "handling", NOW, claimed_by="Mina", unless_claimed=True
        )
        # A reply by someone else leaves the claimant; a claim takes the ticket over.
        assert await tx.tickets.move(
            ticket, "handling", NOW, claimed_by="Joon", unless_claimed=True
        )
        assert ticket.claimed_by == "Mina"
        assert await tx.tickets.move(ticket, "handling", NOW, claimed_by="Joon")
        assert (ticket.status, ticket.claimed_by) == ("handling", "Joon")
        assert await tx.tickets.move(ticket, "closed", NOW)
        # Closed is final: nothing moves it, and the stored row is untouched.
        stale = await tx.tickets.get(ticket.id)
        stale.status = "handling"  # as a worker that read it before the close sees it
        assert not await tx.tickets.move(stale, "handling", NOW, claimed_by="Sora")
        assert not await tx.tickets.move(stale, "closed", NOW)
        stored = await tx.tickets.get(ticket.id)
        assert (stored.status, stored.claimed_by) == ("closed", "Joon")


async def _table_rows(tx: Tx) -> dict[str, list[tuple[object, ...]]]:
    return {
        table.name: [
            tuple(row)
            for row in (await tx.conn.exec_driver_sql(f"SELECT * FROM {table.name}")).all()
        ]
        for table in metadata.sorted_tables
    }


async def test_transactions_store_and_read_what_sqlalchemy_does(
    database_url: str, tmp_path
) -> None:
    """Transactions run on the driver's own connection (storage/sqlite.py, storage/postgres.py):
    the same statements must store the same rows and read back the same values as
    SQLAlchemy's own execution does."""
    results = []
    for name in ("ours", "sqlalchemy"):
        url = sqlite_url(tmp_path / f"{name}.db")
        if not database_url.startswith("sqlite"):
            await reset_postgres(database_url)  # the same ids in both runs
            url = database_url
        db = Database(url)
        try:
            await migrate.ensure_schema(db, auto_upgrade=True)
            if name == "ours":
                async with db.transaction() as tx:
                    assert isinstance(tx.conn, DriverConnection)
                    read = await _every_kind_of_statement(tx)
                    rows = await _table_rows(tx)
            else:
                async with db.engine.begin() as conn:
                    tx = Tx(conn)
                    read = await _every_kind_of_statement(tx)
                    rows = await _table_rows(tx)
            results.append((read, rows))
        finally:
            await db.dispose()
    (ours_read, ours_rows), (their_read, their_rows) = results
    assert ours_rows == their_rows
    assert ours_read == their_read
    assert ours_rows["order_lines"] and ours_rows["outbox"]


async def test_driver_errors_are_sqlalchemy_errors(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.users.create("test", "u7", "U", NOW)
        with pytest.raises(IntegrityError):  # the engine retries on SQLAlchemy's IntegrityError
            await tx.users.create("test", "u7", "U", NOW)


async def test_a_nested_transaction_is_refused_not_deadlocked(db: Database) -> None:
    async with db.transaction():
        with pytest.raises(RuntimeError, match="nested"):
            async with db.transaction():
                pass
    async with db.transaction() as tx:  # and the next one works
        assert await tx.inbox.record("after-nested", NOW)


async def test_a_tx_kept_past_its_block_cannot_write(db: Database) -> None:
    async with db.transaction() as tx:
        kept = tx
    with pytest.raises(RuntimeError, match="ended"):
        await kept.inbox.record("late", NOW)
    async with db.transaction() as tx:
        assert await tx.inbox.record("late", NOW)


async def test_a_connection_left_inside_a_transaction_is_replaced(db: Database) -> None:
    if not db.is_sqlite:
        pytest.skip("SQLite only: the shared writer connection")
    async with db.transaction() as tx:
        await tx.inbox.record("first", NOW)
    # What a failed COMMIT can leave behind: SQLite still in a transaction.
    raw = db._sqlite_raw
    assert raw is not None
    raw.execute("BEGIN")
    async with db.transaction() as tx:
        assert await tx.inbox.record("second", NOW)
    async with db.transaction() as tx:
        assert not await tx.inbox.record("second", NOW)


async def test_a_write_lock_held_by_another_process_is_waited_for_then_reported(
    db: Database, monkeypatch
) -> None:
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from storage import sqlite as db_module

    if not db.is_sqlite:
        pytest.skip("SQLite only: the write lock")
    other = sqlite3.connect(db.url.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the writer lock
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_S", 0.05)
    with pytest.raises(OperationalError):
        async with db.transaction():
            pass
    other.execute("ROLLBACK")
    other.close()
    async with db.transaction() as tx:  # the writer connection recovered
        assert await tx.inbox.record("after-busy", NOW)


async def test_the_wal_is_checkpointed_off_the_writers_path(db: Database, monkeypatch, tmp_path):
    """Our writer never checkpoints on COMMIT (that made every 250th message wait); a
    background checkpoint copies the WAL into the database file every CHECKPOINT_EVERY
    transactions."""
    import shutil
    import sqlite3

    from storage import db as db_module

    if not db.is_sqlite:
        pytest.skip("SQLite only: the WAL")
    monkeypatch.setattr(db_module, "CHECKPOINT_EVERY", 10**9)

    def main_file_holds(delivery_id: str) -> bool:
        copy = tmp_path / f"copy-{delivery_id}.db"  # the database file alone, without its WAL
        shutil.copyfile(db.url.database, copy)
        found = sqlite3.connect(copy).execute(
            "SELECT count(*) FROM inbox WHERE delivery_id = ?", (delivery_id,)
        )
        return found.fetchone()[0] == 1

    db._checkpoint_now()  # the schema, into the database file
    for n in range(5):
        async with db.transaction() as tx:
            await tx.inbox.record(f"before-{n}", NOW)
    assert db._checkpoint is None
    assert not main_file_holds("before-4")
    monkeypatch.setattr(db_module, "CHECKPOINT_EVERY", 3)
    for n in range(3):
        async with db.transaction() as tx:
            await tx.inbox.record(f"after-{n}", NOW)
    assert db._checkpoint is not None
    await db._checkpoint
    assert main_file_holds("after-2") and main_file_holds("before-4")


async def test_a_connection_is_never_handed_on_inside_a_transaction(db: Database) -> None:
    """A transaction whose ROLLBACK never ran (a cancelled query, say) is ended on release
    (by asyncpg, before our reset that skips its RESET ALL), so the next transaction does not
    run inside it."""
    if db.is_sqlite:
        pytest.skip("PostgreSQL only: the connection pool")
    pool = await db._postgres_pool()
    async with pool.acquire() as raw:
        await raw.execute("BEGIN")
        await raw.execute("INSERT INTO inbox (delivery_id, processed_at) VALUES ('left', now())")
    async with db.transaction() as tx:
        assert await tx.inbox.record("left", NOW)  # the abandoned insert was rolled back
