"""Pre-seed stored conversations fast, below SQLAlchemy: sqlite3 executemany / asyncpg COPY.

Each seeded customer has a user row, a conversation row (at the menu, a small slots JSON) and
one inbox row (a processed delivery id), in batches of 50,000.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import make_url

BATCH = 50_000
_SLOTS = json.dumps({"_trail": [], "info": {"topic": "lrp"}})


def _batches(count: int) -> Iterator[range]:
    for start in range(1, count + 1, BATCH):
        yield range(start, min(start + BATCH, count + 1))


def seed_sqlite(url: str, count: int) -> None:
    path = make_url(url).database
    assert path
    stamp = datetime(2026, 1, 1, tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=OFF")
        con.execute("BEGIN")
        for ids in _batches(count):
            con.executemany(
                "INSERT INTO users (id, transport, external_id, language, market, display_name,"
                " created_at) VALUES (?, 'seed', ?, 'en', 'KR', 'Seeded', ?)",
                [(i, str(i), stamp) for i in ids],
            )
            con.executemany(
                "INSERT INTO conversations (user_id, flow, state, slots, version, updated_at)"
                " VALUES (?, 'menu', 'main', ?, 3, ?)",
                [(i, _SLOTS, stamp) for i in ids],
            )
            con.executemany(
                "INSERT INTO inbox (delivery_id, processed_at) VALUES (?, ?)",
                [(f"seed:{i}", stamp) for i in ids],
            )
        con.execute("COMMIT")
        con.execute("ANALYZE")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


async def seed_postgres(url: str, count: int) -> None:
    import asyncpg

    u = make_url(url)
    conn: Any = await asyncpg.connect(
        host=u.host, port=u.port, user=u.username, password=u.password, database=u.database
    )
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    try:
        for ids in _batches(count):
            await conn.copy_records_to_table(
                "users",
                records=[(i, "seed", str(i), "en", "KR", "Seeded", stamp) for i in ids],
                columns=[
                    "id",
                    "transport",
                    "external_id",
                    "language",
                    "market",
                    "display_name",
                    "created_at",
                ],
            )
            await conn.copy_records_to_table(
                "conversations",
                records=[(i, "menu", "main", _SLOTS, 3, stamp) for i in ids],
                columns=["user_id", "flow", "state", "slots", "version", "updated_at"],
            )
            await conn.copy_records_to_table(
                "inbox",
                records=[(f"seed:{i}", stamp) for i in ids],
                columns=["delivery_id", "processed_at"],
            )
        await conn.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), $1)", count)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
