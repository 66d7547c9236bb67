"""The order lifecycle: an order drafted from a checkout, its status changes, its expiry.

    awaiting_payment -> paid -> shipped -> delivered
    awaiting_payment (customer or staff) or paid (staff) -> cancelled

Every order starts awaiting payment: there is no payment gateway, so staff mark card payments
and bank deposits as paid (`orderbot orders paid NUMBER`). Bank-transfer orders carry `pay_by`
(R-KR-PAY-3) and `expire_unpaid` cancels them after it; card orders have no deadline.

Each status change runs in its own transaction, guarded by the status it starts from
(`OrderRepo.set_status(expected=...)`), so a command or job run twice changes nothing the
second time. The customer's notice is queued in the outbox in that same transaction, under a
dedup key, so it is sent once and never for a change that rolled back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import policy
from core.flow import Resources
from core.i18n import N_, Translator
from services.notices import tell_customer
from storage.db import Database
from storage.records import Order, OrderLine, User
from storage.repos import Tx

AWAITING_PAYMENT = "awaiting_payment"
PAID = "paid"
SHIPPED = "shipped"
DELIVERED = "delivered"
CANCELLED = "cancelled"

CARD = "card"
BANK_TRANSFER = "bank_transfer"

STATUS_LABELS = {
    AWAITING_PAYMENT: N_("Awaiting payment"),
    PAID: N_("Paid"),
    SHIPPED: N_("Shipped"),
    DELIVERED: N_("Delivered"),
    CANCELLED: N_("Cancelled"),
}
PAYMENT_LABELS = {CARD: N_("Card"), BANK_TRANSFER: N_("Bank transfer")}

# The statuses each move may start from. Staff may still cancel a paid order (the refund
# happens outside the bot); the customer only one that is not paid yet.
MOVES: dict[str, tuple[str, ...]] = {
    PAID: (AWAITING_PAYMENT,),
    SHIPPED: (PAID,),
    DELIVERED: (SHIPPED,),
    CANCELLED: (AWAITING_PAYMENT, PAID),
}
# Orders whose goods may come back (R-KR-RET-1..4): paid ones; an unpaid one is cancelled.
RETURNABLE = frozenset({PAID, SHIPPED, DELIVERED})
# Orders still on their way: their delivery estimate is worth showing.
IN_PROGRESS = frozenset({AWAITING_PAYMENT, PAID, SHIPPED})


@dataclass(frozen=True, slots=True)
class Totals:
    subtotal: Decimal
    shipping_fee: Decimal
    total: Decimal
    free_shipping_gap: Decimal | None  # None: the market has no free-shipping threshold


def quote(market: str, subtotal: Decimal) -> Totals:
    """The amounts of an order with this subtotal (R-KR-SHIP-1; KZ: a sample fee)."""
    fee = policy.shipping_fee(market, subtotal)
    return Totals(subtotal, fee, subtotal + fee, policy.free_shipping_gap(market, subtotal))


def draft(
    user_id: int,
    market: str,
    lines: list[OrderLine],
    payment: str,
    address: str,
    phone: str,
    now: datetime,
    *,
    recipient_name: str = "",
    member_number: str = "",
) -> Order:
    """A new order as confirmed `now`, before it is stored (id and number come from storage).

    R-KR-ORD-1 purchase month; R-KR-PAY-3 bank-transfer deadline; R-KR-SHIP-2..4, R-KZ-MIG-6
    the delivery estimate if payment were confirmed now (recomputed when it is marked paid).
    """
    totals = quote(market, sum((line.line_total for line in lines), Decimal(0)))
    year, month = policy.order_month(market, now)
    first, last = policy.delivery_window(market, now, payment)
    return Order(
        id=0,
        number="",
        user_id=user_id,
        market=market,
        currency=policy.currency(market),
        status=AWAITING_PAYMENT,
        payment_method=payment,
        subtotal=totals.subtotal,
        shipping_fee=totals.shipping_fee,
        total=totals.total,
        purchase_year=year,
        purchase_month=month,
        placed_at=now,
        pay_by=policy.bank_transfer_deadline(market, now) if payment == BANK_TRANSFER else None,
        estimate_from=first,
        estimate_to=last,
        address=address,
        phone=phone,
        lines=lines,
        recipient_name=recipient_name,
        member_number=member_number,
    )


def idempotency_key(user_id: int, checkout_token: str) -> str:
    return f"quick_order:{user_id}:{checkout_token}"


async def place(
    tx: Tx,
    order: Order,
    checkout_token: str,
    customer: User | None = None,
    *,
    staff_desk: bool = True,
    key: str | None = None,
    card: str = "order_placed",
    extra: Mapping[str, Any] | None = None,
) -> tuple[Order, bool]:
    """Store the order once per checkout: (the order, False) when this checkout made one.

    Staff hear of every new order in the same transaction: card payments are taken by a
    person (there is no payment gateway), and bank transfers are confirmed by one. Without a
    staff desk (no staff chat configured, the terminal) nobody would ever take that notice
    off the outbox, so none is queued; staff see orders with `orderbot orders`.
    `customer`: the order's user when the caller has it (else it is read). `key`: the
    idempotency key when the order comes from elsewhere than a checkout (an auto-order run),
    `card` and `extra` the staff card it is shown with and what that card adds.
    """
    placed, created = await tx.orders.create(
        order, key or idempotency_key(order.user_id, checkout_token), order.placed_at
    )
    if created and staff_desk:
        await _tell_staff(tx, placed, customer, card, extra or {})
    return placed, created


async def _tell_staff(
    tx: Tx, order: Order, customer: User | None, card: str, extra: Mapping[str, Any]
) -> None:
    user = customer
    if user is None or user.id != order.user_id:
        user = await tx.users.get(order.user_id)
    payload = {
        **extra,
        "type": card,
        "order_id": order.id,
        "number": order.number,
        "market": order.market,
        "payment_method": order.payment_method,
        "total": str(order.total),
        "currency": order.currency,
        "customer": (user.display_name or user.external_id) if user else "",
        "recipient": order.recipient_name,
        "member_number": order.member_number,
    }
    await tx.outbox.add(
        "staff",
        payload,
        order.placed_at,
        user_id=order.user_id,
        dedup_key=f"order-placed-{order.id}",
    )


async def by_checkout(tx: Tx, user_id: int, checkout_token: str) -> Order | None:
    return await tx.orders.by_key(idempotency_key(user_id, checkout_token))


async def owned(tx: Tx, user_id: int, order_id: int) -> Order | None:
    """The order if it belongs to this user: a forged id shows nobody else's order."""
    order = await tx.orders.get(order_id)
    return order if order is not None and order.user_id == user_id else None


