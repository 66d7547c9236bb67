"""Messages for anyone but the sender of the event (staff, later notices): written in the
transaction, delivered by a transport's worker (claim, lease, retry, per-chat order)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update

from storage.records import OutboxMessage, UnsentMessage
from storage.repos._base import Repo, ignoring_duplicates, on
from storage.schema import outbox, users

# On the message path: built once (storage/repos/__init__.py says why).
_OUTBOX_ADD = ignoring_duplicates(outbox)
# A customer's unsent messages, for their next turn (`pending_for`): a turn claims 20 at most.
_PENDING = (
    select(
        outbox.c.id, outbox.c.user_id, outbox.c.payload, outbox.c.attempts, outbox.c.available_at
    )
    .where(
        outbox.c.sent_at.is_(None),
        outbox.c.channel == "user",
        outbox.c.user_id == bindparam("user_id"),
    )
    .order_by(outbox.c.id)
    .limit(20)
)
_PENDING_FOR = {"sqlite": _PENDING, "postgresql": _PENDING.with_for_update(skip_locked=True)}


class OutboxRepo(Repo):
    async def add(
        self,
        channel: str,
        payload: dict[str, Any],
        at: datetime,
        *,
        user_id: int | None = None,
        dedup_key: str | None = None,
    ) -> bool:
        """Queue a message; False when `dedup_key` was queued before (it is not queued twice)."""
        values = {
            "channel": channel,
            "user_id": user_id,
            "payload": payload,
            "dedup_key": dedup_key,
            "created_at": at,
            "available_at": at,
            "attempts": 0,
        }
        return (await self.conn.execute(on(self.conn, _OUTBOX_ADD), values)).rowcount == 1

    async def due(
        self,
        now: datetime,
        limit: int = 50,
        *,
        channel: str | None = None,
        user_id: int | None = None,
        transport: str | None = None,
    ) -> list[OutboxMessage]:
        """Claim due messages. On PostgreSQL rows locked by another worker are skipped.
        `transport`: only messages for users of that transport (its worker delivers them)."""
        stmt = (
            select(
                outbox.c.id, outbox.c.channel, outbox.c.user_id, outbox.c.payload, outbox.c.attempts
            )
            .where(outbox.c.sent_at.is_(None), outbox.c.available_at <= now)
            .order_by(outbox.c.id)
            .limit(limit)
        )
        if channel is not None:
            stmt = stmt.where(outbox.c.channel == channel)
        if user_id is not None:
            stmt = stmt.where(outbox.c.user_id == user_id)
        if transport is not None:
            of_transport = select(users.c.id).where(users.c.transport == transport)
            stmt = stmt.where(outbox.c.user_id.in_(of_transport))
        if self.conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = (await self.conn.execute(stmt)).all()
        return [
            OutboxMessage(r.id, r.channel, r.user_id, dict(r.payload), r.attempts) for r in rows
        ]

    async def pending_for(self, user_id: int, now: datetime) -> list[OutboxMessage]:
        """Claim a customer's messages that wait for their next turn (a channel without push
        hands them over with its answer): those due, and those a push channel gave back to
        wait for it (`"held"` in the payload) whenever they are due again. A message leased
        for delivery is not due, so never handed over twice. On PostgreSQL rows locked by
        another worker are skipped."""
        rows = (await self.conn.execute(on(self.conn, _PENDING_FOR), {"user_id": user_id})).all()
        return [
            OutboxMessage(r.id, "user", r.user_id, dict(r.payload), r.attempts)
            for r in rows
            if r.available_at <= now or r.payload.get("held")
        ]

    async def prune_sent(self, before: datetime, limit: int = 5000) -> int:
        """Delete up to `limit` messages sent before `before`; unsent ones are never touched."""
        oldest = (
            select(outbox.c.id)
            .where(outbox.c.sent_at.is_not(None), outbox.c.sent_at < before)
            .order_by(outbox.c.id)
            .limit(limit)
        )
        result = await self.conn.execute(outbox.delete().where(outbox.c.id.in_(oldest)))
        return result.rowcount

    async def mark_sent(self, message_id: int, at: datetime) -> None:
        await self.conn.execute(update(outbox).where(outbox.c.id == message_id).values(sent_at=at))

    async def lease(self, message_ids: list[int], until: datetime) -> None:
        """Hide claimed messages from other workers until `until` (their delivery's lease)."""
        if message_ids:
            await self.conn.execute(
                update(outbox).where(outbox.c.id.in_(message_ids)).values(available_at=until)
            )

    async def postpone(self, message_id: int, until: datetime, error: str) -> None:
        await self.conn.execute(
            update(outbox)
            .where(outbox.c.id == message_id)
            .values(available_at=until, attempts=outbox.c.attempts + 1, last_error=error[:2000])
        )

    async def unsent_upto(
        self, last_id: int, *, channel: str, user_ids: list[int] | None = None
    ) -> list[UnsentMessage]:
        """The unsent messages of `channel` (of these users) with an id up to `last_id`, by id:
        what must go out before a claimed message of a chat."""
        stmt = (
            select(outbox.c.id, outbox.c.user_id, outbox.c.available_at)
            .where(outbox.c.sent_at.is_(None), outbox.c.channel == channel, outbox.c.id <= last_id)
            .order_by(outbox.c.id)
        )
        if user_ids is not None:
            stmt = stmt.where(outbox.c.user_id.in_(user_ids))
        rows = (await self.conn.execute(stmt)).all()
        return [UnsentMessage(r.id, r.user_id, r.available_at) for r in rows]

    async def renew(
        self, message_ids: list[int], held_until: datetime, until: datetime
    ) -> set[int]:
        """Extend a lease: the ids still unsent and still leased until `held_until` (so not
        taken over by another worker after the lease ended) now wait until `until`."""
        if not message_ids:
            return set()
        stmt = (
            update(outbox)
            .where(
                outbox.c.id.in_(message_ids),
                outbox.c.sent_at.is_(None),
                outbox.c.available_at == held_until,
            )
            .values(available_at=until)
            .returning(outbox.c.id)
        )
        return set((await self.conn.execute(stmt)).scalars().all())

    async def save_payload(self, message_id: int, payload: dict[str, Any]) -> None:
        """Store a message's payload again (the worker's progress through its chunks)."""
        await self.conn.execute(
            update(outbox).where(outbox.c.id == message_id).values(payload=payload)
        )
