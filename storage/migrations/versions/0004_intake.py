"""Durable intake: intake (updates received, until answered and sent) and intake_leases.

Revision ID: 0004_intake
Revises: 0003_lrp
Create Date: 2026-11-30 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_intake"
down_revision: str | None = "0003_lrp"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "intake",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("update_key", sa.String(length=64), nullable=False),
        sa.Column("chat", sa.String(length=96), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("replies", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake")),
        sa.UniqueConstraint("channel", "update_key", name=op.f("uq_intake_channel_update_key")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_intake_chat_id"), "intake", ["chat", "id"], unique=False)
    op.create_table(
        "intake_leases",
        sa.Column("chat", sa.String(length=96), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat", name=op.f("pk_intake_leases")),
    )


def downgrade() -> None:
    op.drop_table("intake_leases")
    op.drop_index(op.f("ix_intake_chat_id"), table_name="intake")
    op.drop_table("intake")
