"""The outbox worker: delivered once, postponed on failure, never resent when it may be sent."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
from aiogram.exceptions import TelegramForbiddenError, TelegramNetworkError, TelegramServerError
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.types import Chat, Message

from bot.telegram.outbox import OutboxWorker
from bot.telegram.sender import Limits, Sender

FAST = Limits(overall=(1000, 1.0), private=(1000, 1.0), group=(1000, 1.0))


class Bot:
    def __init__(self, errors: list[BaseException] | None = None) -> None:
        self.errors = errors or []
        self.sent: list[TelegramMethod] = []

    async def __call__(self, method: TelegramMethod) -> Message:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(method)
        chat = Chat(id=int(method.chat_id), type="private")
        return Message(message_id=len(self.sent), date=0, chat=chat, text="x")


async def queue_notice(db, clock, external_id: str = "1001", transport: str = "telegram") -> int:
    async with db.transaction() as tx:
        user = await tx.users.create(transport, external_id, "Alice", clock())
        await tx.outbox.add("user", {"text": "Your order shipped."}, clock(), user_id=user.id)
        return user.id


async def rows(db, clock) -> list:
    async with db.transaction() as tx:
        return await tx.outbox.due(clock() + timedelta(days=365), channel="user")


def worker(db, clock, bot: Bot) -> OutboxWorker:
    return OutboxWorker(db, Sender(bot, limits=FAST, backoff=0.01), clock)


async def test_delivered_once_and_marked(db, clock) -> None:
    await queue_notice(db, clock)
    bot = Bot()
    work = worker(db, clock, bot)
    assert await work.run_once() == 1
    assert await work.run_once() == 0
    assert [m.text for m in bot.sent] == ["Your order shipped."]
    assert await rows(db, clock) == []


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
