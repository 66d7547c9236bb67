"""Notices through Kakao's Event API (a local fake of it): sent once when Kakao takes them;
when it refuses, held for the user's next message and shown there once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.channels.kakao.event_api import EVENT_NAME, EventApi
from core.engine import Engine
from storage.db import Database
from tests.channels.kakao.conftest import Kakao, base_url, serving
from tests.channels.kakao.test_conversations import KEY, onboard
from tests.conftest import BACKENDS

API_KEY = "rest-api-key-for-tests"


class FakeEventApi:
    """Kakao's Event API on loopback: records the calls, answers `status` (or an HTTP error)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self.status, self.http_status = "SUCCESS", 200
        app = web.Application()
        app.router.add_post("/v2/bots/{bot}/talk", self._talk)
        self.runner = web.AppRunner(app)

    async def _talk(self, request: web.Request) -> web.StreamResponse:
        self.calls.append((request.match_info["bot"], dict(request.headers), await request.json()))
        if self.http_status != 200:
            return web.json_response({"message": "refused"}, status=self.http_status)
        return web.json_response({"taskId": "task-1", "status": self.status, "message": ""})

    async def start(self) -> str:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        host, port = self.runner.addresses[0][:2]
        return f"http://{host}:{port}"


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeEventApi]:
    fake = FakeEventApi()
    fake.base = await fake.start()  # type: ignore[attr-defined]
    yield fake
    await fake.runner.cleanup()


async def eventually(check: Callable[[], Any]) -> None:
    for _ in range(200):
        if await check():
            return
        await asyncio.sleep(0.025)
    raise AssertionError("never happened")


async def queue_notice(db: Database, engine: Engine, text: str) -> int:
    async with db.transaction() as tx:
        user = await tx.users.find("kakao", KEY)
        assert user is not None
        await tx.outbox.add("user", {"text": text}, engine.clock(), user_id=user.id)
        return user.id


async def unsent(db: Database, user_id: int) -> int:
    async with db.transaction() as tx:
        return len(await tx.outbox.unsent_upto(10**9, channel="user", user_ids=[user_id]))


async def test_a_notice_goes_through_the_event_api_once(
    engine: Engine, db: Database, http: aiohttp.ClientSession, fake_api: FakeEventApi
) -> None:
    api = EventApi(fake_api.base, API_KEY)  # type: ignore[attr-defined]
    async with serving(engine, event_api=api) as app:
        kakao = Kakao(http, base_url(app), "fake-bot-user-key-0001")
        await onboard(kakao, "English", "Korea")
        user_id = await queue_notice(db, engine, "Your order KR-2611-000001 is paid.")
        app.skill.wake_outbox()

        async def sent() -> bool:
            return bool(fake_api.calls) and await unsent(db, user_id) == 0

        await eventually(sent)
        [(bot, headers, body)] = fake_api.calls
        assert bot == "fake-bot-id-0001"
        assert headers["Authorization"] == f"KakaoAK {API_KEY}"
        assert body["event"] == {
            "name": EVENT_NAME,
            "data": {"text": "Your order KR-2611-000001 is paid."},
        }
        assert body["user"] == [{"type": "botUserKey", "id": "fake-bot-user-key-0001"}]
        await kakao.say("/menu")
        assert "is paid" not in kakao.text  # not shown a second time


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
@pytest.mark.parametrize("refusal", ["FAIL", 400])
async def test_a_refused_notice_waits_for_the_next_message(
    engine: Engine,
    db: Database,
    http: aiohttp.ClientSession,
    fake_api: FakeEventApi,
    refusal: str | int,
) -> None:
    if isinstance(refusal, int):
        fake_api.http_status = refusal
    else:
        fake_api.status = refusal
    api = EventApi(fake_api.base, API_KEY)  # type: ignore[attr-defined]
    async with serving(engine, event_api=api) as app:
        kakao = Kakao(http, base_url(app), "fake-bot-user-key-0001")
        await onboard(kakao, "English", "Korea")
        user_id = await queue_notice(db, engine, "Support: we have your parcel.")
        app.skill.wake_outbox()

        async def held() -> bool:
            async with db.transaction() as tx:
                rows = await tx.outbox.pending_for(user_id, engine.clock())
            return bool(rows) and rows[0].payload.get("held") is True

        await eventually(held)
        app.skill.wake_outbox()  # another outbox pass: it does not offer the notice again
        await eventually(held)
        assert len(fake_api.calls) == 1
        await kakao.say("/menu")
        assert kakao.texts[0] == "Support: we have your parcel."
        await kakao.say("/menu")
        assert "parcel" not in kakao.text
        assert len(fake_api.calls) == 1
