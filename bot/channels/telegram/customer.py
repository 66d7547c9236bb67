"""The customer's side: a private chat's message or tap -> the engine -> rendered replies.

The channel (channel.py) maps the update to an event and plans the messages; this module runs
the turn and sends them: edits in place, deletes a message that held a secret, finds the words
of the contact button, apologizes when a turn fails. A turn's replies are stored with its
update in the turn's transaction (bot/channels/intake.py), and sent again by `resend` when the
process died before sending them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from typing import Any

from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.methods import AnswerCallbackQuery, DeleteMessage, EditMessageText, SendMessage
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, Update

from bot.channels.intake import Intake, Receipt
from bot.channels.telegram import mapping, render
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.desk import StaffDesk
from core.commands import holds_secret, secret_refusal
from core.engine import Engine
from core.i18n import Translator, pick_language, translator
from core.types import Event, Reply
from storage.repos import Tx

log = logging.getLogger(__name__)


def not_modified(error: TelegramBadRequest) -> bool:
    """Editing a message into what it already is (a double tap): nothing to do."""
    return "not modified" in error.message


class CustomerChats:
    def __init__(
        self,
        engine: Engine,
        channel: TelegramChannel,
        *,
        desk: StaffDesk | None = None,
        intake: Intake | None = None,
        wake_outbox: Callable[[], None] = lambda: None,
    ) -> None:
        self.engine = engine
        self.intake = intake
        self.channel = channel
        self.sender = channel.sender
        self.desk = desk
        self.wake_outbox = wake_outbox
        # Chats with a contact (reply) keyboard on screen, to remove it when no longer asked.
        self.keyboards = render.BoundedSet()

    async def on_message(
        self, message: Message, update: Update, receipt: Receipt | None = None
    ) -> None:
        event = self.channel.to_event(update)
        if event is None:
            return
        where = {"chat": message.chat.id, "source": message.message_id}
        replies = await self._turn(event, receipt, where)
        await self.send_replies(
            message.chat.id, replies, source=message.message_id, hint=event.language_hint
        )

    async def on_callback(
        self, query: CallbackQuery, chat_id: int, update: Update, receipt: Receipt | None = None
    ) -> None:
        # Answered first, whatever follows: the spinner on the button stops at once.
        with suppress(TelegramAPIError):
            await self.sender.call(AnswerCallbackQuery(callback_query_id=query.id), attempts=1)
        event = self.channel.to_event(update)
        if event is None:
            return
        tapped = query.message.message_id if isinstance(query.message, Message) else None
        replies = await self._turn(event, receipt, {"chat": chat_id, "tapped": tapped})
        await self.send_replies(chat_id, replies, tapped=tapped, hint=event.language_hint)

    async def _turn(
        self, event: Event, receipt: Receipt | None, where: dict[str, Any]
    ) -> list[Reply]:
        """The engine's turn; with a receipt, its replies are stored with the update in the
        turn's transaction, with `where` they go (for `resend`)."""
        if receipt is None or self.intake is None:
            replies = await self.engine.handle(event)
        else:
            intake = self.intake

            async def store(tx: Tx, replies: list[Reply]) -> None:
                stored = None
                if replies:
                    stored = {
                        **where,
                        "hint": event.language_hint,
                        "replies": [reply.to_json() for reply in replies],
                    }
                await intake.answer(tx, receipt, stored)

            # The intake recorded the delivery when it stored the update, and its answer
            # guards the turn: the engine records none (docs/architecture.md, "Intake").
            replies = await self.engine.handle(replace(event, delivery_id=None), on_commit=store)
            receipt.answered = True
        self.wake_outbox()
        return replies

    async def resend(self, stored: dict[str, Any]) -> None:
        """Send a committed turn's replies again (the process died before it sent them)."""
        replies = [Reply.from_json(reply) for reply in stored["replies"]]
        await self.send_replies(
            stored["chat"],
            replies,
            source=stored.get("source"),
            tapped=stored.get("tapped"),
            hint=stored.get("hint"),
        )

    async def on_edited(self, message: Message) -> None:
        """A customer edited a message: screened like a new one (an edit that now holds a card
        number or a password is deleted, never relayed, and the customer is told why), else
        staff's copy of it is edited, if it went to support."""
        text = message.text if message.text is not None else message.caption
        if text is not None and holds_secret(text):
            await self._refuse_secret(message)
            return
        if self.desk is not None:
            await self.desk.relay_customer_edit(message)

    async def _refuse_secret(self, message: Message) -> None:
        chat_id = message.chat.id
        await self._delete(chat_id, message.message_id)
        hint = message.from_user.language_code if message.from_user is not None else None
        t = await self.translator_for(chat_id, hint)
        await self.sender.send(chat_id, SendMessage(chat_id=chat_id, text=secret_refusal(t._)))

    async def _delete(self, chat_id: int, message_id: int) -> None:
        try:
            await self.sender.send(chat_id, DeleteMessage(chat_id=chat_id, message_id=message_id))
        except TelegramAPIError as error:  # too old, or already gone: nothing more to do
            log.info("could not delete message %s in chat %s: %s", message_id, chat_id, error)

    async def send_replies(
        self,
        chat_id: int,
        replies: list[Reply],
        *,
        source: int | None = None,
        tapped: int | None = None,
        hint: str | None = None,
    ) -> None:
        if not replies:
            return  # a redelivered update: answered the first time
        if source is not None and any(reply.delete_source for reply in replies):
            await self._delete(chat_id, source)
        words = {"contact_label": "", "or_choose": ""}
        asking = next((reply for reply in replies if reply.request_contact), None)
        if asking is not None:
            # The reply's own language, known to the flow; a lookup only if it did not say.
            if asking.language is not None:
                t = translator(asking.language)
            else:
                t = await self.translator_for(chat_id, hint)
            words = {
                "contact_label": t._("📱 Share my phone number"),
                "or_choose": t._("Or choose an option:"),
            }
        outgoing, shown = self.channel.render(
            replies, tapped=tapped, keyboard_shown=chat_id in self.keyboards, **words
        )
        self.keyboards.set(chat_id, shown)
        for message in outgoing:
            if message.edit is not None and await self._edit(chat_id, message):
                continue
            send = SendMessage(chat_id=chat_id, text=message.text, reply_markup=message.markup)
            await self.sender.send(chat_id, send)

    async def _edit(self, chat_id: int, message: render.Outgoing) -> bool:
        """Edit the tapped message in place; False when Telegram refuses (send anew)."""
        assert message.edit is not None
        markup = message.markup if isinstance(message.markup, InlineKeyboardMarkup) else None
        edit = EditMessageText(
            chat_id=chat_id, message_id=message.edit, text=message.text, reply_markup=markup
        )
        try:
            await self.sender.send(chat_id, edit)
        except TelegramBadRequest as error:
            if not_modified(error):
                return True
            log.info("could not edit message %s in chat %s: %s", message.edit, chat_id, error)
            return False
        return True

    async def apologize(self, chat_id: int, hint: str | None) -> None:
        t = await self.translator_for(chat_id, hint)
        text = t._("Sorry, something went wrong on our side. Please try again in a moment.")
        await self.sender.send(chat_id, SendMessage(chat_id=chat_id, text=text))

    async def translator_for(self, chat_id: int, hint: str | None) -> Translator:
        """The customer's chosen language, else their Telegram app's, else English."""
        language: str | None = None
        try:
            async with self.engine.db.transaction() as tx:
                user = await tx.users.find(mapping.TRANSPORT, str(chat_id))
                language = user.language if user is not None else None
        except Exception as error:  # the database may be what failed: the hint will do
            log.warning("could not read the language of chat %s: %s", chat_id, error)
        return translator(language or pick_language(hint) or "en")
