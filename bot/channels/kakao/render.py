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
- A cart or an order (a reply's `Summary`): an `itemCard` in place of the text that says it,
  when every field keeps the card's limits and the whole answer fits in the outputs with it,
  the text before it above and the summary's notes and the rest of the text below. Else the
  text, as any other. A product row reads "레몬 ×2" | "36,000원" when every product's name
  and quantity fit a row's title (6 characters), else "페퍼민트" | "×2 · 66,000원" when every
  name fits it and every quantity and amount a row's description (14); longer names (most
  English and Russian ones) leave the cart as text.

The words the channel adds (the pointer to the rest) come from the caller, in the user's
language. Every response passes `limits.problems`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.channels.kakao import limits
from core.types import Button, Reply, Row, Summary

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


def _titled(row: Row) -> dict[str, str]:
    """A product row with its quantity in the title: "레몬 ×2" | "36,000원"."""
    return {"title": f"{row.what} ×{row.quantity}", "description": row.amount}


def _described(row: Row) -> dict[str, str]:
    """A product row with its quantity in the description: "페퍼민트" | "×2 · 66,000원"."""
    return {"title": row.what, "description": f"×{row.quantity} · {row.amount}"}


def _item_card(summary: Summary) -> dict[str, Any] | None:
    """The summary as an item card in the first of the row layouts whose every field keeps
    the limits; None when neither does."""
    for product in (_titled, _described):
        rows = [
            product(row) if row.quantity else {"title": row.what, "description": row.amount}
            for row in summary.rows
        ]
        card = {
            "head": {"title": summary.title},
            "itemList": rows,
            "itemListAlignment": "right",
            "itemListSummary": {"title": summary.total.what, "description": summary.total.amount},
        }
        if not limits.item_card_problems(card):
            return {"itemCard": card}
    return None


def _carded(texts: list[str], replies: Sequence[Reply]) -> tuple[int, dict[str, Any]] | None:
    """Which reply's text gives way to its summary's item card, and the card: the first whose
    summary fits one and says a part of that text."""
    for index, (text, reply) in enumerate(zip(texts, replies, strict=False)):
        summary = reply.summary
        if summary is not None and summary.replaces and summary.replaces in text:
            card = _item_card(summary)
            if card is not None:
                return index, card
    return None


def _around_card(
    segments: list[str], texts: list[str], replies: Sequence[Reply]
) -> list[dict[str, Any]] | None:
    """The outputs with an item card for a summary in place of the text it says, after the
    notices' `segments` and before the replies after it; None when there is no such card or
    the whole answer does not fit in the outputs with it."""
    carded = _carded(texts, replies)
    if carded is None:
        return None
    index, card = carded
    summary = replies[index].summary
    assert summary is not None
    before, _, after = texts[index].partition(summary.replaces)
    above_card = [*segments, *texts[:index], before]
    below_card = [summary.notes, after, *texts[index + 1 :]]
    # The text above may have bubbles of its own (a notice's) where the text below, joined,
    # leaves room.
    above = _fitted(above_card, limits.OUTPUTS - 1 - len(_joined(below_card)))
    if above is None:
        return None
    below = _fitted(below_card, limits.OUTPUTS - 1 - len(above))
    assert below is not None, "it fits joined"
    return [*_bubbles(above), card, *_bubbles(below)]


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
    noticed = [_notice_text(notice) for notice in notices]
    carded = None if cards else _around_card(noticed, texts, replies)
    if carded is not None:
        outputs, rest = carded, ""
    else:
        outputs, rest = _text_outputs([*noticed, *texts], limits.OUTPUTS - len(cards), more)
        outputs += cards
    template: dict[str, Any] = {"outputs": outputs}
    if quick:
        template["quickReplies"] = quick
    return Rendered({"version": "2.0", "template": template}, rest)


def _bubbles(texts: Sequence[str]) -> list[dict[str, Any]]:
    return [{"simpleText": {"text": text}} for text in texts]


def _fitted(segments: Sequence[str], slots: int) -> list[str] | None:
    """The text `segments` in at most `slots` bubbles, a bubble each where they fit so, else
    joined; None when they do not fit."""
    separate = [chunk for segment in segments for chunk in chunks(segment)]
    if len(separate) <= slots:
        return separate
    joined = _joined(segments)
    return joined if len(joined) <= slots else None


def _joined(segments: Sequence[str]) -> list[str]:
    """The text `segments` joined, in as few bubbles as it takes."""
    return chunks(_join(segments))


def _join(segments: Sequence[str]) -> str:
    return "\n\n".join(segment.strip() for segment in segments if segment.strip())


def _text_outputs(
    segments: Sequence[str], slots: int, more: str
) -> tuple[list[dict[str, Any]], str]:
    """`simpleText` outputs for the text `segments` (each notice, then each reply) in `slots`
    bubbles, a bubble each where they fit so, and what did not fit."""
    found = _fitted(segments, slots)
    if found is not None:
        return _bubbles(found or [more or SHORTENED]), ""
    # Room for the pointer in the last bubble: the text is split again a little shorter.
    found = chunks(_join(segments), limits.TEXT - len(more) - 2)
    kept, rest = found[:slots], found[slots:]
    kept[-1] = f"{kept[-1]}\n\n{more}".strip()
    return _bubbles(kept), "\n".join(rest)
