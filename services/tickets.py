"""Support tickets from the staff side, and what crosses between the two sides.

A ticket goes bot -> waiting (for staff) -> handling (a staff member answered or claimed
it) -> closed, and closed is final (storage/repos/tickets.py `MOVES`). Every status change is
a guarded move that says whether this transaction made it: with two workers acting on one
ticket at once, only the one whose move was made tells anyone, so a customer is told once, and
a claim or a reply racing a close finds the ticket closed and changes nothing. Messages for
the staff desk and for the customer go through the outbox, in the same transaction as the
ticket change, so none is lost or sent for a change that rolled back.
Outbox payloads for the staff channel carry a `type`: ticket_opened, customer_message,
ticket_claimed, ticket_closed. Staff actions (`Desk`) may carry the transport's delivery id, so
that a redelivered staff message or command changes nothing (as the engine does for customers).
The customer's side of a ticket is the support flow (flows/support/).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import policy
from core.commands import holds_secret
from core.i18n import Translator, translator
from services.notices import tell_customer
from storage.db import Database
from storage.records import Ticket
from storage.repos import Tx

if TYPE_CHECKING:
    from core.flow import Turn

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
        # Masked before it is cut: a card number cut in two would no longer look like one.
        "said": policy.mask_secrets(said)[:500],
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

        async def work(tx: Tx) -> bool:
            repeated, ticket = await _staff_action(tx, ticket_id, delivery_id, at)
            if repeated:
                return True
            if ticket is None:
                return False
            if not await tx.tickets.move(
                ticket, "handling", at, claimed_by=staff, unless_claimed=True
            ):
                return False  # closed meanwhile: the reply must not reopen it
            row_id = await tx.tickets.add_message(
                ticket.id, "out", text, at, staff_message_id=staff_message_id
            )
            await _tell_customer(
                tx, ticket, at, "staff_message", said=text, row_id=row_id, attachment=attachment
            )
            return True

        return await self.db.run_in_transaction(work, "a staff reply")

    async def claim(
        self, ticket_id: int, staff: str, at: datetime, *, delivery_id: str | None = None
    ) -> Ticket | None:
        """Take the ticket; None when it is gone or closed. Staff see it through the outbox."""
        return await self._move(ticket_id, staff, at, delivery_id, "handling", claimed_by=staff)

    async def close(
        self, ticket_id: int, staff: str, at: datetime, *, delivery_id: str | None = None
    ) -> Ticket | None:
        """Close the ticket; None when it is gone or closed already."""
        return await self._move(ticket_id, staff, at, delivery_id, "closed")

    async def _move(
        self,
        ticket_id: int,
        staff: str,
        at: datetime,
        delivery_id: str | None,
        status: str,
        **fields: Any,
    ) -> Ticket | None:
        """A staff command's move; the customer (for a close) and the desk hear of it only
        when this transaction made it."""

        async def work(tx: Tx) -> Ticket | None:
            repeated, ticket = await _staff_action(tx, ticket_id, delivery_id, at)
            if repeated or ticket is None:
                return ticket
            if not await tx.tickets.move(ticket, status, at, **fields):
                return None  # closed meanwhile, by someone who told the customer
            if status == "closed":
                await _tell_customer(tx, ticket, at, "ticket_closed")
            kind = "ticket_closed" if status == "closed" else "ticket_claimed"
            await tx.outbox.add(
                "staff",
                {"type": kind, "ticket_id": ticket.id, "by": staff},
                at,
                user_id=ticket.user_id,
            )
            return ticket

        return await self.db.run_in_transaction(work, "a staff command")

    async def staff_edit(
        self, ticket_id: int, staff_message_id: int, text: str
    ) -> EditRelay | None:
        """The customer's copy of an edited staff message, with its new text (None: none)."""

        async def work(tx: Tx) -> EditRelay | None:
            ticket = await _open_ticket(tx, ticket_id)
            if ticket is None:
                return None
            row = await tx.tickets.find_message(ticket.id, staff_message_id=staff_message_id)
            if row is None or row.direction != "out" or row.customer_message_id is None:
                return None
            user = await tx.users.get(ticket.user_id)
            if user is None:
                return None
            said = staff_words(translator(user.language or "en"), text)
            return EditRelay(
                ticket.id, user.transport, user.external_id, None, row.customer_message_id, said
            )

        return await self.db.run_in_transaction(work, "a staff edit")

    async def customer_edit(
        self, transport: str, external_id: str, customer_message_id: int, text: str
    ) -> EditRelay | None:
        """The staff copy of a message the customer edited (None: none, or it holds a secret)."""
        if holds_secret(text):
            return None

        async def work(tx: Tx) -> EditRelay | None:
            user = await tx.users.find(transport, external_id)
            ticket = await tx.tickets.open_for(user.id) if user is not None else None
            if ticket is None or ticket.topic_id is None:
                return None
            row = await tx.tickets.find_message(ticket.id, customer_message_id=customer_message_id)
            if row is None or row.direction != "in" or row.staff_message_id is None:
                return None
            return EditRelay(ticket.id, transport, "", ticket.topic_id, row.staff_message_id, text)

        return await self.db.run_in_transaction(work, "a customer edit")


async def _staff_action(
    tx: Tx, ticket_id: int, delivery_id: str | None, at: datetime
) -> tuple[bool, Ticket | None]:
    """(True, the ticket as it is) when this staff action was processed before (a redelivered
    update: nothing is done again); else (False, the ticket if it is open)."""
    if delivery_id is not None and not await tx.inbox.record(delivery_id, at):
        return True, await tx.tickets.get(ticket_id)
    return False, await _open_ticket(tx, ticket_id)


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
