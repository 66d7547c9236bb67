"""Return requests (R-KR-RET-1..4) from the staff side, and what crosses between the sides.

    requested -> approved | rejected (with a reason) | cancelled (by the customer)
    approved -> received (the goods arrived) -> refunded

The customer's side is the returns flow (flows/returns/): it quotes the return from policy and
`submit`s the request in its turn's transaction, joining (or opening) the customer's support
ticket so that the staff card lands in the customer's thread. Staff decide with the card's
buttons, the desk's words (a reject's reason) or the CLI; each change is its own transaction
with a guarded move (storage/repos/returns.py `MOVES`), so a second press, a second agent or a
redelivered tap changes nothing, and the customer's notice and the desk's line are queued in
the outbox only by the transaction that made the move.

Outbox payloads for the staff channel: `return_requested` (the card, with Approve and Reject)
and `return_changed` (a decision or a step, with the next step's button), both carrying the
request's ticket so the desk posts them in the customer's topic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import policy
from core.i18n import N_, Translator
from services.notices import tell_customer
from storage.db import Database
from storage.records import ReturnRequest, Ticket
from storage.repos import Tx
from storage.repos.returns import (
    APPROVED,
    CANCELLED,
    MOVES,
    RECEIVED,
    REFUNDED,
    REJECTED,
    REQUESTED,
)

__all__ = [
    "APPROVED",
    "CANCELLED",
    "MOVES",
    "RECEIVED",
    "REFUNDED",
    "REJECTED",
    "REQUESTED",
    "STATUS_LABELS",
    "Change",
    "ask_reason",
    "cancel_for_customer",
    "mark",
    "reject_with_words",
    "submit",
]

STATUS_LABELS = {
    REQUESTED: N_("Waiting for a decision"),
    APPROVED: N_("Approved: please send the goods"),
    REJECTED: N_("Not approved"),
    RECEIVED: N_("Goods received"),
    REFUNDED: N_("Refunded"),
    CANCELLED: N_("Cancelled"),
}
REQUESTED_CARD = "return_requested"
CHANGED_CARD = "return_changed"


@dataclass(frozen=True, slots=True)
class Change:
    """What a staff change found: the request (None: no such request) and whether this call
    made the move (False: it had moved already, or may not move so)."""

    request: ReturnRequest | None
    made: bool


def period_of(market: str, at: datetime) -> str:
    """The request number's month: "2612" for December 2026, in the market's time."""
    return f"{policy.to_local(market, at):%y%m}"


async def submit(
    tx: Tx, request: ReturnRequest, ticket: Ticket, customer: str, at: datetime
) -> ReturnRequest:
    """Store the request in the customer's ticket and put its card before staff."""
    request.ticket_id = ticket.id
    await tx.returns.create(request, period_of(request.market, at), at)
    payload = {"type": REQUESTED_CARD, **card_facts(request), "customer": customer}
    await tx.outbox.add("staff", payload, at, user_id=request.user_id)
    return request


def card_facts(request: ReturnRequest) -> dict[str, Any]:
    """What the staff cards show of a request, as JSON values."""
    return {
        "return_id": request.id,
        "ticket_id": request.ticket_id,
        "number": request.number,
        "market": request.market,
        "status": request.status,
        "order": request.order_number,
        "purchased_on": request.purchased_on.isoformat(),
        "delivered_on": request.delivered_on.isoformat() if request.delivered_on else None,
        "kind": request.kind,
        "reason": request.reason,
        "lines": [
            {"name": line.name, "sku": line.sku, "quantity": line.quantity}
            for line in request.lines
        ],
        "currency": request.currency,
        "amount": str(request.amount),
        "eligible": request.eligible,
        "fee_rate": str(request.fee_rate),
        "fee": str(request.fee),
        "refund": str(request.refund),
        "quote_reason": request.quote_reason,
    }


async def cancel_for_customer(tx: Tx, request: ReturnRequest, at: datetime) -> bool:
    """The customer withdraws an undecided request; False once staff decided."""
    if not await tx.returns.move(request, CANCELLED, at):
        return False
    await _tell_staff(tx, request, at, by="customer")
    return True


async def mark(
    db: Database,
    request_id: int,
    status: str,
    staff: str,
    at: datetime,
    *,
    reason: str | None = None,
    delivery_id: str | None = None,
) -> Change:
    """A staff move (approved, rejected with `reason`, received, refunded), told once."""

    async def work(tx: Tx) -> Change:
        if delivery_id is not None and not await tx.inbox.record(delivery_id, at):
            return Change(await tx.returns.get(request_id), False)  # a redelivered press
        request = await tx.returns.get(request_id)
        if request is None:
            return Change(None, False)
        fields: dict[str, Any] = {}
        if status in (APPROVED, REJECTED):
            fields["decided_by"] = staff
        if status == REJECTED:
            fields["reject_reason"] = reason or ""
        if not await tx.returns.move(request, status, at, **fields):
            return Change(request, False)
        await tell_customer(
            tx,
            request.user_id,
            at,
            lambda t: notice_text(t, request),
            dedup_key=f"return:{request.id}:{status}",
        )
        await _tell_staff(tx, request, at, by=staff)
        return Change(request, True)

    return await db.run_in_transaction(work, "a return decision")


