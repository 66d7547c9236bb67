"""Fixtures for the Telegram transport: a fake Bot API on 127.0.0.1 and the real bot on it,
run by the process host as `orderbot run` runs it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bot.app import Host
from bot.channels.telegram.app import TelegramApp, create_bot
from bot.channels.telegram.sender import Limits
from core.engine import Engine
from tests.channels.telegram.fake_api import FakeBotAPI

STAFF = -1001234567890
TOKEN = "123456:TEST-token"
# Generous limits keep the suite fast; test_sender.py checks the limiter itself.
FAST = Limits(overall=(1000, 1.0), private=(100, 1.0), group=(1000, 1.0))


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    fake = FakeBotAPI()
    await fake.start()
    yield fake
    await fake.close()


def make_app(engine: Engine, api: FakeBotAPI, **options: object) -> TelegramApp:
    bot = create_bot(TOKEN, api.base_url, timeout=5)
    settings: dict[str, object] = {
        "staff_chat_id": STAFF,
        "limits": FAST,
        "polling_timeout": 1,
        "retry_delay": 0.05,
        "backoff": 0.05,
        "drain_timeout": 2.0,
    }
    settings.update(options)
    return TelegramApp(engine, bot, **settings)  # type: ignore[arg-type]


@asynccontextmanager
async def hosted(engine: Engine, app: TelegramApp) -> AsyncIterator[asyncio.Task[None]]:
    """`app` served by the process host (with the outbox runner and the jobs) until the block
    ends; the host's task."""
    host = Host(engine, [app], outbox_poll=0.05)
    task = asyncio.create_task(host.run(handle_signals=False))
    try:
        yield task
    finally:
        host.stop()
        await asyncio.wait_for(task, 5)


@pytest.fixture
async def polling(engine: Engine, api: FakeBotAPI) -> AsyncIterator[TelegramApp]:
    """The bot in long-polling mode against the fake API."""
    app = make_app(engine, api)
    async with hosted(engine, app):
        yield app
