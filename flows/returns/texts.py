"""The return flow's texts: the quote (R-KR-RET-1..3), the request on screen, the procedure
(R-KR-RET-4). Amounts are the market's currency, dates the customer's locale."""

from __future__ import annotations

from decimal import Decimal

import policy
from core.flow import Turn
from core.i18n import N_
from flows.shopping.common import catalog_of
from flows.shopping.views import ordered_line_name
from services import returns
from storage.records import ReturnLine, ReturnRequest

REASONS = {
    "changed_mind": N_("I changed my mind"),
    "damaged": N_("Damaged or defective"),
    "wrong_item": N_("Wrong product delivered"),
    "other": N_("Other reason"),
}
KINDS = {
    "member": N_("a member, for my own purchase"),
    "consumer": N_("a retail customer who bought from a member"),
}
# Why a quote is what it is (policy.return_quote's reasons).
ELIGIBLE = {
    "member_up_to_1_month": N_("within one month of supply, so there is no fee"),
    "member_up_to_2_months": N_("one to two months after supply, so the fee is at most {rate}"),
    "member_up_to_3_months": N_("two to three months after supply, so the fee is at most {rate}"),
    "consumer_within_window": N_(
        "within {days} days of the purchase, or of a later delivery, so there is no fee"
    ),
}
INELIGIBLE = {
    "member_window_passed": N_(
        "Members may return goods within three months of the purchase, up to {deadline}; "
        "that time has passed."
    ),
    "consumer_window_passed": N_(
        "Retail customers may return goods within {days} days of the purchase, or of a later "
        "delivery, up to {deadline}; that time has passed."
    ),
}


def money(turn: Turn, amount: Decimal, currency: str) -> str:
    return turn.t.money(amount, currency)


def rate_text(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def line_name(turn: Turn, sku: str, stored: str) -> str:
    """A returned product's name in the customer's language (typed goods: as typed)."""
    return ordered_line_name(turn, catalog_of(turn), sku, stored) if sku else stored


def lines_text(turn: Turn, lines: list[ReturnLine], currency: str) -> str:
    """Our order's lines with their quantities and value; typed goods as typed."""
    return "\n".join(_line_text(turn, line, currency) for line in lines)


def _line_text(turn: Turn, line: ReturnLine, currency: str) -> str:
    if not line.sku:
        return f"• {line.name}"
    name = turn._("{name} × {quantity}").format(
        name=line_name(turn, line.sku, line.name), quantity=line.quantity
    )
    return f"• {name} ({money(turn, line.unit_price * line.quantity, currency)})"


def consumer_note(turn: Turn) -> str:
    """R-KR-RET-1: a retail customer's return is the selling member's responsibility."""
    return turn._(
        "For a retail customer, the member who sold the goods is responsible for the refund or "
        "exchange. I still record your request, and staff pass it on."
    )


def quote_text(turn: Turn, quote: policy.ReturnQuote, amount: Decimal, currency: str) -> str:
    """The quote as the customer reads it: eligible or not and why, fee, refund, timing."""
    days = policy.market_config(turn.market).returns.consumer_withdrawal_days
    deadline = turn.t.day(quote.deadline) if quote.deadline else ""
    if quote.reason == "not_specified":
        return turn._(
            "The company's rules give no return terms for Kazakhstan, so I cannot quote a fee "
            "or a refund. Support decides: I will record your request and open a support "
            "request with it."
        )
    if not quote.eligible:
        why = turn._(INELIGIBLE[quote.reason]).format(days=days, deadline=deadline)
        return turn._("This return is not possible under the return rules. {why}").format(why=why)
    why = turn._(ELIGIBLE[quote.reason]).format(rate=rate_text(quote.fee_rate), days=days)
    parts = [
        turn._("This return is possible: {why}.").format(why=why),
        turn._("Goods: {amount} · Fee: {fee} · Refund estimate: {refund}").format(
            amount=money(turn, amount, currency),
            fee=money(turn, quote.fee, currency),
            refund=money(turn, quote.refund, currency),
        ),
        turn._(
            "The estimate is before deducting bonuses already paid on this purchase; the company "
            "settles the exact amount."
        ),
    ]
    timing = returns.refund_timing_text(turn.t, turn.market)
    if timing:
        parts.append(timing)
    if deadline:
        parts.append(turn._("Last day to ask for this return: {day}.").format(day=deadline))
    return "\n".join(parts)


def status_label(turn: Turn, status: str) -> str:
    label = returns.STATUS_LABELS.get(status)
    return turn._(label) if label else status


def request_summary(turn: Turn, request: ReturnRequest) -> str:
    """'• RT-KR-2612-000001 · order KR-2612-000001 · Waiting for a decision'."""
    return turn._("• {number} · order {order} · {status}").format(
        number=request.number, order=request.order_number, status=status_label(turn, request.status)
    )


def request_text(turn: Turn, request: ReturnRequest) -> str:
    """One request in full: what, the quote as quoted, where it stands."""
    parts = [
        turn._("Return request {number}").format(number=request.number),
        turn._("Order {order}, bought on {day}").format(
            order=request.order_number, day=turn.t.day(request.purchased_on)
        ),
        lines_text(turn, request.lines, request.currency),
    ]
    if request.eligible:
        parts.append(
            turn._("Refund estimate: {refund} (fee {fee}), before bonuses already paid").format(
                refund=money(turn, request.refund, request.currency),
                fee=money(turn, request.fee, request.currency),
            )
        )
    parts.append(turn._("Status: {status}").format(status=status_label(turn, request.status)))
    if request.status == returns.REJECTED and request.reject_reason:
        parts.append(turn._("Reason: {reason}").format(reason=request.reject_reason))
    if request.status == returns.APPROVED:
        parts.append(returns.procedure_text(turn.t, request.market))
    return "\n".join(parts)


def created_text(turn: Turn, request: ReturnRequest, ticket_id: int) -> str:
    """What happens next: staff decide; the procedure (R-KR-RET-4); photos are welcome."""
    said = turn._("Your return request {number} is recorded.").format(number=request.number)
    if request.quote_reason == "not_specified":
        next_steps = turn._(
            "There are no return rules for Kazakhstan to apply, so support request #{ticket} is "
            "open with it: staff will answer in this chat."
        ).format(ticket=ticket_id)
    else:
        next_steps = turn._(
            "Staff check it and you will hear the decision here. Then: {procedure}"
        ).format(procedure=returns.procedure_text(turn.t, request.market))
    photos = turn._(
        "Photos of the goods help staff (not required): if you can, send them here; anything "
        "you write here goes to staff too. You can follow the request under My returns."
    )
    return f"{said}\n\n{next_steps}\n\n{photos}"
