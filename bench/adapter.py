"""The two dispatchers under test: the floor (bare aiogram) and orderbot's Telegram adapter
(`bot.telegram`, the real transport: Update -> Event mapping, rendering, sending)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import CallbackQuery, Message

from bot.channels.telegram.app import TelegramApp
from bot.channels.telegram.sender import Limits
from core.engine import Engine


def floor_dispatcher() -> Dispatcher:
    """Bare aiogram as most bots start: default Dispatcher, one handler per update type that
    replies. A tap is answered (spinner stopped) and replied to, as orderbot does."""
    dp = Dispatcher()

    @dp.message()
    async def on_message(message: Message) -> None:
        await message.answer("Hello! What would you like to do?")

    @dp.callback_query()
    async def on_callback(query: CallbackQuery) -> None:
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.answer("Noted. What next?")

    return dp


class Tracked:
    """The real adapter queues each update on its chat's task and returns at once; the bench
    waits for `done(chat_id)` to time an update to its last reply (and to read that reply)."""

    def __init__(self) -> None:
        self.waiters: dict[int, asyncio.Future[None]] = {}

    def wrap(self, key: Any, job: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        future = asyncio.get_running_loop().create_future()
        parts = str(key).split(":")
        if len(parts) == 2:  # a private chat, "tg:<chat id>"
            self.waiters[int(parts[1])] = future

        async def tracked() -> None:
            try:
                await job()
            finally:
                if not future.done():
                    future.set_result(None)

        return tracked

    async def done(self, chat_id: int) -> None:
        future = self.waiters.pop(chat_id, None)
        if future is not None:
            await future


async def orderbot_dispatcher(
    engine: Engine, bot: Bot
) -> tuple[Dispatcher, str, TelegramApp, Tracked]:
    """(dispatcher, adapter name, the adapter object for memory checks, completion tracker)."""
    # Telegram's flood limits (30 messages/s per bot) are lifted: the bench measures what a
    # message costs us, not how fast one bot token may send.
    unlimited = (1e9, 1.0)
    app = TelegramApp(engine, bot, limits=Limits(unlimited, unlimited, unlimited))
    app.channel.username = "orderbot"  # start() learns it from getMe
    tracker = Tracked()
    put = app.queues.put

    def tracked_put(key: Any, job: Callable[[], Awaitable[None]]) -> None:
        put(key, tracker.wrap(key, job))

    app.queues.put = tracked_put  # type: ignore[method-assign]
    return app.dispatcher, "bot.telegram.app.TelegramApp", app, tracker


def sync_filters(dp: Dispatcher) -> list[str]:
    """Names of synchronous filter callbacks (each costs a thread hop in aiogram)."""
    sync: list[str] = []
    routers = [dp, *dp.sub_routers]
    while routers:
        router = routers.pop()
        routers.extend(router.sub_routers)
        for observer in router.observers.values():
            for handler in observer.handlers:
                for flt in handler.filters or []:
                    if not flt.awaitable:
                        sync.append(f"{router.name}:{observer.event_name}:{flt.callback!r}")
    return sync
