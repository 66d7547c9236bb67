"""The outbox runner: delivers queued messages through the channels (docs/architecture.md).

Rows of channel "user" go through the channel of the user's transport (`Channel.deliver`; only
channels that push are asked, the others' rows stay queued for them), rows of "staff" through
the staff desk (`StaffSide.deliver`). A pass claims a batch and leases it in one short
transaction, sends outside any, and marks each row sent in its own: a crash in between sends a
row once more when its lease ends. A failure is what the channel says (`failure`): `RetryLater`
or `RETRY`: postponed, with backoff; `PERMANENT` or too many attempts: given up; `MAYBE_SENT`:
marked sent, never sent twice. Each group (the staff desk, or one customer) is sent in order by
its own task, so a slow group holds up no other; a row never overtakes an earlier unsent row of
its group (postponed, being sent, another worker's): it is deferred a few seconds instead. A
row sent in parts stores its progress through `deliver`'s checkpoint: a retry resumes there.
Each transaction is run again if the database connection is lost (storage/retry.py), and
may find itself already done, as when its COMMIT failed but had landed: a mark or a lease is
the same written twice; a claim's rows stay leased, and a renewal takes its own rows for
another worker's, so they are sent when that lease ends; a failed delivery counts one attempt
more. A database still unreachable after the
retries ends the pass, tried again at the next poll (the policy logs the outage, once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from bot.channels.base import Channel, Failure, RetryLater, StaffSide, failure
from storage.db import Database
from storage.records import OutboxMessage, User
from storage.repos import Tx
from storage.retry import DatabaseUnavailable

log = logging.getLogger(__name__)

USER, STAFF = "user", "staff"  # the outbox's channels: a customer's rows, the staff desk's
# A pass's claim: the rows, their users, the end of their lease.
Claim = tuple[list[OutboxMessage], dict[int, User | None], datetime]


def group_of(row: OutboxMessage) -> Any:
    """The rows delivered in order: the staff group's, or one customer's."""
    return STAFF if row.channel == STAFF else row.user_id


class OutboxRunner:
    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        *,
        channels: Iterable[Channel] = (),
        desk: StaffSide | None = None,
        poll: float = 1.0,
        lease: float = 300.0,
        batch: int = 50,
        max_attempts: int = 12,
        max_backoff: float = 3600.0,
        recheck: float = 10.0,
    ) -> None:
        self.db = db
        self.clock = clock
        # The channels that push, by transport: their users' rows are claimed here.
        self.channels = {c.transport: c for c in channels if c.capabilities.push}
        self.desk = desk
        self.poll = poll
        self.lease = timedelta(seconds=lease)
        self.batch = batch
        self.max_attempts = max_attempts
        self.max_backoff = max_backoff
        self.recheck = timedelta(seconds=recheck)  # the longest a row waits behind another
        # Staff rows share one group's rate: a batch sent in a quarter of the lease (a row may
        # be two messages, the rest is left for flood waits): 25 rows at 20 a minute.
        rate, period = desk.rate if desk is not None else (batch, lease)
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
                except DatabaseUnavailable:
                    claimed = 0  # the retry policy has logged the outage
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
        """Claim one batch and send it all (tests, one-shot use); the rows claimed for sending."""
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
        """Claim the due rows whose turn it is and start sending them, one task per group;
        returns at once with the number of rows claimed for sending. A claim whose COMMIT
        failed but had landed leaves its rows leased: they are sent when the lease ends."""

        async def claim(tx: Tx) -> Claim:
            now = self.clock()  # again on a retry, which may come seconds later
            until = now + self.lease
            rows: list[OutboxMessage] = []
            if self.desk is not None:
                rows += await tx.outbox.due(now, self.staff_batch, channel=STAFF)
            for transport in self.channels:
                rows += await tx.outbox.due(now, self.batch, channel=USER, transport=transport)
            rows, deferred = await self._in_turn(tx, rows, now)
            await tx.outbox.lease([row.id for row in rows], until)
            for later, ids in deferred.items():
                await tx.outbox.lease(ids, later)
            users: dict[int, User | None] = {}
            for row in rows:
                if row.channel == USER and row.user_id is not None and row.user_id not in users:
                    users[row.user_id] = await tx.users.get(row.user_id)
            return rows, users, until

        rows, users, until = await self.db.run_in_transaction(claim, "an outbox claim")
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
        error = None if task.cancelled() else task.exception()
        if isinstance(error, DatabaseUnavailable):
            log.debug("outbox group %r stopped (%s); its rows come back", group, error)
        elif error is not None:
            log.error("outbox group %r failed; its rows come back", group, exc_info=error)
        self.wake()  # rows of this group may be waiting for it

    async def _in_turn(
        self, tx: Tx, rows: list[OutboxMessage], now: datetime
    ) -> tuple[list[OutboxMessage], dict[datetime, list[int]]]:
        """Claimed rows whose turn it is, and those that wait (by when): rows of a group still
        being sent (a second), rows behind an earlier unsent row of their group that this batch
        does not hold (until that row is due, at most `recheck` from now)."""
        if not rows:
            return rows, {}
        earlier: list[tuple[Any, int, datetime]] = []
        staff = [row.id for row in rows if row.channel == STAFF]
        if staff:
            found = await tx.outbox.unsent_upto(max(staff), channel=STAFF)
            earlier += [(STAFF, unsent.id, unsent.available_at) for unsent in found]
        customers = [row for row in rows if row.channel != STAFF]
        if customers:
            found = await tx.outbox.unsent_upto(
                max(row.id for row in customers),
                channel=USER,
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
            if not await self._deliver(row, users):
                # Postponed: the rest of the group waits behind it, for the next round.
                await self._release(pending)
                return

    async def _renew(
        self, rows: list[OutboxMessage], until: datetime
    ) -> tuple[list[OutboxMessage], datetime]:
        """Extend the lease of a group's remaining rows: those still ours up to the first one
        another worker took (nothing may overtake it); and the new end."""
        renewed = self.clock() + self.lease
        ids = [row.id for row in rows]
        kept = await self.db.run_in_transaction(
            lambda tx: tx.outbox.renew(ids, until, renewed), "an outbox lease"
        )
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
            ids, later = [row.id for row in rows], self._behind(now, now)
            await self.db.run_in_transaction(
                lambda tx: tx.outbox.lease(ids, later), "an outbox lease"
            )

    async def _deliver(self, row: OutboxMessage, users: dict[int, User | None]) -> bool:
        """Deliver one row; False when it was postponed (its group must wait for it)."""
        side: Channel | StaffSide | None = None  # who classifies a failure
        try:
            if row.channel == STAFF:
                assert self.desk is not None
                side = self.desk
                await side.deliver(row.payload, lambda: self._checkpoint(row))
            else:
                user = users.get(row.user_id) if row.user_id is not None else None
                if user is None:
                    raise ValueError(f"outbox row {row.id}: the user is gone")
                side = self.channels[user.transport]
                await self._to_customer(side, user, row)
        except RetryLater as error:
            await self._postpone(row, error.seconds, str(error))
            return False
        except Exception as error:
            kind = side.failure(error) if side is not None else failure(error)
            return await self._failed(row, error, kind)
        sent = self.clock()
        await self.db.run_in_transaction(
            lambda tx: tx.outbox.mark_sent(row.id, sent), "an outbox update"
        )
        return True

    async def _to_customer(self, channel: Channel, user: User, row: OutboxMessage) -> None:
        first = await channel.deliver(user, row.payload, lambda: self._checkpoint(row))
        if first is not None and row.payload.get("row_id"):
            # A support relay: its copy on the channel is linked, so that edits can follow.
            relay = row.payload["row_id"]
            await self.db.run_in_transaction(
                lambda tx: tx.tickets.link_message(relay, customer_message_id=first),
                "an outbox update",
            )

    async def _checkpoint(self, row: OutboxMessage) -> None:
        """Store the row's payload, which records how far its delivery got."""
        await self.db.run_in_transaction(
            lambda tx: tx.outbox.save_payload(row.id, row.payload), "an outbox update"
        )

    async def _failed(self, row: OutboxMessage, error: Exception, kind: Failure) -> bool:
        """Give up on the row (True: its group carries on) or postpone it (False)."""
        attempt = row.attempts + 1
        if kind is Failure.MAYBE_SENT:
            log.warning("outbox row %s may have been delivered (%s): not resending", row.id, error)
            await self._give_up(row, f"maybe delivered: {error}")
            return True
        if kind is Failure.PERMANENT or attempt >= self.max_attempts:
            log.error("outbox row %s given up after %d attempt(s): %s", row.id, attempt, error)
            await self._give_up(row, f"given up: {error}")
            return True
        log.warning("outbox row %s failed (attempt %d): %s", row.id, attempt, error)
        await self._postpone(row, min(5.0 * 2**row.attempts, self.max_backoff), str(error))
        return False

    async def _postpone(self, row: OutboxMessage, seconds: float, error: str) -> None:
        until = self.clock() + timedelta(seconds=seconds)
        await self.db.run_in_transaction(
            lambda tx: tx.outbox.postpone(row.id, until, error), "an outbox update"
        )

    async def _give_up(self, row: OutboxMessage, error: str) -> None:
        now = self.clock()

        async def give_up(tx: Tx) -> None:
            await tx.outbox.postpone(row.id, now, error)
            await tx.outbox.mark_sent(row.id, now)

        await self.db.run_in_transaction(give_up, "an outbox update")
