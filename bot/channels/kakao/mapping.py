"""Kakao skill payload -> engine `Event`. Pure functions: no I/O, no business rule.

A skill call (docs/kakao.md, "The skill contract") becomes:
- a tap on one of our quick replies or list items: its `extra` comes back as
  `action.clientExtra`; `{"a": token}` is an ACTION with that token (a malformed token becomes
  `STALE_ACTION`, which no flow knows: answered as an old button);
- an utterance starting with "/": a COMMAND;
- the channel's bottom-menu utterance for quick order ("카톡 간편 주문" and its twins): the
  `/order` command;
- no utterance (the welcome block): `/resume`, which asks the current step again (onboarding
  for a new user);
- anything else: TEXT, marked `numbered`, since the options may be read as numbered lines: the
  engine matches a typed number or label against the options last shown (core/options.py).

The user is `<bot id>:<botUserKey>`, present in every call, the admin centre's tests
included. Kakao has no delivery id and no redelivery: `Event.delivery_id` is None.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from core.actions import fits
from core.i18n import LANGUAGES, N_, pick_language, translator
from core.options import folded
from core.types import Event, Kind, UserRef
from policy.config import market_config

TRANSPORT = "kakao"
STALE_ACTION = "kakao:stale"
# The bottom menu's quick-order entry as the admin centre may name it, per language.
QUICK_ORDER_MENU = N_("KakaoTalk quick order")
QUICK_ORDER_COMMAND = "order"


class BadPayload(ValueError):
    """A body that is no skill payload (a 400)."""


@dataclass(frozen=True, slots=True)
class Inbound:
    """What orderbot reads of a skill payload."""

    bot_id: str
    user_key: str  # botUserKey
    linked_key: str | None  # plusfriendUserKey, when Kakao sends it
    utterance: str
    token: str | None  # our action token from clientExtra, if any
    lang: str | None  # the payload's weak language hint ("ko"; older pages say "kr")
    trigger: str  # flow.trigger.type: logged, never decided on

    @property
    def user(self) -> UserRef:
        return UserRef(TRANSPORT, f"{self.bot_id}:{self.user_key}")


def _text(value: Any, field: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise BadPayload(f"{field} is missing or not a string")
    return value


def _map(value: Any, field: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadPayload(f"{field} is not an object")
    return value


def _either(properties: dict[str, Any], camel: str, snake: str) -> str | None:
    """A property in either spelling (live payloads add snake_case twins)."""
    value = properties.get(camel, properties.get(snake))
    return value if isinstance(value, str) and value else None


def read_payload(body: Any) -> Inbound:
    """The parts of a skill payload orderbot uses; `BadPayload` when they are not there."""
    payload = _map(body, "the body")
    request = _map(payload.get("userRequest"), "userRequest")
    user = _map(request.get("user"), "userRequest.user")
    properties = _map(user.get("properties"), "userRequest.user.properties")
    bot = _map(payload.get("bot"), "bot")
    action = _map(payload.get("action"), "action")
    extra = action.get("clientExtra")
    token = extra.get("a") if isinstance(extra, dict) else None
    trigger = _map(_map(payload.get("flow"), "flow").get("trigger"), "flow.trigger")
    lang = request.get("lang")
    return Inbound(
        bot_id=_text(bot.get("id"), "bot.id"),
        user_key=_text(user.get("id"), "userRequest.user.id")[:70],
        linked_key=_either(properties, "plusfriendUserKey", "plusfriend_user_key"),
        utterance=_text(request.get("utterance"), "userRequest.utterance", required=False),
        token=token if token is None or isinstance(token, str) else "",
        lang=lang if isinstance(lang, str) else None,
        trigger=str(trigger.get("type") or ""),
    )


def language_hint(lang: str | None) -> str | None:
    """Our language for the payload's hint: "kr" is the country some pages send for Korean."""
    return "ko" if lang and lang.lower() == "kr" else pick_language(lang)


def _menu_words() -> frozenset[str]:
    words = {translator(language)._(QUICK_ORDER_MENU) for language in LANGUAGES}
    button = market_config("KR").ordering.kakao_menu_button  # R-KR-ORD-7
    if button:
        words.add(button)
    return frozenset(folded(word) for word in words)


MENU_WORDS = _menu_words()


def hashed(key: str) -> str:
    """A user key as logged or shown to staff: keys are personal data."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def to_event(inbound: Inbound) -> Event:
    """The payload as the engine's event (module docstring)."""
    user = inbound.user
    # Kakao gives no name: staff see a pseudonym, never the key.
    common: dict[str, Any] = {
        "language_hint": language_hint(inbound.lang),
        "display_name": f"Kakao {hashed(inbound.user_key)[:6]}",
    }
    if inbound.token is not None:
        action = inbound.token if fits(inbound.token) and inbound.token.isprintable() else ""
        return Event(user, Kind.ACTION, action=action or STALE_ACTION, **common)
    text = inbound.utterance.strip()
    if not text:
        return Event(user, Kind.COMMAND, command="resume", **common)
    if text.startswith("/"):
        name, _, args = text[1:].partition(" ")
        return Event(user, Kind.COMMAND, text=args.strip(), command=name.lower(), **common)
    if folded(text) in MENU_WORDS:
        return Event(user, Kind.COMMAND, command=QUICK_ORDER_COMMAND, **common)
    return Event(user, Kind.TEXT, text=text, numbered=True, **common)
