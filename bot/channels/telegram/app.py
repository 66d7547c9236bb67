"""Wiring the Telegram transport: aiogram's Bot and Dispatcher, long polling or a webhook server.

Updates go through the durable intake (bot/channels/intake.py): each update from a private
chat or the staff group is stored before Telegram is told it arrived (the webhook's 200, the
polling offset moving past it), then processed from there one chat at a time, in order, while
chats run concurrently. Updates from any other chat, or without one, are ignored there.

The Dispatcher has one handler per update type and no filters (aiogram runs synchronous
filters through a thread: DESIGN.md); a stored update is fed to it with its `Receipt`, and the
handler hands it to the customer side (private chats) or the staff desk (the staff group). A
failing update is logged with its id and the customer gets a localized apology; the bot carries
on. One that failed because the database is away stays stored and is run again later.
Start-up calls (getMe, deleteWebhook before polling, setMyCommands, setWebhook) are retried
with backoff until Telegram answers, never fatal, except a token Telegram refuses.

`TelegramApp` is what the process host (bot/app.py) runs: `serve` takes updates until `stop`,
finishes the queued ones (up to `drain_timeout`; the rest stay stored for the next start or
another worker); the host runs the outbox runner (for `channel` and `desk`) and the jobs once
`started` is set, and calls `close` when they have stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.dispatcher.middlewares.user_context import EventContext, UserContextMiddleware
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError
from aiogram.methods import DeleteWebhook, GetUpdates
from aiogram.types import CallbackQuery, Chat, Message, Update

from bot.channels.intake import AlreadyAnswered, Incoming, Intake, OutOfTurn, Receipt
from bot.channels.serial import ChatQueues
from bot.channels.telegram import commands
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.customer import CustomerChats
from bot.channels.telegram.desk import StaffDesk
from bot.channels.telegram.sender import Limits, Sender
from bot.channels.telegram.webhook import Webhook, WebhookServer
from core.engine import Engine
from storage.retry import DatabaseUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
CHANNEL = "telegram"


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
        intake_tick: float = 0.2,
        lease_seconds: float = 15.0,
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
        self.intake = Intake(
            engine.db,
            CHANNEL,
            self.queues,
            parse=self._parse,
            process=self._process,
            resend=self._resend,
            clock=self.clock,
            tick=intake_tick,
            lease_seconds=lease_seconds,
            retry_after=retry_delay * 5,
        )
        self.customers = CustomerChats(engine, self.channel, desk=self.desk, intake=self.intake)
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
        # On the Dispatcher itself: a sub-router would add a second propagation per update.
        dp.message.register(self._on_message)
        dp.edited_message.register(self._on_edited)
        dp.callback_query.register(self._on_callback)
        return dp

    def chat_key(self, update: Update) -> str | None:
        """The ordering key of an update's chat; None: not ours (another group, no chat)."""
        context: EventContext = UserContextMiddleware.resolve_event_context(update)
        chat = context.chat
        if chat is None:
            return None
        if chat.type == "private":
            return f"tg:{chat.id}"
        if self.desk is not None and chat.id == self.desk.chat_id:
            return f"tg:{chat.id}:{context.thread_id or 0}"  # topics (tickets) run concurrently
        return None

    async def accept(self, updates: list[tuple[Update, dict[str, Any] | None]]) -> None:
        """Store the updates that are ours (durable intake); returns once they are committed.
        Each comes with its JSON as received, or None (it is dumped from the parsed update).
        Raises `DatabaseUnavailable` when they could not be stored: acknowledge nothing."""
        batch = []
        for update, raw in updates:
            key = self.chat_key(update)
            if key is None:
                continue
            payload = (
                raw
                if raw is not None
                else update.model_dump(mode="json", by_alias=True, exclude_none=True)
            )
            batch.append(Incoming(str(update.update_id), key, payload, update))
        await self.intake.receive(batch)

    def _parse(self, payload: dict[str, Any]) -> Update:
        return Update.model_validate(payload, context={"bot": self.bot})

    async def _process(self, receipt: Receipt, update: Update) -> None:
        """Run one stored update through the handlers. The database being away, an earlier
        update of the chat still to run, or this one's turn done before, is the intake's to
        handle; anything else is logged and the customer told something went wrong."""
        try:
            await self.dispatcher.feed_update(self.bot, update, receipt=receipt)
        except (OutOfTurn, AlreadyAnswered, DatabaseUnavailable):
            raise
        except Exception as error:
            log.exception("update %s failed", update.update_id)
            context = UserContextMiddleware.resolve_event_context(update)
            chat = context.chat
            # No apology when Telegram itself failed: it would most likely fail too.
            if chat and chat.type == "private" and not isinstance(error, TelegramAPIError):
                hint = context.user.language_code if context.user else None
                with contextlib.suppress(Exception):
                    await self.customers.apologize(chat.id, hint)

    async def _resend(self, receipt: Receipt, replies: dict[str, Any]) -> None:
        """A turn that committed before a crash: its replies, sent now."""
        await self.customers.resend(replies)

    async def _on_message(
        self, message: Message, event_update: Update, receipt: Receipt | None = None
    ) -> None:
        if message.chat.type == "private":
            await self.customers.on_message(message, event_update, receipt)
        elif self.desk is not None:
            await self.desk.on_message(message, event_update.update_id)

    async def _on_edited(self, message: Message) -> None:
        if message.chat.type == "private":
            await self.customers.on_edited(message)
        elif self.desk is not None:
            await self.desk.on_edited(message)

    async def _on_callback(
        self,
        query: CallbackQuery,
        event_update: Update,
        event_chat: Chat,
        receipt: Receipt | None = None,
    ) -> None:
        if event_chat.type == "private":
            await self.customers.on_callback(query, event_chat.id, event_update, receipt)
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
        (up to `drain_timeout`; the rest stay stored). Raises `Fatal` when Telegram refuses the
        token."""
        housekeeping = asyncio.create_task(self.intake.run())
        try:
            if self.webhook is None:
                await self._poll()
            else:
                await self._serve_webhook(self.webhook)
        finally:
            self.intake.drain()
            if not await self.queues.join(self.drain_timeout):
                log.warning(
                    "stopping with updates in progress: they stay stored for the next start"
                )
            await self.queues.close()
            self.intake.stop()
            await housekeeping
            await self.intake.close()
        if self._fatal is not None:
            raise self._fatal

    async def _poll(self) -> None:
        """Long polling. The offset moves past updates only once they are stored: Telegram
        keeps (and sends again) every update of a batch until the next call confirms it."""
        await self._until_stopped(self._start_polling())  # Telegram may be away: stop anyway
        offset: int | None = None
        while not self._stop.is_set():
            updates = await self._until_stopped(self._get_updates(offset))
            if not updates:
                continue
            if not await self._until_stopped(self._store(updates)):
                return  # stopping before they were stored: Telegram sends them again
            offset = updates[-1].update_id + 1

    async def _start_polling(self) -> None:
        await self.start()
        await self._until_done("deleteWebhook", lambda: self.sender.call(DeleteWebhook()))

    async def _get_updates(self, offset: int | None) -> list[Update]:
        call = GetUpdates(
            offset=offset, timeout=self.polling_timeout, allowed_updates=ALLOWED_UPDATES
        )
        return await self._until_done(
            "getUpdates", lambda: self.bot(call, request_timeout=self.polling_timeout + 10)
        )

    async def _store(self, updates: list[Update]) -> bool:
        """Store a polled batch, retrying while the database is away."""
        while True:
            try:
                await self.accept([(update, None) for update in updates])
                return True
            except DatabaseUnavailable as error:
                log.warning("could not store updates (%s); retrying", error)
                await asyncio.sleep(self.retry_delay)

    async def _until_stopped(self, work: Awaitable[T]) -> T | None:
        """`work`'s result, or None when `stop` came first (the work is cancelled)."""
        task = asyncio.ensure_future(work)
        stopping = asyncio.create_task(self._stop.wait())
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if task.done():
            return task.result()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return None

    async def _serve_webhook(self, hook: Webhook) -> None:
        server = WebhookServer(hook, self.bot, self.accept, self.queues, self._stop)
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
        await self.sender.close()
        await self.bot.session.close()
