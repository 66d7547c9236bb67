"""The database handle: engine creation, per-dialect transaction settings, schema checks.

SQLite (the default, a single file) is opened in WAL mode and every transaction starts with
`BEGIN IMMEDIATE`: a deferred BEGIN that later writes fails with "database is locked" under
concurrent writers instead of waiting, and Python's sqlite3 default would read outside any
transaction at all. PostgreSQL runs READ COMMITTED; correctness there comes from the version
check on conversations and the unique keys (inbox, idempotency keys), not from locks.

SQLite calls run on the event loop's own thread (`_InlineSqlite`), not on aiosqlite's worker
thread: a statement takes 5-20 us in sqlite3 while each hop to the worker thread and back
costs 50-100 us, and one message makes about 20 of them (docs/performance.md). Waiting for a
lock held by another process is done with asyncio sleeps (`_begin_immediate`), never by
blocking the loop in SQLite's busy handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool
from sqlalchemy.util import await_only

from storage.repos import SqliteDirect, Tx

log = logging.getLogger(__name__)
_IN_TRANSACTION: ContextVar[bool] = ContextVar("orderbot_in_transaction", default=False)


def _raw(conn: AsyncConnection) -> sqlite3.Connection:
    return conn.sync_connection.connection.driver_connection._conn  # type: ignore[union-attr]


def _is_clean(conn: AsyncConnection) -> bool:
    if conn.closed or conn.invalidated or conn.in_transaction():
        return False
    return not _raw(conn).in_transaction


class SchemaError(RuntimeError):
    """The database schema is not the one this code was written for."""


def sqlite_url(path: str | Path) -> str:
    return f"sqlite+aiosqlite:///{Path(path)}"


# How long a transaction waits for another process's write lock before giving up.
BUSY_TIMEOUT_S = 10.0


class _InlineQueue:
    """Stands in for aiosqlite's queue to its worker thread: runs each call at once, here."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as error:  # handed to the awaiting caller, as aiosqlite does
            if future is not None:
                future.set_exception(error)
            return
        if future is not None:
            future.set_result(result)


class _InlineSqlite(aiosqlite.Connection):
    """aiosqlite's Connection (the API SQLAlchemy's aiosqlite dialect drives) without its
    thread: every call runs on the caller's thread and returns a finished future."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _InlineQueue()  # type: ignore[assignment]

    def __await__(self) -> Any:  # aiosqlite starts its thread here; there is none
        return self._connect().__await__()


def _begin_immediate(raw: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE; while another process holds the write lock, sleep (asyncio) and retry.

    Runs inside SQLAlchemy's greenlet, where `await_only` suspends this task, not the loop.
    The busy timeout is 0 while trying, so SQLite itself never blocks the loop here; it is
    put back to a short one for the rest of the transaction (WAL gives a transaction that
    holds the write lock no other reason to wait).
    """
    raw.execute("PRAGMA busy_timeout=0")
    delay, waited = 0.001, 0.0
    while True:
        try:
            raw.execute("BEGIN IMMEDIATE")
            break
        except sqlite3.OperationalError as error:
            busy = "locked" in str(error) or "busy" in str(error)
            if not busy or waited >= BUSY_TIMEOUT_S:
                # As SQLAlchemy's own error, like every other database failure callers see.
                raise DBAPIError.instance("BEGIN IMMEDIATE", (), error, sqlite3.Error) from error
        await_only(asyncio.sleep(delay))
        waited += delay
        delay = min(delay * 2, 0.1)
    raw.execute("PRAGMA busy_timeout=200")


