"""The loyalty auto-order: lrp_templates and lrp_runs (one run per template and period).

Revision ID: 0003_lrp
Revises: 0002
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_lrp"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "lrp_templates",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("market", sa.String(length=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("next_run", sa.Date(), nullable=False),
        sa.Column("next_period", sa.String(length=7), nullable=False),
        sa.Column("remind_on", sa.Date(), nullable=False),
        sa.Column("reminded_period", sa.String(length=7), nullable=True),
        sa.Column("skip_period", sa.String(length=7), nullable=True),
        sa.Column("last_period", sa.String(length=7), nullable=True),
        sa.Column("pending", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_lrp_templates_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lrp_templates")),
    )
    op.create_index(
        op.f("ix_lrp_templates_status_next_run"), "lrp_templates", ["status", "next_run"]
    )
    op.create_index(
        op.f("ix_lrp_templates_status_remind_on"), "lrp_templates", ["status", "remind_on"]
    )
    op.create_index(op.f("ix_lrp_templates_user_id"), "lrp_templates", ["user_id"])
    op.create_table(
        "lrp_runs",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("template_id", ID, nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("run_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("order_id", ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["lrp_templates.id"],
            name=op.f("fk_lrp_runs_template_id_lrp_templates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_lrp_runs_order_id_orders"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lrp_runs")),
        sa.UniqueConstraint("template_id", "period", name=op.f("uq_lrp_runs_template_id_period")),
    )


def downgrade() -> None:
    op.drop_table("lrp_runs")
    op.drop_index(op.f("ix_lrp_templates_user_id"), table_name="lrp_templates")
    op.drop_index(op.f("ix_lrp_templates_status_remind_on"), table_name="lrp_templates")
    op.drop_index(op.f("ix_lrp_templates_status_next_run"), table_name="lrp_templates")
    op.drop_table("lrp_templates")
