"""SQLite transactions on the sqlite3 connection itself, with SQL compiled by SQLAlchemy.

Why: on SQLite a statement takes 2-10 us, while SQLAlchemy's asyncio execution of the same
Core statement (greenlet hop, execution context, result metadata) takes 100-200 us and an empty
`async with conn.begin()` another 140 us (docs/performance.md). One message is one transaction
of 4-6 statements, so that machinery was most of what storage cost.

What stays SQLAlchemy's, and the half shared with PostgreSQL's path, is in storage/compiled.py
(compilation and cache, the columns' value conversions, defaults, IN lists, the exception
classes). What is here: calling sqlite3 with the processed values and naming its errors.

Everything runs on the event loop's thread: a call into SQLite is shorter than a hop to a worker
thread and back. Waiting for another process's write lock is done with asyncio sleeps
(`begin_immediate`), never inside SQLite's busy handler, so the loop is never blocked on it;
the wait is announced to the other processes (`WaitingWriters`), so that a long job holding
the lock there gives way.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import struct
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import DBAPIError

from storage.compiled import DriverConnection, _Plan

# How long a transaction waits for another process's write lock before giving up.
BUSY_TIMEOUT_S = 10.0
# How often a transaction waiting for it tries again.
POLL_S = 0.001
# A wait announced this recently is going on (its transaction polls every POLL_S).
WAITING_FOR_S = 5 * POLL_S


def as_sqlalchemy_error(sql: str, params: Any, error: sqlite3.Error) -> DBAPIError:
    """The SQLAlchemy exception SQLAlchemy itself would raise for this driver error."""
    return DBAPIError.instance(sql, params, error, sqlite3.Error)


class WaitingWriters:
    """When a transaction of any process last waited for the database's write lock: a time
    stamp of the system's monotonic clock (one for all its processes) in a small file next to
    the database (`<file>-waiting`), written at each refused BEGIN and read by a long job
    between its steps (`Database.writers_waiting`). A file read and written with pread and
    pwrite: about a microsecond each, no lock."""

    def __init__(self, database: str) -> None:
        self._fd = os.open(f"{database}-waiting", os.O_RDWR | os.O_CREAT, 0o644)

    def announce(self) -> None:
        os.pwrite(self._fd, struct.pack("d", time.monotonic()), 0)

    def waiting(self) -> bool:
        stamp = os.pread(self._fd, 8, 0)
        return len(stamp) == 8 and time.monotonic() - struct.unpack("d", stamp)[0] < WAITING_FOR_S

    def close(self) -> None:
        os.close(self._fd)


async def begin_immediate(raw: sqlite3.Connection, busy: Callable[[], None]) -> None:
    """BEGIN IMMEDIATE; while another process holds the write lock, sleep (asyncio) and retry.

    `raw` has a busy timeout of 0 (`Database` opens it so): SQLite itself never blocks the loop
    here. Once BEGIN IMMEDIATE holds the write lock, WAL gives the transaction no other reason
    to wait (readers never block a writer; the checkpoint after COMMIT is a passive one).

    The retries come every `POLL_S`, not after a growing back-off: another process (an
    auto-order run) frees the lock for a few milliseconds between its batches, and a back-off
    grown to 100 ms missed those windows, so a chat turn waited for several batches
    (docs/performance.md). It stays cheap: only one transaction of a process polls, the others
    queue behind it on `Database`'s lock, and a refused BEGIN costs microseconds. `busy` is
    called at each refusal (`Database` announces the wait there).
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            raw.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            locked = "locked" in str(error) or "busy" in str(error)
            if not locked or time.monotonic() >= deadline:
                raise as_sqlalchemy_error("BEGIN IMMEDIATE", (), error) from error
        busy()
        await asyncio.sleep(POLL_S)


class SqliteConnection(DriverConnection):
    """A transaction's connection on sqlite3 (storage/compiled.py: what the repositories see)."""

    async def _run(
        self, raw: sqlite3.Connection, plan: _Plan, sql: str, values: tuple[Any, ...]
    ) -> tuple[list[Any], int, int | None]:
        try:
            cursor = raw.execute(sql, values)
            rows = cursor.fetchall() if cursor.description else []
        except sqlite3.Error as error:
            raise as_sqlalchemy_error(sql, values, error) from error
        return rows, cursor.rowcount, cursor.lastrowid

    async def _run_many(
        self, raw: sqlite3.Connection, sql: str, values: list[tuple[Any, ...]]
    ) -> int:
        try:
            return raw.executemany(sql, values).rowcount
        except sqlite3.Error as error:
            raise as_sqlalchemy_error(sql, values[0], error) from error

    async def _run_text(
        self, raw: sqlite3.Connection, sql: str, values: tuple[Any, ...]
    ) -> tuple[list[Any], list[str], int, int | None]:
        try:
            cursor = raw.execute(sql, values)
            rows = cursor.fetchall() if cursor.description else []
        except sqlite3.Error as error:
            raise as_sqlalchemy_error(sql, values, error) from error
        names = [column[0] for column in cursor.description or ()]
        return rows, names, cursor.rowcount, cursor.lastrowid
