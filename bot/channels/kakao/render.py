"""The engine's replies (and pending notices) -> one SkillResponse v2.0, within Kakao's limits.

- Text: the notices first, then the replies, as `simpleText` outputs of at most 1,000
  characters, split at line breaks, else between words (only a word longer than a bubble is
  cut). What does not fit in the outputs left (3, less the cards) is not dropped: the last
  output says the rest follows, and the rest is returned for the caller to keep for the user's
  next message.
- Options: up to 10 as quick replies, their token in `extra` (it comes back as `clientExtra`),
  their label cut to 14 characters with "…"; when a label had to be cut, the options are listed
  numbered in the bubble with their full text (a typed number or label picks one). More than 10
  options: list cards in a carousel, 4 per card, 5 cards; any beyond as numbered lines. A
  notice's buttons (an auto-order reminder's) follow as quick replies where there is room.

The words the channel adds (the pointer to the rest) come from the caller, in the user's
language. Every response passes `limits.problems`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.channels.kakao import limits
from core.types import Button, Reply

SHORTENED = "…"


@dataclass(frozen=True, slots=True)
class Rendered:
    response: dict[str, Any]
    rest: str = ""  # text that did not fit: for the user's next message


def short(label: str, most: int = limits.LABEL) -> str:
    """`label` in at most `most` characters, "…" marking a cut."""
    label = " ".join(label.split())
    return label if len(label) <= most else label[: most - 1].rstrip() + SHORTENED


def _pieces(line: str, most: int) -> list[str]:
    """A line longer than `most` as pieces split between words (a longer word is cut)."""
    pieces: list[str] = []
    current = ""
    for word in line.split(" "):
        while len(word) > most:  # no space to split at: cut, never lose
            if current:
                pieces.append(current)
                current = ""
            pieces.append(word[:most])
            word = word[most:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= most:
            current = candidate
        else:
            pieces.append(current)
            current = word
    if current:
        pieces.append(current)
    return pieces


def chunks(text: str, most: int = limits.TEXT) -> list[str]:
    """`text` in chunks of at most `most` characters, split at line breaks where it can."""
    found: list[str] = []
    current = ""
    for line in text.split("\n"):
        for piece in _pieces(line, most) if len(line) > most else [line]:
            candidate = f"{current}\n{piece}" if current else piece
            if len(candidate) <= most:
                current = candidate
                continue
            if current.strip():
                found.append(current.strip("\n"))
            current = piece
    if current.strip():
        found.append(current.strip("\n"))
    return found


def _quick_reply(button: Button, block_id: str) -> dict[str, Any]:
    reply: dict[str, Any] = {
        "label": short(button.label),
        "action": "block" if block_id else "message",
        "messageText": short(button.label, limits.TEXT),
        "extra": {"a": button.action},
    }
    if block_id:
        reply["blockId"] = block_id
    return reply


def _list_item(number: int, button: Button) -> dict[str, Any]:
    return {
        "title": short(f"{number}. {button.label}", limits.TITLE),
        "action": "message",
        "messageText": short(button.label, limits.TEXT),
        "extra": {"a": button.action},
    }


def _list_cards(options: Sequence[Button]) -> dict[str, Any]:
    per, total = limits.LIST_ITEMS_IN_CAROUSEL, len(options)
    cards = []
    for start in range(0, min(total, per * limits.LIST_CARDS_IN_CAROUSEL), per):
        page = options[start : start + per]
        title = f"{start + 1}–{start + len(page)} / {total}"
        items = [_list_item(start + offset + 1, b) for offset, b in enumerate(page)]
        cards.append({"header": {"title": title}, "items": items})
    return {"carousel": {"type": "listCard", "items": cards}}


def _numbered(options: Sequence[Button], first: int = 1) -> str:
    return "\n".join(f"{number}. {b.label}" for number, b in enumerate(options, first))


def _cut(options: Sequence[Button]) -> bool:
    """Some label had to be shortened to fit a quick reply."""
    return any(short(b.label) != " ".join(b.label.split()) for b in options)


def _notice_text(notice: Reply) -> str:
    """A notice's text, with its buttons' full labels when a quick reply shortens one."""
    options = notice.options()
    listed = "\n".join(f"• {b.label}" for b in options) if _cut(options) else ""
    return "\n\n".join(part for part in (notice.text.strip(), listed) if part)


def render(
    replies: Sequence[Reply],
    *,
    notices: Sequence[Reply] = (),
    more: str = "",
    block_id: str = "",
) -> Rendered:
    """The response for `replies` after `notices` (outbox messages; their buttons become quick
    replies after the answer's, where there is room); `more` ends the last output when the text
    does not fit (in the user's language); `block_id`: where quick replies send their text."""
    options = [button for reply in replies for button in reply.options()]
    texts = [reply.text.strip() for reply in replies] or [""]
    cards: list[dict[str, Any]] = []
    buttons: list[Button] = []
    if len(options) > limits.QUICK_REPLIES:
        cards.append(_list_cards(options))
        shown = limits.LIST_ITEMS_IN_CAROUSEL * limits.LIST_CARDS_IN_CAROUSEL
        if len(options) > shown:
            texts[-1] += "\n\n" + _numbered(options[shown:], shown + 1)
    else:
        buttons = list(options)
        if _cut(options):
            texts[-1] += "\n\n" + _numbered(options)
    buttons += [b for notice in notices for b in notice.options()]
    quick = [_quick_reply(b, block_id) for b in buttons[: limits.QUICK_REPLIES]]
    segments = [*(_notice_text(notice) for notice in notices), *texts]
    outputs, rest = _text_outputs(segments, limits.OUTPUTS - len(cards), more)
    template: dict[str, Any] = {"outputs": outputs + cards}
    if quick:
        template["quickReplies"] = quick
    return Rendered({"version": "2.0", "template": template}, rest)


def _text_outputs(
    segments: Sequence[str], slots: int, more: str
) -> tuple[list[dict[str, Any]], str]:
    """`simpleText` outputs for the text `segments` (each notice, then each reply) in `slots`
    bubbles, a bubble each where they fit so, and what did not fit."""
    separate = [chunk for segment in segments for chunk in chunks(segment)]
    if len(separate) <= slots:
        return [{"simpleText": {"text": chunk}} for chunk in separate or [more or SHORTENED]], ""
    text = "\n\n".join(segment.strip() for segment in segments if segment.strip())
    found = chunks(text)
    if len(found) <= slots:
        return [{"simpleText": {"text": chunk}} for chunk in found], ""
    # Room for the pointer in the last bubble: the text is split again a little shorter.
    found = chunks(text, limits.TEXT - len(more) - 2)
    kept, rest = found[:slots], found[slots:]
    kept[-1] = f"{kept[-1]}\n\n{more}".strip()
    return [{"simpleText": {"text": chunk}} for chunk in kept], "\n".join(rest)
