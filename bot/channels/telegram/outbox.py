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

Groups: each group (the staff desk, or one customer) is sent by its own task, at most one per
group, so a slow group (the staff group's 20 a minute, a chat in a flood wait) holds up no other:
the loop keeps claiming while groups are being sent. A group's task ends with its rows.

Order: one customer's rows are delivered in order, and the staff desk's rows in order too (one
group). A row goes out only when every earlier unsent row of its group has gone out: a group
stops at its first postponed row (the rest wait for the next round), a claimed row of a group
still being sent waits for that group's task to end, and a claimed row behind an earlier one that
is not in this batch (postponed, or leased by another worker) is deferred for a few seconds
rather than sent ahead of it.

Leases: the staff batch is sized to what the group's rate (20 a minute) sends in a quarter of
the lease, and a group renews the lease of its remaining rows once half of it has passed. The
renewal only extends rows still leased by this pass: a row another worker took after the lease
ended is not sent here, and neither is anything of its group after it.

Chunks: a text sent as several messages records its progress in the payload (`chunks_sent`,
`first_message_id`) after each message but the last, so a retry resumes after the last chunk
delivered (`send_resumable`; the staff desk does the same through `StaffDesk.deliver`'s
checkpoint). A chunk that may have been delivered counts as delivered and the next one follows.
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

from bot.channels.telegram import render
from bot.channels.telegram.desk import CAPTION_LIMIT, StaffDesk
from bot.channels.telegram.mapping import TRANSPORT
from bot.channels.telegram.sender import RetryLater, Sender, is_ambiguous, send_resumable
from storage.db import Database
from storage.records import OutboxMessage, User
from storage.repos import Tx

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


def group_of(row: OutboxMessage) -> Any:
    """The rows delivered in order: the staff group's, or one customer's."""
    return "staff" if row.channel == "staff" else row.user_id


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
        recheck: float = 10.0,
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
        self.recheck = timedelta(seconds=recheck)  # the longest a row waits behind another
        # Staff rows share one group's rate: a batch that fits in a quarter of the lease, a
        # row being up to two messages (topic and card) and the rest of the lease left for
        # flood-control waits. 25 rows at 20 a minute with the defaults.
        rate, period = sender.limits.group
        self.staff_batch = max(1, min(batch, int(lease * rate / period / 4)))
        self._wake = asyncio.Event()
        self._sending: dict[Any, asyncio.Task[None]] = {}  # group -> the task sending its rows

    def wake(self) -> None:
        """Something was probably queued: look now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        try:
            while True:
                self._wake.clear()
                try:
                    claimed = await self.dispatch()
                except Exception:
                    log.exception("outbox pass failed")
                    claimed = 0
                if claimed:
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll)
        finally:
            await self.stop()

    async def run_once(self) -> int:
        """Claim one batch and wait until every group is sent (tests, one-shot use); the number
        of rows claimed for sending."""
        claimed = await self.dispatch()
        await self.drain()
        return claimed

    async def drain(self) -> None:
        """Wait until no group is being sent."""
        while tasks := [task for task in self._sending.values() if not task.done()]:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def stop(self) -> None:
        """Cancel the groups being sent: their unsent rows come back when their lease ends."""
        tasks = list(self._sending.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    @property
    def sending(self) -> frozenset[Any]:
        """The groups being sent now."""
        return frozenset(self._sending)

    async def dispatch(self) -> int:
        """Claim the due rows whose turn it is and start sending them, one task per group (a
        group still being sent keeps its task; its claimed rows wait); returns at once with the
        number of rows claimed for sending."""
        now = self.clock()
        until = now + self.lease
        async with self.db.transaction() as tx:
            rows: list[OutboxMessage] = []
            if self.desk is not None:
                rows += await tx.outbox.due(now, self.staff_batch, channel="staff")
            rows += await tx.outbox.due(now, self.batch, channel="user", transport=TRANSPORT)
            rows, deferred = await self._in_turn(tx, rows, now)
            await tx.outbox.lease([row.id for row in rows], until)
            for later, ids in deferred.items():
                await tx.outbox.lease(ids, later)
            users: dict[int, User | None] = {}
            for row in rows:
                if row.channel == "user" and row.user_id is not None and row.user_id not in users:
                    users[row.user_id] = await tx.users.get(row.user_id)
        groups: dict[Any, list[OutboxMessage]] = {}
        for row in rows:
            groups.setdefault(group_of(row), []).append(row)
        for group, pending in groups.items():
            self._start(group, pending, users, until)
        return len(rows)

    def _start(
        self, group: Any, rows: list[OutboxMessage], users: dict[int, User | None], until: datetime
    ) -> None:
        assert group not in self._sending, f"outbox group {group!r} is already being sent"
        task = asyncio.create_task(self._deliver_in_order(rows, users, until))
        self._sending[group] = task
        task.add_done_callback(lambda done: self._finished(group, done))

    def _finished(self, group: Any, task: asyncio.Task[None]) -> None:
        if self._sending.get(group) is task:
            del self._sending[group]
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("outbox group %r failed; its rows come back", group, exc_info=error)
        self.wake()  # rows of this group may be waiting for it

    async def _in_turn(
        self, tx: Tx, rows: list[OutboxMessage], now: datetime
    ) -> tuple[list[OutboxMessage], dict[datetime, list[int]]]:
        """Split claimed rows into those whose turn it is and those that wait: the rows of a
        group still being sent (deferred a second: its task may end any time) and those behind
        an earlier unsent row of their group that this batch does not hold (postponed, or
        another worker's: deferred until that row is due, at most `recheck` from now)."""
        if not rows:
            return rows, {}
        earlier: list[tuple[Any, int, datetime]] = []
        staff = [row.id for row in rows if row.channel == "staff"]
        if staff:
            found = await tx.outbox.unsent_upto(max(staff), channel="staff")
            earlier += [("staff", unsent.id, unsent.available_at) for unsent in found]
        customers = [row for row in rows if row.channel != "staff"]
        if customers:
            found = await tx.outbox.unsent_upto(
                max(row.id for row in customers),
                channel="user",
                user_ids=sorted({row.user_id for row in customers if row.user_id is not None}),
            )
            earlier += [(unsent.user_id, unsent.id, unsent.available_at) for unsent in found]
        claimed = {row.id for row in rows}
        blockers: dict[Any, tuple[int, datetime]] = {}
        for group, id_, at in sorted(earlier, key=lambda item: item[1]):
            if group not in blockers and id_ not in claimed:
                blockers[group] = (id_, at)
        ready: list[OutboxMessage] = []
        deferred: dict[datetime, list[int]] = {}
        for row in rows:
            group = group_of(row)
            if group in self._sending:  # its earlier rows are being sent: none may overtake
                deferred.setdefault(self._behind(now, now), []).append(row.id)
                continue
            blocker = blockers.get(group)
            if blocker is None or row.id < blocker[0]:
                ready.append(row)
            else:
                deferred.setdefault(self._behind(blocker[1], now), []).append(row.id)
        return ready, deferred

    def _behind(self, blocker_at: datetime, now: datetime) -> datetime:
        """When a row waiting behind a row due at `blocker_at` is looked at again."""
        return min(max(blocker_at, now + timedelta(seconds=1)), now + self.recheck)

    async def _deliver_in_order(
        self, rows: list[OutboxMessage], users: dict[int, User | None], until: datetime
    ) -> None:
        pending = list(rows)
        while pending:
            if self.clock() >= until - self.lease / 2:  # half the lease gone: renew the rest
                pending, until = await self._renew(pending, until)
                if not pending:
                    return
            row = pending.pop(0)
            if not await self._deliver_one(row, users):
                # Postponed: the rest of the group waits behind it, for the next round.
                await self._release(pending)
                return

    async def _renew(
        self, rows: list[OutboxMessage], until: datetime
    ) -> tuple[list[OutboxMessage], datetime]:
        """Extend the lease of a group's remaining rows: those still ours, up to the first one
        another worker took when our lease ended (nothing may overtake it), and the new end."""
        now = self.clock()
        renewed = now + self.lease
        async with self.db.transaction() as tx:
            kept = await tx.outbox.renew([row.id for row in rows], until, renewed)
        held = []
        for row in rows:
            if row.id not in kept:
                log.warning("outbox row %s: lease lost to another worker, left to it", row.id)
                await self._release([r for r in rows if r.id > row.id and r.id in kept])
                break
            held.append(row)
        return held, renewed

    async def _release(self, rows: list[OutboxMessage]) -> None:
        """Give back leased rows that wait behind another: looked at again in a second."""
        if rows:
            now = self.clock()
            async with self.db.transaction() as tx:
                await tx.outbox.lease([row.id for row in rows], self._behind(now, now))

    async def _deliver_one(self, row: OutboxMessage, users: dict[int, User | None]) -> bool:
        user = users.get(row.user_id) if row.user_id is not None else None
        return await self._deliver(row, user)

    async def _deliver(self, row: OutboxMessage, user: User | None) -> bool:
        """Deliver one row; False when it was postponed (its group must wait for it)."""
        try:
            if row.channel == "staff":
                assert self.desk is not None
                await self.desk.deliver(row.payload, lambda: self._checkpoint(row))
            else:
                await self._to_customer(row, user)
        except RetryLater as error:
            await self._postpone(row, error.seconds, str(error))
            return False
        except Exception as error:
            return await self._failed(row, error)
        async with self.db.transaction() as tx:
            await tx.outbox.mark_sent(row.id, self.clock())
        return True

    async def _checkpoint(self, row: OutboxMessage) -> None:
        """Store the row's payload, which records how far its delivery got."""
        async with self.db.transaction() as tx:
            await tx.outbox.save_payload(row.id, row.payload)

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
            first = await send_resumable(
                [SendMessage(chat_id=chat_id, text=chunk) for chunk in render.split_text(text)],
                lambda method: self.sender.send(chat_id, method, max_wait=self.max_wait),
                progress=payload,
                checkpoint=lambda: self._checkpoint(row),
                what=f"outbox row {row.id}",
            )
        if first is not None and payload.get("row_id"):
            async with self.db.transaction() as tx:
                await tx.tickets.link_message(payload["row_id"], customer_message_id=first)

    async def _failed(self, row: OutboxMessage, error: Exception) -> bool:
        """Give up on the row (True: its group carries on) or postpone it (False)."""
        attempt = row.attempts + 1
        if is_ambiguous(error):
            log.warning("outbox row %s may have been delivered (%s): not resending", row.id, error)
            await self._give_up(row, f"maybe delivered: {error}")
            return True
        if isinstance(error, PERMANENT) or attempt >= self.max_attempts:
            log.error("outbox row %s given up after %d attempt(s): %s", row.id, attempt, error)
            await self._give_up(row, f"given up: {error}")
            return True
        log.warning("outbox row %s failed (attempt %d): %s", row.id, attempt, error)
        await self._postpone(row, min(5.0 * 2**row.attempts, self.max_backoff), str(error))
        return False

    async def _postpone(self, row: OutboxMessage, seconds: float, error: str) -> None:
        async with self.db.transaction() as tx:
            await tx.outbox.postpone(row.id, self.clock() + timedelta(seconds=seconds), error)

    async def _give_up(self, row: OutboxMessage, error: str) -> None:
        now = self.clock()
        async with self.db.transaction() as tx:
            await tx.outbox.postpone(row.id, now, error)
            await tx.outbox.mark_sent(row.id, now)
