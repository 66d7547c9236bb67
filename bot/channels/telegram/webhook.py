"""Telegram's webhook: the aiohttp server Telegram posts updates to, and its registration.

A POST must carry the secret token (`X-Telegram-Bot-Api-Secret-Token`, compared in constant
time), else 401; while the bot is stopping the answer is 503 (Telegram sends the update again
later); a body that is no update (or JSON nested too deep to read) is a 400. An update is
answered 200 once the intake has stored it (app.py), before it is processed; when it cannot be
stored (the database is away) the answer is 503 and Telegram sends it again. GET /healthz
reports the chats with work queued.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot
from aiogram.methods import SetWebhook
from aiogram.types import Update
from aiohttp import web

from bot.channels.serial import ChatQueues
from storage.retry import DatabaseUnavailable

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Stores updates, each with its JSON as received; returns once they are committed.
Accept = Callable[[list[tuple[Update, dict[str, Any] | None]]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Webhook:
    """Serve Telegram's webhook at `url`'s path (and /healthz) on `host`:`port`.
    `max_connections`: how many requests Telegram keeps open at once (1: each chat's updates
    reach the workers one at a time, so in order; see docs/telegram.md)."""

    url: str
    secret: str
    host: str = "127.0.0.1"
    port: int = 8080
    max_connections: int = 40

    def registration(self, allowed_updates: list[str]) -> SetWebhook:
        return SetWebhook(
            url=self.url,
            secret_token=self.secret,
            allowed_updates=allowed_updates,
            max_connections=self.max_connections,
        )


class WebhookServer:
    def __init__(
        self,
        hook: Webhook,
        bot: Bot,
        accept: Accept,
        queues: ChatQueues,
        stopping: asyncio.Event,
    ) -> None:
        self.hook = hook
        self.bot = bot
        self.accept = accept
        self.queues = queues
        self.stopping = stopping
        self.secret = hook.secret.encode()
        self.runner = web.AppRunner(self.web_app())

    def web_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(urlsplit(self.hook.url).path or "/", self._receive)
        app.router.add_get("/healthz", self._healthz)
        return app

    async def start(self) -> list[Any]:
        """Listen; the addresses listened on."""
        await self.runner.setup()
        await web.TCPSite(self.runner, self.hook.host, self.hook.port).start()
        log.info("webhook server on %s:%s for %s", self.hook.host, self.hook.port, self.hook.url)
        return list(self.runner.addresses)

    async def close(self) -> None:
        await self.runner.cleanup()

    async def _receive(self, request: web.Request) -> web.StreamResponse:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            return web.Response(status=401, text="wrong secret token")
        if self.stopping.is_set():
            return web.Response(status=503, text="stopping")
        try:
            raw = await request.json()
            update = Update.model_validate(raw, context={"bot": self.bot})
        except (ValueError, RecursionError):  # RecursionError: JSON nested beyond reading
            return web.Response(status=400, text="not an update")
        try:
            await self.accept([(update, raw)])
        except DatabaseUnavailable:
            return web.Response(status=503, text="cannot store updates now")
        return web.Response(status=200)

    async def _healthz(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(
            {"status": "ok", "chats": len(self.queues), "pending": self.queues.pending}
        )