async def changed_since(tx: Tx, user_id: int, since: datetime, recent: int = 10) -> list[Order]:
    """The customer's recent orders that changed after `since` (paid, shipped, delivered,
    cancelled, a new estimate): what is new for a customer back after a pause."""
    return [
        order
        for order in await tx.orders.recent(user_id, recent)
        if order.updated_at is not None and order.updated_at > since
    ]


def estimate_if_paid_now(order: Order, now: datetime) -> tuple[date, date]:
    """For an unpaid order, delivery counts from the payment (R-KR-SHIP-3): estimate as if
    it were confirmed now; otherwise the stored estimate."""
    if order.status == AWAITING_PAYMENT:
        return policy.delivery_window(order.market, now, order.payment_method)
    assert order.estimate_from is not None and order.estimate_to is not None
    return order.estimate_from, order.estimate_to


async def cancel_for_customer(tx: Tx, user_id: int, order_id: int, now: datetime) -> Order | None:
    """The customer cancels an unpaid order of theirs; None when it is not theirs or no longer
    unpaid. Within the customer's own turn: they are told in the reply, not the outbox."""
    order = await owned(tx, user_id, order_id)
    if order is None or order.status != AWAITING_PAYMENT:
        return None
    if not await tx.orders.set_status(order.id, CANCELLED, now, expected=AWAITING_PAYMENT):
        return None
    order.status = CANCELLED
    return order


@dataclass(frozen=True, slots=True)
class Change:
    order: Order | None  # None: no order has that number
    before: str  # its status before ("" when there is no order)
    changed: bool


