"""SQLite transactions on the sqlite3 connection itself, with SQL compiled by SQLAlchemy.

Why: on SQLite a statement takes 2-10 us, while SQLAlchemy's asyncio execution of the same
Core statement (greenlet hop, execution context, result metadata) takes 100-200 us and an empty
`async with conn.begin()` another 140 us (docs/performance.md). One message is one transaction
of 4-6 statements, so that machinery was most of what storage cost.

What stays SQLAlchemy's: the statements (repositories still build Core statements), their
compilation and cache (`_compile_w_cache`, keyed on SQLAlchemy's own cache key), the column
types' bind and result processors (UTC datetimes, JSON, Decimal), the insert defaults declared
on the columns, the expansion of IN lists, and the exception classes (`IntegrityError`,
`OperationalError`...). What is ours: calling sqlite3 with the processed values and wrapping
the rows in a small result with the subset of SQLAlchemy's result API the repositories use.

Everything runs on the event loop's thread: a call into SQLite is shorter than a hop to a worker
thread and back. Waiting for another process's write lock is done with asyncio sleeps
(`begin_immediate`), never inside SQLite's busy handler, so the loop is never blocked on it.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import namedtuple
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.util import LRUCache

log = logging.getLogger(__name__)

Params = dict[str, Any]
Processor = Callable[[Any], Any]

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


@dataclass(frozen=True, slots=True)
class _Shape:
    """What the rows of one compiled statement look like: names and result processors."""

    row: type[tuple[Any, ...]]
    processors: tuple[Processor | None, ...]
    plain: bool  # no column needs converting


def _row_type(names: Sequence[str]) -> type[tuple[Any, ...]]:
    base = namedtuple("Row", names, rename=True)  # type: ignore[misc]

    class Row(base):  # type: ignore[misc, valid-type]
        """A row: a tuple with the columns as attributes, like SQLAlchemy's `Row`."""

        __slots__ = ()

        @property
        def _mapping(self) -> dict[str, Any]:
            return dict(zip(names, self, strict=True))

    return Row


@dataclass(slots=True)
class _Plan:
    """One statement object compiled for one set of parameter names."""

    statement: ClauseElement  # kept alive: plans are found by the statement's identity
    compiled: SQLCompiler
    extracted: Any  # the statement's own literal values, as SQLAlchemy's cache key found them
    collected: Any
    # (name, processor) of each value in order, when all of them come from the parameters as
    # given (no literal, default or expanding IN to work out): the common case, done directly.
    direct: tuple[tuple[str, Processor | None], ...] | None
    shape: _Shape | None = None


class SqliteStatements:
    """Compiles Core statements for SQLite, once per statement shape (SQLAlchemy's cache key,
    the parameter names, single or many), and converts values both ways.

    Statements built once (module constants in storage/repos.py) are also found by identity,
    which skips hashing SQLAlchemy's cache key on every execution."""

    def __init__(self, dialect: Dialect, *, size: int = 500) -> None:
        self.dialect = dialect
        self._compiled: LRUCache[Any, Any] = LRUCache(size)
        self._plans: LRUCache[tuple[int, tuple[str, ...], bool], _Plan] = LRUCache(size)

    def plan(self, statement: ClauseElement, keys: tuple[str, ...], many: bool) -> _Plan:
        key = (id(statement), keys, many)
        plan = self._plans.get(key)
        if plan is not None and plan.statement is statement:
            return plan
        compiled, extracted, collected, _ = statement._compile_w_cache(
            self.dialect,
            compiled_cache=self._compiled,
            column_keys=list(keys),
            for_executemany=many,
        )
        plan = _Plan(statement, compiled, extracted, collected, self._direct(compiled, keys))
        self._plans[key] = plan
        return plan

    @staticmethod
    def _direct(
        compiled: SQLCompiler, keys: tuple[str, ...]
    ) -> tuple[tuple[str, Processor | None], ...] | None:
        order = compiled.positiontup
        if (
            order is None
            or compiled.insert_prefetch
            or compiled.update_prefetch
            or compiled.literal_execute_params
            or compiled.post_compile_params
            or not set(order) <= set(keys)
        ):
            return None
        processors = compiled._bind_processors
        return tuple((name, processors.get(name)) for name in order)

    def shape(self, plan: _Plan) -> _Shape:
        """Row type and processors of the statement's result columns."""
        if plan.shape is None:
            columns = plan.compiled._result_columns
            names = [column[0] for column in columns]
            processors = tuple(
                column[3]._cached_result_processor(self.dialect, None) for column in columns
            )
            plan.shape = _Shape(_row_type(names), processors, all(p is None for p in processors))
        return plan.shape

    def bind(
        self, plan: _Plan, params: Params | None, group: int | None = None
    ) -> tuple[str, tuple[Any, ...]]:
        """The SQL and its positional values for one set of parameters."""
        compiled = plan.compiled
        if plan.direct is not None and params is not None:
            return compiled.string, tuple(
                params[name] if process is None else process(params[name])
                for name, process in plan.direct
            )
        values = compiled.construct_params(
            params,
            escape_names=False,
            _group_number=group,
            extracted_parameters=plan.extracted,
            _collected_params=plan.collected,
        )
        for column in (*compiled.insert_prefetch, *compiled.update_prefetch):
            if column.key not in (params or ()):
                values[column.key] = self._default(column, compiled)
        processors: Any = compiled._bind_processors
        sql = compiled.string
        order = compiled.positiontup
        if compiled.literal_execute_params or compiled.post_compile_params:
            expanded = compiled._process_parameters_for_postcompile(values)
            sql, order = expanded.statement, expanded.positiontup
            processors = {**processors, **expanded.processors}
            values = expanded.parameters
        assert order is not None, "the SQLite dialect compiles positional (qmark) SQL"
        return sql, tuple(
            processors[key](values[key]) if key in processors else values[key] for key in order
        )

    @staticmethod
    def _default(column: Any, compiled: SQLCompiler) -> Any:
        default = column.default if compiled.isinsert else column.onupdate
        if default is None:
            return None
        if not default.is_scalar:
            raise NotImplementedError(f"column default of {column} needs an execution context")
        return default.arg


