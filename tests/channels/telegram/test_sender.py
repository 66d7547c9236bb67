"""The outbound queue: rate limits, flood control per chat, retries that cannot duplicate."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import EditMessageText, SendMessage, TelegramMethod

from bot.channels.base import RetryLater
from bot.channels.telegram.errors import is_ambiguous, retriable
from bot.channels.telegram.sender import Limits, Sender

FAST = Limits(overall=(1000, 1.0), private=(1000, 1.0), group=(1000, 1.0))


class ScriptedBot:
    """Answers calls in order; a scripted exception (per chat) is raised once instead."""

    def __init__(self) -> None:
        self.script: dict[int, list[BaseException]] = {}
        self.calls: list[tuple[float, TelegramMethod, bool]] = []

    async def __call__(self, method: TelegramMethod) -> str:
        chat = int(getattr(method, "chat_id", 0) or 0)
        pending = self.script.get(chat)
        if pending:
            error = pending.pop(0)
            self.calls.append((time.monotonic(), method, False))
            raise error
        self.calls.append((time.monotonic(), method, True))
        return f"ok {getattr(method, 'text', '')}"

    def delivered(self, chat: int) -> list[str]:
        return [m.text for _, m, ok in self.calls if ok and m.chat_id == chat]


def send(chat: int, text: str = "hi") -> SendMessage:
    return SendMessage(chat_id=chat, text=text)


def network_error(method: TelegramMethod, cause: BaseException) -> TelegramNetworkError:
    error = TelegramNetworkError(method, "network")
    error.__cause__ = cause
    return error


def test_retry_rules() -> None:
    message, edit = send(1), EditMessageText(chat_id=1, message_id=2, text="x")
    timeout = network_error(message, TimeoutError())
    refused = network_error(message, aiohttp.ConnectionTimeoutError())
    server = TelegramServerError(message, "Internal Server Error")
    # A send is retried only where Telegram cannot have taken it.
    assert retriable(message, server) and retriable(message, refused)
    assert not retriable(message, timeout) and is_ambiguous(timeout)
    assert not retriable(message, TelegramBadRequest(message, "chat not found"))
    # An edit is safe to repeat whatever happened.
    assert retriable(edit, network_error(edit, TimeoutError()))
    assert not is_ambiguous(refused) and not is_ambiguous(server)


async def test_flood_control_pauses_only_that_chat() -> None:
    bot = ScriptedBot()
    sender = Sender(bot, limits=FAST)
    bot.script[1] = [TelegramRetryAfter(send(1), "Too Many Requests", retry_after=0.3)]  # type: ignore[arg-type]
    started = time.monotonic()
    first = asyncio.create_task(sender.send(1, send(1, "one")))
    second = asyncio.create_task(sender.send(1, send(1, "two")))
    other = await sender.send(2, send(2, "elsewhere"))
    assert other == "ok elsewhere" and time.monotonic() - started < 0.2  # not held up
    assert await first == "ok one" and await second == "ok two"
    assert time.monotonic() - started >= 0.3
    assert bot.delivered(1) == ["one", "two"]  # once each, in order


async def test_flood_control_longer_than_the_caller_waits() -> None:
    bot = ScriptedBot()
    sender = Sender(bot, limits=FAST)
    bot.script[1] = [TelegramRetryAfter(send(1), "Too Many Requests", retry_after=30)]
    with pytest.raises(RetryLater) as raised:
        await sender.send(1, send(1), max_wait=5)
    assert raised.value.seconds > 29
    assert bot.delivered(1) == []
    await sender.close()


async def test_server_errors_are_retried_timeouts_on_sends_are_not() -> None:
    bot = ScriptedBot()
    sender = Sender(bot, limits=FAST, backoff=0.01)
    bot.script[1] = [TelegramServerError(send(1), "Bad Gateway")] * 2
    assert await sender.send(1, send(1, "after 5xx")) == "ok after 5xx"
    bot.script[2] = [network_error(send(2), TimeoutError())]
    with pytest.raises(TelegramNetworkError):
        await sender.send(2, send(2, "maybe sent"))
    assert len([c for c in bot.calls if c[1].chat_id == 2]) == 1  # not sent again
    edit = EditMessageText(chat_id=3, message_id=1, text="edited")
    bot.script[3] = [network_error(edit, TimeoutError())]
    assert await sender.send(3, edit) == "ok edited"


async def test_per_chat_rate_and_overall_rate() -> None:
    bot = ScriptedBot()
    sender = Sender(bot, limits=Limits(overall=(1000, 1.0), private=(2, 0.4), group=(1, 0.3)))
    started = time.monotonic()
    await asyncio.gather(*(sender.send(1, send(1, str(n))) for n in range(4)))
    # A burst of 2, then one per 0.2 s: the 4th waits about 0.4 s.
    assert 0.3 <= time.monotonic() - started < 1.0
    assert bot.delivered(1) == ["0", "1", "2", "3"]
    slow = Sender(bot, limits=Limits(overall=(2, 0.4), private=(1000, 1.0), group=(1000, 1.0)))
    started = time.monotonic()
    await asyncio.gather(*(slow.send(10 + n, send(10 + n)) for n in range(4)))
    assert time.monotonic() - started >= 0.3  # the overall bucket held the others back


async def test_idle_chats_are_forgotten() -> None:
    bot = ScriptedBot()
    sender = Sender(bot, limits=Limits(overall=(1000, 1.0), private=(5, 0.05), group=(5, 0.05)))
    await asyncio.gather(*(sender.send(chat, send(chat)) for chat in range(1, 50)))
    assert len(sender) == 49
    await asyncio.sleep(0.08)
    sender.sweep()
    assert len(sender) == 0


async def test_calls_made_while_one_is_in_flight_follow_it_in_order() -> None:
    """The first call of an idle chat goes out from its caller's task; calls made meanwhile
    wait behind it, even when it fails, and none is lost or sent twice."""
    gate = asyncio.Event()

    class GatedBot(ScriptedBot):
        async def __call__(self, method: TelegramMethod) -> str:
            if getattr(method, "text", "") == "first":
                await gate.wait()
            return await super().__call__(method)

    bot = GatedBot()
    sender = Sender(bot, limits=FAST)
    bot.script[1] = [TelegramBadRequest(send(1), "message is too long")]
    first = asyncio.create_task(sender.send(1, send(1, "first")))
    await asyncio.sleep(0.01)  # in flight, held at the gate
    later = [asyncio.create_task(sender.send(1, send(1, text))) for text in ("a", "b")]
    await asyncio.sleep(0.01)
    assert bot.calls == []  # nobody overtook the first call
    gate.set()
    with pytest.raises(TelegramBadRequest):
        await first
    assert [await task for task in later] == ["ok a", "ok b"]
    assert bot.delivered(1) == ["a", "b"]
    assert await sender.send(1, send(1, "c")) == "ok c"
