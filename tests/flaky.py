"""Connection failures simulated on SQLite's transactions (storage/db.py), for the work that
retries them (storage/retry.py): refused before BEGIN, or lost during a COMMIT that landed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from storage.db import Database
from storage.retry import Retry


def fast_retries(db: Database, within: float = 5.0) -> None:
    """The policy of production, with millisecond pauses."""
    db.retry = Retry(within, first=0.001, longest=0.002)


def refuse_connections(monkeypatch: pytest.MonkeyPatch, db: Database, times: int) -> list[int]:
    """The next `times` transactions fail to start, as on a refused connection; returns the
    count left (a list, to read it later)."""
    begin = db._sqlite_begin
    left = [times]

    async def refused(*args: Any) -> Any:
        if left[0] > 0:
            left[0] -= 1
            raise ConnectionRefusedError(111, "Connect call failed")
        return await begin(*args)

    monkeypatch.setattr(db, "_sqlite_begin", refused)
    return left


def lose_commits(
    monkeypatch: pytest.MonkeyPatch, db: Database, times: int, *, after: int = 0
) -> list[int]:
    """The next `times` COMMITs (after `after` more) land, then fail as if the connection
    broke before the answer came back: the ambiguous case."""
    commit = db._sqlite_commit
    left = [times]
    passed = [after]

    def landed_then_lost(conn: Any) -> None:
        commit(conn)
        if passed[0] > 0:
            passed[0] -= 1
        elif left[0] > 0:
            left[0] -= 1
            reset = ConnectionResetError(104, "Connection reset by peer")
            raise OperationalError("COMMIT", (), reset, connection_invalidated=True)

    monkeypatch.setattr(db, "_sqlite_commit", landed_then_lost)
    return left
