"""The real bot in webhook mode: Telegram's POSTs (with the secret token header), /healthz."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.channels.telegram.app import TelegramApp
from bot.channels.telegram.webhook import SECRET_HEADER, Webhook
from bot.settings import Settings
from core.engine import Engine
from storage.retry import DatabaseUnavailable
from tests.channels.telegram.conftest import hosted, make_app
from tests.channels.telegram.fake_api import FakeBotAPI

SECRET = "s3cret-Token_1"
URL = "https://bot.example.test/telegram/hook"
HOOK = Webhook(url=URL, secret=SECRET, host="127.0.0.1", port=0)


@pytest.fixture
async def webhook(engine: Engine, api: FakeBotAPI) -> AsyncIterator[tuple[TelegramApp, str]]:
    app = make_app(engine, api, webhook=HOOK)
    async with hosted(engine, app) as task:
        await api.wait_for(lambda: app.addresses or task.done())
        host, port = app.addresses[0][:2]
        yield app, f"http://{host}:{port}"


async def post(base: str, update: dict, secret: str | None = SECRET) -> int:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(base + "/telegram/hook", json=update, headers=headers) as response,
    ):
        return response.status


async def test_webhook_is_registered_with_the_secret(webhook, api: FakeBotAPI) -> None:
    (call,) = await api.wait_sent("setWebhook")
    assert call.params["url"] == URL
    assert call.params["secret_token"] == SECRET
    assert set(call.params["allowed_updates"]) == {"message", "edited_message", "callback_query"}
    assert call.params["max_connections"] == 40  # Telegram's default, stated


async def test_max_connections_is_a_setting(engine: Engine, api: FakeBotAPI, monkeypatch) -> None:
    monkeypatch.setenv("ORDERBOT_WEBHOOK_MAX_CONNECTIONS", "1")
    assert Settings(_env_file=None).webhook_max_connections == 1
    assert Settings(_env_file=None, webhook_max_connections=40).webhook_max_connections == 40
    app = make_app(engine, api, webhook=dataclasses.replace(HOOK, max_connections=1))
    async with hosted(engine, app):
        (call,) = await api.wait_sent("setWebhook")
        assert call.params["max_connections"] == 1


async def test_update_with_the_right_secret_is_processed(webhook, api: FakeBotAPI) -> None:
    _, base = webhook
    update = {"update_id": 41, "message": api.message(1001, "/start")}
    assert await post(base, update) == 200
    (reply,) = await api.wait_sent("sendMessage", 1001)
    assert "Choose your language" in reply.text
    # Telegram repeats an update whose answer it did not see: nothing happens twice.
    assert await post(base, update) == 200
    await asyncio.sleep(0.3)
    assert len(api.sent("sendMessage", 1001)) == 1


async def test_wrong_or_missing_secret_is_refused(webhook, api: FakeBotAPI) -> None:
    _, base = webhook
    update = {"update_id": 42, "message": api.message(1002, "/start")}
    assert await post(base, update, secret="wrong") == 401
    assert await post(base, update, secret=None) == 401
    await asyncio.sleep(0.2)
    assert not api.sent("sendMessage", 1002)


async def test_malformed_body_is_a_bad_request(webhook) -> None:
    _, base = webhook
    assert await post(base, {"update_id": "not a number", "message": 5}) == 400


async def test_json_nested_beyond_reading_is_a_bad_request(webhook) -> None:
    _, base = webhook
    depth = 100_000
    body = '{"update_id": 1, "message": ' + "[" * depth + "]" * depth + "}"
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(base + "/telegram/hook", data=body, headers=headers) as response,
    ):
        assert response.status == 400


async def test_an_update_that_cannot_be_stored_is_not_acknowledged(
    webhook, api: FakeBotAPI, monkeypatch
) -> None:
    """The database is away: 503, so that Telegram sends the update again later."""
    app, base = webhook

    async def away(batch: object) -> None:
        raise DatabaseUnavailable("the database is away")

    monkeypatch.setattr(app.intake, "receive", away)
    assert await post(base, {"update_id": 5, "message": api.message(42, "hi")}) == 503
    assert not api.sent("sendMessage", 42)


async def test_healthz(webhook) -> None:
    _, base = webhook
    async with aiohttp.ClientSession() as session, session.get(base + "/healthz") as response:
        assert response.status == 200
        assert (await response.json())["status"] == "ok"


async def test_start_up_calls_are_retried_not_fatal(engine: Engine, api: FakeBotAPI) -> None:
    api.fail("setWebhook", 500, times=2)
    api.fail("setMyCommands", 502, times=5)
    app = make_app(engine, api, webhook=HOOK)
    async with hosted(engine, app) as task:
        await api.wait_sent("setWebhook", timeout=5)
        await api.wait_sent("setMyCommands", timeout=5)
        assert not task.done()
