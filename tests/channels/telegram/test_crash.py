"""The real `orderbot run`, killed during a burst of updates (kill -9, or SIGTERM), then started
again: every update Telegram was told had arrived is processed exactly once, and has its reply.

Telegram is the fake Bot API on 127.0.0.1. In polling mode, "told" is the offset the bot
confirmed (the fake forgets those updates); in webhook mode it is a 200 answer. Updates not
acknowledged are sent again after the restart, as Telegram does. "Exactly once" is read from
the database: each chat's conversation version counts its processed turns.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.channels.telegram.conftest import TOKEN
from tests.channels.telegram.fake_api import FakeBotAPI

CHATS, MESSAGES = 60, 6  # 360 updates
SECRET = "crash-test-secret"
ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.parametrize(
    "stop", [signal.SIGKILL, signal.SIGTERM], ids=lambda how: how.name
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Bot:
    """`orderbot run` as a child process, on an SQLite file, against the fake API."""

    def __init__(self, api: FakeBotAPI, db: Path, webhook_port: int | None) -> None:
        self.env = {
            **os.environ,
            "ORDERBOT_TELEGRAM_TOKEN": TOKEN,
            "ORDERBOT_TELEGRAM_API_BASE": api.base_url,
            "ORDERBOT_DATABASE_URL": f"sqlite+aiosqlite:///{db}",
            "ORDERBOT_INTAKE_LEASE_SECONDS": "1",
            "ORDERBOT_LOG_LEVEL": "WARNING",
        }
        self.args = [sys.executable, "-m", "bot", "run"]
        if webhook_port is not None:
            self.env["ORDERBOT_WEBHOOK_URL"] = f"http://127.0.0.1:{webhook_port}/tg"
            self.env["ORDERBOT_WEBHOOK_SECRET"] = SECRET
            self.env["ORDERBOT_WEBHOOK_PORT"] = str(webhook_port)
            self.args.append("--webhook")
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            *self.args, cwd=ROOT, env=self.env, stderr=asyncio.subprocess.PIPE
        )

    async def stop(self, how: signal.Signals) -> int:
        assert self.process is not None
        self.process.send_signal(how)
        _, stderr = await asyncio.wait_for(self.process.communicate(), 30)
        code = self.process.returncode
        assert code is not None
        if how is signal.SIGTERM:
            assert code == 0, stderr.decode()[-2000:]
        return code


def processed(db: Path) -> dict[int, int]:
    """Turns processed per chat (the conversation's version), read as an operator would."""
    with sqlite3.connect(db) as con:
        try:
            rows = con.execute(
                "SELECT u.external_id, c.version FROM conversations c JOIN users u "
                "ON u.id = c.user_id"
            ).fetchall()
        except sqlite3.OperationalError:  # not created yet
            return {}
    return {int(chat): version for chat, version in rows}


def unfinished(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT count(*) FROM intake").fetchone()[0]


def replies(api: FakeBotAPI, chat: int) -> int:
    return len(api.sent("sendMessage", chat)) + len(api.sent("editMessageText", chat))


def burst(api: FakeBotAPI) -> list[dict[str, Any]]:
    """Each chat sends its messages in turn, the chats interleaved."""
    chats = range(1001, 1001 + CHATS)
    return [{"message": api.message(chat, f"hello {n}")} for n in range(MESSAGES) for chat in chats]


async def wait_until(check: Any, timeout: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    api = FakeBotAPI()
    await api.start()
    try:
        yield api
    finally:
        await api.close()


async def all_done(api: FakeBotAPI, db: Path, bot: Bot) -> None:
    expected = {chat: MESSAGES for chat in range(1001, 1001 + CHATS)}
    await wait_until(
        lambda: processed(db) == expected and unfinished(db) == 0, 60, "every update processed"
    )
    await wait_until(
        lambda: all(replies(api, chat) >= MESSAGES for chat in expected), 10, "every reply"
    )
    await bot.stop(signal.SIGTERM)
    assert processed(db) == expected, "each update processed exactly once"


async def test_polling_survives_being_stopped_mid_burst(tmp_path: Path, stop: signal.Signals):
    db = tmp_path / "orderbot.db"
    async with fake_api() as api:
        for update in burst(api):
            api.push(update)
        bot = Bot(api, db, None)
        await bot.start()
        await wait_until(lambda: len(api.sent("sendMessage")) >= 40, 60, "the burst to start")
        await bot.stop(stop)
        confirmed = CHATS * MESSAGES - len(api.updates)
        assert confirmed > 0, "the bot confirmed some updates before it stopped"
        if stop is signal.SIGKILL:
            assert unfinished(db) > 0, "killed with updates stored and not yet finished"

        again = Bot(api, db, None)
        await again.start()
        await all_done(api, db, again)


async def post_all(port: int, updates: list[dict[str, Any]], acknowledged: set[int]) -> None:
    """Post each update not yet acknowledged, 20 at a time, as Telegram does."""
    url = f"http://127.0.0.1:{port}/tg"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    pending = asyncio.Queue[dict[str, Any]]()
    for update in updates:
        if update["update_id"] not in acknowledged:
            pending.put_nowait(update)

    async def connection(session: aiohttp.ClientSession) -> None:
        while not pending.empty():
            update = pending.get_nowait()
            try:
                async with session.post(url, json=update, headers=headers) as response:
                    if response.status == 200:
                        acknowledged.add(update["update_id"])
            except aiohttp.ClientError:
                pass  # the bot is gone: Telegram keeps the update

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(connection(session) for _ in range(20)))


async def webhook_up(port: int) -> bool:
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/healthz") as response,
        ):
            return response.status == 200
    except aiohttp.ClientError:
        return False


async def start_webhook(bot: Bot, port: int) -> None:
    await bot.start()
    assert bot.process is not None
    deadline = asyncio.get_running_loop().time() + 60  # a loaded machine starts slowly
    while not await webhook_up(port):
        assert bot.process.returncode is None, "orderbot run exited"
        assert asyncio.get_running_loop().time() < deadline, "the webhook server did not start"
        await asyncio.sleep(0.05)


async def test_webhook_survives_being_stopped_mid_burst(tmp_path: Path, stop: signal.Signals):
    db = tmp_path / "orderbot.db"
    port = free_port()
    async with fake_api() as api:
        updates = burst(api)
        for number, update in enumerate(updates, start=1):
            update["update_id"] = number
        bot = Bot(api, db, port)
        await start_webhook(bot, port)
        acknowledged: set[int] = set()
        posting = asyncio.create_task(post_all(port, updates, acknowledged))
        await wait_until(lambda: len(api.sent("sendMessage")) >= 40, 60, "the burst to start")
        await bot.stop(stop)
        await posting
        assert acknowledged, "the bot acknowledged some updates before it stopped"
        if stop is signal.SIGKILL:
            assert unfinished(db) > 0, "killed with updates stored and not yet finished"

        again = Bot(api, db, port)
        await start_webhook(again, port)
        while len(acknowledged) < len(updates):  # Telegram sends the rest again
            await post_all(port, updates, acknowledged)
        await all_done(api, db, again)