async def mark(db: Database, number: str, status: str, now: datetime) -> Change:
    """Staff move an order to `status` (paid, shipped, delivered, cancelled) and the customer
    is told. Not changed when the order is missing or not in a status the move starts from
    (already there, say, because the command ran twice). Run again if the database
    connection is lost (storage/retry.py): when that was during a COMMIT that landed, the
    order is found already moved (not changed, `before` is `status`), and told once."""

    async def move(tx: Tx) -> Change:
        order = await tx.orders.by_number(number)
        if order is None:
            return Change(None, "", False)
        before = order.status
        if before not in MOVES[status] or not await tx.orders.set_status(
            order.id, status, now, expected=before
        ):
            return Change(order, before, False)
        order.status = status
        if status == PAID:
            await _estimate_from_payment(tx, order, now)
        await _tell_customer(tx, order, now, status)
        return Change(order, before, True)

    return await db.run_in_transaction(move, f"marking order {number} {status}")


async def _estimate_from_payment(tx: Tx, order: Order, paid_at: datetime) -> None:
    """Delivery counts from the confirmed payment (R-KR-SHIP-2, -3)."""
    first, last = policy.delivery_window(order.market, paid_at, order.payment_method)
    order.estimate_from, order.estimate_to = first, last
    await tx.orders.set_estimate(order.id, first, last, paid_at)


async def expire_unpaid(db: Database, now: datetime) -> list[Order]:
    """The scheduled job: cancel bank-transfer orders unpaid past their deadline (R-KR-PAY-3)
    and tell each customer. Safe to run on several workers at once or twice in a row."""
    expired: list[Order] = []
    while True:
        async with db.transaction() as tx:
            due = await tx.orders.unpaid_past_deadline(now)
        cancelled = [order for order in due if await _expire(db, order, now)]
        expired.extend(cancelled)
        # A batch in which nothing changed means another worker has these: stop, never spin.
        if not cancelled:
            return expired


async def expire_job(db: Database, now: datetime, _: Resources | None = None) -> int:
    """The scheduled job's entry: how many orders it cancelled."""
    return len(await expire_unpaid(db, now))


async def _expire(db: Database, order: Order, now: datetime) -> bool:
    async with db.transaction() as tx:
        if not await tx.orders.set_status(order.id, CANCELLED, now, expected=AWAITING_PAYMENT):
            return False
        order.status = CANCELLED
        await _tell_customer(tx, order, now, "expired")
        return True


def estimate_text(t: Translator, first: date, last: date) -> str:
    return t._("Estimated delivery: {first} – {last} (the carrier may shift it).").format(
        first=t.day(first), last=t.day(last)
    )


def estimate_if_paid_now_text(t: Translator, first: date, last: date) -> str:
    return t._(
        "Estimated delivery if paid now: {first} – {last} (the carrier may shift it)."
    ).format(first=t.day(first), last=t.day(last))


def notice_text(t: Translator, order: Order, kind: str) -> str:
    """What the customer is told about a change made by staff or the expiry job."""
    number = order.number
    if kind == "expired":
        assert order.pay_by is not None
        deadline = t.moment(order.pay_by, policy.market_config(order.market).timezone)
        return t._(
            "Order {number} has been cancelled: the bank transfer did not arrive by {deadline}. "
            "You can order again any time with /order."
        ).format(number=number, deadline=deadline)
    if kind == CANCELLED:
        return t._(
            "Order {number} has been cancelled by our staff. Questions? Send /support."
        ).format(number=number)
    if kind == DELIVERED:
        return t._("Order {number} has been delivered. Thank you for your order!").format(
            number=number
        )
    assert order.estimate_from is not None and order.estimate_to is not None
    estimate = estimate_text(t, order.estimate_from, order.estimate_to)
    if kind == PAID:
        text = t._("Payment for order {number} is confirmed.")
    else:
        text = t._("Order {number} has been shipped.")
    return text.format(number=number) + " " + estimate


async def _tell_customer(tx: Tx, order: Order, now: datetime, kind: str) -> None:
    await tell_customer(
        tx,
        order.user_id,
        now,
        lambda t: notice_text(t, order, kind),
        dedup_key=f"order-{kind}-{order.id}",
        order=order.number,
    )