class SqliteResult:
    """The part of SQLAlchemy's `CursorResult` the repositories use."""

    __slots__ = ("_rows", "lastrowid", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int, lastrowid: int | None) -> None:
        self._rows = rows
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    @property
    def inserted_primary_key(self) -> tuple[int | None]:
        return (self.lastrowid,)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def all(self) -> list[Any]:
        return list(self._rows)

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def one(self) -> Any:
        if len(self._rows) != 1:
            raise ValueError(f"expected one row, got {len(self._rows)}")
        return self._rows[0]

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalar_one_or_none(self) -> Any:
        if len(self._rows) > 1:
            raise ValueError(f"expected at most one row, got {len(self._rows)}")
        return self._rows[0][0] if self._rows else None

    def scalars(self) -> SqliteResult:
        return SqliteResult([row[0] for row in self._rows], self.rowcount, self.lastrowid)


class SqliteConnection:
    """One transaction's connection, as the repositories see it: `execute` a Core statement,
    `exec_driver_sql` a string. Unusable once its transaction has ended."""

    def __init__(
        self, raw: sqlite3.Connection, statements: SqliteStatements, *, echo: bool = False
    ) -> None:
        self._raw: sqlite3.Connection | None = raw
        self._statements = statements
        self.dialect = statements.dialect
        self._echo = echo

    def end(self) -> sqlite3.Connection:
        """The transaction is over (its owner commits or rolls back on what this returns)."""
        raw = self._live()
        self._raw = None
        return raw

    def _live(self) -> sqlite3.Connection:
        if self._raw is None:
            # The sqlite3 connection lives on: a Tx kept past its block must not write through it.
            raise RuntimeError("this transaction has ended; open a new one")
        return self._raw

    async def execute(
        self, statement: ClauseElement, parameters: Params | list[Params] | None = None
    ) -> SqliteResult:
        raw = self._live()
        if isinstance(parameters, list) and len(parameters) > 1:
            return self._execute_many(raw, statement, parameters)
        if isinstance(parameters, list):
            parameters = parameters[0] if parameters else None
        statements = self._statements
        # The parameter names as given: SQLAlchemy compiles the same SQL whatever their order.
        plan = statements.plan(statement, tuple(parameters) if parameters else (), False)
        sql, values = statements.bind(plan, parameters)
        if self._echo:
            log.info("%s %r", sql, values)
        try:
            cursor = raw.execute(sql, values)
            rows = cursor.fetchall() if cursor.description else []
        except sqlite3.Error as error:
            raise as_sqlalchemy_error(sql, values, error) from error
        if rows:
            shape = statements.shape(plan)
            rows = [self._row(shape, row) for row in rows]
        return SqliteResult(rows, cursor.rowcount, cursor.lastrowid)

    def _execute_many(
        self, raw: sqlite3.Connection, statement: ClauseElement, parameters: list[Params]
    ) -> SqliteResult:
        statements = self._statements
        plan = statements.plan(statement, tuple(parameters[0]), True)
        bound = [statements.bind(plan, params, index) for index, params in enumerate(parameters)]
        sql = bound[0][0]
        if self._echo:
            log.info("%s %r", sql, [values for _, values in bound])
        try:
            cursor = raw.executemany(sql, [values for _, values in bound])
        except sqlite3.Error as error:
            raise as_sqlalchemy_error(sql, bound[0][1], error) from error
        return SqliteResult([], cursor.rowcount, cursor.lastrowid)

    @staticmethod
    def _row(shape: _Shape, row: tuple[Any, ...]) -> Any:
        if shape.plain:
            return shape.row(*row)
        return shape.row(
            *(v if p is None else p(v) for p, v in zip(shape.processors, row, strict=True))
        )

    async def exec_driver_sql(self, sql: str, parameters: Sequence[Any] = ()) -> SqliteResult:
        raw = self._live()
        try:
            cursor = raw.execute(sql, tuple(parameters))
            rows = cursor.fetchall() if cursor.description else []
        except sqlite3.Error as error:
            raise as_sqlalchemy_error(sql, parameters, error) from error
        if rows:
            names = [column[0] for column in cursor.description]
            row_type = _row_type(names)
            rows = [row_type(*row) for row in rows]
        return SqliteResult(rows, cursor.rowcount, cursor.lastrowid)
