"""The Kazakhstan move's checklist: the balance facts and the steps done, one row a user."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, insert, select, update

from storage.records import Checklist
from storage.repos._base import Repo
from storage.schema import migration_checklists


def _checklist(row: Row[Any]) -> Checklist:
    return Checklist(
        user_id=row.user_id,
        ar_balance_usd=row.ar_balance_usd,
        eligible=None if row.eligible is None else bool(row.eligible),
        progress=dict(row.progress),
        started_at=row.started_at,
        updated_at=row.updated_at,
    )


class ChecklistRepo(Repo):
    async def get(self, user_id: int) -> Checklist | None:
        row = (
            await self.conn.execute(
                select(migration_checklists).where(migration_checklists.c.user_id == user_id)
            )
        ).first()
        return _checklist(row) if row else None

    async def save(
        self,
        user_id: int,
        at: datetime,
        *,
        progress: dict[str, Any],
        ar_balance_usd: Decimal | None = None,
        eligible: bool | None = None,
    ) -> None:
        values: dict[str, Any] = {"progress": progress, "updated_at": at}
        if ar_balance_usd is not None:
            values["ar_balance_usd"] = ar_balance_usd
        if eligible is not None:
            values["eligible"] = int(eligible)
        changed = await self.conn.execute(
            update(migration_checklists)
            .where(migration_checklists.c.user_id == user_id)
            .values(**values)
        )
        if changed.rowcount == 0:
            await self.conn.execute(
                insert(migration_checklists).values(user_id=user_id, started_at=at, **values)
            )

    async def delete(self, user_id: int) -> None:
        await self.conn.execute(
            migration_checklists.delete().where(migration_checklists.c.user_id == user_id)
        )
