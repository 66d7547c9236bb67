"""Index inbox.processed_at, so that pruning old delivery ids does not scan the table.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_inbox_processed_at"), "inbox", ["processed_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_inbox_processed_at"), table_name="inbox")
