"""PostgreSQL transactions on asyncpg itself, with SQL compiled by SQLAlchemy.

Why: SQLAlchemy's asyncio execution of a message's transaction (a pool checkout through a
greenlet, an execution context per statement, the adapted cursor) cost 759 us of CPU against
294 us for the same statements on asyncpg directly (docs/performance.md), and a message is CPU.
What stays SQLAlchemy's is shared with the SQLite path (storage/compiled.py). What is here: a
pool of asyncpg connections of our own, set up as SQLAlchemy's asyncpg dialect sets up its own
(the JSON codec), statements run with the processed values, and driver errors named as
SQLAlchemy names them: `IntegrityError` for a unique key (the engine retries on it), and
`connection_invalidated` on an error that closed the connection (work is retried on it,
storage/retry.py, and the pool replaces the connection).

The SQLAlchemy engine stays for migrations and `Database.connect()`.
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from sqlalchemy import exc
from sqlalchemy.engine import URL

from storage.compiled import DriverConnection, _Plan, _Shape

# A pooled connection unused this long is closed (asyncpg's own timer), so one that may have
# died silently while idle is never handed out; one the server closed is replaced on acquire.
IDLE_LIFETIME_S = 30.0
POOL_MAX = 10
# A connection attempt that has not got through by then fails (asyncpg's default is 60 s): a
# server that does not answer at all must not hold work past the retries' bound
# (storage/retry.py); refused connections fail at once anyway.
CONNECT_TIMEOUT_S = 5.0

_INTEGRITY = asyncpg.exceptions.IntegrityConstraintViolationError
_CONNECTION_LOST = (asyncpg.exceptions.ConnectionDoesNotExistError, ConnectionError, OSError)


def dsn(url: URL) -> str:
    """The asyncpg connection string of a SQLAlchemy URL (our own `nullpool` option removed)."""
    plain = url.set(drivername="postgresql").difference_update_query(["nullpool"])
    return plain.render_as_string(hide_password=False)


async def _set_codecs(conn: asyncpg.Connection) -> None:
    """JSON as SQLAlchemy's asyncpg dialect has it: the columns' bind processors make the text,
    the driver decodes what it reads."""
    for name in ("json", "jsonb"):
        prefix = b"\x01" if name == "jsonb" else b""  # jsonb's binary format has a version byte
        await conn.set_type_codec(
            name,
            encoder=lambda text, prefix=prefix: prefix + text.encode(),
            decoder=lambda data, prefix=prefix: json.loads(data[len(prefix) :].decode()),
            schema="pg_catalog",
            format="binary",
        )


async def create_pool(url: URL) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        dsn(url),
        min_size=1,
        max_size=POOL_MAX,
        max_inactive_connection_lifetime=IDLE_LIFETIME_S,
        timeout=CONNECT_TIMEOUT_S,
        init=_set_codecs,
        reset=_keep,
    )


async def _keep(conn: asyncpg.Connection) -> None:
    """On release, asyncpg's default reset is a round trip (RESET ALL, UNLISTEN...): our
    transactions leave no session state behind (no SET, LISTEN or advisory lock). A
    transaction still open (its ROLLBACK failed, say on a cancelled query) asyncpg rolls back
    itself before calling this."""


def as_sqlalchemy_error(
    sql: str, params: Any, error: BaseException, raw: asyncpg.Connection
) -> exc.DBAPIError:
    """The SQLAlchemy exception for an asyncpg error (its class by SQLSTATE class)."""
    lost = isinstance(error, _CONNECTION_LOST) or _closed(raw)
    cls: type[exc.DBAPIError] = exc.DBAPIError
    if isinstance(error, _INTEGRITY):
        cls = exc.IntegrityError
    elif lost or isinstance(error, asyncpg.exceptions.OperatorInterventionError):
        cls = exc.OperationalError
    elif isinstance(error, asyncpg.exceptions.DataError):
        cls = exc.DataError
    elif isinstance(error, asyncpg.exceptions.SyntaxOrAccessError):
        cls = exc.ProgrammingError
    return cls(sql, params, error, connection_invalidated=lost)  # type: ignore[arg-type]


def _closed(raw: Any) -> bool:
    """The connection is gone: closed, or (a pool's proxy) already handed back by asyncpg,
    which detaches a proxy whose connection the server closed."""
    try:
        return bool(raw.is_closed())
    except asyncpg.InterfaceError:
        return True


def _rowcount(status: str) -> int:
    """The row count of a command status ("UPDATE 3", "INSERT 0 1"; -1 when it has none)."""
    last = status.rpartition(" ")[2]
    return int(last) if last.isdigit() else -1


class PostgresConnection(DriverConnection):
    """A transaction's connection on asyncpg (storage/compiled.py: what the repositories see)."""

    async def _run(
        self, raw: asyncpg.Connection, plan: _Plan, sql: str, values: tuple[Any, ...]
    ) -> tuple[list[Any], int, int | None]:
        compiled = plan.compiled
        try:
            if not compiled._result_columns:
                return [], _rowcount(await raw.execute(sql, *values)), None
            rows = await raw.fetch(sql, *values)
        except Exception as error:  # anything asyncpg raises: named as SQLAlchemy would
            raise as_sqlalchemy_error(sql, values, error, raw) from error
        if compiled.implicit_returning:
            # RETURNING added by SQLAlchemy for the new primary key: SQLAlchemy's result has
            # no rows then, only `inserted_primary_key`.
            return [], len(rows), rows[0][0] if rows else None
        return rows, len(rows), None  # Records: the row types take them as they are

    async def _shape(self, raw: asyncpg.Connection, plan: _Plan, sql: str) -> _Shape:
        # SQLAlchemy's asyncpg dialect picks some result processors by the column's type OID
        # (numerics); asyncpg tells it from the prepared statement, once per statement shape.
        try:
            attributes = (await raw.prepare(sql)).get_attributes()
        except Exception as error:
            raise as_sqlalchemy_error(sql, (), error, raw) from error
        return self._statements.shape(plan, [attribute.type.oid for attribute in attributes])

    async def _run_many(self, raw: asyncpg.Connection, sql: str, values: list[Any]) -> int:
        try:
            await raw.executemany(sql, values)
        except Exception as error:  # anything asyncpg raises: named as SQLAlchemy would
            raise as_sqlalchemy_error(sql, values[0], error, raw) from error
        return len(values)

    async def _run_text(
        self, raw: asyncpg.Connection, sql: str, values: tuple[Any, ...]
    ) -> tuple[list[Any], list[str], int, int | None]:
        try:
            statement = await raw.prepare(sql)
            rows = await statement.fetch(*values)
        except Exception as error:  # anything asyncpg raises: named as SQLAlchemy would
            raise as_sqlalchemy_error(sql, values, error, raw) from error
        names = [attribute.name for attribute in statement.get_attributes()]
        count = len(rows) if names else _rowcount(statement.get_statusmsg())
        return [tuple(row) for row in rows], names, count, None
