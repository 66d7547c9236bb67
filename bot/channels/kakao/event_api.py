"""Kakao's Event API: the one way a Kakao bot speaks first (paid: docs/kakao.md).

`POST {base}/v2/bots/{bot id}/talk` with `Authorization: KakaoAK <REST API key>` fires the
bot's event block for the listed users, the notice's text in the event's data. Kakao answers
`{"taskId", "status", "message"}`; a status other than SUCCESS, or a 4xx, is a refusal (the
user is no channel friend, the wallet is empty, the key is wrong): `Refused`, and the notice
waits for the user's next message instead. Anything else (a 5xx, the network) raises as is and
the outbox runner tries again later.
"""

from __future__ import annotations

from typing import Any

import aiohttp

EVENT_NAME = "orderbot_notice"  # the event block's event name, set in the admin centre


class Refused(Exception):
    """Kakao will not deliver this notice through the Event API."""


class EventApi:
    def __init__(self, base: str, key: str, *, timeout: float = 10.0) -> None:
        self.base = base.rstrip("/")
        self.key = key
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def send(self, bot_id: str, user_key: str, text: str) -> None:
        """Fire the event block for one user (their botUserKey) with `text`."""
        body = {
            "event": {"name": EVENT_NAME, "data": {"text": text}},
            "user": [{"type": "botUserKey", "id": user_key}],
        }
        headers = {"Authorization": f"KakaoAK {self.key}"}
        url = f"{self.base}/v2/bots/{bot_id}/talk"
        async with self.session().post(url, json=body, headers=headers) as response:
            if 400 <= response.status < 500:
                raise Refused(f"HTTP {response.status}")
            response.raise_for_status()
            answer: Any = await response.json(content_type=None)
        status = answer.get("status") if isinstance(answer, dict) else None
        if status != "SUCCESS":
            raise Refused(f"status {status!r}")

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
