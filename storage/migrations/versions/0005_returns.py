"""Return requests: return_requests, numbered per market and month.

Revision ID: 0005_returns
Revises: 0004_intake
Create Date: 2026-11-30 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_returns"
down_revision: str | None = "0004_intake"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MONEY = sa.Numeric(14, 2)


def upgrade() -> None:
    op.create_table(
        "return_requests",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("market", sa.String(length=2), nullable=False),
        sa.Column("period", sa.String(length=4), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("order_id", ID, nullable=True),
        sa.Column("order_number", sa.String(length=64), nullable=False),
        sa.Column("purchased_on", sa.Date(), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=True),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("fee_rate", sa.Numeric(5, 4), nullable=False),
        sa.Column("fee", MONEY, nullable=False),
        sa.Column("refund", MONEY, nullable=False),
        sa.Column("quote_reason", sa.String(length=32), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("handled_by", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ticket_id", ID, nullable=True),
        sa.Column("decided_by", sa.String(length=128), nullable=True),
        sa.Column("reject_asked_by", sa.String(length=128), nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_return_requests_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_return_requests_order_id_orders"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["support_tickets.id"],
            name=op.f("fk_return_requests_ticket_id_support_tickets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_requests")),
        sa.UniqueConstraint("number", name=op.f("uq_return_requests_number")),
        sa.UniqueConstraint(
            "market", "period", "seq", name=op.f("uq_return_requests_market_period_seq")
        ),
    )
    op.create_index(op.f("ix_return_requests_user_id_id"), "return_requests", ["user_id", "id"])
    op.create_index(op.f("ix_return_requests_status_id"), "return_requests", ["status", "id"])
    op.create_index(op.f("ix_return_requests_ticket_id"), "return_requests", ["ticket_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_return_requests_ticket_id"), table_name="return_requests")
    op.drop_index(op.f("ix_return_requests_status_id"), table_name="return_requests")
    op.drop_index(op.f("ix_return_requests_user_id_id"), table_name="return_requests")
    op.drop_table("return_requests")
