"""Telegram input -> engine `Event`s. Pure functions: no I/O, no business rule.

A message becomes a command (`/cmd@bot args`), text, a shared contact or media; a button tap
becomes an action. The delivery id is the update id, so a redelivered update is a no-op in the
engine. Callback data is checked for shape only (length, printable, no spaces): a malformed or
forged one becomes `STALE_ACTION`, which no flow knows, so the engine answers it as an old
button ("this button is no longer valid" and the current step). A well-formed token is checked
by the flow of the current step like any tap, so forging one gains nothing a tap would not.
"""

from __future__ import annotations

import re
from typing import Any

from aiogram.types import CallbackQuery, Message

from core.actions import fits
from core.types import Event, Kind, UserRef

TRANSPORT = "telegram"
STALE_ACTION = "tg:stale"
# "/name@bot args": Telegram's rule for names (1-32 of A-Z a-z 0-9 _), arguments may span lines.
_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?:\s+(.*))?", re.DOTALL)
# Content relayed to support as media (copied, never interpreted); anything else without text
# (service messages: members joining, pins, topics...) is ignored.
MEDIA_TYPES = (
    "photo",
    "animation",  # before document: an animation message carries a document too
    "document",
    "video",
    "voice",
    "audio",
    "video_note",
    "sticker",
    "location",
    "venue",
)


def delivery_id(update_id: int) -> str:
    return f"tg:{update_id}"


def user_ref(chat_id: int) -> UserRef:
    """Customers are keyed by their private chat id (`users.external_id`)."""
    return UserRef(TRANSPORT, str(chat_id))


def parse_command(text: str, bot_username: str | None) -> tuple[str, str] | None:
    """'/Cmd@bot args' -> ('cmd', 'args'); None for text, or a command for another bot."""
    match = _COMMAND.fullmatch(text)
    if match is None:
        return None
    name, target, args = match.groups()
    if target and bot_username and target.casefold() != bot_username.casefold():
        return None
    return name.lower(), (args or "").strip()


_NO_SPACE = re.compile(r"\S+")  # \S: what str.isspace() calls space, never


def valid_action(data: str | None) -> bool:
    """Well-formed callback data: 1..64 bytes of printable characters without spaces."""
    if data is None or not fits(data):  # fits: UTF-8 (no lone surrogates), at most 64 bytes
        return False
    return data.isprintable() and _NO_SPACE.fullmatch(data) is not None


def staff_author(message: Message, staff_chat_id: int) -> int | None:
    """Who wrote a message in the staff group: a person's user id, or the group's own id for an
    admin posting anonymously (as the group: Telegram signs it with a bot account,
    GroupAnonymousBot). None for other bots and for posts as a channel: never staff."""
    if message.sender_chat is not None:
        return staff_chat_id if message.sender_chat.id == staff_chat_id else None
    user = message.from_user
    return None if user is None or user.is_bot else user.id


def attachment_of(message: Message) -> dict[str, Any] | None:
    """What support needs to relay a media message: its type, file id, and where it is."""
    for kind in MEDIA_TYPES:
        value = getattr(message, kind, None)
        if not value:
            continue
        attachment: dict[str, Any] = {
            "type": kind,
            "chat_id": message.chat.id,
            "message_id": message.message_id,
        }
        if kind == "photo":
            attachment["file_id"] = value[-1].file_id  # the largest size
        elif hasattr(value, "file_id"):
            attachment["file_id"] = value.file_id
        if getattr(value, "file_name", None):
            attachment["file_name"] = value.file_name
        return attachment
    return None


def message_event(message: Message, update_id: int, bot_username: str | None) -> Event | None:
    """A customer's message in a private chat; None for anything the bot does not take."""
    sender = message.from_user
    common: dict[str, Any] = {
        "delivery_id": delivery_id(update_id),
        "message_id": message.message_id,
        "display_name": sender.full_name if sender else "",
        "language_hint": sender.language_code if sender else None,
        "at": message.date,
    }
    user = user_ref(message.chat.id)
    if message.text is not None:
        command = parse_command(message.text, bot_username)
        if command is not None:
            # A deep link (t.me/bot?start=return_KR-1) arrives as "/start return_KR-1": the
            # payload is the command's text, which /start keeps as "flow_args".
            return Event(user, Kind.COMMAND, text=command[1], command=command[0], **common)
        return Event(user, Kind.TEXT, text=message.text, **common)
    if message.contact is not None:
        phone = message.contact.phone_number
        # Only the user's own number (the request_contact button) counts as a shared contact;
        # a forwarded contact card is just a number typed in.
        own = sender is not None and message.contact.user_id == sender.id
        return Event(user, Kind.CONTACT if own else Kind.TEXT, text=phone, **common)
    attachment = attachment_of(message)
    if attachment is None:
        return None
    return Event(user, Kind.MEDIA, text=message.caption or "", attachment=attachment, **common)


def action_event(query: CallbackQuery, chat_id: int, update_id: int) -> Event:
    """A button tap; malformed data becomes STALE_ACTION (answered as an old button)."""
    data = query.data if valid_action(query.data) else STALE_ACTION
    return Event(
        user_ref(chat_id),
        Kind.ACTION,
        action=data or STALE_ACTION,
        delivery_id=delivery_id(update_id),
        display_name=query.from_user.full_name,
        language_hint=query.from_user.language_code,
    )
