"""One outbound queue for everything the bot sends, within Telegram's limits.

- Every call bound to a chat (replies, edits, outbox deliveries, staff relays, topics) joins that
  chat's FIFO queue; one worker per busy chat sends them in order, so one chat never overtakes
  itself, and chats never wait for each other.
- Rates (aiolimiter leaky buckets): about 30 messages/s overall; per private chat a burst of 3,
  then one per second; per group 20 per minute (the staff desk is one group).
- A 429 (`TelegramRetryAfter`) pauses only that chat for `retry_after` seconds, then the same
  call is sent again: Telegram refused it, so it cannot be a duplicate.
- Other failures are retried with backoff only where that cannot duplicate a message
  (errors.py: a 5xx answer, a request that never left; idempotent methods after any network
  error). A failure after which the message may have gone is raised, and the caller logs it.
- A chat paused by flood control for longer than the caller's `max_wait` raises `RetryLater`
  (the outbox runner postpones the row instead of holding its lease).
- Idle chats (empty queue, buckets drained, no pause) are forgotten, so the table holds the
  busy chats only.
- `send_resumable` sends the messages of one payload (a long text's chunks) in order, resuming
  after those an earlier attempt delivered; a message that may have gone counts as delivered.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiolimiter import AsyncLimiter

from bot.channels.base import RetryLater
from bot.channels.telegram.errors import is_ambiguous, retriable

log = logging.getLogger(__name__)

T = TypeVar("T")


class Caller(Protocol):
    """What sends a method: an aiogram `Bot` (tests pass a fake)."""

    def __call__(self, method: TelegramMethod[T]) -> Awaitable[T]: ...


async def send_resumable(
    methods: Sequence[TelegramMethod[Any]],
    send: Callable[[TelegramMethod[Any]], Awaitable[Any]],
    *,
    progress: dict[str, Any] | None = None,
    checkpoint: Callable[[], Awaitable[None]] | None = None,
    what: str = "payload",
) -> int | None:
    """Send `methods` in order with `send`; the first message's id (None: none known).

    `progress` (an outbox payload) records how far an earlier attempt got: `chunks_sent`
    messages are skipped, and after each message but the last it is updated (`chunks_sent`,
    `first_message_id`) and stored with `checkpoint`, so a retry resumes after the last message
    delivered. A message that may or may not have gone (`is_ambiguous`) counts as delivered:
    it is logged and never sent again, and the next one follows, so a reader may miss a part
    but never gets one twice. Any other error is raised (the progress so far is kept)."""
    done = int(progress.get("chunks_sent") or 0) if progress is not None else 0
    first = progress.get("first_message_id") if progress is not None else None
    for index in range(done, len(methods)):
        method = methods[index]
        try:
            result = await send(method)
        except Exception as error:
            if not is_ambiguous(error):
                raise
            log.warning(
                "%s: %s %d of %d may have been delivered (%s): counted as sent",
                what,
                type(method).__name__,
                index + 1,
                len(methods),
                error,
            )
            result = None
        if first is None:
            first = getattr(result, "message_id", None)
        if progress is not None and index + 1 < len(methods):
            progress["chunks_sent"] = index + 1
            progress["first_message_id"] = first
            if checkpoint is not None:
                await checkpoint()
    return first


@dataclass(slots=True)
class _Job:
    method: TelegramMethod[Any]
    future: asyncio.Future[Any] | None  # None: sent by the caller's own task
    max_wait: float | None


@dataclass(slots=True)
class _Chat:
    limiter: AsyncLimiter
    period: float
    queue: deque[_Job] = field(default_factory=deque)
    worker: asyncio.Task[None] | None = None
    sending: bool = False  # a call is being sent from its caller's task
    paused_until: float = 0.0
    last_used: float = 0.0


@dataclass(frozen=True, slots=True)
class Limits:
    """(messages, per seconds) for the leaky buckets."""

    overall: tuple[float, float] = (30, 1.0)
    private: tuple[float, float] = (3, 3.0)
    group: tuple[float, float] = (20, 60.0)


class Sender:
    def __init__(
        self,
        bot: Caller,
        *,
        limits: Limits | None = None,
        attempts: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        sweep_every: float = 30.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self.limits = limits or Limits()
        self.overall = AsyncLimiter(*self.limits.overall)
        self.attempts = attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.sweep_every = sweep_every
        self.sleep = sleep
        self._chats: dict[int, _Chat] = {}
        self._last_sweep = 0.0

    def __len__(self) -> int:
        """Chats currently tracked (busy, or idle for less than their rate period)."""
        return len(self._chats)

    @staticmethod
    def _now() -> float:
        return asyncio.get_running_loop().time()

    # -- calls not bound to a chat -------------------------------------------------------------
    async def call(self, method: TelegramMethod[T], *, attempts: int | None = None) -> T:
        """A call outside any chat queue (setMyCommands, getMe, answerCallbackQuery...)."""
        tries = attempts or self.attempts
        for attempt in range(1, tries + 1):
            try:
                return await self.bot(method)
            except TelegramRetryAfter as error:
                if attempt == tries:
                    raise
                await self.sleep(error.retry_after)
            except Exception as error:
                if attempt == tries or not retriable(method, error):
                    raise
                await self.sleep(self._delay(attempt))
        raise AssertionError("unreachable")

    # -- calls bound to a chat -----------------------------------------------------------------
    async def send(
        self, chat_id: int, method: TelegramMethod[T], *, max_wait: float | None = None
    ) -> T:
        """Queue `method` behind the chat's earlier calls; its result once sent.

        `max_wait`: give up with `RetryLater` rather than wait longer than this for flood
        control (the outbox worker postpones instead of holding its lease).
        """
        now = self._now()
        if now - self._last_sweep > self.sweep_every:
            self.sweep(now)
        chat = self._chats.get(chat_id)
        if chat is None:
            rate, period = self.limits.private if chat_id > 0 else self.limits.group
            chat = self._chats[chat_id] = _Chat(AsyncLimiter(rate, period), period)
        if chat.worker is None and not chat.sending and not chat.queue:
            return await self._send_now(chat_id, chat, _Job(method, None, max_wait))
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        chat.queue.append(_Job(method, future, max_wait))
        if chat.worker is None and not chat.sending:
            chat.worker = asyncio.create_task(self._work(chat_id, chat))
        return await future

    async def _send_now(self, chat_id: int, chat: _Chat, job: _Job) -> Any:
        """Nothing is ahead of this call in its chat (the usual case: one reply at a time), so
        the caller's task sends it, sparing a worker task and a hand-over per message. Calls
        that arrive meanwhile queue behind it and a worker takes them afterwards."""
        chat.sending = True
        try:
            return await self._attempt(chat_id, chat, job)
        finally:
            chat.sending = False
            chat.last_used = self._now()
            if chat.queue and chat.worker is None:
                chat.worker = asyncio.create_task(self._work(chat_id, chat))

    def sweep(self, now: float | None = None) -> None:
        """Forget idle chats: nothing queued, buckets drained, no flood-control pause."""
        now = self._now() if now is None else now
        self._last_sweep = now
        idle = [
            chat_id
            for chat_id, chat in self._chats.items()
            if chat.worker is None
            and not chat.sending
            and now - chat.last_used >= chat.period
            and now >= chat.paused_until
        ]
        for chat_id in idle:
            del self._chats[chat_id]

    async def close(self) -> None:
        workers = [chat.worker for chat in self._chats.values() if chat.worker is not None]
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        self._chats.clear()

    async def _work(self, chat_id: int, chat: _Chat) -> None:
        try:
            while chat.queue:
                job = chat.queue[0]
                assert job.future is not None
                if not job.future.done():
                    try:
                        result = await self._attempt(chat_id, chat, job)
                    except Exception as error:
                        if not job.future.done():
                            job.future.set_exception(error)
                    else:
                        if not job.future.done():
                            job.future.set_result(result)
                chat.queue.popleft()
                chat.last_used = self._now()
        finally:
            chat.worker = None
            for job in chat.queue:  # cancelled (shutting down): nobody will send these
                if job.future is not None and not job.future.done():
                    job.future.cancel()
            chat.queue.clear()

    async def _attempt(self, chat_id: int, chat: _Chat, job: _Job) -> Any:
        attempt = 0
        while True:
            pause = chat.paused_until - self._now()
            if pause > 0:
                if job.max_wait is not None and pause > job.max_wait:
                    raise RetryLater(pause)
                await self.sleep(pause)
            await chat.limiter.acquire()
            await self.overall.acquire()
            try:
                return await self.bot(job.method)
            except TelegramRetryAfter as error:
                log.warning(
                    "flood control in chat %s: %s waits %s s",
                    chat_id,
                    type(job.method).__name__,
                    error.retry_after,
                )
                chat.paused_until = self._now() + error.retry_after
            except Exception as error:
                attempt += 1
                if attempt >= self.attempts or not retriable(job.method, error):
                    raise
                delay = self._delay(attempt)
                log.info(
                    "retrying %s in chat %s in %.1f s: %s",
                    type(job.method).__name__,
                    chat_id,
                    delay,
                    error,
                )
                await self.sleep(delay)

    def _delay(self, attempt: int) -> float:
        return min(self.backoff * 2 ** (attempt - 1), self.max_backoff)
