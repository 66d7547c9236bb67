"""Realistic skill payloads (docs/kakao.md and the contract in the shared notes): typed text, a
quick-reply tap, a list-item tap, the welcome block; the admin centre's test shape (only
botUserKey) and the real channel's (both spellings, `isFriend` present or absent)."""

from __future__ import annotations

from typing import Any

BOT_ID = "fake-bot-id-0001"
BLOCK = {"id": "fake-block-fallback", "name": "폴백 블록"}


def payload(
    utterance: str = "",
    *,
    user: str = "fake-bot-user-key-0001",
    bot_id: str = BOT_ID,
    extra: dict[str, Any] | None = None,
    trigger: str = "TEXT_INPUT",
    lang: str | None = "ko",
    surface: str = "Kakaotalk.plusfriend",
    friend: bool = True,
    snake_case: bool = False,
    plusfriend: str | None = "fake-pf-key-0001",
) -> dict[str, Any]:
    properties: dict[str, Any] = {"botUserKey": user}
    if surface == "Kakaotalk.plusfriend":
        if plusfriend is not None:
            properties["plusfriendUserKey"] = plusfriend
        if snake_case:
            properties.update(
                {"bot_user_key": user, "plusfriend_user_key": plusfriend, "accountId": "12345"}
            )
        if friend:
            properties["isFriend"] = True  # absent, never false, for others
    request: dict[str, Any] = {
        "timezone": "Asia/Seoul",
        "params": {"surface": surface},
        "block": BLOCK,
        "utterance": utterance,
        "user": {"id": user, "type": "botUserKey", "properties": properties},
    }
    if lang is not None:
        request["lang"] = lang
    return {
        "intent": {"id": BLOCK["id"], "name": BLOCK["name"]},
        "userRequest": request,
        "bot": {"id": bot_id, "name": "orderbot-dev"},
        "action": {
            "id": "fake-skill-0001",
            "name": "orderbot",
            "params": {},
            "detailParams": {},
            "clientExtra": extra,
        },
        "contexts": [],
        "flow": {
            "trigger": {"type": trigger, "referrerBlock": BLOCK},
            "lastBlock": BLOCK,
        },
    }


def typed(text: str, **kwargs: Any) -> dict[str, Any]:
    return payload(text, **kwargs)


def tapped(label: str, token: str, **kwargs: Any) -> dict[str, Any]:
    """A quick reply tapped: its messageText as the utterance, our token in clientExtra."""
    return payload(label, extra={"a": token}, trigger="QUICKREPLY_BUTTON_BLOCK", **kwargs)


def list_item(title: str, token: str, **kwargs: Any) -> dict[str, Any]:
    return payload(title, extra={"a": token}, trigger="LIST_ITEM_MESSAGE", **kwargs)


def welcome(**kwargs: Any) -> dict[str, Any]:
    return payload("", extra={}, trigger="WELCOME", **kwargs)


def admin_test(text: str, **kwargs: Any) -> dict[str, Any]:
    """The admin centre's skill test: only botUserKey, no plusfriendUserKey, no isFriend."""
    return payload(text, surface="BuilderBotTest", **kwargs)
