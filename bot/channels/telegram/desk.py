"""The staff support desk: a supergroup with forum topics, one topic per ticket (topics.py).

Outbox payloads for the "staff" channel (services/tickets.py) become topics and messages:
ticket_opened -> a topic named after the ticket and the customer, with a summary card;
customer_message -> the text (or a copy of the photo or document) in the topic, its staff-side
message id linked for edits; ticket_claimed / ticket_closed -> a line in the topic (closed: the
topic is closed too); a payload a flow declares a staff card for (core/surface.py: a new
order's card, say) -> that card in the General topic, with its decision buttons, or in the
customer's topic when the payload names their ticket (`ticket_id`: a return to decide). The topic
mechanics (creating, re-creating, resuming long posts, the summary card) are topics.py's.

Staff write in the topic: text and media go to the customer (`Desk.staff_reply`), edits follow
(`Desk.staff_edit`), `/claim` and `/close` act on the ticket. Staff are the members of the group
who may write there, as Telegram says (membership.py: asked before the desk acts on a message,
command, edit or button, cached briefly), and admins posting anonymously, under the group's name.
The rest is ignored: other people (logged), other bots, posts as a channel, the General topic,
and staff notes starting with "//".

Flows extend the desk without touching it: `cards` (a payload type -> a neutral card) and
`actions` (the prefix of a decision button's token -> the staff action) and `words` (words a
flow asked staff for in a topic, such as a reject's reason: taken by the flow, not relayed)
come from the flows' declared surface, so approving a return is the returns flow's code,
drawn here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.methods import (
    AnswerCallbackQuery,
    CloseForumTopic,
    EditMessageCaption,
    EditMessageText,
    TelegramMethod,
)
from aiogram.types import CallbackQuery, Message

from bot.channels.base import Checkpoint, Failure, StaffSide
from bot.channels.telegram import errors, mapping, render
from bot.channels.telegram.membership import UNCHECKED, StaffMembers, staff_name
from bot.channels.telegram.render import CAPTION_LIMIT
from bot.channels.telegram.sender import Sender
from bot.channels.telegram.topics import StaffTopics
from core.i18n import translator
from core.surface import CardRenderer, StaffAction, StaffDecision, StaffListener, StaffNote
from services.tickets import Desk, EditRelay
from storage.db import Database
from storage.records import Ticket

log = logging.getLogger(__name__)

INTERNAL_NOTE = "//"  # a staff message starting so stays in the topic
PayloadHandler = Callable[[dict[str, Any]], Awaitable[None]]


class StaffDesk(StaffSide):
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
        cards: Mapping[str, CardRenderer] | None = None,
        actions: Mapping[str, StaffAction] | None = None,
        words: tuple[StaffListener, ...] = (),
    ) -> None:
        self.db = db
        self.desk = Desk(db)
        self.sender = sender
        self.chat_id = chat_id
        self.clock = clock
        self.t = translator(language)
        self.topics = StaffTopics(db, sender, chat_id, clock=clock, t=self.t, max_wait=max_wait)
        self.members = StaffMembers(sender.call, chat_id)
        self.wake_outbox = wake_outbox
        self.username: str | None = None
        self.payloads: dict[str, PayloadHandler] = {
            "ticket_opened": self._ticket_opened,
            "customer_message": self._customer_message,
            "ticket_claimed": self._ticket_claimed,
            "ticket_closed": self._ticket_closed,
        }
        # The flows' cards and decisions (core/surface.py): payload type -> card, and token
        # prefix ("<prefix>:...") -> the staff action its buttons take.
        self.cards: Mapping[str, CardRenderer] = cards or {}
        self.actions: Mapping[str, StaffAction] = actions or {}
        self.words = words

    # -- outbox payloads ---------------------------------------------------------------------
    @property
    def rate(self) -> tuple[float, float]:
        return self.sender.limits.group  # the staff chat is a group

    def failure(self, error: BaseException) -> Failure:
        return errors.failure(error)

    async def deliver(self, payload: dict[str, Any], checkpoint: Checkpoint) -> None:
        """Carry out one staff-channel outbox payload (raises when Telegram fails).
        `checkpoint` stores `payload` again: a payload sent as several messages records there
        how many went out, and a retry resumes after them."""
        kind = str(payload.get("type"))
        handler = self.payloads.get(kind) or (self._card if kind in self.cards else None)
        if handler is None:
            log.warning("no staff desk handler for payload type %r", payload.get("type"))
            return
        with self.topics.delivering(payload, checkpoint):
            await handler(payload)

    async def _ticket_opened(self, payload: dict[str, Any]) -> None:
        ticket = await self._ticket(payload["ticket_id"])
        if ticket is None:
            return
        await self.topics.post(ticket, self.topics.card_methods(ticket), card=False)

    async def _customer_message(self, payload: dict[str, Any]) -> None:
        ticket = await self._ticket(payload["ticket_id"])
        if ticket is None:
            return
        attachment = payload.get("attachment")
        text = str(payload.get("text") or "")
        if attachment and attachment.get("message_id") and attachment.get("chat_id"):
            sent = await self.topics.copy(ticket, attachment, text)
        else:
            sent = await self.topics.post(ticket, self.topics.text_methods(text))
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
        await self.topics.post(ticket, self.topics.text_methods(text))

    async def _ticket_closed(self, payload: dict[str, Any]) -> None:
        ticket = await self._ticket(payload["ticket_id"])
        if ticket is None or ticket.topic_id is None:
            return  # closed before staff saw it: no topic to tell
        by = payload.get("by") or "customer"
        who = self.t._("the customer") if by == "customer" else by
        text = self.t._("Request #{number} was closed by {who}.").format(number=ticket.id, who=who)
        if await self.topics.post(ticket, self.topics.text_methods(text), recreate=False) is None:
            return
        try:
            await self.topics.send(
                CloseForumTopic(chat_id=self.chat_id, message_thread_id=ticket.topic_id)
            )
        except TelegramAPIError as error:  # staff can still read it; closing is a courtesy
            log.info("could not close the topic of ticket %s: %s", ticket.id, error)

    async def _card(self, payload: dict[str, Any]) -> None:
        """A flow's card with its decision buttons: in the customer's topic when it names
        their ticket (a return to decide), else in the General topic (a new order)."""
        card = self.cards[str(payload["type"])](self.t, payload)
        markup = render.buttons_markup(card.buttons) if card.buttons else None

        def with_buttons(methods: list[TelegramMethod[Any]]) -> list[TelegramMethod[Any]]:
            if markup is not None:
                methods[-1] = methods[-1].model_copy(update={"reply_markup": markup})
            return methods

        ticket = await self._ticket(payload["ticket_id"]) if payload.get("ticket_id") else None
        if ticket is None:
            await self.topics.send_all(with_buttons(self.topics.general(card.text)), resume=True)
            return
        texts = self.topics.text_methods(card.text)
        await self.topics.post(ticket, lambda thread: with_buttons(texts(thread)))

    # -- staff writing in the group ----------------------------------------------------------
    async def on_message(self, message: Message, update_id: int) -> None:
        thread = message.message_thread_id if message.is_topic_message else None
        author = mapping.staff_author(message, self.chat_id)
        if thread is None or author is None:
            return  # the General topic; another bot, or a post as a channel
        now = self.clock()
        delivery = mapping.delivery_id(update_id)
        if message.text is not None and message.text.startswith("/"):
            command = mapping.parse_command(message.text, self.username)
            if command is not None:
                await self._command(command[0], thread, message, author, now, delivery)
            return  # a command for another bot is not a word for the customer
        text = message.text or message.caption or ""
        attachment = mapping.attachment_of(message)
        if not text and attachment is None:
            return  # a service message (topic edited, pinned...)
        if text.startswith(INTERNAL_NOTE):
            return  # staff talking among themselves
        ticket = await self._by_topic(thread)
        if ticket is None or not await self._staff(author, thread, "a message"):
            return  # a topic that is no ticket's, or not staff
        if attachment is None and await self._taken_by_flow(ticket, text, message, now, delivery):
            return
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
        await self.topics.send(self.topics.message(thread, note.format(number=ticket.id)))

    async def _taken_by_flow(
        self, ticket: Ticket, text: str, message: Message, now: datetime, delivery: str
    ) -> bool:
        """Words a flow asked for in this topic (a reject's reason): the flow takes them and
        the desk says what it did, in the topic; they are not relayed as a reply."""
        note = StaffNote(ticket.id, text, staff_name(message), now, delivery)
        for listener in self.words:
            answer = await listener(self.db, note, self.t)
            if answer is not None:
                self.wake_outbox()
                if ticket.topic_id is not None:
                    await self.topics.send(self.topics.message(ticket.topic_id, answer))
                return True
        return False

    async def _command(
        self, name: str, thread: int, message: Message, author: int, now: datetime, delivery: str
    ) -> None:
        ticket = await self._by_topic(thread)
        if ticket is None or not await self._staff(author, thread, f"/{name}"):
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
        await self.topics.send(self.topics.message(thread, text))

    async def on_edited(self, message: Message) -> None:
        """Staff edited a message they sent to a customer: edit the customer's copy."""
        thread = message.message_thread_id if message.is_topic_message else None
        text = message.text if message.text is not None else message.caption
        author = mapping.staff_author(message, self.chat_id)
        if thread is None or text is None or author is None:
            return
        ticket = await self._by_topic(thread)
        if ticket is None:
            return
        relay = await self.desk.staff_edit(ticket.id, message.message_id, text)
        if relay is None or relay.transport != mapping.TRANSPORT:
            return
        if await self._staff(author, thread, "an edit"):
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
        """A staff decision button (see `actions`); every tap is answered."""
        data = query.data or ""
        handler = self.actions.get(data.partition(":")[0]) if mapping.valid_action(data) else None
        answer: str | None = self.t._("This button is not available.")
        try:
            member = handler is not None and await self.members.check(query.from_user.id, "a tap")
            if handler is not None and member:
                staff, delivery = query.from_user.full_name[:128], mapping.delivery_id(update_id)
                decision = StaffDecision(data, staff, self.clock(), delivery_id=delivery)
                answer = await handler(self.db, decision, self.t)
            elif member is None:  # else not staff, or no such button: "not available"
                answer = self.t._(UNCHECKED)
        finally:
            try:
                await self.sender.call(
                    AnswerCallbackQuery(callback_query_id=query.id, text=answer), attempts=1
                )
            except TelegramAPIError as error:
                log.info("could not answer a staff button: %s", error)

    # -- helpers -----------------------------------------------------------------------------
    async def _staff(self, author: int, thread: int, what: str) -> bool:
        """Whether `author` may act as staff; the topic hears when Telegram did not tell."""
        member = await self.members.check(author, what)
        if member is None:
            await self.topics.send(self.topics.message(thread, self.t._(UNCHECKED)))
        return bool(member)

    async def _ticket(self, ticket_id: int) -> Ticket | None:
        async with self.db.transaction() as tx:
            return await tx.tickets.get(ticket_id)

    async def _by_topic(self, thread: int) -> Ticket | None:
        async with self.db.transaction() as tx:
            return await tx.tickets.by_topic(thread)
