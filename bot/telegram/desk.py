"""The staff support desk: a supergroup with forum topics, one topic per ticket.

Outbox payloads for the "staff" channel (flows/support.py) become topics and messages:
ticket_opened -> a topic named after the ticket and the customer, with a summary card;
customer_message -> the text (or a copy of the photo or document) in the topic, its staff-side
message id linked for edits; ticket_claimed / ticket_closed -> a line in the topic (closed: the
topic is closed too). A topic deleted by staff is re-created, with the card, on its next message.

Staff write in the topic: text and media go to the customer (`Desk.staff_reply`), edits follow
(`Desk.staff_edit`), `/claim` and `/close` act on the ticket. Anyone who can post in the staff
chat is staff: Telegram only lets members post there, so membership is the check (the bot must
be an admin there anyway, to manage topics; see docs/telegram.md). Messages in the General topic
and from bots are ignored, and so are staff notes starting with "//".

Extension point: `payloads` maps a staff payload type to its handler and `actions` maps the
prefix of a staff button's callback data (`"<prefix>:..."`) to its handler, so a flow that needs
staff decisions (e.g. approving a return) adds its payload type and buttons here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.methods import (
    AnswerCallbackQuery,
    CloseForumTopic,
    CopyMessage,
    CreateForumTopic,
    EditMessageCaption,
    EditMessageText,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.types import CallbackQuery, Message

from bot.telegram import mapping, render
from bot.telegram.sender import Sender
from flows.i18n import translator
from flows.support import Desk, EditRelay
from storage.db import Database
from storage.records import Ticket

log = logging.getLogger(__name__)

TOPIC_NAME_LIMIT = 128
CAPTION_LIMIT = 1024
INTERNAL_NOTE = "//"  # a staff message starting so stays in the topic
PayloadHandler = Callable[[dict[str, Any]], Awaitable[None]]
# (the tap, its callback data, the update id) -> the text of the answer (a toast), or None
ActionHandler = Callable[[CallbackQuery, str, int], Awaitable[str | None]]


def thread_missing(error: TelegramAPIError) -> bool:
    """Telegram's answer for a topic that staff deleted."""
    return isinstance(error, TelegramBadRequest) and "thread not found" in error.message.lower()


def staff_name(message: Message) -> str:
    if message.sender_chat is not None:  # an anonymous admin posts as the group
        return (message.sender_chat.title or "admin")[:128]
    user = message.from_user
    if user is None:
        return "staff"
    name = user.full_name + (f" @{user.username}" if user.username else "")
    return name[:128]


