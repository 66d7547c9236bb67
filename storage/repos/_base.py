"""What the repository modules share: the connection they run on, their base class, and
statements that differ per database."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.compiled import DriverConnection

# What repositories execute on: the open transaction's driver connection (storage/sqlite.py,
# storage/postgres.py), or SQLAlchemy's own; both take the same Core statements.
Connection = AsyncConnection | DriverConnection


class Repo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn


def ignoring_duplicates(table: Any, *returning: Any) -> dict[str, Any]:
    """An INSERT that skips a row whose unique key exists, per dialect name (see `on`)."""
    return {
        "sqlite": sqlite.insert(table).on_conflict_do_nothing().returning(*returning),
        "postgresql": postgresql.insert(table).on_conflict_do_nothing().returning(*returning),
    }


def on(conn: Connection, statements: dict[str, Any]) -> Any:
    """The statement of `statements` for this connection's database."""
    statement = statements.get(conn.dialect.name)
    if statement is None:
        raise NotImplementedError(f"unsupported database dialect: {conn.dialect.name}")
    return statement
