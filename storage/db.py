"""The database handle: engine creation, per-dialect transaction settings, schema checks.

SQLite (the default, a single file) is opened in WAL mode and every transaction starts with
`BEGIN IMMEDIATE`: a deferred BEGIN that later writes fails with "database is locked" under
concurrent writers instead of waiting, and Python's sqlite3 default would read outside any
transaction at all. PostgreSQL runs READ COMMITTED; correctness there comes from the version
check on conversations and the unique keys (inbox, idempotency keys), not from locks.
On PostgreSQL, `transaction()` runs on a pool of asyncpg connections of our own, likewise
with SQL that SQLAlchemy compiles (storage/postgres.py: why, and how a lost connection is
handled). A connection that dies during a transaction fails it with
`connection_invalidated`; a refused one fails `transaction()` with the driver's error. Work
that should outlast a server restart runs through `with_retries` or `run_in_transaction`,
which run it again on a new connection, for a bounded time (storage/retry.py).

On SQLite, `transaction()` runs on one sqlite3 connection of our own, on the event loop's
thread, with SQL that SQLAlchemy compiles (storage/sqlite.py, storage/compiled.py: why, and
what stays SQLAlchemy's). The SQLAlchemy engine (aiosqlite or asyncpg) serves the rest:
migrations, `connect()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from storage import postgres
from storage import sqlite as sqlite_tx
from storage.compiled import Statements
from storage.repos import Tx
from storage.retry import RETRY_WITHIN_S, Retry

log = logging.getLogger(__name__)
T = TypeVar("T")
_IN_TRANSACTION: ContextVar[bool] = ContextVar("orderbot_in_transaction", default=False)
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=10000",
    "PRAGMA foreign_keys=ON",
)
# Write transactions between two WAL checkpoints (each message writes about 4 pages; SQLite's
# own default is a checkpoint per 1000 pages).
CHECKPOINT_EVERY = 250


class SchemaError(RuntimeError):
    """The database schema is not the one this code was written for."""


def sqlite_url(path: str | Path) -> str:
    return f"sqlite+aiosqlite:///{Path(path)}"


def _configure_sqlite_engine(engine: AsyncEngine) -> None:
    """The SQLAlchemy engine's own SQLite connections (migrations, `connect()`)."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so that BEGIN IMMEDIATE is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """One per process. `transaction()` is the only way flows touch storage."""

    def __init__(
        self, url: str, *, echo: bool = False, retry_within: float = RETRY_WITHIN_S
    ) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.echo = echo
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            if self.url.database in (None, "", ":memory:"):
                raise ValueError(
                    "use a file for SQLite: an in-memory database is lost per connection"
                )
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        else:
            kwargs["pool_pre_ping"] = True  # migrations and connect() only: not per message
        if self.url.drivername.endswith("asyncpg") and self.url.query.get("nullpool"):
            kwargs["poolclass"] = NullPool
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        # SQLite has one writer at a time, and every transaction here is BEGIN IMMEDIATE, so
        # transactions of one process run one after another whatever we do. Queueing them on
        # an asyncio lock rather than in SQLite's busy handler (which sleeps 1..100 ms between
        # polls) is what keeps latency flat under 100 concurrent chats (docs/performance.md).
        # They share one sqlite3 connection, kept open.
        self._sqlite_writer: asyncio.Lock | None = None
        self._sqlite_raw: sqlite3.Connection | None = None
        self._queued = 0  # transactions waiting for `_sqlite_writer`
        self._waiting: sqlite_tx.WaitingWriters | None = None
        self._statements = Statements(self.engine.dialect)
        self._commits = 0
        self._checkpoint: asyncio.Task[None] | None = None
        if self.is_sqlite:
            _configure_sqlite_engine(self.engine)
            self._sqlite_writer = asyncio.Lock()
            self._waiting = sqlite_tx.WaitingWriters(self.url.database)
        self._postgres: asyncpg.Pool | None = None
        self._postgres_opening = asyncio.Lock()
        # Connection failures: how long work waits for the database (storage/retry.py).
        self.retry = Retry(retry_within)

    async def with_retries(
        self, work: Callable[[], Awaitable[T]], what: str = "database work"
    ) -> T:
        """`work()` (which opens its own transactions), run again while it fails on a lost or
        refused connection, up to `retry.within` seconds; then `DatabaseUnavailable`."""
        return await self.retry.run(work, what)

    async def run_in_transaction(
        self, work: Callable[[Tx], Awaitable[T]], what: str = "database work"
    ) -> T:
        """`work(tx)` in a transaction of its own, with `with_retries`: a failure during its
        COMMIT runs it again, so `work` must find what a landed commit left (module doc of
        storage/retry.py)."""

        async def once() -> T:
            async with self.transaction() as tx:
                return await work(tx)

        return await self.retry.run(once, what)

    @asynccontextmanager
    async def transaction(self, *, gives_way: bool = False) -> AsyncIterator[Tx]:
        """`gives_way`: a long job's transaction, which ends early when `writers_waiting`; on
        SQLite it waits for another process's write lock without announcing it, so that the
        jobs of two processes do not make each other give way."""
        # A transaction inside another on the same task would wait for itself on SQLite's
        # writer lock (and on PostgreSQL see none of the outer one's writes): refuse it.
        if _IN_TRANSACTION.get():
            raise RuntimeError("nested db.transaction(): use the open transaction's Tx")
        token = _IN_TRANSACTION.set(True)
        try:
            if self._sqlite_writer is None:
                async with (await self._postgres_pool()).acquire() as raw:
                    conn = await self._postgres_begin(raw)
                    try:
                        yield Tx(conn)
                    except BaseException:
                        await self._postgres_end(conn, commit=False)
                        raise
                    await self._postgres_end(conn, commit=True)
                return
            async with self._writer_turn(self._sqlite_writer):
                conn = await self._sqlite_begin(gives_way)
                try:
                    yield Tx(conn)
                except BaseException:
                    self._sqlite_rollback(conn)
                    raise
                self._sqlite_commit(conn)
        finally:
            _IN_TRANSACTION.reset(token)

    @asynccontextmanager
    async def _writer_turn(self, writer: asyncio.Lock) -> AsyncIterator[None]:
        """This process's turn at the SQLite writer, counted while it waits for it."""
        self._queued += 1
        try:
            await writer.acquire()
        finally:
            self._queued -= 1
        try:
            yield
        finally:
            writer.release()

    @property
    def writers_waiting(self) -> bool:
        """Whether other transactions wait for SQLite's write lock now: this process's, or
        another process's that announced it (never on PostgreSQL, where they run side by
        side). A long job ends its transaction early for them (services/lrp_runs.py)."""
        return self._queued > 0 or (self._waiting is not None and self._waiting.waiting())

    async def _postgres_pool(self) -> asyncpg.Pool:
        if self._postgres is None:
            async with self._postgres_opening:  # the first transactions may arrive together
                if self._postgres is None:
                    self._postgres = await postgres.create_pool(self.url)
        return self._postgres

    async def _postgres_begin(self, raw: Any) -> postgres.PostgresConnection:
        try:
            await raw.execute("BEGIN")
        except Exception as error:
            raise postgres.as_sqlalchemy_error("BEGIN", (), error, raw) from error
        return postgres.PostgresConnection(raw, self._statements, echo=self.echo)

    @staticmethod
    async def _postgres_end(conn: postgres.PostgresConnection, *, commit: bool) -> None:
        raw = conn.end()
        if not commit:
            # A dead connection has nothing left to roll back; the pool replaces it.
            with contextlib.suppress(Exception):
                await raw.execute("ROLLBACK")
            return
        try:
            await raw.execute("COMMIT")
        except Exception as error:
            with contextlib.suppress(Exception):
                await raw.execute("ROLLBACK")
            raise postgres.as_sqlalchemy_error("COMMIT", (), error, raw) from error

    async def _sqlite_begin(self, gives_way: bool) -> sqlite_tx.SqliteConnection:
        raw = self._clean_sqlite()
        waiting = self._waiting
        assert waiting is not None

        def busy() -> None:
            # Another process holds the lock: a job there gives way if a turn waits here
            # (this transaction's, or one queued behind this job's).
            if not gives_way or self._queued:
                waiting.announce()

        await sqlite_tx.begin_immediate(raw, busy)  # a failed BEGIN leaves the connection at rest
        return sqlite_tx.SqliteConnection(raw, self._statements, echo=self.echo)

    def _sqlite_rollback(self, conn: sqlite_tx.SqliteConnection) -> None:
        raw = conn.end()
        try:
            raw.rollback()
        except sqlite3.Error:
            self._drop_sqlite()

    def _sqlite_commit(self, conn: sqlite_tx.SqliteConnection) -> None:
        raw = conn.end()
        try:
            raw.execute("COMMIT")
        except sqlite3.Error as error:
            # SQLite can stay inside the transaction after a failed COMMIT (a deferred foreign
            # key, a full disk): roll back, and start the next one on a fresh connection.
            with contextlib.suppress(sqlite3.Error):
                raw.rollback()
            self._drop_sqlite()
            raise sqlite_tx.as_sqlalchemy_error("COMMIT", (), error) from error
        self._commits += 1
        if self._commits >= CHECKPOINT_EVERY and self._checkpoint is None:
            self._commits = 0
            self._checkpoint = asyncio.create_task(self._checkpoint_wal())

    async def _checkpoint_wal(self) -> None:
        """Copy the WAL back into the database file on a thread of its own, off the writer's
        path: done by the committing connection (SQLite's default) it made every 250th
        message wait for a thousand page writes and an fsync (docs/performance.md). A PASSIVE
        checkpoint never blocks the writer, which goes on appending meanwhile."""
        try:
            await asyncio.to_thread(self._checkpoint_now)
        except Exception as error:  # the next one will try again; SQLite stays consistent
            log.warning("WAL checkpoint failed: %s", error)
        finally:
            self._checkpoint = None

    def _checkpoint_now(self) -> None:
        raw = self._connect_sqlite()
        try:
            raw.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            raw.close()

    def _clean_sqlite(self) -> sqlite3.Connection:
        """The shared connection, replaced when it is not at rest (left inside a
        transaction: every BEGIN after that would fail)."""
        raw = self._sqlite_raw
        if raw is not None and raw.in_transaction:
            log.warning("discarding the SQLite writer connection: left inside a transaction")
            self._drop_sqlite()
            raw = None
        if raw is None:
            raw = self._sqlite_raw = self._open_sqlite()
        return raw

    def _connect_sqlite(self) -> sqlite3.Connection:
        # The very arguments SQLAlchemy's dialect would pass to sqlite3.connect for this URL.
        args, options = self.engine.dialect.create_connect_args(self.engine.url)
        raw = sqlite3.connect(*args, **{**options, "isolation_level": None})
        for pragma in SQLITE_PRAGMAS:
            raw.execute(pragma)
        return raw

    def _open_sqlite(self) -> sqlite3.Connection:
        raw = self._connect_sqlite()
        raw.execute("PRAGMA busy_timeout=0")  # waits are begin_immediate's, on the loop
        raw.execute("PRAGMA wal_autocheckpoint=0")  # _checkpoint_wal's, on a thread
        return raw

    def _drop_sqlite(self) -> None:
        raw, self._sqlite_raw = self._sqlite_raw, None
        if raw is not None:
            with contextlib.suppress(sqlite3.Error):
                raw.close()

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            yield conn

    async def dispose(self) -> None:
        if self._checkpoint is not None:
            await self._checkpoint
        self._drop_sqlite()
        if self._waiting is not None:
            self._waiting.close()
            self._waiting = None
        if self._postgres is not None:
            await self._postgres.close()
            self._postgres = None
        await self.engine.dispose()
