"""Talking to a person: support tickets, from the customer's side and from staff's.

A ticket goes bot -> waiting (for staff) -> handling (a staff member answered or claimed
it) -> closed. Messages for the staff desk and for the customer go through the outbox, in the
same transaction as the ticket change, so none is lost or sent for a change that rolled back.
Outbox payloads for the staff channel carry a `type`: ticket_opened, customer_message,
ticket_claimed, ticket_closed. Staff actions (`Desk`) may carry the transport's delivery id, so
that a redelivered staff message or command changes nothing (as the engine does for customers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

import policy
from core.commands import holds_secret
from core.flow import Flow, Turn
from core.i18n import Translator, translator
from core.types import Button, Event, Kind, Outcome, Reply, quiet, rows, stale
from services.notices import tell_customer
from storage.db import Database
from storage.records import Ticket
from storage.repos import Tx

SUMMARY_ORDERS = 3


async def _summary(turn: Turn, origin: str, said: str) -> dict[str, Any]:
    flow, _, step = origin.partition(":")
    orders = await turn.tx.orders.recent(turn.user.id, SUMMARY_ORDERS)
    return {
        "customer": turn.user.display_name or turn.user.external_id,
        "transport": turn.user.transport,
        "language": turn.user.language,
        "market": turn.user.market,
        "flow": flow,
        "step": step,
        "said": policy.mask_secrets(said[:500]),
        "orders": [f"{o.number} {o.status} {o.total} {o.currency}" for o in orders],
    }


async def open_ticket(
    turn: Turn, reason: str, origin: str = "", said: str = ""
) -> tuple[Ticket, bool]:
    """The customer's open ticket, or a new one with a summary card for staff."""
    existing = await turn.tx.tickets.open_for(turn.user.id)
    if existing is not None:
        return existing, False
    flow, _, step = origin.partition(":")
    summary = await _summary(turn, origin, said)
    ticket = await turn.tx.tickets.create(turn.user.id, reason, flow, step, summary, turn.now)
    await turn.tx.outbox.add(
        "staff", {"type": "ticket_opened", "ticket_id": ticket.id}, turn.now, user_id=turn.user.id
    )
    return ticket, True


async def hours_notice(turn: Turn, ticket: Ticket) -> str | None:
    """Outside support hours, when staff are back; at most once a day per ticket (the day
    it was said is recorded on the ticket)."""
    if policy.support_is_open(turn.market, turn.now):
        return None
    today = policy.local_date(turn.market, turn.now)
    if ticket.hours_notice_on == today:
        return None
    await turn.tx.tickets.update(ticket, turn.now, hours_notice_on=today)
    back = policy.support_next_open(turn.market, turn.now)
    tz = policy.market_config(turn.market).timezone
    return turn._(
        "Support is closed right now. Staff are back on {when}; your request waits for them."
    ).format(when=turn.t.moment(back, tz))


