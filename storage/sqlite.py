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
(`begin_immediate`), never inside SQLite's busy handler, so the loop is never blocked on it.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from sqlalchemy.exc import DBAPIError

from storage.compiled import DriverConnection, _Plan

# How long a transaction waits for another process's write lock before giving up.
BUSY_TIMEOUT_S = 10.0


def as_sqlalchemy_error(sql: str, params: Any, error: sqlite3.Error) -> DBAPIError:
    """The SQLAlchemy exception SQLAlchemy itself would raise for this driver error."""
    return DBAPIError.instance(sql, params, error, sqlite3.Error)


async def begin_immediate(raw: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE; while another process holds the write lock, sleep (asyncio) and retry.

    `raw` has a busy timeout of 0 (`Database` opens it so): SQLite itself never blocks the loop
    here. Once BEGIN IMMEDIATE holds the write lock, WAL gives the transaction no other reason
    to wait (readers never block a writer; the checkpoint after COMMIT is a passive one).
    """
    delay, waited = 0.001, 0.0
    while True:
        try:
            raw.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            busy = "locked" in str(error) or "busy" in str(error)
            if not busy or waited >= BUSY_TIMEOUT_S:
                raise as_sqlalchemy_error("BEGIN IMMEDIATE", (), error) from error
        await asyncio.sleep(delay)
        waited += delay
        delay = min(delay * 2, 0.1)


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
