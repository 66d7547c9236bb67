"""Schema migrations: check, upgrade and generate, through Alembic's API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.db import Database, SchemaError

MIGRATIONS = Path(__file__).with_name("migrations")


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
    config = alembic_config()

    def run(sync_conn: Any) -> None:
        config.attributes["connection"] = sync_conn
        action(config, *args)

    async with db.engine.begin() as conn:
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
    known = {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if current is not None and current not in known:
        raise SchemaError(
            f"the database is at schema revision {current}, which this version of orderbot does "
            "not know (is a newer version running against it?); refusing to start"
        )
    if not auto_upgrade:
        raise SchemaError(
            f"the database schema is at {current or 'empty'}, this version needs {head}: "
            "run `orderbot db upgrade` (or set ORDERBOT_AUTO_MIGRATE=true)"
        )
    await upgrade(db)
