"""Durable intake: an update is stored before its channel is told it arrived, then processed
from there, one chat at a time, in order, by whichever worker holds the chat's lease.

The path of an update (docs/architecture.md, "Intake"):
1. `receive` stores a batch of updates in one short transaction (updates arriving together
   share it) and takes the lease of each of their chats that no other worker holds. Only then
   does the channel answer the webhook or move its polling offset: a crash after that point
   finds the update in the database.
2. Rows of chats this worker holds are queued in memory (bot/channels/serial.py) and run by
   the channel's `process`. A customer turn stores its replies in the row in the turn's own
   transaction (`answer`, called from the engine's commit hook): a row is "answered" exactly
   when the turn's effects commit. The channel sends the replies, then the row is finished.
3. A housekeeping tick (every `tick` seconds) deletes finished rows, gives up the leases of
   chats with no work left, renews the others, and takes over chats whose rows have no live
   lease (left by a worker that died or stopped, or received by a worker that did not hold
   the chat): their rows are queued from the database in order; answered rows have their
   stored replies sent again (replies are at least once, effects exactly once). A worker whose
   renewal finds a chat taken by another (it stalled past its lease) skips the chat's rows it
   still has queued: the new holder runs them.

Order across workers: a turn's answer lands only while no earlier row of its chat is still to
be processed (storage/repos/intake.py); otherwise the turn rolls back (`OutOfTurn`) and the
worker first runs the earlier rows from the database. A turn that fails because the database
is away stays received; its chat is left alone for `retry_after` seconds and then taken over
like any other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from storage.db import Database
from storage.repos import Tx
from storage.repos.intake import ANSWERED, IntakeRow
from storage.retry import DatabaseUnavailable

log = logging.getLogger(__name__)


class OutOfTurn(Exception):
    """An earlier update of the chat is still to be processed (another worker received it)."""


class AlreadyAnswered(Exception):
    """The update's turn committed before (its commit landed unseen and the turn ran again, or
    a worker that took the chat over ran it): this run rolls back, `replies` are the stored
    ones, still to send (None: there were none, or they were sent and the row finished)."""

    def __init__(self, replies: dict[str, Any] | None) -> None:
        super().__init__("answered before")
        self.replies = replies


@dataclass(frozen=True, slots=True)
class Incoming:
    """One update as a channel received it: its id at the channel, the chat it belongs to (the
    ordering key), the JSON to store, and the parsed update handed back to `process`."""

    update_key: str
    chat: str
    payload: dict[str, Any]
    item: Any


@dataclass(slots=True)
class Receipt:
    """A stored update being processed; `answered` once its turn committed its replies."""

    row_id: int
    chat: str
    answered: bool = False


class Queues(Protocol):
    on_idle: Callable[[Hashable], None] | None

    async def room(self) -> None: ...

    def put(self, key: Hashable, job: Callable[[], Awaitable[None]]) -> None: ...

    def busy(self, key: Hashable) -> bool: ...


Process = Callable[[Receipt, Any], Awaitable[None]]
Resend = Callable[[Receipt, dict[str, Any]], Awaitable[None]]
Parse = Callable[[dict[str, Any]], Any]


def worker_name() -> str:
    """Unique per process start: a restarted worker never takes a dead one's lease for its own."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Intake:
    def __init__(
        self,
        db: Database,
        channel: str,
        queues: Queues,
        *,
        parse: Parse,
        process: Process,
        resend: Resend,
        clock: Callable[[], datetime],
        lease_seconds: float = 15.0,
        tick: float = 0.2,
        retry_after: float = 5.0,
    ) -> None:
        self.db = db
        self.channel = channel
        self.queues = queues
        self.parse = parse
        self.process = process
        self.resend = resend
        self.clock = clock
        self.lease = timedelta(seconds=lease_seconds)
        self.tick = tick
        self.retry_after = timedelta(seconds=retry_after)
        self.owner = worker_name()
        queues.on_idle = self._idle
        self._held: dict[str, float] = {}  # chat -> monotonic time its lease needs renewing
        self._idle_chats: set[str] = set()
        self._stalled: set[str] = set()  # the database failed one of their turns
        # Taken over by another worker while their rows were queued here (this one stalled
        # past its lease): those rows are skipped, the new holder runs them. Until idle.
        self._lost: set[str] = set()
        self._finished: list[int] = []  # rows done and sent, deleted at the next tick
        self._waiting: list[tuple[list[Incoming], asyncio.Future[None]]] = []
        self._flushing: asyncio.Task[None] | None = None
        self._bookkeeping = asyncio.Lock()  # receiving and the tick change the leases
        self._stop = asyncio.Event()
        self._taking_over = True  # False while the worker drains before stopping

    # -- receiving -----------------------------------------------------------------------------
    async def receive(self, batch: list[Incoming]) -> None:
        """Store `batch`; returns once it is committed (then the channel may acknowledge it).
        Raises `DatabaseUnavailable` when it could not be stored: acknowledge nothing."""
        if not batch:
            return
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((batch, done))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        await done

    async def _flush(self) -> None:
        """Store everything waiting in one transaction, then queue what this worker holds.
        Updates that arrive while a flush runs wait for the next one (a group commit)."""
        while self._waiting:
            await self.queues.room()  # too much queued in memory: stop taking more for now
            waiting, self._waiting = self._waiting, []
            incoming = [item for batch, _ in waiting for item in batch]
            try:
                async with self._bookkeeping:
                    stored, taken, renewed = await self.db.run_in_transaction(
                        lambda tx, incoming=incoming: self._store(tx, incoming), "receiving"
                    )
                    self._mark_held(set(taken), renewed)
                    # Queued before the lock goes: the tick must not find these chats idle.
                    for chat, leftovers in taken.items():
                        for row in leftovers:  # before this batch: they arrived first
                            self.queues.put(chat, lambda row=row: self._run_row(row))
                    for receipt, item in stored:
                        if receipt.chat in taken:
                            self.queues.put(
                                receipt.chat,
                                lambda receipt=receipt, item=item: self._run(receipt, item),
                            )
            except Exception as error:
                for _, done in waiting:
                    if not done.done():
                        done.set_exception(error)
                continue
            for _, done in waiting:
                if not done.done():
                    done.set_result(None)

    async def _store(
        self, tx: Tx, incoming: list[Incoming]
    ) -> tuple[list[tuple[Receipt, Any]], dict[str, list[IntakeRow]], set[str]]:
        """The new rows; the chats this worker holds among theirs, each with the rows it has to
        finish first when it was just taken (another worker's, or a dead one's); the chats
        whose lease was taken or renewed here."""
        now = self.clock()
        stored: list[tuple[Receipt, Any]] = []
        for item in incoming:
            delivery = f"{self.channel}:{item.update_key}"
            row_id = await tx.intake.add(
                self.channel, item.update_key, delivery, item.chat, item.payload, now
            )
            if row_id is not None:  # else received before: it is (or was) processed already
                stored.append((Receipt(row_id, item.chat), item.item))
        first_new: dict[str, int] = {}
        for receipt, _ in stored:
            first_new.setdefault(receipt.chat, receipt.row_id)
        taken: dict[str, list[IntakeRow]] = {}
        renewed: set[str] = set()
        fresh = time.monotonic()
        # Chats of updates stored before too: when this is the retry of a commit that landed
        # unseen, all of them are, and their chats' leases are already ours.
        for chat in dict.fromkeys(item.chat for item in incoming):
            if chat in self._lost:  # left in the table until its stale rows are skipped
                continue
            first = first_new.get(chat)
            if self._held.get(chat, 0.0) <= fresh:
                if not await tx.intake.take_lease(chat, self.owner, now + self.lease, now):
                    continue
                renewed.add(chat)
            if chat in self._held:  # its earlier rows are queued here already
                if first is not None:
                    taken[chat] = []
                continue
            rows = await tx.intake.backlog(chat, before=first)
            if rows or first is not None:
                taken[chat] = rows
            else:  # nothing left to do: held, it would never go idle
                await tx.intake.release([chat], self.owner)
        return stored, taken, renewed

    def _renew_at(self, moment: float) -> float:
        """When a lease taken or renewed at `moment` (monotonic) is renewed next."""
        return moment + self.lease.total_seconds() / 3

    def _mark_held(self, chats: set[str], renewed: set[str]) -> None:
        renew_at = self._renew_at(time.monotonic())
        for chat in chats:
            if chat in renewed or chat not in self._held:
                self._held[chat] = renew_at
            self._idle_chats.discard(chat)
            self._stalled.discard(chat)

    # -- processing ----------------------------------------------------------------------------
    async def answer(self, tx: Tx, receipt: Receipt, replies: dict[str, Any] | None) -> None:
        """In a turn's transaction: the row is answered with `replies` (sent after the commit).
        This is what makes the turn exactly-once (the delivery was recorded at receipt, so the
        engine records none): raises, rolling the turn back, `OutOfTurn` when an earlier row of
        the chat is still to do, `AlreadyAnswered` when this one's turn committed before."""
        if await tx.intake.answer(receipt.row_id, receipt.chat, replies):
            return
        row = await tx.intake.find(receipt.row_id)
        if row is not None and row.state != ANSWERED:
            raise OutOfTurn(receipt.chat)
        raise AlreadyAnswered(row.replies if row is not None else None)

    async def _run(self, receipt: Receipt, item: Any, *, catching_up: bool = False) -> None:
        if receipt.chat in self._stalled or receipt.chat in self._lost:
            return  # left received: retried when the chat is taken over
        try:
            await self.process(receipt, item)
        except AlreadyAnswered as done:
            if done.replies is not None:
                await self._send_stored(receipt, done.replies)
            self._finished.append(receipt.row_id)
            return
        except OutOfTurn:
            if catching_up:
                log.warning("update %s of %s: still out of turn", receipt.row_id, receipt.chat)
                return
            await self._catch_up(receipt, item)
            return
        except DatabaseUnavailable as error:
            log.warning("chat %s: turn failed, kept for later (%s)", receipt.chat, error)
            self._stalled.add(receipt.chat)
            return
        except Exception:  # the channel apologized; a row that always fails must not block
            log.exception("update %s of %s failed; dropped", receipt.row_id, receipt.chat)
            await self._forget_now(receipt)
            return
        if receipt.chat in self._lost:  # the turn ran on; the chat's new holder finishes it
            return
        if not receipt.answered:
            await self._forget_now(receipt)
            return
        self._finished.append(receipt.row_id)

    async def _send_stored(self, receipt: Receipt, replies: dict[str, Any]) -> None:
        """A committed turn's stored replies, sent again. A refusal (the customer blocked the
        bot) is logged and the row finished all the same, as after a live turn: kept, it would
        be taken up and refused again at every tick."""
        try:
            await self.resend(receipt, replies)
        except Exception:
            log.exception("replies of update %s of %s not sent", receipt.row_id, receipt.chat)

    async def _forget_now(self, receipt: Receipt) -> None:
        """A row handled without a turn (a staff message, an edit): done now, so that it does
        not hold up the chat's next turn until the tick."""
        try:
            await self.db.run_in_transaction(
                lambda tx: tx.intake.finish([receipt.row_id]), "finishing an update"
            )
        except DatabaseUnavailable:
            self._finished.append(receipt.row_id)

    async def _catch_up(self, receipt: Receipt, item: Any) -> None:
        """Run the chat's earlier rows still to process from the database, then this one again.
        (Earlier answered rows are this worker's, sent and not yet deleted, or a dead worker's,
        whose replies the takeover after this chat goes idle sends.)"""
        backlog = await self.db.run_in_transaction(
            lambda tx: tx.intake.backlog(receipt.chat, before=receipt.row_id),
            "reading a chat's backlog",
        )
        for row in backlog:
            if row.state != ANSWERED:
                await self._run_row(row)
        await self._run(receipt, item, catching_up=True)

    async def _run_row(self, row: IntakeRow) -> None:
        """A row read from the database: send its stored replies, or process it."""
        receipt = Receipt(row.id, row.chat)
        if row.state == ANSWERED:
            if row.replies is not None:
                await self._send_stored(receipt, row.replies)
            self._finished.append(row.id)
            return
        try:
            item = self.parse(row.payload)
        except Exception:
            log.exception("stored update %s of %s cannot be read; dropped", row.id, row.chat)
            await self._forget_now(receipt)
            return
        await self._run(receipt, item)

    def _idle(self, chat: Hashable) -> None:
        if not isinstance(chat, str):
            return
        self._lost.discard(chat)
        if chat in self._held:
            self._idle_chats.add(chat)

    # -- housekeeping --------------------------------------------------------------------------
    async def run(self) -> None:
        """The tick, until `stop` (`close` then does the last bookkeeping)."""
        while not self._stop.is_set():
            try:
                await self.housekeep()
            except DatabaseUnavailable as error:
                log.warning("intake housekeeping skipped: %s", error)
            except Exception:
                log.exception("intake housekeeping failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.tick)

    def drain(self) -> None:
        """The worker is stopping: the tick takes over no more chats (the shutdown would cut
        their turns short), while it still renews, releases and deletes until `stop`."""
        self._taking_over = False

    def stop(self) -> None:
        self._stop.set()

    async def close(self) -> None:
        """After the queues drained (or gave up): finished rows deleted, leases released, so
        another worker (or the next start) takes the rest at once."""
        finished, self._finished = self._finished, []

        async def last(tx: Tx) -> None:
            await tx.intake.finish(finished)
            await tx.intake.release(None, self.owner)

        try:
            await self.db.run_in_transaction(last, "releasing the intake")
        except Exception as error:
            log.warning("could not release the intake's leases (%s): they lapse instead", error)
        self._held.clear()

    async def housekeep(self) -> None:
        """One tick: delete finished rows, release idle chats, set stalled chats aside, renew
        leases due, take over unowned chats and queue their rows."""
        async with self._bookkeeping:
            finished, self._finished = self._finished, []
            idle = {chat for chat in self._idle_chats if not self.queues.busy(chat)}
            stalled = {chat for chat in self._stalled if not self.queues.busy(chat)}
            self._idle_chats -= idle
            self._stalled -= stalled
            for chat in idle | stalled:
                self._held.pop(chat, None)
            moment = time.monotonic()
            due = [chat for chat, renew_at in self._held.items() if renew_at <= moment]
            try:
                taken, kept = await self.db.run_in_transaction(
                    lambda tx: self._housekeep(tx, finished, idle, stalled, due), "intake tick"
                )
            except BaseException:
                self._finished.extend(finished)
                raise
            for chat in due:
                if chat in kept:
                    self._held[chat] = self._renew_at(moment)
                else:
                    self._lose(chat)
            self._mark_held(set(taken), set(taken))
            # A chat is taken only when no lease was live: none of its rows is queued here.
            for rows in taken.values():
                for row in rows:
                    self.queues.put(row.chat, lambda row=row: self._run_row(row))

    def _lose(self, chat: str) -> None:
        log.warning("chat %s was taken over by another worker (this one stalled)", chat)
        self._held.pop(chat, None)
        if self.queues.busy(chat):
            self._lost.add(chat)

    async def _housekeep(
        self, tx: Tx, finished: list[int], idle: set[str], stalled: set[str], due: list[str]
    ) -> tuple[dict[str, list[IntakeRow]], set[str]]:
        """The chats taken over, with their rows; the due chats still ours."""
        now = self.clock()
        await tx.intake.finish(finished)
        # A stalled chat goes idle too, but is not released: it stays ours for `retry_after`,
        # then lapses and any worker may retry it (released, it would be taken at once).
        await tx.intake.release(idle - stalled, self.owner)
        await tx.intake.renew(stalled, self.owner, now + self.retry_after)
        kept = await tx.intake.renew(due, self.owner, now + self.lease)
        await tx.intake.drop_lapsed(now)
        taken: dict[str, list[IntakeRow]] = {}
        unowned = await tx.intake.unowned_chats(now) if self._taking_over else []
        for chat in unowned:
            if chat in self._lost:
                continue
            if not await tx.intake.take_lease(chat, self.owner, now + self.lease, now):
                continue
            rows = await tx.intake.backlog(chat)
            if rows:
                taken[chat] = rows
            else:  # finished since it was listed (its late worker): held, it would never idle
                await tx.intake.release([chat], self.owner)
        return taken, kept
