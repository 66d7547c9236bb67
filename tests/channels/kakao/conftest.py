"""The Kakao skill server over real loopback HTTP, with a client that speaks for one user."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from bot.app import Host
from bot.channels.kakao import limits
from bot.channels.kakao.app import KakaoApp
from bot.channels.kakao.event_api import EventApi
from bot.channels.kakao.server import SkillEndpoint
from core.engine import Engine
from tests.channels.kakao import payloads

SECRET = "kakao-s3cret"
HEADER = "X-Orderbot-Secret"
PATH = "/kakao/skill"
ENDPOINT = SkillEndpoint(bot_id=payloads.BOT_ID, secret=SECRET, path=PATH, port=0)


@asynccontextmanager
async def serving(
    engine: Engine, *, budget: float = 3.5, event_api: EventApi | None = None
) -> AsyncIterator[KakaoApp]:
    """A Kakao app served by the process host (outbox runner, jobs) until the block ends."""
    app = KakaoApp(
        engine,
        ENDPOINT,
        block_id="fake-block-fallback",
        budget=budget,
        event_api=event_api,
        strict=True,
    )
    host = Host(engine, [app], outbox_poll=0.05, jobs=())
    task = asyncio.create_task(host.run(handle_signals=False))
    try:
        await asyncio.wait_for(app.started.wait(), 5)
        yield app
    finally:
        host.stop()
        # Generous: a stop once took over 10 s on a loaded, shared PostgreSQL server (the
        # outbox runner being cancelled; cause not pinned down).
        await asyncio.wait_for(task, 30)


def base_url(app: KakaoApp) -> str:
    host, port = app.addresses[0][:2]
    return f"http://{host}:{port}"


class Kakao:
    """One Kakao user talking to the skill server: posts payloads, reads the answers."""

    def __init__(self, session: aiohttp.ClientSession, base: str, user: str) -> None:
        self.session, self.base, self.user = session, base, user
        self.response: dict[str, Any] = {}

    async def post(
        self, body: Any, *, secret: str | None = SECRET, raw: bytes | None = None
    ) -> tuple[int, Any]:
        headers = {HEADER: secret} if secret is not None else {}
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
        async with self.session.post(self.base + PATH, data=data, headers=headers) as response:
            text = await response.text()
            if response.status != 200:
                return response.status, text
            assert response.content_type == "application/json"
            answer = json.loads(text)
            limits.check(answer)
            return response.status, answer

    async def send(self, body: dict[str, Any]) -> Kakao:
        status, answer = await self.post(body)
        assert status == 200, answer
        self.response = answer
        return self

    async def say(self, text: str, **kwargs: Any) -> Kakao:
        return await self.send(payloads.typed(text, user=self.user, **kwargs))

    async def tap(self, label: str) -> Kakao:
        """Tap the quick reply or list item whose full text contains `label`."""
        folded = label.casefold()
        for option in self.options:
            if folded in option["messageText"].casefold():
                body = payloads.tapped(option["messageText"], option["extra"]["a"], user=self.user)
                return await self.send(body)
        raise AssertionError(f"no option like {label!r}: {[o['label'] for o in self.options]}")

    async def press_token(self, token: str) -> Kakao:
        """Tap a quick reply carrying `token` (shown or not: an older answer's)."""
        return await self.send(payloads.tapped("…", token, user=self.user))

    def expect_not(self, *fragments: str) -> Kakao:
        for fragment in fragments:
            assert fragment.casefold() not in self.text.casefold(), f"{fragment!r} in:\n{self.text}"
        return self

    @property
    def outputs(self) -> list[dict[str, Any]]:
        return self.response["template"]["outputs"]

    @property
    def texts(self) -> list[str]:
        return [o["simpleText"]["text"] for o in self.outputs if "simpleText" in o]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def options(self) -> list[dict[str, Any]]:
        """Quick replies and list items, as {label, messageText, extra}."""
        found = [
            {"label": q["label"], "messageText": q["messageText"], "extra": q["extra"]}
            for q in self.response["template"].get("quickReplies", [])
        ]
        for output in self.outputs:
            for card in output.get("carousel", {}).get("items", []):
                for item in card.get("items", []):
                    found.append(
                        {
                            "label": item["title"],
                            "messageText": item["messageText"],
                            "extra": item["extra"],
                        }
                    )
        return found

    def expect(self, *fragments: str) -> Kakao:
        for fragment in fragments:
            assert fragment.casefold() in self.text.casefold(), f"{fragment!r} not in:\n{self.text}"
        return self


@pytest.fixture
async def kakao_app(engine: Engine) -> AsyncIterator[KakaoApp]:
    async with serving(engine) as app:
        yield app


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def kakao(kakao_app: KakaoApp, http: aiohttp.ClientSession) -> Kakao:
    return Kakao(http, base_url(kakao_app), "fake-bot-user-key-0001")
