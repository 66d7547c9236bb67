"""Kakao users: room for their keys. users.external_id up to 128 characters (a Kakao user is
`<bot id>:<botUserKey>`, the key alone up to 70), users.linked_key (Kakao's plusfriendUserKey,
which survives a rebuilt bot: for re-linking and the Event API).

Revision ID: 0006_kakao_users
Revises: 0005_returns
Create Date: 2026-11-30 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_kakao_users"
down_revision: str | None = "0005_returns"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.alter_column(
            "external_id", existing_type=sa.String(length=64), type_=sa.String(length=128)
        )
        batch.add_column(sa.Column("linked_key", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("linked_key")
        batch.alter_column(
            "external_id", existing_type=sa.String(length=128), type_=sa.String(length=64)
        )
