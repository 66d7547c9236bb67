"""What staff see of a new order: a card for the desk, in the staff's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.i18n import Translator
from core.surface import StaffCard
from flows.shopping.views import payload_total
from services.orders import BANK_TRANSFER, CARD, PAYMENT_LABELS


def order_card(t: Translator, payload: Mapping[str, Any]) -> StaffCard:
    """The `order_placed` card: who ordered what total, and the operator commands that take
    the order on (there is no payment gateway: a person takes card payments)."""
    number = str(payload.get("number") or payload.get("order_id") or "?")
    method = str(payload.get("payment_method") or "")
    label = PAYMENT_LABELS.get(method)
    title = t._("New order {number} ({market}): {customer}").format(
        number=number,
        market=payload.get("market") or "?",
        customer=payload.get("customer") or "?",
    )
    lines = [
        t._("Total: {total} · Payment: {payment}").format(
            total=payload_total(t, payload), payment=t._(label) if label else method or "?"
        )
    ]
    if payload.get("recipient"):
        lines.append(t._("Recipient: {name}").format(name=payload["recipient"]))
    if payload.get("member_number"):
        lines.append(t._("Member number: {number}").format(number=payload["member_number"]))
    paid = f"orderbot orders paid {number}"
    if method == CARD:
        lines.append(
            t._("Contact the customer to take the card payment, then run: {command}").format(
                command=paid
            )
        )
    elif method == BANK_TRANSFER:
        lines.append(t._("When the transfer arrives, run: {command}").format(command=paid))
    else:
        lines.append(t._("Once it is paid, run: {command}").format(command=paid))
    lines.append(
        t._("Details and phone: {show} · Cancel: {cancel}").format(
            show=f"orderbot orders show {number}", cancel=f"orderbot orders cancel {number}"
        )
    )
    return StaffCard(title, tuple(lines))
