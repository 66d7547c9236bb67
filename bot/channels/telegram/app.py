"""Wiring the Telegram transport: aiogram's Bot and Dispatcher, long polling or a webhook server.

The Dispatcher has one outer middleware and one handler per update type, no filters (aiogram
runs synchronous filters through a thread: DESIGN.md). The middleware puts each update in its
chat's queue (serial.py) in arrival order and returns at once; the chat's task then runs the
handler, which hands the update to the customer side (private chats) or the staff desk (the
staff group). Updates from any other chat, or without one, are dropped there.

Polling runs with `handle_as_tasks=False`: the loop only queues, so per-chat order is exact
while chats run concurrently. A failing update is logged with its id and the customer gets a
localized apology; the bot carries on. Start-up calls (getMe, deleteWebhook before polling,
setMyCommands, setWebhook) are retried with backoff until Telegram answers, never fatal,
except a token Telegram refuses.

`TelegramApp` is what the process host (bot/app.py) runs: `serve` takes updates until `stop`
and finishes the queued ones; the host runs the outbox runner (for `channel` and `desk`) and
the jobs once `started` is set, and calls `close` when they have stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.dispatcher.middlewares.user_context import EVENT_CONTEXT_KEY, EventContext
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError
from aiogram.methods import DeleteWebhook
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, Update

from bot.channels.telegram import commands
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.customer import CustomerChats
from bot.channels.telegram.desk import StaffDesk
from bot.channels.telegram.sender import Limits, Sender
from bot.channels.telegram.serial import ChatQueues
from bot.channels.telegram.webhook import Webhook, WebhookServer
from core.engine import Engine

log = logging.getLogger(__name__)

T = TypeVar("T")
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class Fatal(Exception):
    """The bot cannot run at all (Telegram refused the token)."""


def create_bot(token: str, api_base: str, *, timeout: float = 30.0) -> Bot:
    """A Bot for Telegram's Bot API or any server speaking it (self-hosted, a test fake)."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_base), timeout=timeout)
    return Bot(token, session=session)


