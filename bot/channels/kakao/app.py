"""Wiring the Kakao channel for the process host (bot/app.py `ChannelApp`): the skill server,
the channel (pushing through the Event API when a key is set), no staff desk of its own (a
Kakao customer's support request goes to the Telegram staff desk of the process that has it).
`serve` listens until `stop`, then waits for the late turns still running."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.channels.base import StaffSide
from bot.channels.kakao.channel import KakaoChannel
from bot.channels.kakao.event_api import EventApi
from bot.channels.kakao.server import SkillEndpoint, SkillServer
from bot.channels.kakao.skill import Skill
from core.engine import Engine


class KakaoApp:
    def __init__(
        self,
        engine: Engine,
        endpoint: SkillEndpoint,
        *,
        block_id: str = "",
        budget: float = 3.5,
        event_api: EventApi | None = None,
        strict: bool = False,
    ) -> None:
        self.channel = KakaoChannel(block_id=block_id, event_api=event_api)
        self.event_api = event_api
        self.skill = Skill(engine, self.channel, budget=budget, strict=strict)
        self.server = SkillServer(endpoint, self.skill)
        self.desk: StaffSide | None = None
        self.started = asyncio.Event()
        self.addresses: list[Any] = []
        self._stop = asyncio.Event()

    def set_outbox_wake(self, wake: Callable[[], None]) -> None:
        self.skill.wake_outbox = wake

    async def serve(self) -> None:
        self.addresses = await self.server.start()
        self.started.set()
        try:
            await self._stop.wait()
        finally:
            await self.server.close()
            await self.skill.drain()

    def stop(self) -> None:
        self._stop.set()

    async def close(self) -> None:
        if self.event_api is not None:
            await self.event_api.close()