def _configure_sqlite(engine: AsyncEngine, *, inline: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so that BEGIN IMMEDIATE is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA busy_timeout=10000",
            "PRAGMA foreign_keys=ON",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if inline:
            _begin_immediate(connection.connection.driver_connection._conn)
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """One per process. `transaction()` is the only way flows touch storage."""

    def __init__(self, url: str, *, echo: bool = False, inline_sqlite: bool = True) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            if self.url.database in (None, "", ":memory:"):
                raise ValueError(
                    "use a file for SQLite: an in-memory database is lost per connection"
                )
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        else:
            kwargs["pool_pre_ping"] = True
        if self.url.drivername.endswith("asyncpg") and self.url.query.get("nullpool"):
            kwargs["poolclass"] = NullPool
        inline = self.is_sqlite and inline_sqlite
        connect_args: list[Any] = []
        if inline:

            async def creator() -> _InlineSqlite:
                args, options = connect_args
                return await _InlineSqlite(lambda: sqlite3.connect(*args, **options))

            kwargs["async_creator"] = creator
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if inline:  # the very arguments aiosqlite would have passed to sqlite3.connect
            connect_args.extend(self.engine.dialect.create_connect_args(self.engine.url))
        if self.is_sqlite:
            _configure_sqlite(self.engine, inline=inline)
        # SQLite has one writer at a time, and every transaction here is BEGIN IMMEDIATE, so
        # transactions of one process run one after another whatever we do. Queueing them on
        # an asyncio lock rather than in SQLite's busy handler (which sleeps 1..100 ms between
        # polls) is what keeps latency flat under 100 concurrent chats (docs/performance.md).
        # busy_timeout still arbitrates between processes.
        self._sqlite_writer: asyncio.Lock | None = asyncio.Lock() if self.is_sqlite else None
        # With SQLite inline, the statements of every message skip SQLAlchemy's execution
        # (storage/repos.py, SqliteDirect). Not with echo: those statements would go unlogged.
        self._direct: SqliteDirect | None = None
        self._writer_conn: AsyncConnection | None = None
        if inline and not echo:
            self._direct = SqliteDirect(self.engine.dialect)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        # A transaction inside another on the same task would wait for itself on SQLite's
        # writer lock (and on PostgreSQL see none of the outer one's writes): refuse it.
        if _IN_TRANSACTION.get():
            raise RuntimeError("nested db.transaction(): use the open transaction's Tx")
        token = _IN_TRANSACTION.set(True)
        try:
            if self._sqlite_writer is None:
                async with self.engine.begin() as conn:
                    yield Tx(conn)
                return
            async with self._sqlite_writer, self._sqlite_transaction() as tx:
                yield tx
        finally:
            _IN_TRANSACTION.reset(token)

    @asynccontextmanager
    async def _sqlite_transaction(self) -> AsyncIterator[Tx]:
        """Transactions take turns anyway: they share one connection, kept open, rather than
        check one out of the pool and reset it each time (docs/performance.md)."""
        conn = await self._clean_writer()
        tx: Tx | None = None
        try:
            async with conn.begin():
                if self._direct is None:
                    tx = Tx(conn)
                else:  # the transaction's own sqlite3 connection (_InlineSqlite -> sqlite3)
                    tx = Tx(conn, sqlite_direct=(self._direct, _raw(conn)))
                yield tx
        except BaseException:
            # Failing in BEGIN itself (tx never made) can leave SQLAlchemy's connection in a
            # half-begun state; otherwise only a connection not at rest is replaced.
            if tx is None or not _is_clean(conn):
                await self._drop_writer()
            raise
        finally:
            if tx is not None:
                tx.end()

    async def _clean_writer(self) -> AsyncConnection:
        """The shared connection, replaced when it is not at rest: SQLite can keep a
        transaction open after a failed COMMIT (a deferred foreign key, a full disk) while
        SQLAlchemy believes it ended, and every BEGIN after that would fail."""
        conn = self._writer_conn
        if conn is not None and not _is_clean(conn):
            log.warning("discarding the SQLite writer connection: left inside a transaction")
            await self._drop_writer()
            conn = None
        if conn is None:
            conn = self._writer_conn = await self.engine.connect()
        return conn

    async def _drop_writer(self) -> None:
        conn, self._writer_conn = self._writer_conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            yield conn

    async def dispose(self) -> None:
        if self._writer_conn is not None:
            conn, self._writer_conn = self._writer_conn, None
            await conn.close()
        await self.engine.dispose()
