"""Schema migrations: check, upgrade and generate, through Alembic's API.

Workers started together on a database that needs upgrading (ORDERBOT_AUTO_MIGRATE) must not
migrate it together: two `CREATE TABLE`s of the same table on PostgreSQL fail one of them
with an IntegrityError. Every migration therefore runs in a transaction that first takes
`MIGRATION_LOCK`: on PostgreSQL a transaction-level advisory lock, which the others wait for
and which is released when the migration commits or rolls back (or its connection dies); a
worker that waited finds the schema at head and starts. On SQLite the migration's transaction
is BEGIN IMMEDIATE (storage/db.py), which already makes the others wait.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from storage.db import Database, SchemaError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")
# "orderbot" in ASCII as one bigint; pg_locks shows it as an advisory lock with classid
# 1869767781, objid 1919053684, objsubid 1.
MIGRATION_LOCK = int.from_bytes(b"orderbot", "big")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def current_revision(db: Database) -> str | None:
    async with db.connect() as conn:
        return await conn.run_sync(
            lambda sync_conn: MigrationContext.configure(sync_conn).get_current_revision()
        )


async def _run(db: Database, action: Any, *args: Any) -> None:
    """Run an Alembic command in one transaction, holding the migration lock (see above)."""
    config = alembic_config()

    def run(sync_conn: Any) -> None:
        config.attributes["connection"] = sync_conn
        action(config, *args)

    async with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        await conn.run_sync(run)


async def upgrade(db: Database, revision: str = "head") -> None:
    await _run(db, command.upgrade, revision)


async def downgrade(db: Database, revision: str) -> None:
    await _run(db, command.downgrade, revision)


async def autogenerate(db: Database, message: str) -> None:
    """Write a new migration from the difference between `storage.schema` and the database."""
    await _run(db, lambda cfg, msg: command.revision(cfg, message=msg, autogenerate=True), message)


async def ensure_schema(db: Database, *, auto_upgrade: bool) -> None:
    """Bring the schema to head, or refuse to start with a message that says what to do."""
    current, head = await current_revision(db), head_revision()
    if current == head:
        return
    _refuse_unknown(current)
    if not auto_upgrade:
        raise SchemaError(
            f"the database schema is at {current or 'empty'}, this version needs {head}: "
            "run `orderbot db upgrade` (or set ORDERBOT_AUTO_MIGRATE=true)"
        )
    log.info(
        "database schema at %s, this version needs %s: upgrading (or waiting for a worker that is)",
        current or "empty",
        head,
    )

    def upgrade_unless_done(config: Config, revision: str) -> None:
        # Under the migration lock: another worker may have upgraded while this one waited.
        now = MigrationContext.configure(config.attributes["connection"]).get_current_revision()
        if now == revision:
            log.info("database schema upgraded to %s by another worker", revision)
            return
        _refuse_unknown(now)
        command.upgrade(config, revision)
        log.info("database schema upgraded to %s", revision)

    await _run(db, upgrade_unless_done, head)


def _refuse_unknown(current: str | None) -> None:
    known = {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if current is not None and current not in known:
        raise SchemaError(
            f"the database is at schema revision {current}, which this version of orderbot does "
            "not know (is a newer version running against it?); refusing to start"
        )