class Support(Flow):
    """The customer's side of a ticket: everything typed here goes to staff."""

    name = "support"
    states: ClassVar = ["chatting"]
    transitions: ClassVar = []
    initial = "chatting"
    answers_questions = False

    async def begin(self, turn: Turn, args: str) -> Outcome:
        origin, _, said = args.partition(" ")
        reason = "problem" if origin.startswith("kz_move") else "customer"
        ticket, created = await open_ticket(turn, reason, origin, said)
        turn.data["ticket"] = ticket.id
        if said:
            await relay_customer_text(turn.tx, ticket, said, turn.now, turn.event.message_id)
        text = (
            turn._(
                "I have opened support request #{number}. Write your question here; a staff "
                "member will answer in this chat."
            )
            if created
            else turn._(
                "Your support request #{number} is still open. Write here and staff will see it."
            )
        ).format(number=ticket.id)
        notice = await hours_notice(turn, ticket)
        if notice:
            text += "\n\n" + notice
        if not turn.resources.staff_desk:
            text += "\n\n" + contacts_text(turn)
        return quiet(Reply(text, rows([Button(turn._("Close the request"), "sup:close")])))

    async def prompt(self, turn: Turn) -> list[Reply]:
        return [Reply(turn._("Write your message for support, or send /menu to go back."))]

    async def holds(self, turn: Turn) -> bool:
        ticket = await turn.tx.tickets.open_for(turn.user.id)
        return ticket is not None and ticket.status == "handling"

    async def handle(self, turn: Turn, event: Event) -> Outcome:
        ticket = await turn.tx.tickets.open_for(turn.user.id)
        if event.kind is Kind.ACTION:
            if event.action != "sup:close":
                return stale()
            return Outcome(finished=True, say=await self.cancel(turn))
        if ticket is None:
            # Staff closed the request while the customer was still writing: the message is
            # never dropped; it opens a new request.
            ticket, _ = await open_ticket(turn, "customer", "support:chatting")
            turn.data["ticket"] = ticket.id
            await _relay(turn, ticket, event)
            reopened = turn._(
                "Your previous request was closed, so I have opened request #{number} "
                "for this message."
            )
            return quiet(Reply(reopened.format(number=ticket.id)))
        await _relay(turn, ticket, event)
        if ticket.status == "handling":
            return quiet()
        reply = turn._("Sent to support. Staff will answer in this chat.")
        notice = await hours_notice(turn, ticket)
        if notice:
            reply += "\n\n" + notice
        return quiet(Reply(reply))

    async def cancel(self, turn: Turn) -> list[Reply]:
        ticket = await turn.tx.tickets.open_for(turn.user.id)
        if ticket is None:
            return []
        await turn.tx.tickets.update(ticket, turn.now, status="closed")
        await turn.tx.outbox.add(
            "staff", {"type": "ticket_closed", "ticket_id": ticket.id, "by": "customer"}, turn.now
        )
        return [Reply(turn._("Support request #{number} is closed.").format(number=ticket.id))]

    def help(self, turn: Turn) -> str:
        return turn._(
            "Everything you write here goes to our support staff. Send /menu to leave; the "
            "request stays open."
        )


async def _relay(turn: Turn, ticket: Ticket, event: Event) -> None:
    # While staff handle the ticket, a command is words for them too.
    typed = f"/{event.command} {event.text}".strip() if event.kind is Kind.COMMAND else event.text
    await relay_customer_text(turn.tx, ticket, typed, turn.now, event.message_id, event.attachment)


def contacts_text(turn: Turn) -> str:
    """How to reach people directly (R-KR-ORD-6, R-KZ-SUP-1)."""
    config = policy.market_config(turn.market)
    return turn._("Support: {phones}{email}.").format(
        phones=", ".join(config.support_phones),
        email=f", {config.support_email}" if config.support_email else "",
    )


async def relay_customer_text(
    tx: Tx,
    ticket: Ticket,
    text: str,
    at: datetime,
    message_id: int | None,
    attachment: dict[str, Any] | None = None,
) -> None:
    # The engine refuses messages holding a secret; masking here is the second lock on the
    # door, for whatever its heuristics miss in a longer text.
    text = policy.mask_secrets(text)
    row_id = await tx.tickets.add_message(ticket.id, "in", text, at, customer_message_id=message_id)
    payload = {
        "type": "customer_message",
        "ticket_id": ticket.id,
        "row_id": row_id,
        "text": text,
        "attachment": attachment,
    }
    await tx.outbox.add("staff", payload, at, user_id=ticket.user_id)


@dataclass(frozen=True, slots=True)
class EditRelay:
    """Where the other side's copy of an edited message lives, and its new text."""

    ticket_id: int
    transport: str  # the customer's transport ("telegram", ...)
    chat: str  # the customer's external id (for a staff edit), "" for a customer edit
    topic_id: int | None  # the ticket's staff topic (for a customer edit)
    message_id: int  # the copy's message id on the other side
    text: str


