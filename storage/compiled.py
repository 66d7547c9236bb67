"""Core statements compiled by SQLAlchemy, executed by a driver directly.

SQLAlchemy's execution of one statement (an execution context, result metadata, and on asyncio
a greenlet hop) costs more than the statement itself costs the database (docs/performance.md).
Both message paths (storage/sqlite.py, storage/postgres.py) therefore keep what is SQLAlchemy's
(the statements the repositories build, their compilation and cache, the column types' bind
and result processors, insert defaults, IN-list expansion, the exception classes) and call
their driver with the processed values themselves. This module is the shared half: the plan
of a compiled statement, binding values to it, and the small result the repositories read.
"""

from __future__ import annotations

import logging
from collections import namedtuple
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.util import LRUCache

log = logging.getLogger(__name__)

Params = dict[str, Any]
Processor = Callable[[Any], Any]


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


class Statements:
    """Compiles Core statements for one dialect, once per statement shape (SQLAlchemy's cache
    key, the parameter names, single or many), and converts values both ways.

    Statements built once (module constants in storage/repos/) are also found by identity,
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

    def shape(self, plan: _Plan, driver_types: Sequence[Any] | None = None) -> _Shape:
        """Row type and processors of the statement's result columns. `driver_types`: the
        driver's type of each column (a DBAPI cursor's `type_code`), where a dialect picks a
        result processor by it (asyncpg's numerics do)."""
        if plan.shape is None:
            columns = plan.compiled._result_columns
            names = [column[0] for column in columns]
            types = driver_types if driver_types is not None else [None] * len(columns)
            processors = tuple(
                column[3]._cached_result_processor(self.dialect, driver_type)
                for column, driver_type in zip(columns, types, strict=True)
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
        assert order is not None, "SQLite (qmark) and asyncpg ($n) compile positional SQL"
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


class Result:
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

    def scalars(self) -> Result:
        return Result([row[0] for row in self._rows], self.rowcount, self.lastrowid)


class DriverConnection:
    """One transaction's connection, as the repositories see it: `execute` a Core statement,
    `exec_driver_sql` a string. Unusable once its transaction has ended. A subclass runs SQL
    on its driver (`_run`, `_run_many`, `_run_text`) and names the driver's errors."""

    def __init__(self, raw: Any, statements: Statements, *, echo: bool = False) -> None:
        self._raw: Any = raw
        self._statements = statements
        self.dialect = statements.dialect
        self._echo = echo

    def end(self) -> Any:
        """The transaction is over (its owner commits or rolls back on what this returns)."""
        raw = self._live()
        self._raw = None
        return raw

    def _live(self) -> Any:
        if self._raw is None:
            # The driver connection lives on: a Tx kept past its block must not write with it.
            raise RuntimeError("this transaction has ended; open a new one")
        return self._raw

    async def execute(
        self, statement: ClauseElement, parameters: Params | list[Params] | None = None
    ) -> Result:
        raw = self._live()
        statements = self._statements
        if isinstance(parameters, list) and len(parameters) > 1:
            plan = statements.plan(statement, tuple(parameters[0]), True)
            bound = [
                statements.bind(plan, params, index) for index, params in enumerate(parameters)
            ]
            sql = bound[0][0]
            if self._echo:
                log.info("%s %r", sql, [values for _, values in bound])
            rowcount = await self._run_many(raw, sql, [values for _, values in bound])
            return Result([], rowcount, None)
        if isinstance(parameters, list):
            parameters = parameters[0] if parameters else None
        # The parameter names as given: SQLAlchemy compiles the same SQL whatever their order.
        plan = statements.plan(statement, tuple(parameters) if parameters else (), False)
        sql, values = statements.bind(plan, parameters)
        if self._echo:
            log.info("%s %r", sql, values)
        rows, rowcount, lastrowid = await self._run(raw, plan, sql, values)
        if rows:
            shape = plan.shape or await self._shape(raw, plan, sql)
            rows = [_converted(shape, row) for row in rows]
        return Result(rows, rowcount, lastrowid)

    async def _shape(self, raw: Any, plan: _Plan, sql: str) -> _Shape:
        """The plan's row shape, worked out on its first rows."""
        return self._statements.shape(plan)

    async def exec_driver_sql(self, sql: str, parameters: Sequence[Any] = ()) -> Result:
        rows, names, rowcount, lastrowid = await self._run_text(
            self._live(), sql, tuple(parameters)
        )
        if rows:
            row_type = _row_type(names)
            rows = [row_type(*row) for row in rows]
        return Result(rows, rowcount, lastrowid)

    async def _run(
        self, raw: Any, plan: _Plan, sql: str, values: tuple[Any, ...]
    ) -> tuple[list[Any], int, int | None]:
        """(rows, rowcount, lastrowid) of one statement."""
        raise NotImplementedError

    async def _run_many(self, raw: Any, sql: str, values: list[tuple[Any, ...]]) -> int:
        """The rowcount of one statement run once per set of values."""
        raise NotImplementedError

    async def _run_text(
        self, raw: Any, sql: str, values: tuple[Any, ...]
    ) -> tuple[list[Any], list[str], int, int | None]:
        """(rows, column names, rowcount, lastrowid) of SQL given as a string."""
        raise NotImplementedError


def _converted(shape: _Shape, row: Sequence[Any]) -> Any:
    if shape.plain:
        return shape.row(*row)
    return shape.row(
        *(v if p is None else p(v) for p, v in zip(shape.processors, row, strict=True))
    )
