"""Support tickets from the staff side, and what crosses between the two sides.

A ticket goes bot -> waiting (for staff) -> handling (a staff member answered or claimed
it) -> closed. Messages for the staff desk and for the customer go through the outbox, in the
same transaction as the ticket change, so none is lost or sent for a change that rolled back.
Outbox payloads for the staff channel carry a `type`: ticket_opened, customer_message,
ticket_claimed, ticket_closed. Staff actions (`Desk`) may carry the transport's delivery id, so
that a redelivered staff message or command changes nothing (as the engine does for customers).
The customer's side of a ticket is the support flow (flows/support/).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import policy
from core.commands import holds_secret
from core.i18n import Translator, translator
from services.notices import tell_customer
from storage.db import Database
from storage.records import Ticket
from storage.repos import Tx


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
    """Staff actions on tickets, each in its own transaction (called by the staff transport),
    run again on a new connection if the database connection is lost (storage/retry.py).

    `delivery_id` (the transport's id of the staff message) makes an action exactly-once: a
    repeat of it returns as if it had succeeded and changes nothing. That is also what makes
    the retry of an action whose COMMIT failed safe (it may have landed); without one, such
    a retry may relay a staff message twice.
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

        async def reply(tx: Tx) -> bool:
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

        return await self.db.run_in_transaction(reply, "a staff reply")

    async def claim(
        self, ticket_id: int, staff: str, at: datetime, *, delivery_id: str | None = None
    ) -> Ticket | None:
        """Take the ticket; None when it is gone or closed. Staff see it through the outbox."""

        async def claim(tx: Tx) -> Ticket | None:
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

        return await self.db.run_in_transaction(claim, "a staff claim")

    async def close(
        self, ticket_id: int, staff: str, at: datetime, *, delivery_id: str | None = None
    ) -> Ticket | None:
        """Close the ticket; None when it is gone or closed already."""

        async def close(tx: Tx) -> Ticket | None:
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

        return await self.db.run_in_transaction(close, "a staff close")

    async def staff_edit(
        self, ticket_id: int, staff_message_id: int, text: str
    ) -> EditRelay | None:
        """The customer's copy of an edited staff message, with its new text (None: none)."""

        async def find(tx: Tx) -> EditRelay | None:
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

        return await self.db.run_in_transaction(find, "a staff edit")

    async def customer_edit(
        self, transport: str, external_id: str, customer_message_id: int, text: str
    ) -> EditRelay | None:
        """The staff copy of a message the customer edited (None: none, or it holds a secret)."""
        if holds_secret(text):
            return None

        async def find(tx: Tx) -> EditRelay | None:
            user = await tx.users.find(transport, external_id)
            ticket = await tx.tickets.open_for(user.id) if user is not None else None
            if ticket is None or ticket.topic_id is None:
                return None
            row = await tx.tickets.find_message(ticket.id, customer_message_id=customer_message_id)
            if row is None or row.direction != "in" or row.staff_message_id is None:
                return None
            return EditRelay(ticket.id, transport, "", ticket.topic_id, row.staff_message_id, text)

        return await self.db.run_in_transaction(find, "a customer edit")


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
