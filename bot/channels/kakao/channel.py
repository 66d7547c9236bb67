"""The Kakao channel (bot/channels/base.py): customers of the company's KakaoTalk channel.

- `to_event`: a skill payload as an event (mapping.py); no delivery id.
- `render`: render.py's SkillResponse: text bubbles, quick replies, list cards.
- No push of its own: a notice waits in the outbox for the user's next message and is put in
  front of that answer (skill.py). With an Event API key the channel pushes: `deliver` sends
  the notice through the Event API; when Kakao refuses it, the notice is marked `held` and
  given back to wait for the next message (the outbox runner leaves it alone for a week).
- No edit, no delete (a message that held a secret stays; the engine never echoes it), no
  contact control (the flows' phone question is answered by typing).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.channels.base import Capabilities, Channel, Checkpoint, RetryLater
from bot.channels.kakao import limits, mapping, render
from bot.channels.kakao.event_api import EventApi, Refused
from core.types import Event, Reply
from storage.records import User

HELD_SECONDS = 7 * 24 * 3600.0  # a refused notice is not offered to the Event API again sooner


def user_key(user: User) -> tuple[str, str]:
    """(bot id, botUserKey) of a Kakao user (`users.external_id` is "<bot id>:<key>")."""
    bot_id, _, key = user.external_id.partition(":")
    return bot_id, key


class KakaoChannel(Channel):
    transport = mapping.TRANSPORT

    def __init__(self, *, block_id: str = "", event_api: EventApi | None = None) -> None:
        super().__init__()
        self.block_id = block_id  # the fallback block: where quick replies send their text
        self.event_api = event_api
        self.capabilities = Capabilities(  # type: ignore[misc]
            push=event_api is not None,
            buttons=limits.QUICK_REPLIES,
            text_limit=limits.TEXT,
            cards=True,
        )

    def to_event(self, raw: Any) -> Event:
        """A skill payload (parsed JSON) as an event; `mapping.BadPayload` when it is none."""
        return mapping.to_event(mapping.read_payload(raw))

    def render(
        self, replies: Sequence[Reply], *, notices: Sequence[Reply] = (), more: str = ""
    ) -> render.Rendered:
        return render.render(replies, notices=notices, more=more, block_id=self.block_id)

    async def deliver(
        self, user: User, payload: dict[str, Any], checkpoint: Checkpoint
    ) -> int | None:
        assert self.event_api is not None, "the outbox runner asks channels that push only"
        bot_id, key = user_key(user)
        try:
            await self.event_api.send(bot_id, key, str(payload.get("text") or ""))
        except Refused:
            payload["held"] = True  # handed over with the user's next answer instead
            await checkpoint()
            raise RetryLater(HELD_SECONDS) from None
        return None
