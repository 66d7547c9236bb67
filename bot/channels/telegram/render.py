"""Engine replies -> Telegram messages: text chunks, inline keyboards, the contact keyboard.

Rules (docs/telegram.md):
- A text longer than Telegram's 4096 characters (counted in UTF-16 units, as Telegram does) is
  split at line boundaries; a single longer line at a space, else anywhere. Buttons go with the
  last chunk.
- A reply without buttons is joined to the reply after it (a blank line between) when both fit
  one message: "Added to your cart" and the cart, a "that is not a number" and the question
  again. One message instead of two: Telegram allows a bot about one message a second in a
  chat before it answers 429, and a customer gets one notification, not two. Not when the
  button-less message must carry the removal of a contact keyboard (below).
- Edit in place: the answer to a button tap edits the message that had the button when the
  answer is exactly one reply (after joining), with buttons, that fits one message and asks no
  contact (a menu leading to a sub-menu, the language question turning into the market
  question, the quantity question into "added" and the cart). Anything else is sent as new
  messages, so that what the user is told stays in the history.
- `Reply.request_contact` shows a reply keyboard with a "share my phone number" button. A
  message carries one keyboard only, so inline buttons of such a reply follow in a second
  message. The reply keyboard is removed with the next message that carries no other keyboard
  once a reply no longer asks for a contact.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, replace
from functools import lru_cache

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from core.types import Button, Reply

TEXT_LIMIT = 4096
EMPTY_TEXT = "…"  # Telegram refuses an empty message; a reply of buttons alone gets this

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Telegram message to send, or (`edit`) the tapped message to edit into it."""

    text: str
    markup: Markup | None = None
    edit: int | None = None


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut(line: str, limit: int) -> tuple[str, str]:
    """The longest head of `line` within `limit` UTF-16 units (at a space if there is one)."""
    size, end = 0, 0
    for index, char in enumerate(line):
        size += 2 if ord(char) > 0xFFFF else 1
        if size > limit:
            break
        end = index + 1
    space = line.rfind(" ", 0, end)
    if end < len(line) and space > end // 2:
        end = space + 1
    return line[:end], line[end:]


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Chunks of at most `limit` UTF-16 units, cut at line boundaries where possible."""
    if utf16_len(text) <= limit:  # nearly every reply: one chunk
        return [text.strip("\n")] if text.strip() else []
    pieces: list[str] = []  # lines, over-long ones cut into parts
    for line in text.splitlines(keepends=True):
        while utf16_len(line) > limit:
            head, line = _cut(line, limit)
            pieces.append(head)
        if line:
            pieces.append(line)
    chunks: list[str] = []
    current, size = "", 0
    for piece in pieces:
        length = utf16_len(piece)
        if current and size + length > limit:
            chunks.append(current)
            current, size = "", 0
        current += piece
        size += length
    if current:
        chunks.append(current)
    return [chunk.strip("\n") for chunk in chunks if chunk.strip()]


def inline_keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return _inline_keyboard(reply.buttons)


def buttons_markup(buttons: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup:
    """The inline keyboard of a staff card's decision buttons."""
    return _inline_keyboard(buttons)


# Building a keyboard is pydantic validation, ~5 us a button, and the same menus and product
# lists are sent over and over. aiogram's models are NOT frozen and one cached object is sent
# to every chat with that layout: treat a returned keyboard as read-only (nothing changes one
# after this function; a keyboard that must differ is a different `buttons` key).
@lru_cache(maxsize=2048)
def _inline_keyboard(buttons: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=button.label, callback_data=button.action) for button in row]
            for row in buttons
        ]
    )


@lru_cache(maxsize=64)
def contact_keyboard(label: str) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=label, request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def joined(replies: list[Reply]) -> list[Reply]:
    """Each reply without buttons merged into the next one where the two fit one message."""
    out: list[Reply] = []
    for reply in replies:
        before = out[-1] if out else None
        if before is not None and not before.buttons and not before.request_contact:
            head, tail = before.text.strip("\n"), reply.text.strip("\n")
            text = f"{head}\n\n{tail}"
            if head.strip() and tail.strip() and utf16_len(text) <= TEXT_LIMIT:
                delete = before.delete_source or reply.delete_source
                out[-1] = replace(reply, text=text, delete_source=delete)
                continue
        out.append(reply)
    return out


def can_edit(replies: list[Reply]) -> bool:
    """The edit-in-place rule (module docstring)."""
    if len(replies) != 1:
        return False
    reply = replies[0]
    return (
        bool(reply.buttons)
        and not reply.request_contact
        and len(split_text(reply.text) or [EMPTY_TEXT]) == 1
    )


def plan(
    replies: list[Reply],
    *,
    tapped: int | None = None,
    contact_label: str = "",
    or_choose: str = "",
    keyboard_shown: bool = False,
) -> tuple[list[Outgoing], bool]:
    """The messages for `replies`, and whether a contact keyboard is shown afterwards.

    `tapped`: the message whose button was tapped (edit candidate); `keyboard_shown`: a contact
    keyboard is on the user's screen from an earlier reply.
    """
    if not keyboard_shown or any(reply.request_contact for reply in replies):
        replies = joined(replies)
    if tapped is not None and can_edit(replies):
        reply = replies[0]
        text = (split_text(reply.text) or [EMPTY_TEXT])[0]
        return [Outgoing(text, inline_keyboard(reply), edit=tapped)], keyboard_shown
    out: list[Outgoing] = []
    asks_contact = False
    for reply in replies:
        chunks = split_text(reply.text)
        inline = inline_keyboard(reply)
        if not chunks and (inline or reply.request_contact):
            chunks = [EMPTY_TEXT]
        if not chunks:
            continue
        out.extend(Outgoing(chunk) for chunk in chunks[:-1])
        if reply.request_contact:
            asks_contact = True
            out.append(Outgoing(chunks[-1], contact_keyboard(contact_label)))
            if inline is not None:
                out.append(Outgoing(or_choose or EMPTY_TEXT, inline))
        else:
            out.append(Outgoing(chunks[-1], inline))
    if asks_contact:
        return out, True
    if keyboard_shown:
        for index, message in enumerate(out):
            if message.markup is None:
                out[index] = Outgoing(message.text, ReplyKeyboardRemove())
                return out, False
    return out, keyboard_shown


class BoundedSet:
    """Keys remembered most-recently-used first, forgetting the oldest past `capacity`."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._keys: OrderedDict[Hashable, None] = OrderedDict()

    def __contains__(self, key: Hashable) -> bool:
        return key in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def set(self, key: Hashable, present: bool) -> None:
        if not present:
            self._keys.pop(key, None)
            return
        self._keys[key] = None
        self._keys.move_to_end(key)
        while len(self._keys) > self.capacity:
            self._keys.popitem(last=False)