async def ask_reason(
    db: Database, request_id: int, staff: str, at: datetime, *, delivery_id: str | None = None
) -> Change:
    """Reject pressed: the desk asks the agent for the reason in the customer's topic; their
    next words there reject the request (`reject_with_words`)."""

    async def work(tx: Tx) -> Change:
        if delivery_id is not None and not await tx.inbox.record(delivery_id, at):
            return Change(await tx.returns.get(request_id), False)
        request = await tx.returns.get(request_id)
        if request is None or not await tx.returns.ask_reason(request, staff, at):
            return Change(request, False)
        payload = {"type": CHANGED_CARD, **card_facts(request), "asked_by": staff}
        await tx.outbox.add("staff", payload, at, user_id=request.user_id)
        return Change(request, True)

    return await db.run_in_transaction(work, "a reject")


async def reject_with_words(
    db: Database, ticket_id: int, staff: str, text: str, at: datetime, delivery_id: str | None
) -> Change:
    """Staff words in a ticket's topic: the reason of a reject asked for there, if any."""
    async with db.transaction() as tx:
        waiting = await tx.returns.awaiting_reason(ticket_id)
    if waiting is None:
        return Change(None, False)
    reason = policy.mask_secrets(text.strip())[:500]
    return await mark(db, waiting.id, REJECTED, staff, at, reason=reason, delivery_id=delivery_id)


async def _tell_staff(tx: Tx, request: ReturnRequest, at: datetime, *, by: str) -> None:
    payload = {"type": CHANGED_CARD, **card_facts(request), "by": by}
    if request.reject_reason:
        payload["reject_reason"] = request.reject_reason
    await tx.outbox.add("staff", payload, at, user_id=request.user_id)


def notice_text(t: Translator, request: ReturnRequest) -> str:
    """What the customer is told of a staff move, in their language."""
    texts: dict[str, Callable[[Translator, ReturnRequest], str]] = {
        APPROVED: _approved_text,
        REJECTED: _rejected_text,
        RECEIVED: _received_text,
        REFUNDED: _refunded_text,
    }
    return texts[request.status](t, request)


def _approved_text(t: Translator, request: ReturnRequest) -> str:
    text = t._("Your return request {number} is approved.").format(number=request.number)
    return f"{text}\n\n{procedure_text(t, request.market)}"


def procedure_text(t: Translator, market: str) -> str:
    """R-KR-RET-4: what to send where; a market without a return address: support says."""
    address = policy.market_config(market).returns.address
    if not address:
        return t._("Support will tell you where to send the goods.")
    return t._(
        "Please send the goods with the return form and the transaction statement to: "
        "{address}. Write the request number on the return form."
    ).format(address=address)


def _rejected_text(t: Translator, request: ReturnRequest) -> str:
    return t._(
        "Your return request {number} was not approved. Reason: {reason}\n"
        "If you have questions, send /support."
    ).format(number=request.number, reason=request.reject_reason or "-")


def _received_text(t: Translator, request: ReturnRequest) -> str:
    text = t._("We have received the goods of your return request {number}.").format(
        number=request.number
    )
    timing = refund_timing_text(t, request.market)
    return f"{text} {timing}" if timing else text


def _refunded_text(t: Translator, request: ReturnRequest) -> str:
    text = t._("The refund for your return request {number} has been paid.").format(
        number=request.number
    )
    card = card_timing_text(t, request.market)
    return f"{text} {card}" if card else text


def refund_timing_text(t: Translator, market: str) -> str:
    """R-KR-RET-3/4: when the refund is paid; "" where the sources do not say (KZ)."""
    returns = policy.market_config(market).returns
    if returns.refund_business_days is None:
        return ""
    text = t.ngettext(
        "The refund is paid within {days} business day after the goods are checked.",
        "The refund is paid within {days} business days after the goods are checked.",
        returns.refund_business_days,
    ).format(days=returns.refund_business_days)
    card = card_timing_text(t, market)
    return f"{text} {card}" if card else text


def card_timing_text(t: Translator, market: str) -> str:
    """R-KR-RET-3: a card refund cancels the approval; "" where the sources do not say."""
    window = policy.market_config(market).returns.card_refund_visible_business_days
    if window is None:
        return ""
    return t._(
        "A card payment is refunded by cancelling it: it shows on your card {low}-{high} "
        "business days after that."
    ).format(low=window[0], high=window[1])
