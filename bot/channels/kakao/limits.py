"""Kakao's documented limits of a skill response (SkillResponse v2.0), and their validator.

Kakao drops a bubble that breaks them (and restricts repeat offenders), so every response is
checked before it is sent: the renderer keeps within them, and `problems` says where it did not
(tests raise on any; the server sends a plain apology instead and logs the problems).
Lengths are counted in characters as Python counts them, which errs on the short side for
emoji; a bubble's size in bytes is that of its JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

OUTPUTS = 3
QUICK_REPLIES = 10
LABEL = 14  # a button's or quick reply's label (none documented for quick replies: the same)
TEXT = 1000  # simpleText
TITLE = 50  # card and list header titles; list item titles by our own rule
TEXT_CARD = 400  # textCard title + description
LIST_ITEMS = 5
LIST_ITEMS_IN_CAROUSEL = 4
CAROUSEL_ITEMS = 10
LIST_CARDS_IN_CAROUSEL = 5
CARD_BUTTONS = 3
ITEM_ROWS = 10
ITEM_TITLE = 6  # a row's title, and the summary's
ITEM_DESCRIPTION = 14  # the summary's; a row's by our own rule (none documented)
ITEM_ALIGNMENTS = ("left", "right")
BUBBLE_BYTES = 30_720
EXTRA_BYTES = 256  # our `extra` map: {"a": token}, the token at most 64 bytes
QUICK_REPLY_ACTIONS = ("message", "block")


class LimitsBroken(AssertionError):
    """A response breaks Kakao's limits (raised by `check`: in tests)."""


def _length(value: Any, most: int, where: str, found: list[str], *, empty: bool = False) -> None:
    if not isinstance(value, str) or (not value and not empty):
        found.append(f"{where}: missing")
    elif len(value) > most:
        found.append(f"{where}: {len(value)} characters, at most {most}")


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode())


def _buttons(buttons: Any, where: str, found: list[str]) -> None:
    if buttons is None:
        return
    if not isinstance(buttons, list) or len(buttons) > CARD_BUTTONS:
        found.append(f"{where}.buttons: at most {CARD_BUTTONS}")
        return
    for index, button in enumerate(buttons):
        _length(button.get("label"), LABEL, f"{where}.buttons[{index}].label", found)
        _extra(button.get("extra"), f"{where}.buttons[{index}]", found)


def _extra(extra: Any, where: str, found: list[str]) -> None:
    if extra is not None and (not isinstance(extra, dict) or _size(extra) > EXTRA_BYTES):
        found.append(f"{where}.extra: not a map of at most {EXTRA_BYTES} bytes")


def _simple_text(body: dict[str, Any], where: str, found: list[str], _: bool) -> None:
    _length(body.get("text"), TEXT, f"{where}.text", found)


def _text_card(body: dict[str, Any], where: str, found: list[str], _: bool) -> None:
    title, description = body.get("title") or "", body.get("description") or ""
    _length(title, TITLE, f"{where}.title", found, empty=True)
    if len(title) + len(description) > TEXT_CARD:
        found.append(f"{where}: title and description over {TEXT_CARD} characters")
    _buttons(body.get("buttons"), where, found)


def _list_card(body: dict[str, Any], where: str, found: list[str], in_carousel: bool) -> None:
    _length((body.get("header") or {}).get("title"), TITLE, f"{where}.header.title", found)
    items = body.get("items")
    most = LIST_ITEMS_IN_CAROUSEL if in_carousel else LIST_ITEMS
    if not isinstance(items, list) or not 1 <= len(items) <= most:
        found.append(f"{where}.items: 1 to {most}")
        return
    for index, item in enumerate(items):
        _length(item.get("title"), TITLE, f"{where}.items[{index}].title", found)
        _extra(item.get("extra"), f"{where}.items[{index}]", found)
    _buttons(body.get("buttons"), where, found)


def _item_card(body: dict[str, Any], where: str, found: list[str], in_carousel: bool) -> None:
    head = body.get("head")
    if head is not None:
        _length(head.get("title"), TITLE, f"{where}.head.title", found)
    rows = body.get("itemList")
    most = ITEM_ROWS // 2 if in_carousel else ITEM_ROWS
    if not isinstance(rows, list) or not 1 <= len(rows) <= most:
        found.append(f"{where}.itemList: 1 to {most} rows")
        return
    for index, row in enumerate(rows):
        _item(row, f"{where}.itemList[{index}]", found)
    summary = body.get("itemListSummary")
    if summary is not None:
        _item(summary, f"{where}.itemListSummary", found)
    alignment = body.get("itemListAlignment")
    if alignment is not None and alignment not in ITEM_ALIGNMENTS:
        found.append(f"{where}.itemListAlignment: {alignment!r}")
    _buttons(body.get("buttons"), where, found)


