"""The skill server: the aiohttp endpoint Kakao's Open Builder calls, one POST per utterance.

Checks in Kakao's order (docs/kakao.md): a body over the cap is 413; a missing or wrong secret
header (compared in constant time) is 401; a body that is no JSON or no skill payload is 400;
another bot's call is 403. Every other call is answered 200 with a valid SkillResponse (skill.py),
an error inside the turn included. GET /healthz says the server is up.
"""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

from aiohttp import web

from bot.channels.kakao import mapping
from bot.channels.kakao.skill import Skill

log = logging.getLogger(__name__)

dumps = partial(json.dumps, ensure_ascii=False)
# Untranslated on purpose: said when even finding the user's language failed.
LAST_RESORT = {
    "version": "2.0",
    "template": {
        "outputs": [
            {
                "simpleText": {
                    "text": "죄송해요, 잠시 후 다시 보내 주세요."
                    " · Sorry, please try again in a moment."
                    " · Извините, попробуйте ещё раз чуть позже."
                }
            }
        ]
    },
}


@dataclass(frozen=True, slots=True)
class SkillEndpoint:
    """Where and for whom the skill server listens."""

    bot_id: str
    secret: str
    secret_header: str = "X-Orderbot-Secret"
    path: str = "/kakao/skill"
    host: str = "127.0.0.1"
    port: int = 8081
    max_body: int = 64 * 1024


class SkillServer:
    def __init__(self, endpoint: SkillEndpoint, skill: Skill) -> None:
        self.endpoint = endpoint
        self.skill = skill
        self.secret = endpoint.secret.encode()
        self.runner = web.AppRunner(self.web_app(), access_log=None)

    def web_app(self) -> web.Application:
        app = web.Application(client_max_size=self.endpoint.max_body)
        app.router.add_post(self.endpoint.path, self._receive)
        app.router.add_get("/healthz", self._healthz)
        return app

    async def start(self) -> list[Any]:
        """Listen; the addresses listened on."""
        await self.runner.setup()
        site = web.TCPSite(self.runner, self.endpoint.host, self.endpoint.port)
        await site.start()
        log.info("kakao skill server on %s:%s", self.endpoint.host, self.endpoint.port)
        return list(self.runner.addresses)

    async def close(self) -> None:
        await self.runner.cleanup()

    async def _receive(self, request: web.Request) -> web.StreamResponse:
        length = request.content_length
        if length is not None and length > self.endpoint.max_body:
            return web.Response(status=413, text="body too large")
        given = request.headers.get(self.endpoint.secret_header, "").encode()
        if not hmac.compare_digest(given, self.secret):
            return web.Response(status=401, text="wrong or missing secret")
        try:
            body = json.loads(await request.read())
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413, text="body too large")
        except (ValueError, RecursionError):  # not UTF-8 or not JSON; nested beyond reading
            return web.Response(status=400, text="not JSON")
        bot = body.get("bot") if isinstance(body, dict) else None
        if isinstance(bot, dict) and bot.get("id") not in (None, self.endpoint.bot_id):
            return web.Response(status=403, text="another bot")
        try:
            inbound = mapping.read_payload(body)
        except mapping.BadPayload as error:
            return web.Response(status=400, text=f"not a skill payload: {error}")
        if request_id := request.headers.get("X-Request-Id"):
            log.debug("kakao request %s", request_id[:64])
        try:
            answer = await self.skill.answer(inbound)
        except Exception:  # a bug past the turn's own apology: still no error bubble
            log.exception("kakao skill call failed")
            answer = LAST_RESORT
        return web.json_response(answer, dumps=dumps)

    async def _healthz(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"status": "ok"})
