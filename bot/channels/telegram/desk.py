"""The staff support desk: a supergroup with forum topics, one topic per ticket.

Outbox payloads for the "staff" channel (services/tickets.py) become topics and messages:
ticket_opened -> a topic named after the ticket and the customer, with a summary card;
customer_message -> the text (or a copy of the photo or document) in the topic, its staff-side
message id linked for edits; ticket_claimed / ticket_closed -> a line in the topic (closed: the
topic is closed too); a payload a flow declares a staff card for (core/surface.py: a new
order's card, say) -> that card in the General topic, with its decision buttons. Whenever the
bot creates a topic for a ticket that had none (ticket_opened, or a later message when that
failed), the summary card comes first; a topic deleted by staff is re-created, with a note and
the card, on its next message.

A payload sent as several messages (a long text split in chunks) records its progress in the
payload (`chunks_sent`, `first_message_id`) through the outbox worker's checkpoint, so a retry
resumes after the last chunk delivered instead of repeating the first ones (`send_resumable`,
shared with the outbox worker: a chunk that may have gone counts as sent). A card owed to a new
topic is recorded there too (`card_owed`), so a retry posts it before the message.

Two workers may both find a ticket without a topic (or with a deleted one) and both create one:
the topic is stored with `TicketRepo.claim_topic` (an UPDATE guarded by the old value), so one
wins; the loser deletes the topic it just created (closes it when it may not delete) and posts
into the winner's topic.

Staff write in the topic: text and media go to the customer (`Desk.staff_reply`), edits follow
(`Desk.staff_edit`), `/claim` and `/close` act on the ticket. Anyone who can post in the staff
chat is staff: Telegram only lets members post there, so membership is the check (the bot must
be an admin there anyway, to manage topics; see docs/telegram.md). Messages in the General topic
and from bots are ignored, and so are staff notes starting with "//".

Flows extend the desk without touching it: `cards` (a payload type -> a neutral card) and
`actions` (the prefix of a decision button's token -> the staff action) come from the flows'
declared surface, so approving a return is the returns flow's code, drawn here.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.methods import (
    AnswerCallbackQuery,
    CloseForumTopic,
    CopyMessage,
    CreateForumTopic,
    DeleteForumTopic,
    EditMessageCaption,
    EditMessageText,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.types import CallbackQuery, Message

from bot.channels.telegram import mapping, render
from bot.channels.telegram.sender import RetryLater, Sender, send_resumable
from core.i18n import translator
from core.surface import CardRenderer, StaffAction, StaffDecision
from services.tickets import Desk, EditRelay
from storage.db import Database
from storage.records import Ticket

log = logging.getLogger(__name__)

TOPIC_NAME_LIMIT = 128
CAPTION_LIMIT = 1024
INTERNAL_NOTE = "//"  # a staff message starting so stays in the topic
PayloadHandler = Callable[[dict[str, Any]], Awaitable[None]]
Checkpoint = Callable[[], Awaitable[None]]
# The outbox payload being delivered and how to store its progress (set by `deliver`).
_delivery: contextvars.ContextVar[tuple[dict[str, Any], Checkpoint] | None] = (
    contextvars.ContextVar("staff_delivery", default=None)
)


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
        cards: Mapping[str, CardRenderer] | None = None,
        actions: Mapping[str, StaffAction] | None = None,
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
        # The flows' cards and decisions (core/surface.py): payload type -> card, and token
        # prefix ("<prefix>:...") -> the staff action its buttons take.
        self.cards: Mapping[str, CardRenderer] = cards or {}
        self.actions: Mapping[str, StaffAction] = actions or {}

    # -- outbox payloads ---------------------------------------------------------------------
    async def deliver(self, payload: dict[str, Any], checkpoint: Checkpoint | None = None) -> None:
        """Carry out one staff-channel outbox payload (raises when Telegram fails).

        `checkpoint` stores `payload` again (the outbox worker passes one): a payload sent as
        several messages records there how many went out, and a retry resumes after them."""
        kind = str(payload.get("type"))
        handler = self.payloads.get(kind) or (self._card if kind in self.cards else None)
        if handler is None:
            log.warning("no staff desk handler for payload type %r", payload.get("type"))
            return
        token = _delivery.set((payload, checkpoint or _nothing))
        try:
            await handler(payload)
        finally:
            _delivery.reset(token)

    async def _ticket_opened(self, payload: dict[str, Any]) -> None:
        ticket = await self._ticket(payload["ticket_id"])
        if ticket is None:
            return
        await self.post(ticket, self._card_methods(ticket), card=False)

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

    async def _card(self, payload: dict[str, Any]) -> None:
        """A flow's card (a new order, a return to decide): in the General topic, with its
        decision buttons; there is no topic per card."""
        card = self.cards[str(payload["type"])](self.t, payload)
        methods = self._general(card.text)
        if card.buttons:
            markup = render.buttons_markup(card.buttons)
            methods[-1] = methods[-1].model_copy(update={"reply_markup": markup})
        await self._send_all(methods, resume=True)

    def _general(self, text: str) -> list[TelegramMethod[Any]]:
        """Messages for the General topic: no message_thread_id."""
        chunks = render.split_text(text) or [render.EMPTY_TEXT]
        return [SendMessage(chat_id=self.chat_id, text=chunk) for chunk in chunks]

    # -- topics ------------------------------------------------------------------------------
    async def post(
        self,
        ticket: Ticket,
        methods: Callable[[int], list[TelegramMethod[Any]]],
        *,
        recreate: bool = True,
        card: bool = True,
    ) -> int | None:
        """Send `methods(thread)` into the ticket's topic, creating the topic if it has none:
        the topic we create starts with the summary card (`card`: False when `methods` are the
        card). A topic staff deleted is re-created once (`recreate`), with a note and the card.
        Returns the first message's id; None when the topic is gone and not re-created."""
        delivery = _delivery.get()
        thread = ticket.topic_id
        owed = False
        if thread is None:
            thread, created = await self._create_topic(ticket)
            owed = created and card  # else another worker created it, and posts the card
            if owed and delivery is not None:  # a retry still owes it if sending it fails
                delivery[0]["card_owed"] = True
                await delivery[1]()
        if card and delivery is not None and delivery[0].get("card_owed"):
            owed = True
        try:
            if owed:
                await self._send_all(self._card_methods(ticket)(thread))
                if delivery is not None and delivery[0].pop("card_owed", None):
                    await delivery[1]()
            return await self._send_all(methods(thread), resume=True)
        except TelegramBadRequest as error:
            if not thread_missing(error):
                raise
            if not recreate:
                return None
            log.info("topic %s of ticket %s was deleted: re-creating it", thread, ticket.id)
            thread, created = await self._create_topic(ticket, replacing=thread)
            if created:  # else another worker re-created it and posted the note and card
                note = self.t._(
                    "The previous topic of this request was deleted; this one replaces it."
                )
                intro = [self._message(thread, note)]
                if card:
                    intro += self._card_methods(ticket)(thread)
                await self._send_all(intro)
            if delivery is not None:  # chunks sent into the deleted topic are lost: send all
                delivery[0].pop("chunks_sent", None)
                delivery[0].pop("first_message_id", None)
                delivery[0].pop("card_owed", None)  # posted with the new topic's note
            return await self._send_all(methods(thread), resume=True)

    async def _send_all(
        self, methods: list[TelegramMethod[Any]], *, resume: bool = False
    ) -> int | None:
        """Send `methods` in order; the first message's id. `resume`: these are the messages
        of the payload being delivered, so skip those a failed attempt already sent and record
        each one sent (see `deliver`)."""
        delivery = _delivery.get() if resume else None
        payload, checkpoint = delivery if delivery is not None else (None, None)
        what = f"staff {payload.get('type')}" if payload is not None else "staff message"
        return await send_resumable(
            methods, self._send, progress=payload, checkpoint=checkpoint, what=what
        )

    async def _create_topic(
        self, ticket: Ticket, *, replacing: int | None = None
    ) -> tuple[int, bool]:
        """A topic for the ticket: (its thread id, whether we created it). Another worker may
        have stored one meanwhile: then ours is deleted (or closed) and theirs is used."""
        customer = str(ticket.summary.get("customer") or ticket.user_id)
        market = ticket.summary.get("market") or ""
        name = f"#{ticket.id} {market} {customer}".replace("  ", " ")[:TOPIC_NAME_LIMIT]
        topic = await self._send(CreateForumTopic(chat_id=self.chat_id, name=name))
        thread = topic.message_thread_id
        async with self.db.transaction() as tx:
            won = await tx.tickets.claim_topic(ticket.id, thread, self.clock(), replacing=replacing)
            current = None if won else await tx.tickets.get(ticket.id)
        if current is None or current.topic_id is None:  # won (or the ticket is gone)
            ticket.topic_id = thread
            return thread, True
        log.info(
            "ticket %s got topic %s from another worker: discarding topic %s",
            ticket.id,
            current.topic_id,
            thread,
        )
        await self._discard_topic(thread)
        ticket.topic_id = current.topic_id
        return current.topic_id, False

    async def _discard_topic(self, thread: int) -> None:
        """Remove a topic created in vain: delete it (it is empty), else close it."""
        try:
            await self._send(DeleteForumTopic(chat_id=self.chat_id, message_thread_id=thread))
        except (TelegramAPIError, RetryLater) as error:  # no right to delete: close it
            log.info("could not delete the extra topic %s (%s): closing it", thread, error)
            try:
                await self._send(CloseForumTopic(chat_id=self.chat_id, message_thread_id=thread))
            except (TelegramAPIError, RetryLater) as closing:
                log.warning("could not close the extra topic %s: %s", thread, closing)

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
        """A staff decision button (see `actions`); every tap is answered."""
        data = query.data or ""
        handler = self.actions.get(data.partition(":")[0]) if mapping.valid_action(data) else None
        answer: str | None = self.t._("This button is not available.")
        try:
            if handler is not None:
                staff = query.from_user.full_name[:128] if query.from_user else "staff"
                decision = StaffDecision(
                    data, staff, self.clock(), delivery_id=mapping.delivery_id(update_id)
                )
                answer = await handler(self.db, decision, self.t)
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


async def _nothing() -> None:
    return None