class TelegramApp:
    def __init__(
        self,
        engine: Engine,
        bot: Bot,
        *,
        staff_chat_id: int | None = None,
        staff_language: str = "en",
        limits: Limits | None = None,
        max_pending: int = 1000,
        retry_delay: float = 1.0,
        backoff: float = 0.5,
        drain_timeout: float = 10.0,
        webhook: Webhook | None = None,
        polling_timeout: int = 25,
    ) -> None:
        self.engine = engine
        self.bot = bot
        self.sender = Sender(bot, limits=limits, backoff=backoff)
        self.channel = TelegramChannel(self.sender)
        self.queues = ChatQueues(max_pending=max_pending)
        self.desk: StaffDesk | None = None
        if staff_chat_id is not None:
            self.desk = StaffDesk(
                engine.db,
                self.sender,
                staff_chat_id,
                clock=self.clock,
                language=staff_language,
                cards=engine.surface.staff_cards,
                actions=engine.surface.staff_actions,
                words=engine.surface.staff_words,
            )
        self.customers = CustomerChats(engine, self.channel, desk=self.desk)
        self.staff_language = staff_language
        self.retry_delay = retry_delay
        self.drain_timeout = drain_timeout
        self.webhook = webhook  # None: long polling
        self.polling_timeout = polling_timeout
        self.dispatcher = self._dispatcher()
        self.addresses: list[Any] = []  # where the webhook server listens
        self.started = asyncio.Event()  # getMe answered: the bot can send
        self._background: set[asyncio.Task[Any]] = set()
        self._stop = asyncio.Event()
        self._fatal: Fatal | None = None
        self._closed = False

    def clock(self) -> datetime:
        return self.engine.clock()

    def set_outbox_wake(self, wake: Callable[[], None]) -> None:
        """`wake` is called after each update that may have queued outbox messages."""
        self.customers.wake_outbox = wake
        if self.desk is not None:
            self.desk.wake_outbox = wake

    # -- updates -----------------------------------------------------------------------------
    def _dispatcher(self) -> Dispatcher:
        dp = Dispatcher(disable_fsm=True)  # the engine keeps the conversation state
        dp.update.outer_middleware(self._in_chat_order)
        # On the Dispatcher itself: a sub-router would add a second propagation per update.
        dp.message.register(self._on_message)
        dp.edited_message.register(self._on_edited)
        dp.callback_query.register(self._on_callback)
        return dp

    def _chat_key(self, context: EventContext) -> Hashable | None:
        """The queue an update joins; None: not ours (another group, no chat)."""
        chat = context.chat
        if chat is None:
            return None
        if chat.type == "private":
            return chat.id
        if self.desk is not None and chat.id == self.desk.chat_id:
            return (chat.id, context.thread_id)  # topics (tickets) run concurrently
        return None

    async def _in_chat_order(
        self, handler: Handler, update: TelegramObject, data: dict[str, Any]
    ) -> Any:
        assert isinstance(update, Update)
        context: EventContext = data[EVENT_CONTEXT_KEY]
        key = self._chat_key(context)
        if key is None:
            return UNHANDLED

        async def job() -> None:
            try:
                await handler(update, data)
            except Exception as error:
                log.exception("update %s failed", update.update_id)
                chat = context.chat
                # No apology when Telegram itself failed: it would most likely fail too.
                if chat and chat.type == "private" and not isinstance(error, TelegramAPIError):
                    hint = context.user.language_code if context.user else None
                    with contextlib.suppress(Exception):
                        await self.customers.apologize(chat.id, hint)

        await self.queues.submit(key, job)
        return None

    async def _on_message(self, message: Message, event_update: Update) -> None:
        if message.chat.type == "private":
            await self.customers.on_message(message, event_update)
        elif self.desk is not None:
            await self.desk.on_message(message, event_update.update_id)

    async def _on_edited(self, message: Message) -> None:
        if message.chat.type == "private":
            await self.customers.on_edited(message)
        elif self.desk is not None:
            await self.desk.on_edited(message)

    async def _on_callback(
        self, query: CallbackQuery, event_update: Update, event_chat: Chat
    ) -> None:
        if event_chat.type == "private":
            await self.customers.on_callback(query, event_chat.id, event_update)
        elif self.desk is not None:
            await self.desk.on_callback(query, event_update.update_id)

    # -- start-up ------------------------------------------------------------------------------
    async def start(self) -> None:
        """Learn our username (retried until Telegram answers), then set the command menus."""
        me = await self._until_done("getMe", self.bot.me)
        self.channel.username = me.username
        if self.desk is not None:
            self.desk.username = me.username
        log.info("Telegram bot @%s (id %s)", me.username, me.id)
        self._spawn(self._until_done("setMyCommands", self._set_commands))
        self.started.set()

    async def _set_commands(self) -> None:
        for call in commands.customer_commands(self.engine.surface.commands):
            await self.sender.call(call)
        if self.desk is not None:
            await self.sender.call(commands.staff_commands(self.desk.chat_id, self.staff_language))

    async def _until_done(self, name: str, attempt: Callable[[], Awaitable[T]]) -> T:
        delay = self.retry_delay
        while True:
            try:
                return await attempt()
            except TelegramUnauthorizedError as error:
                raise Fatal(f"Telegram refused the bot token ({error.message})") from error
            except Exception as error:
                log.warning("%s failed (%s); retrying in %.0f s", name, error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60 * self.retry_delay)

    def _spawn(self, work: Awaitable[Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background_done)
        return task

    def _background_done(self, task: asyncio.Task[Any]) -> None:
        self._background.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if isinstance(error, Fatal):
            self._fatal = error
            self._stop.set()
        elif error is not None:
            log.error("background task failed: %r", error)

    # -- taking updates ----------------------------------------------------------------------
    async def serve(self) -> None:
        """Take updates (long polling, or the webhook) until `stop`, then finish the queued ones
        (up to `drain_timeout`). Raises `Fatal` when Telegram refuses the token."""
        try:
            if self.webhook is None:
                await self._poll()
            else:
                await self._serve_webhook(self.webhook)
        finally:
            if not await self.queues.join(self.drain_timeout):
                log.warning("stopping with updates still in progress")
        if self._fatal is not None:
            raise self._fatal

    async def _poll(self) -> None:
        await self.start()
        await self._until_done("deleteWebhook", lambda: self.sender.call(DeleteWebhook()))
        polling = asyncio.create_task(
            self.dispatcher.start_polling(
                self.bot,
                polling_timeout=self.polling_timeout,
                handle_as_tasks=False,  # the middleware only queues: see the docstring
                allowed_updates=ALLOWED_UPDATES,
                handle_signals=False,  # the process host handles them
                close_bot_session=False,
            )
        )
        stopping = asyncio.create_task(self._stop.wait())
        await asyncio.wait({polling, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        while not polling.done():
            try:  # stop_polling lets aiogram end its own polling tasks cleanly
                await self.dispatcher.stop_polling()
            except RuntimeError:  # not started yet
                await asyncio.sleep(0.01)
        await polling

    async def _serve_webhook(self, hook: Webhook) -> None:
        server = WebhookServer(hook, self.dispatcher, self.bot, self.queues, self._stop)
        try:
            self.addresses = await server.start()
            self._spawn(self._start_webhook(hook))
            await self._stop.wait()
        finally:
            await server.close()

    async def _start_webhook(self, hook: Webhook) -> None:
        await self.start()
        register = hook.registration(ALLOWED_UPDATES)
        await self._until_done("setWebhook", lambda: self.sender.call(register))
        log.info("webhook registered with Telegram")

    # -- stopping ------------------------------------------------------------------------------
    def stop(self) -> None:
        """Ask `serve` to return (it finishes the queued updates first)."""
        self._stop.set()

    async def close(self) -> None:
        """Release everything (after the host's outbox runner, which sends through it, ended)."""
        if self._closed:
            return
        self._closed = True
        tasks = list(self._background)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.queues.close()
        await self.sender.close()
        await self.bot.session.close()
