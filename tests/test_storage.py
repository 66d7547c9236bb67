"""Storage: migrations, schema checks, optimistic concurrency, outbox and inbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from storage import migrate
from storage.db import Database, SchemaError, sqlite_url
from storage.records import Conversation
from storage.repos import StaleConversation
from storage.schema import metadata
from tests.conftest import BACKENDS

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


async def test_sqlite_direct_statements_store_what_sqlalchemy_stores(
    database_url: str, tmp_path
) -> None:
    """The hot statements skip SQLAlchemy on inline SQLite (SqliteDirect): the same rows,
    values and errors as the Core statements (echo=True turns the direct path off)."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only")
    stored = []
    for name, echo in (("direct", False), ("core", True)):
        db = Database(sqlite_url(tmp_path / f"{name}.db"), echo=echo)
        assert (db._direct is None) == echo
        try:
            await migrate.ensure_schema(db, auto_upgrade=True)
            seoul = datetime.fromisoformat("2026-11-24T10:00:00.5+09:00")
            async with db.transaction() as tx:
                assert await tx.inbox.record("tg:1", seoul)
                assert not await tx.inbox.record("tg:1", seoul)
                user = await tx.users.create("test", "u6", "U", NOW)
                conv = await tx.conversations.load(user.id, "start", "language")
                await tx.conversations.save(conv, NOW)
            async with db.transaction() as tx:
                found = await tx.users.find_with_conversation("test", "u6")
                assert found is not None
                conv = found[1]
                assert conv is not None
                conv.slots["menu"] = {"note": "한국어 ✓", "n": 1.5}
                await tx.conversations.save(conv, seoul)
            async with db.transaction() as tx:
                with pytest.raises(StaleConversation):
                    await tx.conversations.save(
                        Conversation(user.id, "menu", "main", {}, conv.version - 1), NOW
                    )
                rows = await tx.conn.exec_driver_sql(
                    "SELECT i.processed_at, c.flow, c.state, c.slots, c.version, c.updated_at "
                    "FROM inbox i, conversations c"
                )
                stored.append(rows.all())
            async with db.transaction() as tx:
                assert await tx.conversations.load(user.id, "x", "y") == conv
        finally:
            await db.dispose()
    assert stored[0] == stored[1]


async def test_sqlite_direct_errors_are_sqlalchemy_errors(db: Database) -> None:
    if db._direct is None:
        pytest.skip("SQLite only")
    async with db.transaction() as tx:
        await tx.users.create("test", "u7", "U", NOW)
        with pytest.raises(IntegrityError):  # the engine retries on SQLAlchemy's IntegrityError
            assert tx.users.direct is not None
            statement = (
                "INSERT INTO users (transport, external_id, display_name, created_at) "
                "VALUES (?, ?, ?, ?)",
                ("transport", "external_id", "display_name", "created_at"),
            )
            tx.users.direct.execute(
                statement,
                transport="test",
                external_id="u7",
                display_name="U",
                created_at="2026-11-24 01:00:00.000000",
            )


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
    if db.is_sqlite:
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
    raw = db._writer_conn.sync_connection.connection.driver_connection._conn
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

    from storage import db as db_module

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
