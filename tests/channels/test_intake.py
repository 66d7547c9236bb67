"""The durable intake (bot/channels/intake.py): stored before acknowledged, each chat in order,
resumed after a crash, shared by two workers, kept while the database is away."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from typing import Any

import pytest

from bot.channels.intake import Incoming, Intake, Receipt
from bot.channels.serial import ChatQueues
from storage.db import Database
from storage.migrate import ensure_schema
from storage.repos import Tx
from storage.repos.intake import IntakeRepo
from storage.retry import DatabaseUnavailable
from tests.conftest import BACKENDS, Clock

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


class Worker:
    """An intake with a toy turn: it commits the answer (like the engine's commit hook), then
    "sends" by appending to `sent`. `hold` makes turns wait before they start or before they
    send; `fail_once` makes the named update's first turn fail as if the database were away."""

    def __init__(self, db: Database, clock: Clock, *, lease: float = 15.0) -> None:
        self.db = db
        self.runs: dict[str, list[int]] = defaultdict(list)  # committed turns, per chat
        self.sent: dict[str, list[Any]] = defaultdict(list)
        self.resent: list[dict[str, Any]] = []
        self.before_turn: asyncio.Event | None = None
        self.before_send: asyncio.Event | None = None
        self.fail_once: set[int] = set()
        self.intake = Intake(
            db,
            "test",
            ChatQueues(),
            parse=lambda payload: payload["n"],
            process=self.process,
            resend=self.resend,
            clock=clock,
            lease_seconds=lease,
            tick=0.02,
            retry_after=0.1,
        )
        self.housekeeping = asyncio.create_task(self.intake.run())

    async def process(self, receipt: Receipt, n: int) -> None:
        if self.before_turn is not None:
            await self.before_turn.wait()
        await asyncio.sleep(random.random() / 500)
        if n in self.fail_once:
            self.fail_once.discard(n)
            raise DatabaseUnavailable("the database is away")

        async def turn(tx: Tx) -> None:
            await self.intake.answer(tx, receipt, {"reply": n})

        await self.db.run_in_transaction(turn)
        receipt.answered = True
        self.runs[receipt.chat].append(n)
        if self.before_send is not None:
            await self.before_send.wait()
        self.sent[receipt.chat].append(n)

    async def resend(self, receipt: Receipt, replies: dict[str, Any]) -> None:
        self.resent.append(replies)
        self.sent[receipt.chat].append(replies["reply"])

    async def receive(self, chat: str, *numbers: int) -> None:
        await self.intake.receive([Incoming(f"{chat}/{n}", chat, {"n": n}, n) for n in numbers])

    async def crash(self) -> None:
        """Gone without a word: queued work dropped, leases left to lapse."""
        self.housekeeping.cancel()
        await asyncio.gather(self.housekeeping, return_exceptions=True)
        queues = self.intake.queues
        assert isinstance(queues, ChatQueues)
        await queues.close()

    async def stop(self) -> None:
        """As the channel stops (bot/channels/telegram/app.py, `serve`)."""
        self.intake.drain()
        queues = self.intake.queues
        assert isinstance(queues, ChatQueues)
        await queues.join(5)
        self.intake.stop()
        await self.housekeeping
        await self.intake.close()


async def pending(db: Database) -> int:
    async with db.transaction() as tx:
        return await tx.intake.pending()


async def eventually(check: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_each_chat_runs_in_order_and_is_forgotten_once_sent(db: Database, clock: Clock):
    worker = Worker(db, clock)
    await asyncio.gather(
        *(worker.receive(chat, *range(i * 5, i * 5 + 5)) for i in range(4) for chat in "ab")
    )
    await eventually(lambda: sum(map(len, worker.sent.values())) == 40)
    for chat in "ab":
        assert worker.runs[chat] == list(range(20)), "each update once, in arrival order"
    await eventually(lambda: not worker.intake._finished)
    await worker.stop()
    assert await pending(db) == 0


async def test_a_redelivered_update_is_stored_and_run_once(db: Database, clock: Clock):
    worker = Worker(db, clock)
    await worker.receive("a", 1)
    await worker.receive("a", 1)
    await worker.receive("a", 1, 2)
    await eventually(lambda: len(worker.sent["a"]) == 2)
    await worker.stop()
    assert worker.runs["a"] == [1, 2]


async def test_an_update_redelivered_after_it_was_finished_is_not_run_again(
    db: Database, clock: Clock
):
    """Telegram sends an update again when it missed our answer: by then its row may be gone."""
    worker = Worker(db, clock)
    await worker.receive("a", 1)
    await eventually(lambda: worker.sent["a"] == [1])
    for _ in range(500):  # the tick deletes finished rows
        if await pending(db) == 0:
            break
        await asyncio.sleep(0.01)
    assert await pending(db) == 0, "the row is finished and deleted"
    await worker.receive("a", 1, 2)
    await eventually(lambda: worker.sent["a"] == [1, 2])
    await worker.stop()
    assert worker.runs["a"] == [1, 2]


async def test_a_crash_after_receiving_loses_nothing(db: Database, clock: Clock, database_url):
    first = Worker(db, clock, lease=0.3)
    first.before_turn = asyncio.Event()  # never set: killed before any turn
    await first.receive("a", 1, 2, 3)
    await first.receive("b", 4)
    await first.crash()
    assert await pending(db) == 4, "stored, not processed"

    clock.advance(seconds=1)  # the dead worker's leases lapse
    second_db = Database(database_url)
    second = Worker(second_db, clock)
    await eventually(lambda: len(second.sent["a"]) == 3 and len(second.sent["b"]) == 1)
    await second.stop()
    assert second.runs == {"a": [1, 2, 3], "b": [4]}
    assert await pending(db) == 0
    await second_db.dispose()


async def test_replies_committed_before_a_crash_are_sent_after_it(
    db: Database, clock: Clock, database_url
):
    first = Worker(db, clock, lease=0.3)
    first.before_send = asyncio.Event()  # never set: killed between the commit and the send
    await first.receive("a", 1)
    await eventually(lambda: first.runs["a"] == [1])
    await first.crash()
    assert first.sent["a"] == []

    clock.advance(seconds=1)
    second_db = Database(database_url)
    second = Worker(second_db, clock)
    await second.receive("a", 2)
    await eventually(lambda: len(second.sent["a"]) == 2)
    await second.stop()
    assert second.resent == [{"reply": 1}], "the stored reply, sent once more"
    assert second.runs["a"] == [2], "the committed turn is not run again"
    assert second.sent["a"] == [1, 2], "in the chat's order"
    await second_db.dispose()


async def test_two_workers_keep_each_chat_in_order(db: Database, clock: Clock, database_url):
    other_db = Database(database_url)
    await ensure_schema(other_db, auto_upgrade=True)
    workers = [Worker(db, clock), Worker(other_db, clock)]
    rng = random.Random(7)
    # Updates of three chats reach the two workers at random, as behind a load balancer.
    for n in range(60):
        await rng.choice(workers).receive("abc"[n % 3], n)
        await asyncio.sleep(rng.random() / 200)
    await eventually(
        lambda: sum(len(w.sent[chat]) for w in workers for chat in "abc") == 60, timeout=20
    )
    for worker in workers:
        await worker.stop()
    for index, chat in enumerate("abc"):
        runs = [n for w in workers for n in w.runs[chat]]
        assert sorted(runs) == list(range(index, 60, 3)), "each update exactly once"
    assert await pending(db) == 0
    await other_db.dispose()


async def test_two_workers_never_reorder_a_chat(db: Database, clock: Clock, database_url):
    """One chat's updates alternate between two workers; the order of committed turns across
    both is the order of arrival."""
    other_db = Database(database_url)
    workers = [Worker(db, clock), Worker(other_db, clock)]
    order: list[int] = []
    for worker in workers:
        process = worker.process

        async def recording(receipt: Receipt, n: int, process: Any = process) -> None:
            await process(receipt, n)
            order.append(n)

        worker.intake.process = recording
    for n in range(30):
        await workers[n % 2].receive("a", n)
    await eventually(lambda: len(order) == 30, timeout=20)
    for worker in workers:
        await worker.stop()
    assert order == list(range(30))
    await other_db.dispose()


async def test_a_turn_the_database_failed_stays_and_runs_later_in_order(db: Database, clock: Clock):
    worker = Worker(db, clock)
    worker.fail_once = {2}
    attempted: list[int] = []
    process = worker.process

    async def counting(receipt: Receipt, n: int) -> None:
        attempted.append(n)
        await process(receipt, n)

    worker.intake.process = counting
    await worker.receive("a", 1, 2, 3)
    await eventually(lambda: attempted == [1, 2] and not worker.intake.queues.busy("a"))
    await asyncio.sleep(0.3)  # many ticks, the clock still before `retry_after`
    assert attempted == [1, 2], "the chat is left alone while the database recovers"
    clock.advance(seconds=1)
    await eventually(lambda: len(worker.sent["a"]) == 3)
    await worker.stop()
    assert attempted == [1, 2, 2, 3]
    assert worker.runs["a"] == [1, 2, 3]
    assert await pending(db) == 0


async def test_a_turn_whose_commit_landed_unseen_sends_its_replies_in_order(
    db: Database, clock: Clock
):
    """The connection drops during COMMIT, the commit landed: the turn runs again, and its
    answer finds the row answered. The second run rolls back (its effects are not made twice)
    and the replies stored by the first commit are sent."""
    worker = Worker(db, clock)
    process = worker.process

    async def commit_lands_unseen(receipt: Receipt, n: int) -> None:
        if n != 1:
            await process(receipt, n)
            return

        async def landed(tx: Tx) -> None:
            await worker.intake.answer(tx, receipt, {"reply": n})
            worker.runs[receipt.chat].append(n)

        async def again(tx: Tx) -> None:
            await tx.inbox.record("an effect of the second run", clock())
            await worker.intake.answer(tx, receipt, {"reply": "the second run's"})

        await db.run_in_transaction(landed)
        await db.run_in_transaction(again)

    worker.intake.process = commit_lands_unseen
    await worker.receive("a", 1, 2)
    await eventually(lambda: len(worker.sent["a"]) == 2)
    await worker.stop()
    assert worker.sent["a"] == [1, 2], "the first turn's replies, before the second's"
    assert worker.runs["a"] == [1, 2]
    assert await pending(db) == 0
    async with db.transaction() as tx:
        assert await tx.inbox.record("an effect of the second run", clock()), "rolled back"


async def test_a_chat_finished_while_it_was_taken_over_is_not_held_for_ever(
    db: Database, clock: Clock, database_url, monkeypatch: pytest.MonkeyPatch
):
    """PostgreSQL reads each statement afresh: a lapsed chat's rows may be finished by their
    late worker between the tick listing the chat and reading its rows. The chat, taken with
    nothing to do, must not stay held: its next update, stored by another worker, would wait
    for ever."""
    dead = Worker(db, clock, lease=0.3)
    dead.before_turn = asyncio.Event()  # never set
    await dead.receive("a", 1)
    await dead.crash()
    clock.advance(seconds=1)

    listed = IntakeRepo.unowned_chats
    ticks: list[list[str]] = []

    async def listed_then_finished(self: IntakeRepo, now: Any, limit: int = 100) -> list[str]:
        chats = await listed(self, now, limit)
        ticks.append(chats)
        for chat in chats:  # the late worker finishes them meanwhile
            await self.finish(row.id for row in await self.backlog(chat))
        return chats

    monkeypatch.setattr(IntakeRepo, "unowned_chats", listed_then_finished)
    taker = Worker(db, clock)
    await eventually(lambda: ["a"] in ticks and len(ticks) > ticks.index(["a"]) + 1)
    monkeypatch.undo()

    other_db = Database(database_url)
    other = Worker(other_db, clock)
    await other.receive("a", 2)
    await eventually(lambda: taker.sent["a"] + other.sent["a"] == [2])
    for worker in (taker, other):
        await worker.stop()
    assert await pending(db) == 0
    await other_db.dispose()


async def test_updates_whose_storing_commit_landed_unseen_are_still_run(
    db: Database, clock: Clock, monkeypatch: pytest.MonkeyPatch
):
    """The connection drops during the receiving COMMIT, which landed: the retry finds every
    update stored already. They are this worker's to run (it took their chat's lease)."""
    worker = Worker(db, clock)
    run_in_transaction = db.run_in_transaction

    async def landed_then_retried(work: Any, what: str = "database work") -> Any:
        if what == "receiving":
            await run_in_transaction(work, what)  # committed, the answer lost
        return await run_in_transaction(work, what)

    monkeypatch.setattr(db, "run_in_transaction", landed_then_retried)
    await worker.receive("a", 1, 2)
    monkeypatch.undo()
    await eventually(lambda: worker.sent["a"] == [1, 2])  # the clock stands: no lease lapses
    await worker.stop()
    assert await pending(db) == 0


async def test_a_stopping_worker_takes_up_no_more_chats(db: Database, clock: Clock):
    """While it drains, a worker takes over no chat left by another: the shutdown would cut
    their turns short (replies half sent, then sent again by the next worker)."""
    dead = Worker(db, clock, lease=0.3)
    dead.before_turn = asyncio.Event()  # never set
    await dead.receive("b", 1)
    await dead.crash()

    worker = Worker(db, clock)
    worker.before_turn = asyncio.Event()
    await worker.receive("a", 2)  # its turn still running when the worker stops
    stopping = asyncio.create_task(worker.stop())
    await asyncio.sleep(0.05)
    clock.advance(seconds=1)  # the dead worker's lease lapses during the drain
    await asyncio.sleep(0.3)  # many ticks
    worker.before_turn.set()
    await stopping
    assert worker.runs == {"a": [2]}, "chat b is left for the next start"
    assert await pending(db) == 1


async def test_stored_replies_that_cannot_be_sent_are_not_tried_for_ever(
    db: Database, clock: Clock, database_url
):
    """A turn committed before a crash; its customer has blocked the bot since: Telegram
    refuses the replies. The row is given up, not taken up again at every tick."""
    first = Worker(db, clock, lease=0.3)
    first.before_send = asyncio.Event()  # never set: killed between the commit and the send
    await first.receive("a", 1)
    await eventually(lambda: first.runs["a"] == [1])
    await first.crash()

    clock.advance(seconds=1)
    second_db = Database(database_url)
    second = Worker(second_db, clock)
    refused: list[dict[str, Any]] = []

    async def blocked(receipt: Receipt, replies: dict[str, Any]) -> None:
        refused.append(replies)
        raise RuntimeError("Forbidden: bot was blocked by the user")

    second.intake.resend = blocked
    await eventually(lambda: refused)
    await eventually(lambda: second.intake.queues.busy("a") is False)
    await asyncio.sleep(0.3)  # many ticks
    await second.stop()
    assert refused == [{"reply": 1}]
    assert await pending(db) == 0
    await second_db.dispose()


async def test_a_worker_that_lost_a_chat_to_another_leaves_its_queued_rows(
    db: Database, clock: Clock, database_url
):
    """A worker stalled past its lease (its tick could not run): another took the chat over and
    ran its rows. The first, running again, finds its lease gone and runs none of the rows it
    still had queued (the turn it was in the middle of ends as it may)."""
    slow = Worker(db, clock, lease=0.3)
    slow.before_turn = asyncio.Event()
    await slow.receive("a", 1, 2)
    slow.housekeeping.cancel()  # stalled: no tick renews the lease
    await asyncio.gather(slow.housekeeping, return_exceptions=True)
    clock.advance(seconds=1)

    other_db = Database(database_url)
    other = Worker(other_db, clock)
    await eventually(lambda: other.runs["a"] == [1, 2])
    slow.housekeeping = asyncio.create_task(slow.intake.run())  # the stall is over
    await asyncio.sleep(0.2)  # its ticks find the lease gone
    slow.before_turn.set()
    await slow.receive("a", 3)
    await eventually(lambda: 3 in slow.runs["a"] + other.runs["a"])
    for worker in (slow, other):
        await worker.stop()
    assert 2 not in slow.runs["a"], "the chat's rows were the other worker's to run"
    assert sorted(slow.runs["a"] + other.runs["a"]).count(3) == 1
    assert await pending(db) == 0
    await other_db.dispose()