class StaffDesk:
    def __init__(
        self,
        db: Database,
        sender: Sender,
        chat_id: int,
        *,
        clock: Callable[[], datetime],
        language: str = "en",
        wake_outbox: Callable[[], None] = lambda: None,
        max_wait: float | None = 60.0,
    ) -> None:
        self.db = db
        self.desk = Desk(db)
        self.sender = sender
        self.chat_id = chat_id
        self.clock = clock
        self.t = translator(language)
        self.wake_outbox = wake_outbox
        self.max_wait = max_wait  # outbox deliveries postpone rather than wait longer
        self.username: str | None = None
        self.payloads: dict[str, PayloadHandler] = {
            "ticket_opened": self._ticket_opened,
            "customer_message": self._customer_message,
            "ticket_claimed": self._ticket_claimed,
            "ticket_closed": self._ticket_closed,
        }
        self.actions: dict[str, ActionHandler] = {}

    # -- outbox payloads ---------------------------------------------------------------------
    async def deliver(self, payload: dict[str, Any]) -> None:
        """Carry out one staff-channel outbox payload (raises when Telegram fails)."""
        handler = self.payloads.get(str(payload.get("type")))
        if handler is None:
            log.warning("no staff desk handler for payload type %r", payload.get("type"))
            return
        await handler(payload)

    async def _ticket_opened(self, payload: dict[str, Any]) -> None:
        ticket = await self._ticket(payload["ticket_id"])
        if ticket is None:
            return
        await self.post(ticket, self._card_methods(ticket), card_on_recreate=False)

    async def _customer_message(self, payload: dict[str, Any]) -> None:
        ticket = await self._ticket(payload["ticket_id"])
        if ticket is None:
            return
        attachment = payload.get("attachment")
        text = str(payload.get("text") or "")
        if attachment and attachment.get("message_id") and attachment.get("chat_id"):
            sent = await self._copy(ticket, attachment, text)
        else:
            sent = await self.post(ticket, self._text_methods(text))
        if sent is not None and payload.get("row_id"):
            async with self.db.transaction() as tx:
                await tx.tickets.link_message(payload["row_id"], staff_message_id=sent)

    async def _ticket_claimed(self, payload: dict[str, Any]) -> None:
        ticket = await self._ticket(payload["ticket_id"])
        if ticket is None or ticket.topic_id is None:
            return
        text = self.t._("{staff} is handling request #{number}.").format(
            staff=payload.get("by") or "staff", number=ticket.id
        )
        await self.post(ticket, self._text_methods(text))

    async def _ticket_closed(self, payload: dict[str, Any]) -> None:
        ticket = await self._ticket(payload["ticket_id"])
        if ticket is None or ticket.topic_id is None:
            return  # closed before staff saw it: no topic to tell
        by = payload.get("by") or "customer"
        who = self.t._("the customer") if by == "customer" else by
        text = self.t._("Request #{number} was closed by {who}.").format(number=ticket.id, who=who)
        if await self.post(ticket, self._text_methods(text), recreate=False) is None:
            return
        try:
            await self._send(
                CloseForumTopic(chat_id=self.chat_id, message_thread_id=ticket.topic_id)
            )
        except TelegramAPIError as error:  # staff can still read it; closing is a courtesy
            log.info("could not close the topic of ticket %s: %s", ticket.id, error)

    # -- topics ------------------------------------------------------------------------------
    async def post(
        self,
        ticket: Ticket,
        methods: Callable[[int], list[TelegramMethod[Any]]],
        *,
        recreate: bool = True,
        card_on_recreate: bool = True,
    ) -> int | None:
        """Send `methods(thread)` into the ticket's topic, creating the topic if it has none.
        A topic staff deleted is re-created once (`recreate`), with a note and the summary card.
        Returns the first message's id; None when the topic is gone and not re-created."""
        thread = ticket.topic_id
        if thread is None:
            thread = await self._create_topic(ticket)
        try:
            return await self._send_all(methods(thread))
        except TelegramBadRequest as error:
            if not thread_missing(error):
                raise
            if not recreate:
                return None
            log.info("topic %s of ticket %s was deleted: re-creating it", thread, ticket.id)
            thread = await self._create_topic(ticket)
            note = self.t._("The previous topic of this request was deleted; this one replaces it.")
            intro = [self._message(thread, note)]
            if card_on_recreate:
                intro += self._card_methods(ticket)(thread)
            await self._send_all(intro)
            return await self._send_all(methods(thread))

    async def _send_all(self, methods: list[TelegramMethod[Any]]) -> int | None:
        first: int | None = None
        for method in methods:
            result = await self._send(method)
            if first is None:
                first = getattr(result, "message_id", None)
        return first

    async def _create_topic(self, ticket: Ticket) -> int:
        customer = str(ticket.summary.get("customer") or ticket.user_id)
        market = ticket.summary.get("market") or ""
        name = f"#{ticket.id} {market} {customer}".replace("  ", " ")[:TOPIC_NAME_LIMIT]
        topic = await self._send(CreateForumTopic(chat_id=self.chat_id, name=name))
        async with self.db.transaction() as tx:
            await tx.tickets.update(ticket, self.clock(), topic_id=topic.message_thread_id)
        return topic.message_thread_id

    def _card_methods(self, ticket: Ticket) -> Callable[[int], list[TelegramMethod[Any]]]:
        return self._text_methods(self.card(ticket))

    def card(self, ticket: Ticket) -> str:
        """The summary staff see first: who, where in the conversation, recent orders, words."""
        s = ticket.summary
        t = self.t
        lines = [
            t._("Support request #{number}: {customer}").format(
                number=ticket.id, customer=s.get("customer") or ticket.user_id
            ),
            t._("Language: {language} · Market: {market} · Via: {transport}").format(
                language=s.get("language") or "?",
                market=s.get("market") or "?",
                transport=s.get("transport") or "?",
            ),
            t._("Where: {flow} / {step} · Reason: {reason}").format(
                flow=ticket.flow or "-", step=ticket.step or "-", reason=ticket.reason
            ),
        ]
        orders = s.get("orders") or []
        lines.append(t._("Recent orders:") + ("" if orders else " " + t._("none")))
        lines.extend(f"• {order}" for order in orders)
        if s.get("said"):
            lines.append(t._("The customer said: {said}").format(said=s["said"]))
        lines.append(
            t._(
                "Reply in this topic to answer the customer; start with // for a note they do "
                "not see. /claim takes the request, /close ends it."
            )
        )
        return "\n".join(lines)

    # -- staff writing in the group ----------------------------------------------------------
    async def on_message(self, message: Message, update_id: int) -> None:
        thread = message.message_thread_id if message.is_topic_message else None
        if thread is None or (message.from_user is not None and message.from_user.is_bot):
            return
        now = self.clock()
        delivery = mapping.delivery_id(update_id)
        if message.text is not None and message.text.startswith("/"):
            command = mapping.parse_command(message.text, self.username)
            if command is not None:
                await self._command(command[0], thread, message, now, delivery)
            return  # a command for another bot is not a word for the customer
        text = message.text or message.caption or ""
        attachment = mapping.attachment_of(message)
        if not text and attachment is None:
            return  # a service message (topic edited, pinned...)
        if text.startswith(INTERNAL_NOTE):
            return  # staff talking among themselves
        ticket = await self._by_topic(thread)
        if ticket is None:
            return  # a topic that is no ticket's
        relayed = await self.desk.staff_reply(
            ticket.id,
            staff_name(message),
            text,
            message.message_id,
            now,
            delivery_id=delivery,
            attachment=attachment,
        )
        if relayed:
            self.wake_outbox()
            return
        note = self.t._("Request #{number} is closed: this message was not sent to the customer.")
        await self._send(self._message(thread, note.format(number=ticket.id)))

    async def _command(
        self, name: str, thread: int, message: Message, now: datetime, delivery: str
    ) -> None:
        ticket = await self._by_topic(thread)
        if ticket is None:
            return
        if name in ("claim", "close"):
            act = self.desk.claim if name == "claim" else self.desk.close
            done = await act(ticket.id, staff_name(message), now, delivery_id=delivery)
            if done is not None:
                self.wake_outbox()  # the confirmation comes through the outbox
                return
            text = self.t._("Request #{number} is already closed.").format(number=ticket.id)
        else:
            text = self.t._("In a request's topic: /claim takes the request, /close ends it.")
        await self._send(self._message(thread, text))

    async def on_edited(self, message: Message) -> None:
        """Staff edited a message they sent to a customer: edit the customer's copy."""
        thread = message.message_thread_id if message.is_topic_message else None
        text = message.text if message.text is not None else message.caption
        if thread is None or text is None:
            return
        ticket = await self._by_topic(thread)
        if ticket is None:
            return
        relay = await self.desk.staff_edit(ticket.id, message.message_id, text)
        if relay is None or relay.transport != mapping.TRANSPORT:
            return
        await self._edit(int(relay.chat), relay, caption=message.text is None)

    async def relay_customer_edit(self, message: Message) -> None:
        """A customer edited a message relayed to staff: edit staff's copy."""
        text = message.text if message.text is not None else message.caption
        if text is None:
            return
        relay = await self.desk.customer_edit(
            mapping.TRANSPORT, str(message.chat.id), message.message_id, text
        )
        if relay is not None:
            await self._edit(self.chat_id, relay, caption=message.text is None)

    async def _edit(self, chat_id: int, relay: EditRelay, *, caption: bool) -> None:
        method: TelegramMethod[Any]
        if caption:
            method = EditMessageCaption(
                chat_id=chat_id, message_id=relay.message_id, caption=relay.text[:CAPTION_LIMIT]
            )
        else:
            text = (render.split_text(relay.text) or [render.EMPTY_TEXT])[0]
            method = EditMessageText(chat_id=chat_id, message_id=relay.message_id, text=text)
        try:
            await self.sender.send(chat_id, method)
        except TelegramBadRequest as error:
            if "not modified" not in error.message:
                log.info("could not relay an edit of ticket %s: %s", relay.ticket_id, error)

    async def on_callback(self, query: CallbackQuery, update_id: int) -> None:
        """A staff button (see `actions`); every tap is answered."""
        data = query.data or ""
        handler = self.actions.get(data.partition(":")[0]) if mapping.valid_action(data) else None
        answer: str | None = self.t._("This button is not available.")
        try:
            if handler is not None:
                answer = await handler(query, data, update_id)
        finally:
            try:
                await self.sender.call(
                    AnswerCallbackQuery(callback_query_id=query.id, text=answer), attempts=1
                )
            except TelegramAPIError as error:
                log.info("could not answer a staff button: %s", error)

    # -- helpers -----------------------------------------------------------------------------
    async def _copy(self, ticket: Ticket, attachment: dict[str, Any], text: str) -> int | None:
        caption = text[:CAPTION_LIMIT] or None

        def copy(thread: int) -> list[TelegramMethod[Any]]:
            return [
                CopyMessage(
                    chat_id=self.chat_id,
                    from_chat_id=attachment["chat_id"],
                    message_id=attachment["message_id"],
                    message_thread_id=thread,
                )
            ]

        try:
            return await self.post(ticket, copy)
        except TelegramBadRequest as error:
            # The customer deleted the message: the file itself can still be sent by its id.
            file_id, kind = attachment.get("file_id"), attachment.get("type")
            if not file_id or kind not in ("photo", "document"):
                raise
            log.info("copy failed (%s); sending ticket %s's %s by file id", error, ticket.id, kind)

            def by_file(thread: int) -> list[TelegramMethod[Any]]:
                method: TelegramMethod[Any] = (
                    SendPhoto(chat_id=self.chat_id, photo=file_id, caption=caption)
                    if kind == "photo"
                    else SendDocument(chat_id=self.chat_id, document=file_id, caption=caption)
                )
                return [method.model_copy(update={"message_thread_id": thread})]

            return await self.post(ticket, by_file)

    def _text_methods(self, text: str) -> Callable[[int], list[TelegramMethod[Any]]]:
        chunks = render.split_text(text) or [render.EMPTY_TEXT]
        return lambda thread: [self._message(thread, chunk) for chunk in chunks]

    def _message(self, thread: int, text: str) -> SendMessage:
        return SendMessage(chat_id=self.chat_id, message_thread_id=thread, text=text)

    async def _send(self, method: TelegramMethod[Any]) -> Any:
        return await self.sender.send(self.chat_id, method, max_wait=self.max_wait)

    async def _ticket(self, ticket_id: int) -> Ticket | None:
        async with self.db.transaction() as tx:
            return await tx.tickets.get(ticket_id)

    async def _by_topic(self, thread: int) -> Ticket | None:
        async with self.db.transaction() as tx:
            return await tx.tickets.by_topic(thread)
