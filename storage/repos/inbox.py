"""Delivery ids already processed: a redelivered message changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from storage.repos._base import Repo, ignoring_duplicates, on
from storage.schema import inbox

# On the message path: built once (storage/repos/__init__.py says why).
_INBOX_RECORD = ignoring_duplicates(inbox)


class InboxRepo(Repo):
    async def record(self, delivery_id: str, at: datetime) -> bool:
        """Remember a delivery id; False when it was already processed (a redelivery)."""
        result = await self.conn.execute(
            on(self.conn, _INBOX_RECORD), {"delivery_id": delivery_id, "processed_at": at}
        )
        return result.rowcount == 1

    async def prune(self, before: datetime, limit: int = 5000) -> int:
        """Forget up to `limit` ids processed before `before` (callers loop, one short
        transaction per batch, so a large backlog never holds the writer for long)."""
        oldest = (
            select(inbox.c.delivery_id)
            .where(inbox.c.processed_at < before)
            .order_by(inbox.c.processed_at)
            .limit(limit)
        )
        result = await self.conn.execute(inbox.delete().where(inbox.c.delivery_id.in_(oldest)))
        return result.rowcount
