"""What staff see of a return and what they decide: the cards the desk posts in the customer's
topic, the buttons' staff action, and the reject's reason taken from the topic.

Cards are rendered in the desk's language from the outbox payload (services/returns.py
`card_facts`). The buttons follow the request's life: Approve and Reject on a new request,
Goods received once approved, Refunded once received. Every press goes through a guarded move,
so a second press or a second agent is told it was done already.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import policy
from core.i18n import Translator
from core.surface import StaffCard, StaffDecision, StaffNote
from core.types import Button
from flows.returns.actions import StaffMove
from flows.returns.texts import ELIGIBLE, rate_text
from services import returns
from storage.db import Database

MOVES = {"approve": returns.APPROVED, "received": returns.RECEIVED, "refunded": returns.REFUNDED}


def request_card(t: Translator, payload: Mapping[str, Any]) -> StaffCard:
    """The `return_requested` card: customer, order, goods, quote, reason, and the decision."""
    number = str(payload.get("number") or "?")
    title = t._("Return request {number} ({market}): {customer}").format(
        number=number, market=payload.get("market") or "?", customer=payload.get("customer") or "?"
    )
    bought = t._("Order {order} · bought on {day}").format(
        order=payload.get("order") or "?", day=payload.get("purchased_on") or "?"
    )
    if payload.get("delivered_on"):
        bought += " · " + t._("delivered on {day}").format(day=payload["delivered_on"])
    lines = [bought, _who(t, payload)]
    lines += [
        f"• {item.get('name')} × {item.get('quantity')}" for item in payload.get("lines") or []
    ]
    lines += [
        _quote(t, payload),
        t._("Reason: {reason}").format(reason=payload.get("reason") or "-"),
        t._("Photos the customer sends come into this topic."),
        t._("Details: {command}").format(command=f"orderbot returns show {number}"),
    ]
    buttons: tuple[tuple[Button, ...], ...] = ()
    if payload.get("status") == returns.REQUESTED and isinstance(payload.get("return_id"), int):
        rid = payload["return_id"]
        buttons = (
            (
                StaffMove(rid, "approve").button(t._("✅ Approve")),
                StaffMove(rid, "reject").button(t._("❌ Reject")),
            ),
        )
    return StaffCard(title, tuple(lines), buttons)


def changed_card(t: Translator, payload: Mapping[str, Any]) -> StaffCard:
    """The `return_changed` line: a decision, a step, a cancel, or the reason asked for."""
    number, status = str(payload.get("number") or "?"), payload.get("status")
    by = str(payload.get("by") or "")
    rid = payload.get("return_id")
    if payload.get("asked_by"):
        text = t._(
            "{staff}: write the reason for rejecting {number} as your next message in this "
            "topic. It goes to the customer with the decision."
        ).format(staff=payload["asked_by"], number=number)
        return StaffCard(text)
    if status == returns.CANCELLED:
        return StaffCard(
            t._("The customer cancelled return request {number}.").format(number=number)
        )
    if status == returns.REJECTED:
        text = t._("Return request {number} was rejected by {staff}. Reason: {reason}").format(
            number=number, staff=by, reason=payload.get("reject_reason") or "-"
        )
        return StaffCard(text)
    titles = {
        returns.APPROVED: t._(
            "Return request {number} was approved by {staff}. The customer sends the goods; "
            "when they arrive:"
        ),
        returns.RECEIVED: t._(
            "Goods of return request {number} received ({staff}). When the refund is paid:"
        ),
        returns.REFUNDED: t._("Return request {number} is refunded ({staff})."),
    }
    title = titles.get(str(status), "{number}: {staff}").format(number=number, staff=by)
    if not isinstance(rid, int):
        return StaffCard(title)
    nexts = {
        returns.APPROVED: StaffMove(rid, "received").button(t._("📦 Goods received")),
        returns.RECEIVED: StaffMove(rid, "refunded").button(t._("💸 Refunded")),
    }
    button = nexts.get(str(status))
    return StaffCard(title, (), ((button,),) if button else ())


def _who(t: Translator, payload: Mapping[str, Any]) -> str:
    if payload.get("kind") == "consumer":
        return t._("Returned by a retail customer: the selling member is responsible (R-KR-RET-1).")
    return t._("Returned by the member, for their own purchase.")


def _quote(t: Translator, payload: Mapping[str, Any]) -> str:
    currency = str(payload.get("currency") or "")
    if payload.get("quote_reason") == "not_specified":
        return t._("Quote: no return rules for this market; support decides.")
    reason = str(payload.get("quote_reason"))
    if not payload.get("eligible") or reason not in ELIGIBLE:
        return t._("Quote: not eligible ({why}).").format(why=reason)
    why = t._(ELIGIBLE[reason]).format(
        rate=rate_text(_decimal(payload.get("fee_rate"))),
        days=policy.market_config(str(payload.get("market"))).returns.consumer_withdrawal_days,
    )
    return t._(
        "Quote: eligible ({why}) · goods {amount} · fee {fee} · refund estimate {refund}, "
        "before bonuses already paid"
    ).format(
        why=why,
        amount=_money(t, payload.get("amount"), currency),
        fee=_money(t, payload.get("fee"), currency),
        refund=_money(t, payload.get("refund"), currency),
    )


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


def _money(t: Translator, amount: Any, currency: str) -> str:
    try:
        return t.money(Decimal(str(amount)), currency)
    except (InvalidOperation, ValueError, KeyError):
        return f"{amount} {currency}".strip()


async def staff_move(db: Database, decision: StaffDecision, t: Translator) -> str:
    """A card's button: the move, or what stands in its way."""
    tapped = StaffMove.parse(decision.token)
    if tapped is None:
        return t._("This button is not available.")
    if tapped.move == "reject":
        change = await returns.ask_reason(
            db, tapped.id, decision.staff, decision.at, delivery_id=decision.delivery_id
        )
        if change.made:
            return t._("Write the reason in this topic.")
    else:
        change = await returns.mark(
            db,
            tapped.id,
            MOVES[tapped.move],
            decision.staff,
            decision.at,
            delivery_id=decision.delivery_id,
        )
        if change.made:
            return t._("Done: the customer is told.")
    return _not_made(t, change)


def _not_made(t: Translator, change: returns.Change) -> str:
    if change.request is None:
        return t._("This return request was not found.")
    return t._("Already done: return request {number} is {status}.").format(
        number=change.request.number, status=change.request.status
    )


async def reject_reason(db: Database, note: StaffNote, t: Translator) -> str | None:
    """Staff words in a topic whose return waits for a reject's reason: the reject."""
    change = await returns.reject_with_words(
        db, note.ticket_id, note.staff, note.text, note.at, note.delivery_id
    )
    if change.request is None:
        return None
    if not change.made:
        return _not_made(t, change)
    return t._("Return request {number} is rejected; the customer is told the reason.").format(
        number=change.request.number
    )
