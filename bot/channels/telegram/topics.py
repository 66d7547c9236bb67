"""The staff group's topics: one forum topic per ticket, and what is posted into them.

`post` sends messages into a ticket's topic, creating the topic when the ticket has none: a topic
the bot creates starts with the ticket's summary card (`card`). A topic staff deleted ("message
thread not found") is re-created on its next message, with a note and the card.

Two workers may both find a ticket without a topic (or with a deleted one) and both create one:
the topic is stored with `TicketRepo.claim_topic` (an UPDATE guarded by the old value), so one
wins; the loser deletes the topic it just created (closes it when it may not delete) and posts
into the winner's topic.

Resumable posts: while an outbox payload is being delivered (`delivering`), messages sent with
`resume` record their progress in the payload (`chunks_sent`, `first_message_id`) and store it
with the outbox runner's checkpoint, so a retry resumes after the last message delivered
(`send_resumable`: a message that may have gone counts as sent). A card owed to a new topic is
recorded there too (`card_owed`), so a retry posts it before the message.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.methods import (
    CloseForumTopic,
    CopyMessage,
    CreateForumTopic,
    DeleteForumTopic,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)

from bot.channels.base import Checkpoint, RetryLater
from bot.channels.telegram import render
from bot.channels.telegram.sender import Sender, send_resumable
from core.i18n import Translator
from storage.db import Database
from storage.records import Ticket

log = logging.getLogger(__name__)

TOPIC_NAME_LIMIT = 128
# How staff read the channel a customer writes from (the transport's name is a code).
TRANSPORT_NAMES = {"telegram": "Telegram", "kakao": "KakaoTalk", "terminal": "terminal"}
Methods = Callable[[int], list[TelegramMethod[Any]]]  # a topic's thread id -> what to send
# The outbox payload being delivered and how to store its progress (set by `delivering`).
_delivery: contextvars.ContextVar[tuple[dict[str, Any], Checkpoint] | None] = (
    contextvars.ContextVar("staff_delivery", default=None)
)


def thread_missing(error: TelegramAPIError) -> bool:
    """Telegram's answer for a topic that staff deleted."""
    return isinstance(error, TelegramBadRequest) and "thread not found" in error.message.lower()


class StaffTopics:
    def __init__(
        self,
        db: Database,
        sender: Sender,
        chat_id: int,
        *,
        clock: Callable[[], datetime],
        t: Translator,
        max_wait: float | None = 60.0,
    ) -> None:
        self.db = db
        self.sender = sender
        self.chat_id = chat_id
        self.clock = clock
        self.t = t
        self.max_wait = max_wait  # outbox deliveries postpone rather than wait longer

    @staticmethod
    @contextlib.contextmanager
    def delivering(payload: dict[str, Any], checkpoint: Checkpoint) -> Iterator[None]:
        """Within the block, resumable posts record their progress in `payload` and store it
        with `checkpoint`."""
        token = _delivery.set((payload, checkpoint))
        try:
            yield
        finally:
            _delivery.reset(token)

    async def post(
        self,
        ticket: Ticket,
        methods: Methods,
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
                await self.send_all(self.card_methods(ticket)(thread))
                if delivery is not None and delivery[0].pop("card_owed", None):
                    await delivery[1]()
            return await self.send_all(methods(thread), resume=True)
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
                intro = [self.message(thread, note)]
                if card:
                    intro += self.card_methods(ticket)(thread)
                await self.send_all(intro)
            if delivery is not None:  # chunks sent into the deleted topic are lost: send all
                delivery[0].pop("chunks_sent", None)
                delivery[0].pop("first_message_id", None)
                delivery[0].pop("card_owed", None)  # posted with the new topic's note
            return await self.send_all(methods(thread), resume=True)

    async def send_all(
        self, methods: list[TelegramMethod[Any]], *, resume: bool = False
    ) -> int | None:
        """Send `methods` in order; the first message's id. `resume`: these are the messages
        of the payload being delivered, so skip those a failed attempt already sent and record
        each one sent (see `delivering`)."""
        delivery = _delivery.get() if resume else None
        payload, checkpoint = delivery if delivery is not None else (None, None)
        what = f"staff {payload.get('type')}" if payload is not None else "staff message"
        return await send_resumable(
            methods, self.send, progress=payload, checkpoint=checkpoint, what=what
        )

    async def _create_topic(
        self, ticket: Ticket, *, replacing: int | None = None
    ) -> tuple[int, bool]:
        """A topic for the ticket: (its thread id, whether we created it). Another worker may
        have stored one meanwhile: then ours is deleted (or closed) and theirs is used."""
        customer = str(ticket.summary.get("customer") or ticket.user_id)
        market = ticket.summary.get("market") or ""
        name = f"#{ticket.id} {market} {customer}".replace("  ", " ")[:TOPIC_NAME_LIMIT]
        topic = await self.send(CreateForumTopic(chat_id=self.chat_id, name=name))
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
            await self.send(DeleteForumTopic(chat_id=self.chat_id, message_thread_id=thread))
        except (TelegramAPIError, RetryLater) as error:  # no right to delete: close it
            log.info("could not delete the extra topic %s (%s): closing it", thread, error)
            try:
                await self.send(CloseForumTopic(chat_id=self.chat_id, message_thread_id=thread))
            except (TelegramAPIError, RetryLater) as closing:
                log.warning("could not close the extra topic %s: %s", thread, closing)

    def card_methods(self, ticket: Ticket) -> Methods:
        return self.text_methods(self.card(ticket))

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
                transport=TRANSPORT_NAMES.get(s.get("transport") or "", s.get("transport") or "?"),
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

    def general(self, text: str) -> list[TelegramMethod[Any]]:
        """Messages for the General topic: no message_thread_id."""
        chunks = render.split_text(text) or [render.EMPTY_TEXT]
        return [SendMessage(chat_id=self.chat_id, text=chunk) for chunk in chunks]

    async def copy(self, ticket: Ticket, attachment: dict[str, Any], text: str) -> int | None:
        """A customer's photo or document in the ticket's topic (copied; sent again by its file
        id when the customer has deleted the original); the message's id."""
        caption = text[: render.CAPTION_LIMIT] or None

        def copied(thread: int) -> list[TelegramMethod[Any]]:
            return [
                CopyMessage(
                    chat_id=self.chat_id,
                    from_chat_id=attachment["chat_id"],
                    message_id=attachment["message_id"],
                    message_thread_id=thread,
                )
            ]

        try:
            return await self.post(ticket, copied)
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

    def text_methods(self, text: str) -> Methods:
        chunks = render.split_text(text) or [render.EMPTY_TEXT]
        return lambda thread: [self.message(thread, chunk) for chunk in chunks]

    def message(self, thread: int, text: str) -> SendMessage:
        return SendMessage(chat_id=self.chat_id, message_thread_id=thread, text=text)

    async def send(self, method: TelegramMethod[Any]) -> Any:
        return await self.sender.send(self.chat_id, method, max_wait=self.max_wait)
