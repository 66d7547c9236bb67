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
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import signal
from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.dispatcher.middlewares.user_context import EVENT_CONTEXT_KEY, EventContext
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError
from aiogram.methods import DeleteWebhook, SetWebhook
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, Update
from aiohttp import web

from bot import jobs
from bot.channels.telegram import commands
from bot.channels.telegram.customer import CustomerChats
from bot.channels.telegram.desk import StaffDesk
from bot.channels.telegram.outbox import OutboxWorker
from bot.channels.telegram.sender import Limits, Sender
from bot.channels.telegram.serial import ChatQueues
from bot.settings import Settings
from core.engine import Engine

log = logging.getLogger(__name__)

T = TypeVar("T")
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
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
        outbox_poll: float = 1.0,
        max_pending: int = 1000,
        retry_delay: float = 1.0,
        backoff: float = 0.5,
        drain_timeout: float = 10.0,
    ) -> None:
        self.engine = engine
        self.bot = bot
        self.sender = Sender(bot, limits=limits, backoff=backoff)
        self.queues = ChatQueues(max_pending=max_pending)
        self.outbox = OutboxWorker(engine.db, self.sender, self.clock, poll=outbox_poll)
        self.desk: StaffDesk | None = None
        if staff_chat_id is not None:
            self.desk = StaffDesk(
                engine.db,
                self.sender,
                staff_chat_id,
                clock=self.clock,
                language=staff_language,
                wake_outbox=self.outbox.wake,
                cards=engine.surface.staff_cards,
                actions=engine.surface.staff_actions,
            )
            self.outbox.desk = self.desk
        self.customers = CustomerChats(
            engine, self.sender, desk=self.desk, wake_outbox=self.outbox.wake
        )
        self.staff_language = staff_language
        self.retry_delay = retry_delay
        self.drain_timeout = drain_timeout
        self.dispatcher = self._dispatcher()
        self.addresses: list[Any] = []  # where the webhook server listens
        self._background: set[asyncio.Task[Any]] = set()
        self._stop = asyncio.Event()
        self._fatal: Fatal | None = None
        self._closed = False

    def clock(self) -> datetime:
        return self.engine.clock()

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
            await self.customers.on_message(message, event_update.update_id)
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
            await self.customers.on_callback(query, event_chat.id, event_update.update_id)
        elif self.desk is not None:
            await self.desk.on_callback(query, event_update.update_id)

    # -- start-up ------------------------------------------------------------------------------
    async def start(self) -> None:
        """Learn our username (retried until Telegram answers), then start background work."""
        me = await self._until_done("getMe", self.bot.me)
        self.customers.username = me.username
        if self.desk is not None:
            self.desk.username = me.username
        log.info("Telegram bot @%s (id %s)", me.username, me.id)
        self._spawn(self._until_done("setMyCommands", self._set_commands))
        self._spawn(self.outbox.run())
        # Every worker runs the jobs: they claim rows safely, so no leader is needed.
        self._spawn(
            jobs.run_forever(
                self.engine.db, self.clock, self._stop, jobs.all_jobs(self.engine.surface)
            )
        )

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

    # -- long polling --------------------------------------------------------------------------
    async def run_polling(self, *, polling_timeout: int = 25, handle_signals: bool = True) -> None:
        try:
            await self.start()
            await self._until_done("deleteWebhook", lambda: self.sender.call(DeleteWebhook()))
            polling = asyncio.create_task(
                self.dispatcher.start_polling(
                    self.bot,
                    polling_timeout=polling_timeout,
                    handle_as_tasks=False,  # the middleware only queues: see the docstring
                    allowed_updates=ALLOWED_UPDATES,
                    handle_signals=handle_signals,
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
            if self._fatal is not None:
                raise self._fatal
        finally:
            await self.shutdown()

    # -- webhook -------------------------------------------------------------------------------
    def web_app(self, secret: str, path: str) -> web.Application:
        app = web.Application()
        app.router.add_post(path, self._webhook(secret))
        app.router.add_get("/healthz", self._healthz)
        return app

    def _webhook(self, secret: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        expected = secret.encode()

        async def receive(request: web.Request) -> web.StreamResponse:
            given = request.headers.get(SECRET_HEADER, "").encode()
            if not hmac.compare_digest(given, expected):
                return web.Response(status=401, text="wrong secret token")
            if self._stop.is_set():
                return web.Response(status=503, text="stopping")
            try:
                update = Update.model_validate(await request.json(), context={"bot": self.bot})
            except ValueError:
                return web.Response(status=400, text="not an update")
            await self.dispatcher.feed_update(self.bot, update)
            return web.Response(status=200)

        return receive

    async def _healthz(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(
            {"status": "ok", "chats": len(self.queues), "pending": self.queues.pending}
        )

    async def run_webhook(
        self,
        *,
        url: str,
        secret: str,
        host: str,
        port: int,
        max_connections: int = 40,
        handle_signals: bool = True,
    ) -> None:
        """Serve Telegram's webhook at `url`'s path (and /healthz) until stopped.
        `max_connections`: how many requests Telegram keeps open at once (1: each chat's
        updates reach the workers one at a time, so in order; see docs/telegram.md)."""
        runner = web.AppRunner(self.web_app(secret, urlsplit(url).path or "/"))
        await runner.setup()
        loop = asyncio.get_running_loop()
        try:
            site = web.TCPSite(runner, host, port)
            await site.start()
            self.addresses = runner.addresses
            log.info("webhook server on %s:%s for %s", host, port, url)
            if handle_signals:
                for sig in (signal.SIGINT, signal.SIGTERM):
                    loop.add_signal_handler(sig, self._stop.set)
            self._spawn(self._start_webhook(url, secret, max_connections))
            await self._stop.wait()
            if self._fatal is not None:
                raise self._fatal
        finally:
            if handle_signals:
                for sig in (signal.SIGINT, signal.SIGTERM):
                    loop.remove_signal_handler(sig)
            await runner.cleanup()
            await self.shutdown()

    async def _start_webhook(self, url: str, secret: str, max_connections: int) -> None:
        await self.start()
        register = SetWebhook(
            url=url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
            max_connections=max_connections,
        )
        await self._until_done("setWebhook", lambda: self.sender.call(register))
        log.info("webhook registered with Telegram")

    # -- stopping ------------------------------------------------------------------------------
    def stop(self) -> None:
        """Ask `run_polling` / `run_webhook` to return (they finish queued work first)."""
        self._stop.set()

    async def shutdown(self) -> None:
        if self._closed:
            return
        self._closed = True
        if not await self.queues.join(self.drain_timeout):
            log.warning("stopping with updates still in progress")
        tasks = list(self._background)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.queues.close()
        await self.sender.close()
        await self.bot.session.close()


async def serve(settings: Settings, *, webhook: bool) -> None:
    """`orderbot run`: the bot on the configured database until stopped (settings checked)."""
    from bot.app import build_engine, tune_gc

    assert settings.telegram_token is not None
    bot = create_bot(settings.telegram_token.get_secret_value(), settings.telegram_api_base)
    engine = await build_engine(settings, staff_desk=settings.staff_chat_id is not None)
    app = TelegramApp(
        engine,
        bot,
        staff_chat_id=settings.staff_chat_id,
        staff_language=settings.staff_language,
    )
    tune_gc()  # start-up objects frozen, fewer collections: docs/performance.md
    try:
        if webhook:
            assert settings.webhook_url and settings.webhook_secret
            await app.run_webhook(
                url=settings.webhook_url,
                secret=settings.webhook_secret.get_secret_value(),
                host=settings.webhook_host,
                port=settings.webhook_port,
                max_connections=settings.webhook_max_connections,
            )
        else:
            await app.run_polling()
    finally:
        await app.shutdown()
        await engine.db.dispose()