class Desk:
    """Staff actions on tickets, each in its own transaction (called by the staff transport).

    `delivery_id` (the transport's id of the staff message) makes an action exactly-once: a
    repeat of it returns as if it had succeeded and changes nothing.
    """

    def __init__(self, db: Database) -> None:
        self.db = db

    async def staff_reply(
        self,
        ticket_id: int,
        staff: str,
        text: str,
        staff_message_id: int | None,
        at: datetime,
        *,
        delivery_id: str | None = None,
        attachment: dict[str, Any] | None = None,
    ) -> bool:
        """Relay a staff message to the customer; False when the ticket is gone or closed."""
        async with self.db.transaction() as tx:
            if await _repeated(tx, delivery_id, at):
                return True
            ticket = await _open_ticket(tx, ticket_id)
            if ticket is None:
                return False
            changes: dict[str, Any] = {"status": "handling"}
            if ticket.claimed_by is None:
                changes["claimed_by"] = staff
            await tx.tickets.update(ticket, at, **changes)
            row_id = await tx.tickets.add_message(
                ticket.id, "out", text, at, staff_message_id=staff_message_id
            )
            await _tell_customer(
                tx, ticket, at, "staff_message", said=text, row_id=row_id, attachment=attachment
            )
            return True

    async def claim(
        self, ticket_id: int, staff: str, at: datetime, *, delivery_id: str | None = None
    ) -> Ticket | None:
        """Take the ticket; None when it is gone or closed. Staff see it through the outbox."""
        async with self.db.transaction() as tx:
            if await _repeated(tx, delivery_id, at):
                return await tx.tickets.get(ticket_id)
            ticket = await _open_ticket(tx, ticket_id)
            if ticket is None:
                return None
            await tx.tickets.update(ticket, at, status="handling", claimed_by=staff)
            await tx.outbox.add(
                "staff",
                {"type": "ticket_claimed", "ticket_id": ticket.id, "by": staff},
                at,
                user_id=ticket.user_id,
            )
            return ticket

    async def close(
        self, ticket_id: int, staff: str, at: datetime, *, delivery_id: str | None = None
    ) -> Ticket | None:
        """Close the ticket; None when it is gone or closed already."""
        async with self.db.transaction() as tx:
            if await _repeated(tx, delivery_id, at):
                return await tx.tickets.get(ticket_id)
            ticket = await _open_ticket(tx, ticket_id)
            if ticket is None:
                return None
            await tx.tickets.update(ticket, at, status="closed")
            await _tell_customer(tx, ticket, at, "ticket_closed")
            await tx.outbox.add(
                "staff",
                {"type": "ticket_closed", "ticket_id": ticket.id, "by": staff},
                at,
                user_id=ticket.user_id,
            )
            return ticket

    async def staff_edit(
        self, ticket_id: int, staff_message_id: int, text: str
    ) -> EditRelay | None:
        """The customer's copy of an edited staff message, with its new text (None: none)."""
        async with self.db.transaction() as tx:
            ticket = await _open_ticket(tx, ticket_id)
            if ticket is None:
                return None
            message = await tx.tickets.find_message(ticket.id, staff_message_id=staff_message_id)
            if message is None or message.direction != "out" or message.customer_message_id is None:
                return None
            user = await tx.users.get(ticket.user_id)
            if user is None:
                return None
            said = staff_words(translator(user.language or "en"), text)
            return EditRelay(
                ticket.id, user.transport, user.external_id, None, message.customer_message_id, said
            )

    async def customer_edit(
        self, transport: str, external_id: str, customer_message_id: int, text: str
    ) -> EditRelay | None:
        """The staff copy of a message the customer edited (None: none, or it holds a secret)."""
        if holds_secret(text):
            return None
        async with self.db.transaction() as tx:
            user = await tx.users.find(transport, external_id)
            ticket = await tx.tickets.open_for(user.id) if user is not None else None
            if ticket is None or ticket.topic_id is None:
                return None
            message = await tx.tickets.find_message(
                ticket.id, customer_message_id=customer_message_id
            )
            if message is None or message.direction != "in" or message.staff_message_id is None:
                return None
            return EditRelay(
                ticket.id, transport, "", ticket.topic_id, message.staff_message_id, text
            )


async def _repeated(tx: Tx, delivery_id: str | None, at: datetime) -> bool:
    """True when this staff action was processed before (a redelivered update)."""
    return delivery_id is not None and not await tx.inbox.record(delivery_id, at)


async def _open_ticket(tx: Tx, ticket_id: int) -> Ticket | None:
    ticket = await tx.tickets.get(ticket_id)
    return None if ticket is None or ticket.status == "closed" else ticket


def staff_words(t: Translator, text: str) -> str:
    """A staff member's message as the customer reads it."""
    return t._("Support: {text}").format(text=text)


async def _tell_customer(tx: Tx, ticket: Ticket, at: datetime, kind: str, **extra: Any) -> None:
    if kind == "staff_message":
        said = extra.pop("said") or "📎"
        await tell_customer(tx, ticket.user_id, at, lambda t: staff_words(t, said), **extra)
        return
    await tell_customer(
        tx,
        ticket.user_id,
        at,
        lambda t: t._(
            "Support request #{number} is closed. Send /support if you need us again."
        ).format(number=ticket.id),
        **extra,
    )