def _item(item: Any, where: str, found: list[str]) -> None:
    """An item card's row or summary: a title and a description."""
    if not isinstance(item, dict):
        found.append(f"{where}: not an object")
        return
    _length(item.get("title"), ITEM_TITLE, f"{where}.title", found)
    _length(item.get("description"), ITEM_DESCRIPTION, f"{where}.description", found)


def item_card_problems(body: dict[str, Any]) -> list[str]:
    """Every way an item card (the output's body) breaks the limits."""
    found: list[str] = []
    _item_card(body, "itemCard", found, False)
    return found


Checker = Callable[[dict[str, Any], str, list[str], bool], None]
CARDS: dict[str, Checker] = {"textCard": _text_card, "listCard": _list_card, "itemCard": _item_card}
COMPONENTS: dict[str, Checker] = {"simpleText": _simple_text, **CARDS}


def _carousel(body: dict[str, Any], where: str, found: list[str]) -> None:
    kind, items = body.get("type"), body.get("items")
    if kind not in CARDS:
        found.append(f"{where}.type: {kind!r} is not a card we send")
        return
    most = LIST_CARDS_IN_CAROUSEL if kind == "listCard" else CAROUSEL_ITEMS
    if not isinstance(items, list) or not 1 <= len(items) <= most:
        found.append(f"{where}.items: 1 to {most}")
        return
    for index, item in enumerate(items):
        CARDS[kind](item, f"{where}.items[{index}]", found, True)


def _output(output: Any, where: str, found: list[str]) -> None:
    if not isinstance(output, dict) or len(output) != 1:
        found.append(f"{where}: one component per output")
        return
    ((kind, body),) = output.items()
    if not isinstance(body, dict):
        found.append(f"{where}.{kind}: not an object")
    elif kind == "carousel":
        _carousel(body, f"{where}.carousel", found)
    elif kind in COMPONENTS:
        COMPONENTS[kind](body, f"{where}.{kind}", found, False)
    else:
        found.append(f"{where}: {kind!r} is not a component we send")
    if _size(output) > BUBBLE_BYTES:
        found.append(f"{where}: over {BUBBLE_BYTES} bytes")


def _quick_reply(reply: Any, where: str, found: list[str]) -> None:
    if not isinstance(reply, dict):
        found.append(f"{where}: not an object")
        return
    _length(reply.get("label"), LABEL, f"{where}.label", found)
    _length(reply.get("messageText"), TEXT, f"{where}.messageText", found)
    action = reply.get("action")
    if action not in QUICK_REPLY_ACTIONS:
        found.append(f"{where}.action: {action!r}")
    elif action == "block" and not reply.get("blockId"):
        found.append(f"{where}.blockId: missing for a block action")
    _extra(reply.get("extra"), where, found)


def problems(response: Any) -> list[str]:
    """Every way `response` breaks the limits; empty when it keeps them all."""
    if not isinstance(response, dict) or response.get("version") != "2.0":
        return ['version: "2.0" is required']
    template = response.get("template")
    if not isinstance(template, dict):
        return ["template: missing"]
    found: list[str] = []
    outputs = template.get("outputs")
    if not isinstance(outputs, list) or not 1 <= len(outputs) <= OUTPUTS:
        found.append(f"template.outputs: 1 to {OUTPUTS}")
    else:
        for index, output in enumerate(outputs):
            _output(output, f"outputs[{index}]", found)
    replies = template.get("quickReplies", [])
    if not isinstance(replies, list) or len(replies) > QUICK_REPLIES:
        found.append(f"template.quickReplies: at most {QUICK_REPLIES}")
    else:
        for index, reply in enumerate(replies):
            _quick_reply(reply, f"quickReplies[{index}]", found)
    return found


def check(response: Any) -> None:
    """Raise `LimitsBroken` listing every limit `response` breaks."""
    found = problems(response)
    if found:
        raise LimitsBroken("; ".join(found))
