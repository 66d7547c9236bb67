"""The outbox worker: delivers queued messages for customers and for the staff desk.

Rows come from `OutboxRepo.due` (channel "user" for Telegram customers, "staff" for the desk).
Each pass claims a batch in one short transaction and leases it (available_at = now + lease)
so that no other worker takes it while it is being sent, then sends outside any transaction,
then marks each row sent in its own transaction. A crash between a send and its mark makes the
row due again when the lease ends: it is sent once more, at most once per crash. Failures:
- flood control longer than the worker waits (`RetryLater`): postponed by that long;
- Telegram refused for good (blocked by the user, bad request...), or too many attempts: given
  up (error recorded, marked sent, logged);
- an error after which the message may have been sent (a timeout after the request left):
  marked sent and logged, never sent twice;
- anything else: postponed with exponential backoff.
One customer's rows are delivered in order; the staff desk's rows in order too (one group).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNotFound,
    TelegramUnauthorizedError,
)
from aiogram.methods import CopyMessage, SendMessage

from bot.telegram import render
from bot.telegram.desk import CAPTION_LIMIT, StaffDesk
from bot.telegram.mapping import TRANSPORT
from bot.telegram.sender import RetryLater, Sender, is_ambiguous
from storage.db import Database
from storage.records import OutboxMessage, User

log = logging.getLogger(__name__)

PERMANENT = (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramUnauthorizedError,
    TelegramEntityTooLarge,
    TelegramMigrateToChat,
    KeyError,
    ValueError,
)


class OutboxWorker:
    def __init__(
        self,
        db: Database,
        sender: Sender,
        clock: Callable[[], datetime],
        *,
        desk: StaffDesk | None = None,
        poll: float = 1.0,
        lease: float = 300.0,
        batch: int = 50,
        max_wait: float = 60.0,
        max_attempts: int = 12,
        max_backoff: float = 3600.0,
    ) -> None:
        self.db = db
        self.sender = sender
        self.clock = clock
        self.desk = desk
        self.poll = poll
        self.lease = timedelta(seconds=lease)
        self.batch = batch
        self.max_wait = max_wait
        self.max_attempts = max_attempts
        self.max_backoff = max_backoff
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something was probably queued: look now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            self._wake.clear()
            try:
                claimed = await self.run_once()
            except Exception:
                log.exception("outbox pass failed")
                claimed = 0
            if claimed:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll)

    async def run_once(self) -> int:
        """Claim and deliver one batch; the number of rows claimed."""
        now = self.clock()
        until = now + self.lease
        async with self.db.transaction() as tx:
            rows: list[OutboxMessage] = []
            if self.desk is not None:
                rows += await tx.outbox.due(now, self.batch, channel="staff")
            rows += await tx.outbox.due(now, self.batch, channel="user", transport=TRANSPORT)
            await tx.outbox.lease([row.id for row in rows], until)
            users: dict[int, User | None] = {}
            for row in rows:
                if row.channel == "user" and row.user_id is not None and row.user_id not in users:
                    users[row.user_id] = await tx.users.get(row.user_id)
        groups: dict[Any, list[OutboxMessage]] = {}
        for row in rows:
            groups.setdefault("staff" if row.channel == "staff" else row.user_id, []).append(row)
        await asyncio.gather(*(self._deliver_in_order(group, users) for group in groups.values()))
        return len(rows)

    async def _deliver_in_order(
        self, rows: list[OutboxMessage], users: dict[int, User | None]
    ) -> None:
        for row in rows:
            await self._deliver(row, users.get(row.user_id) if row.user_id is not None else None)

    async def _deliver(self, row: OutboxMessage, user: User | None) -> None:
        try:
            if row.channel == "staff":
                assert self.desk is not None
                await self.desk.deliver(row.payload)
            else:
                await self._to_customer(row, user)
        except RetryLater as error:
            await self._postpone(row, error.seconds, str(error))
        except Exception as error:
            await self._failed(row, error)
        else:
            async with self.db.transaction() as tx:
                await tx.outbox.mark_sent(row.id, self.clock())

    async def _to_customer(self, row: OutboxMessage, user: User | None) -> None:
        if user is None:
            raise ValueError(f"outbox row {row.id}: the user is gone")
        chat_id = int(user.external_id)
        payload = row.payload
        text = str(payload.get("text") or "")
        attachment = payload.get("attachment") or {}
        first: int | None = None
        if attachment.get("chat_id") and attachment.get("message_id"):
            copy = CopyMessage(
                chat_id=chat_id,
                from_chat_id=attachment["chat_id"],
                message_id=attachment["message_id"],
                caption=text[:CAPTION_LIMIT] or None,
            )
            first = (await self.sender.send(chat_id, copy, max_wait=self.max_wait)).message_id
        else:
            for chunk in render.split_text(text):
                send = SendMessage(chat_id=chat_id, text=chunk)
                sent = await self.sender.send(chat_id, send, max_wait=self.max_wait)
                first = first if first is not None else sent.message_id
        if first is not None and payload.get("row_id"):
            async with self.db.transaction() as tx:
                await tx.tickets.link_message(payload["row_id"], customer_message_id=first)

    async def _failed(self, row: OutboxMessage, error: Exception) -> None:
        attempt = row.attempts + 1
        if is_ambiguous(error):
            log.warning("outbox row %s may have been delivered (%s): not resending", row.id, error)
            await self._give_up(row, f"maybe delivered: {error}")
        elif isinstance(error, PERMANENT) or attempt >= self.max_attempts:
            log.error("outbox row %s given up after %d attempt(s): %s", row.id, attempt, error)
            await self._give_up(row, f"given up: {error}")
        else:
            log.warning("outbox row %s failed (attempt %d): %s", row.id, attempt, error)
            await self._postpone(row, min(5.0 * 2**row.attempts, self.max_backoff), str(error))

    async def _postpone(self, row: OutboxMessage, seconds: float, error: str) -> None:
        async with self.db.transaction() as tx:
            await tx.outbox.postpone(row.id, self.clock() + timedelta(seconds=seconds), error)

    async def _give_up(self, row: OutboxMessage, error: str) -> None:
        now = self.clock()
        async with self.db.transaction() as tx:
            await tx.outbox.postpone(row.id, now, error)
            await tx.outbox.mark_sent(row.id, now)
