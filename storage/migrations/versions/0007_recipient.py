"""The recipient's name and the member number on orders, the recipient on auto-order
templates, the last recipient in the profile.

Revision ID: 0007_recipient
Revises: 0006_kakao_users
Create Date: 2026-11-30 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_recipient"
down_revision: str | None = "0006_kakao_users"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Orders and templates made before these were asked keep "" (server_default fills them).
    with op.batch_alter_table("orders") as batch:
        batch.add_column(
            sa.Column("recipient_name", sa.String(length=128), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("member_number", sa.String(length=32), nullable=False, server_default="")
        )
    with op.batch_alter_table("lrp_templates") as batch:
        batch.add_column(
            sa.Column("recipient_name", sa.String(length=128), nullable=False, server_default="")
        )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("recipient_name", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("recipient_name")
    with op.batch_alter_table("lrp_templates") as batch:
        batch.drop_column("recipient_name")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("member_number")
        batch.drop_column("recipient_name")
