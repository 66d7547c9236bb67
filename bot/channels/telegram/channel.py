"""The Telegram channel (bot/channels/base.py): customers in private chats.

- `to_event`: a private chat's message or button tap (mapping.py); the update id is the
  delivery id, so a redelivered update changes nothing.
- `render`: render.py's plan: inline keyboards, edit in place, the contact keyboard, texts
  split at 4096 characters.
- `deliver`: an outbox message to the customer's chat, unprompted: a copy of what staff sent
  (a photo or document, with its caption), or the text in as many messages as it takes,
  resumed after the last one delivered (`send_resumable`).
- `failure`: errors.py (blocked or a bad request: permanent; a timeout after the request left:
  maybe sent).
- Rate limits: the `Sender`'s buckets; a delivery waits for flood control at most `max_wait`,
  then raises `RetryLater`, so the outbox runner postpones the row instead of holding its lease.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiogram.methods import CopyMessage, SendMessage
from aiogram.types import Update

from bot.channels.base import Capabilities, Channel, Checkpoint, Failure, notice_buttons
from bot.channels.telegram import errors, mapping, render
from bot.channels.telegram.sender import Sender, send_resumable
from core.types import Event, Reply
from storage.records import User


class TelegramChannel(Channel):
    transport = mapping.TRANSPORT
    capabilities = Capabilities(
        edit=True,
        delete=True,
        contact=True,
        push=True,
        buttons=100,  # an inline keyboard's limit
        text_limit=render.TEXT_LIMIT,
    )

    def __init__(self, sender: Sender, *, max_wait: float | None = 60.0) -> None:
        super().__init__()
        self.sender = sender
        self.max_wait = max_wait  # outbox deliveries postpone rather than wait longer
        self.username: str | None = None  # the bot's, for "/command@bot" (learnt at start-up)

    def to_event(self, raw: Update) -> Event | None:
        """A message or a button tap in a private chat; None for anything else."""
        message = raw.message
        if message is not None:
            if message.chat.type != "private":
                return None
            return mapping.message_event(message, raw.update_id, self.username)
        query = raw.callback_query
        if query is not None and query.message is not None:
            chat = query.message.chat
            if chat.type == "private":
                return mapping.action_event(query, chat.id, raw.update_id)
        return None

    def render(
        self,
        replies: Sequence[Reply],
        *,
        tapped: int | None = None,
        keyboard_shown: bool = False,
        contact_label: str = "",
        or_choose: str = "",
    ) -> tuple[list[render.Outgoing], bool]:
        """The messages for `replies` and whether a contact keyboard is shown afterwards
        (`render.plan`: `tapped` is the message to edit in place, `keyboard_shown` whether a
        contact keyboard is on the chat's screen, the words are those of the contact button)."""
        return render.plan(
            replies,
            tapped=tapped,
            keyboard_shown=keyboard_shown,
            contact_label=contact_label,
            or_choose=or_choose,
        )

    async def deliver(
        self, user: User, payload: dict[str, Any], checkpoint: Checkpoint
    ) -> int | None:
        chat_id = int(user.external_id)
        text = str(payload.get("text") or "")
        attachment = payload.get("attachment") or {}
        if attachment.get("chat_id") and attachment.get("message_id"):
            copy = CopyMessage(
                chat_id=chat_id,
                from_chat_id=attachment["chat_id"],
                message_id=attachment["message_id"],
                caption=text[: render.CAPTION_LIMIT] or None,
            )
            return (await self.sender.send(chat_id, copy, max_wait=self.max_wait)).message_id
        methods = [SendMessage(chat_id=chat_id, text=chunk) for chunk in render.split_text(text)]
        buttons = notice_buttons(payload)
        if buttons and methods:  # decision buttons (an auto-order reminder) under the last part
            methods[-1] = methods[-1].model_copy(
                update={"reply_markup": render.buttons_markup(buttons)}
            )
        return await send_resumable(
            methods,
            lambda method: self.sender.send(chat_id, method, max_wait=self.max_wait),
            progress=payload,
            checkpoint=checkpoint,
            what=f"outbox message to chat {chat_id}",
        )

    def failure(self, error: BaseException) -> Failure:
        return errors.failure(error)
