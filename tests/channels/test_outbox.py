"""The outbox runner, delivering through the Telegram channel and desk: delivered once, postponed
on failure, never resent when it may be sent, in order per group."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta

import aiohttp
from aiogram.exceptions import TelegramForbiddenError, TelegramNetworkError, TelegramServerError
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.types import Chat, Message

from bot.channels.outbox import OutboxRunner
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.desk import StaffDesk
from bot.channels.telegram.sender import Limits, Sender
from core.surface import Surface
from flows.lrp.actions import RemindChange, RemindKeep
from flows.registry import default_flows
from tests.flaky import fast_retries, lose_commits, refuse_connections

FAST = Limits(overall=(1000, 1.0), private=(1000, 1.0), group=(1000, 1.0))


class Bot:
    """Answers every call; `errors` are raised by the first calls (to `chat`) in turn (None:
    answered).
    `hook` runs before each call is answered (another worker acting meanwhile, time passing)."""

    def __init__(
        self,
        errors: list[BaseException | None] | None = None,
        hook: Callable[[TelegramMethod], Awaitable[None]] | None = None,
        chat: int | None = None,
    ) -> None:
        self.errors = errors or []
        self.chat = chat  # errors only for this chat's calls
        self.hook = hook
        self.sent: list[TelegramMethod] = []

    async def __call__(self, method: TelegramMethod) -> Message:
        mine = self.chat is None or int(method.chat_id) == self.chat
        if mine and self.errors and (error := self.errors.pop(0)) is not None:
            raise error
        if self.hook is not None:
            await self.hook(method)
        self.sent.append(method)
        chat = Chat(id=int(method.chat_id), type="private")
        return Message(message_id=len(self.sent), date=0, chat=chat, text="x")


async def queue_notice(db, clock, external_id: str = "1001", transport: str = "telegram") -> int:
    async with db.transaction() as tx:
        user = await tx.users.create(transport, external_id, "Alice", clock())
        await tx.outbox.add("user", {"text": "Your order shipped."}, clock(), user_id=user.id)
        return user.id


async def queue(db, clock, user_id: int, *texts: str) -> None:
    async with db.transaction() as tx:
        for text in texts:
            await tx.outbox.add("user", {"text": text}, clock(), user_id=user_id)


async def rows(db, clock) -> list:
    async with db.transaction() as tx:
        return await tx.outbox.due(clock() + timedelta(days=365), channel="user")


def worker(db, clock, bot: Bot) -> OutboxRunner:
    channel = TelegramChannel(Sender(bot, limits=FAST, backoff=0.01))
    return OutboxRunner(db, clock, channels=[channel])


async def test_delivered_once_and_marked(db, clock) -> None:
    await queue_notice(db, clock)
    bot = Bot()
    work = worker(db, clock, bot)
    assert await work.run_once() == 1
    assert await work.run_once() == 0
    assert [m.text for m in bot.sent] == ["Your order shipped."]
    assert await rows(db, clock) == []


async def test_a_notice_with_buttons_is_sent_with_them(db, clock) -> None:
    """An auto-order reminder's change / skip / keep reach Telegram as inline buttons; a
    malformed or oversized button is left out, never failing the message."""
    async with db.transaction() as tx:
        user = await tx.users.create("telegram", "1001", "Alice", clock())
        change, keep = RemindChange(7).pack(), RemindKeep(7).pack()
        buttons = [
            [{"label": "Change", "action": change}, {"label": "Keep", "action": keep}],
            [{"label": "Too long", "action": "x" * 65}, "not a button"],
        ]
        notice = {"text": "Reminder", "buttons": buttons}
        await tx.outbox.add("user", notice, clock(), user_id=user.id)
    bot = Bot()
    assert await worker(db, clock, bot).run_once() == 1
    (sent,) = bot.sent
    assert sent.text == "Reminder"
    keyboard = sent.reply_markup.inline_keyboard
    assert [[b.callback_data for b in row] for row in keyboard] == [[change, keep]]


async def test_other_transports_are_left_to_them(db, clock) -> None:
    await queue_notice(db, clock, "local", transport="terminal")
    assert await worker(db, clock, Bot()).run_once() == 0
    assert len(await rows(db, clock)) == 1


async def test_failure_postpones_with_backoff(db, clock) -> None:
    await queue_notice(db, clock)
    method = SendMessage(chat_id=1001, text="x")
    refused = TelegramNetworkError(method, "refused")
    refused.__cause__ = aiohttp.ConnectionTimeoutError()
    bot = Bot([TelegramServerError(method, "Bad Gateway")] * 4 + [refused] * 4)
    work = worker(db, clock, bot)
    assert await work.run_once() == 1  # four 5xx: the sender gives up, the row waits
    assert await work.run_once() == 0  # not due yet
    (row,) = await rows(db, clock)
    assert row.attempts == 1
    clock.advance(seconds=6)
    assert await work.run_once() == 1  # connection refused four times: postponed again
    clock.advance(seconds=11)
    assert await work.run_once() == 1
    assert [m.text for m in bot.sent] == ["Your order shipped."]


async def test_maybe_sent_is_never_resent(db, clock) -> None:
    await queue_notice(db, clock)
    timeout = TelegramNetworkError(SendMessage(chat_id=1001, text="x"), "Request timeout error")
    timeout.__cause__ = TimeoutError()
    bot = Bot([timeout])
    work = worker(db, clock, bot)
    assert await work.run_once() == 1
    clock.advance(hours=1)
    assert await work.run_once() == 0
    assert bot.sent == [] and await rows(db, clock) == []


async def test_blocked_by_the_user_is_given_up(db, clock) -> None:
    await queue_notice(db, clock)
    method = SendMessage(chat_id=1001, text="x")
    work = worker(db, clock, Bot([TelegramForbiddenError(method, "bot was blocked by the user")]))
    assert await work.run_once() == 1
    clock.advance(hours=1)
    assert await work.run_once() == 0


async def test_a_claimed_row_is_leased_from_other_workers(db, clock) -> None:
    await queue_notice(db, clock)
    async with db.transaction() as tx:
        (row,) = await tx.outbox.due(clock(), channel="user")
        await tx.outbox.lease([row.id], clock() + timedelta(minutes=5))
    async with db.transaction() as tx:
        assert await tx.outbox.due(clock(), channel="user") == []
    clock.advance(minutes=6)  # the worker crashed: the row comes back once
    assert await worker(db, clock, Bot()).run_once() == 1


def server_errors(count: int = 4) -> list[BaseException | None]:
    """Enough 5xx answers for the sender to give up: the row is postponed (5 s)."""
    return [TelegramServerError(SendMessage(chat_id=1, text="x"), "Bad Gateway")] * count


async def test_a_group_stops_at_its_postponed_row(db, clock) -> None:
    alice = await queue_notice(db, clock)
    await queue(db, clock, alice, "second", "third")
    boris = await queue_notice(db, clock, "1002")
    bot = Bot(server_errors(), chat=1001)  # Alice's first notice fails: nothing may overtake it
    work = worker(db, clock, bot)
    await work.run_once()
    assert [(m.chat_id, m.text) for m in bot.sent] == [(1002, "Your order shipped.")]
    # A notice queued meanwhile waits too: the next rounds defer it behind the postponed one.
    await queue(db, clock, alice, "fourth")
    for _ in range(2):  # 4 s: the postponed notice is due after 5 s
        clock.advance(seconds=2)
        await work.run_once()
    assert [m.chat_id for m in bot.sent] == [1002]
    clock.advance(seconds=5)
    for _ in range(3):
        await work.run_once()
        clock.advance(seconds=2)
    texts = [m.text for m in bot.sent if m.chat_id == 1001]
    assert texts == ["Your order shipped.", "second", "third", "fourth"]
    assert boris != alice and await rows(db, clock) == []


async def test_a_row_behind_another_workers_lease_waits(db, clock) -> None:
    alice = await queue_notice(db, clock)
    await queue(db, clock, alice, "second")
    async with db.transaction() as tx:  # another worker holds the first notice
        first, _ = await tx.outbox.due(clock(), channel="user")
        await tx.outbox.lease([first.id], clock() + timedelta(minutes=5))
    bot = Bot()
    assert await worker(db, clock, bot).run_once() == 0
    assert bot.sent == []
    async with db.transaction() as tx:  # the other worker delivers it
        await tx.outbox.mark_sent(first.id, clock())
    clock.advance(seconds=11)
    assert await worker(db, clock, bot).run_once() == 1
    assert [m.text for m in bot.sent] == ["second"]


async def test_a_long_text_resumes_after_its_last_delivered_chunk(db, clock) -> None:
    paragraphs = [f"part {n} " + "x" * 3000 for n in (1, 2, 3)]
    alice = await queue_notice(db, clock)
    async with db.transaction() as tx:
        (row,) = await tx.outbox.due(clock(), channel="user")
        await tx.outbox.mark_sent(row.id, clock())
    await queue(db, clock, alice, "\n".join(paragraphs))
    bot = Bot([None, *server_errors()])  # the first chunk goes, then the server fails
    work = worker(db, clock, bot)
    assert await work.run_once() == 1
    (row,) = await rows(db, clock)
    assert row.payload["chunks_sent"] == 1 and row.payload["first_message_id"] == 1
    clock.advance(seconds=6)
    assert await work.run_once() == 1
    assert [m.text.split(" ")[:2] for m in bot.sent] == [
        ["part", "1"],
        ["part", "2"],
        ["part", "3"],
    ]
    assert await rows(db, clock) == []


async def test_the_lease_is_renewed_while_a_batch_takes_long(db, clock) -> None:
    alice = await queue_notice(db, clock)
    await queue(db, clock, alice, "second", "third")
    taken: list[int] = []

    async def slow(method: TelegramMethod) -> None:
        clock.advance(seconds=200)  # each message takes most of the lease
        async with db.transaction() as tx:  # another worker looks for due rows
            taken.extend(row.id for row in await tx.outbox.due(clock(), channel="user"))

    bot = Bot(hook=slow)
    assert await worker(db, clock, bot).run_once() == 3
    assert len(bot.sent) == 3 and taken == []


async def test_a_lost_lease_stops_the_group(db, clock) -> None:
    alice = await queue_notice(db, clock)
    await queue(db, clock, alice, "second", "third")

    async def stalled(method: TelegramMethod) -> None:
        if method.text == "Your order shipped.":
            clock.advance(seconds=400)  # stalled past the lease: another worker claims the rest
            async with db.transaction() as tx:
                claimed = await tx.outbox.due(clock(), channel="user")
                await tx.outbox.lease([r.id for r in claimed], clock() + timedelta(minutes=5))

    bot = Bot(hook=stalled)
    await worker(db, clock, bot).run_once()
    assert [m.text for m in bot.sent] == ["Your order shipped."]  # neither second nor third
    left = {row.payload["text"] for row in await rows(db, clock)}
    assert left == {"second", "third"}


def test_the_staff_batch_fits_in_the_lease(db, clock) -> None:
    desk = StaffDesk(db, Sender(Bot()), -1001234567890, clock=clock)
    work = OutboxRunner(db, clock, desk=desk, lease=300, batch=50)
    assert work.staff_batch == 25  # 20 a minute: 25 rows take a quarter of the lease
    assert OutboxRunner(db, clock, desk=desk, lease=60).staff_batch == 5


def maybe_sent() -> TelegramNetworkError:
    """A timeout after the request left: Telegram may have carried it out."""
    error = TelegramNetworkError(SendMessage(chat_id=1001, text="x"), "Request timeout error")
    error.__cause__ = TimeoutError()
    return error


async def test_a_chunk_that_may_have_gone_is_skipped_not_the_rest(db, clock) -> None:
    alice = await queue_notice(db, clock)
    async with db.transaction() as tx:
        (row,) = await tx.outbox.due(clock(), channel="user")
        await tx.outbox.mark_sent(row.id, clock())
    await queue(db, clock, alice, "\n".join(f"part {n} " + "x" * 3000 for n in (1, 2, 3)))
    bot = Bot([None, maybe_sent()])  # the second chunk times out after it left
    work = worker(db, clock, bot)
    assert await work.run_once() == 1
    assert [m.text.split(" ")[:2] for m in bot.sent] == [["part", "1"], ["part", "3"]]
    clock.advance(hours=1)
    assert await work.run_once() == 0  # counted as sent: never repeated
    assert len(bot.sent) == 2 and await rows(db, clock) == []


class Gate:
    """A bot hook holding every call to one chat until opened (a slow or paused chat)."""

    def __init__(self, chat: int) -> None:
        self.chat = chat
        self.open = asyncio.Event()
        self.waiting = asyncio.Event()

    async def __call__(self, method: TelegramMethod) -> None:
        if int(method.chat_id) == self.chat:
            self.waiting.set()
            await self.open.wait()


async def test_a_slow_chat_holds_up_no_other(db, clock) -> None:
    alice = await queue_notice(db, clock)
    gate = Gate(1001)
    bot = Bot(hook=gate)
    work = worker(db, clock, bot)
    try:
        assert await work.dispatch() == 1
        await asyncio.wait_for(gate.waiting.wait(), 2)  # Alice's chat is stuck
        assert work.sending == {alice}
        boris = await queue_notice(db, clock, "1002")
        await queue(db, clock, alice, "second")
        assert await work.dispatch() == 1  # Boris's; Alice's second waits for her first
        await asyncio.sleep(0.05)
        assert [m.chat_id for m in bot.sent] == [1002]
        assert work.sending == {alice}  # one task per group
        gate.open.set()
        await work.drain()
        assert work.sending == frozenset()
        clock.advance(seconds=2)  # the deferred row is due again
        assert await work.run_once() == 1
    finally:
        gate.open.set()
        await work.stop()
    assert [(m.chat_id, m.text) for m in bot.sent] == [
        (1002, "Your order shipped."),
        (1001, "Your order shipped."),
        (1001, "second"),
    ]
    assert boris != alice and await rows(db, clock) == []


async def test_a_slow_staff_group_holds_up_no_customer(db, clock) -> None:
    staff = -1001234567890
    gate = Gate(staff)
    bot = Bot(hook=gate)
    sender = Sender(bot, limits=FAST, backoff=0.01)
    desk = StaffDesk(db, sender, staff, clock=clock, cards=Surface(default_flows()).staff_cards)
    work = OutboxRunner(db, clock, channels=[TelegramChannel(sender)], desk=desk)
    order = {"type": "order_placed", "number": "KR-2611-000007", "market": "KR"}
    async with db.transaction() as tx:
        for number in (7, 8):
            await tx.outbox.add("staff", {**order, "order_id": number}, clock())
    try:
        assert await work.dispatch() == 2
        await asyncio.wait_for(gate.waiting.wait(), 2)  # the staff group is slow
        await queue_notice(db, clock)
        async with db.transaction() as tx:
            await tx.outbox.add("staff", {**order, "order_id": 9}, clock())
        assert await work.dispatch() == 1  # the customer's notice; the staff row waits
        await asyncio.sleep(0.05)
        assert [m.chat_id for m in bot.sent] == [1001]
        gate.open.set()
        await work.drain()
        clock.advance(seconds=2)
        assert await work.run_once() == 1
    finally:
        gate.open.set()
        await work.stop()
    staff_rows = [m.text for m in bot.sent if m.chat_id == staff]
    assert len(staff_rows) == 3
    async with db.transaction() as tx:
        assert await tx.outbox.due(clock().replace(year=2100), 100) == []


async def test_stop_cancels_the_groups_being_sent(db, clock) -> None:
    await queue_notice(db, clock)
    gate = Gate(1001)
    work = worker(db, clock, Bot(hook=gate))
    assert await work.dispatch() == 1
    await asyncio.wait_for(gate.waiting.wait(), 2)
    await work.stop()
    assert work.sending == frozenset()
    clock.advance(minutes=6)  # the lease ends: the row comes back
    assert len(await rows(db, clock)) == 1


async def test_a_lost_database_connection_neither_stops_nor_repeats_a_delivery(
    db, clock, monkeypatch
) -> None:
    """A claim waits out refused connections, and one whose COMMIT landed but failed leaves
    its rows leased; a mark whose COMMIT landed but failed is run again, and the message is
    not sent twice (storage/retry.py)."""
    fast_retries(db)
    await queue_notice(db, clock)
    bot = Bot()
    work = worker(db, clock, bot)
    refused = refuse_connections(monkeypatch, db, 2)
    lost = lose_commits(monkeypatch, db, 1)
    assert await work.run_once() == 0  # claimed unseen: the row waits for its lease to end
    assert refused == lost == [0] and bot.sent == []
    clock.advance(seconds=301)
    lost = lose_commits(monkeypatch, db, 1, after=1)  # the claim commits, the mark is lost
    assert await work.run_once() == 1
    assert lost == [0]
    assert await work.run_once() == 0
    assert [m.text for m in bot.sent] == ["Your order shipped."]
    assert await rows(db, clock) == []


async def test_an_unreachable_database_ends_the_pass_quietly(
    db, clock, monkeypatch, caplog
) -> None:
    fast_retries(db, within=0.01)
    await queue_notice(db, clock)
    refuse_connections(monkeypatch, db, 10**6)
    work = worker(db, clock, Bot())
    work.poll = 0.001
    running = asyncio.create_task(work.run())
    await asyncio.sleep(0.1)
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
    assert "outbox pass failed" not in caplog.text  # the retry policy said it, once
    assert caplog.text.count("database connection lost") == 1
