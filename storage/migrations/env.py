"""Alembic environment: always runs on a connection handed in by `storage.migrate`.

The application owns the async engine; Alembic gets its synchronous face through
`AsyncConnection.run_sync`, so migrations use the same URL, pragmas and BEGIN IMMEDIATE.
"""

from alembic import context

from storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("run migrations with `orderbot db upgrade`, not the alembic command")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
