"""The quick order's texts: products, the cart and its totals, an order and how to pay it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.dates import format_skeleton

import policy
from core.flow import Turn
from core.i18n import N_, Translator
from core.types import Row, Summary
from flows.shopping.cart import CartLine
from flows.shopping.catalog import Catalog, Product
from flows.shopping.phone import display as display_phone
from services import orders
from storage.records import Order

CATEGORY_LABELS = {
    "single": N_("Single oils"),
    "blend": N_("Blends"),
    "body": N_("Body care"),
    "supplement": N_("Supplements"),
}
QUOTE_LENGTH = 40  # of a customer's words repeated back
# The units of the catalogue's sizes, in the reader's language: "15 mL" reads "15 мл".
SIZE_UNITS = {"mL": N_("mL"), "pack": N_("pack")}
_SIZE = re.compile(r"(?P<amount>[\d.,]+)\s*(?P<unit>\w+)")


def money(turn: Turn, amount: Decimal, market: str | None = None) -> str:
    return turn.t.money(amount, policy.currency(market or turn.market))


def quoted(turn: Turn, text: str) -> str:
    """The customer's own words, card numbers and passwords masked (R-KZ-MIG-4) and then
    shortened, to repeat them back."""
    text = policy.mask_secrets(text)
    short = text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 1] + "…"
    # Translators: the quotation marks of your language around words the customer typed.
    return turn._("“{text}”").format(text=short)


def category_label(turn: Turn, category: str) -> str:
    label = CATEGORY_LABELS.get(category)
    return turn._(label) if label else category.replace("_", " ").capitalize()


def product_name(turn: Turn, product: Product) -> str:
    return product.name(turn.t.language)


def product_size(turn: Turn, product: Product) -> str:
    """The product's size with its unit in the reader's language ("15 mL", "15 мл")."""
    found = _SIZE.fullmatch(product.size)
    unit = SIZE_UNITS.get(found["unit"]) if found else None
    return f"{found['amount']} {turn._(unit)}" if found and unit else product.size


def product_label(turn: Turn, product: Product) -> str:
    """'Lavender 15 mL · ₩35,000'"""
    name = f"{product_name(turn, product)} {product_size(turn, product)}"
    return f"{name} · {money(turn, product.price)}"


def line_text(turn: Turn, line: CartLine) -> str:
    """'Lavender 15 mL × 2 = ₩70,000'"""
    name = f"{product_name(turn, line.product)} {product_size(turn, line.product)}"
    return f"{name} × {line.quantity} = {money(turn, line.total)}"


def totals_text(turn: Turn, totals: orders.Totals, market: str) -> str:
    """Subtotal, shipping (R-KR-SHIP-1: what more ships free; KZ: a sample fee), total."""
    rows = [turn._("Subtotal: {amount}").format(amount=money(turn, totals.subtotal, market))]
    if totals.shipping_fee:
        shipping = turn._("Shipping: {amount}").format(
            amount=money(turn, totals.shipping_fee, market)
        )
        if totals.free_shipping_gap:
            shipping += " " + turn._("(add {amount} more for free shipping)").format(
                amount=money(turn, totals.free_shipping_gap, market)
            )
        if sample := sample_fee_text(turn, market):
            shipping += "\n" + sample
        rows.append(shipping)
    else:
        rows.append(turn._("Shipping: free"))
    rows.append(turn._("Total: {amount}").format(amount=money(turn, totals.total, market)))
    return "\n".join(rows)


def sample_fee_text(turn: Turn, market: str) -> str:
    """The warning for a shipping fee the company has not confirmed; empty for a real one."""
    if not policy.market_config(market).is_sample("shipping.fee"):
        return ""
    return turn._(
        "This shipping fee is a sample figure, not confirmed by the company: support will "
        "confirm the actual fee."
    )


def summary(
    turn: Turn,
    title: str,
    products: list[Row],
    totals: orders.Totals,
    market: str,
    replaces: str,
) -> Summary:
    """The products, the subtotal (of more than one), shipping and the total as a `Summary`
    of `replaces`, the text that says them (with `totals_text`); its notes say what the
    shipping line adds to the fee."""
    rows = list(products)
    if len(products) > 1:
        # Translators: "Subtotal", "Shipping" and "Total" label amounts in a table; KakaoTalk
        # shows it as a card only when each has at most 6 characters.
        rows.append(Row(turn._("Subtotal"), money(turn, totals.subtotal, market)))
    notes = []
    if totals.shipping_fee:
        rows.append(Row(turn._("Shipping"), money(turn, totals.shipping_fee, market)))
        if totals.free_shipping_gap:
            notes.append(
                turn._("Add {amount} more for free shipping.").format(
                    amount=money(turn, totals.free_shipping_gap, market)
                )
            )
        notes.append(sample_fee_text(turn, market))
    else:
        # Translators: the shipping fee when there is none, in a table's cell.
        free = turn._("free")
        rows.append(Row(turn._("Shipping"), free))
    total = Row(turn._("Total"), money(turn, totals.total, market))
    return Summary(title, tuple(rows), total, replaces, "\n".join(n for n in notes if n))


def cart_text(turn: Turn, lines: list[CartLine], totals: orders.Totals) -> str:
    units = sum(line.quantity for line in lines)
    header = turn.ngettext(
        "🛒 Your cart ({count} item):", "🛒 Your cart ({count} items):", units
    ).format(count=units)
    body = "\n".join(f"• {line_text(turn, line)}" for line in lines)
    return f"{header}\n{body}\n\n{totals_text(turn, totals, turn.market)}"


def cart_summary(turn: Turn, lines: list[CartLine], totals: orders.Totals, cart: str) -> Summary:
    """`cart`, the `cart_text` of these lines in the reply, as a summary: a row per line, the
    header as its title."""
    units = sum(line.quantity for line in lines)
    title = turn.ngettext(
        "🛒 Your cart ({count} item)", "🛒 Your cart ({count} items)", units
    ).format(count=units)
    products = [
        Row(product_name(turn, line.product), money(turn, line.total), line.quantity)
        for line in lines
    ]
    return summary(turn, title, products, totals, turn.market, cart)


def month_label(turn: Turn, year: int, month: int) -> str:
    return format_skeleton("yMMMM", date(year, month, 1), locale=turn.t.locale, fuzzy=True)


def status_label(turn: Turn, status: str) -> str:
    label = orders.STATUS_LABELS.get(status)
    return turn._(label) if label else status


def payment_label(turn: Turn, method: str) -> str:
    label = orders.PAYMENT_LABELS.get(method)
    return turn._(label) if label else method


def ordered_line_name(turn: Turn, catalog: Catalog | None, sku: str, stored: str) -> str:
    """The product's name in the customer's language; the stored name if no longer sold."""
    product = catalog.get(sku) if catalog is not None else None
    return product_name(turn, product) if product is not None else stored


def order_view(turn: Turn, order: Order, catalog: Catalog | None) -> tuple[str, Summary]:
    """A stored order as the customer sees it (number, status, lines, amounts, delivery), and
    its lines and amounts as a summary of that part of the text."""
    head = turn._("Order {number} · {status}").format(
        number=order.number, status=status_label(turn, order.status)
    )
    placed = turn._("Placed: {when}").format(
        when=turn.t.moment(order.placed_at, policy.market_config(order.market).timezone)
    )
    ordered = _order_summary(turn, order, catalog)
    text = "\n".join([head, placed, ordered.replaces, "", *details_lines(turn, order)])
    return text, ordered


def _ordered_text(turn: Turn, order: Order, catalog: Catalog | None) -> str:
    """An order's lines and amounts."""
    lines = "\n".join(
        f"• {ordered_line_name(turn, catalog, line.sku, line.name)} × {line.quantity} = "
        f"{turn.t.money(line.line_total, order.currency)}"
        for line in order.lines
    )
    return f"{lines}\n\n{totals_text(turn, _placed_totals(order), order.market)}"


def _placed_totals(order: Order) -> orders.Totals:
    # As stored: the fee charged then; no "add more for free shipping" once it is placed.
    return orders.Totals(order.subtotal, order.shipping_fee, order.total, None)


def _order_summary(turn: Turn, order: Order, catalog: Catalog | None) -> Summary:
    products = [
        Row(
            ordered_line_name(turn, catalog, line.sku, line.name),
            turn.t.money(line.line_total, order.currency),
            line.quantity,
        )
        for line in order.lines
    ]
    title = turn._("Order {number}").format(number=order.number)
    ordered = _ordered_text(turn, order, catalog)
    return summary(turn, title, products, _placed_totals(order), order.market, ordered)


def details_lines(turn: Turn, order: Order) -> list[str]:
    """Payment method, delivery address, purchase month (R-KR-ORD-1), delivery estimate."""
    details = [
        turn._("Payment: {method}").format(method=payment_label(turn, order.payment_method)),
        turn._("Deliver to: {address}").format(address=order.address),
    ]
    if order.recipient_name:  # orders placed before the name was asked have none
        details.append(turn._("Recipient: {name}").format(name=order.recipient_name))
    details.append(turn._("Phone: {phone}").format(phone=display_phone(order.phone, order.market)))
    if order.member_number:
        details.append(turn._("Member number: {number}").format(number=order.member_number))
    if order.market == "KR":
        details.append(
            turn._("Purchase month: {month}").format(
                month=month_label(turn, order.purchase_year, order.purchase_month)
            )
        )
    if order.status in orders.IN_PROGRESS:
        details.append(delivery_text(turn, order))
    return details


def delivery_text(turn: Turn, order: Order) -> str:
    first, last = orders.estimate_if_paid_now(order, turn.now)
    if order.status == orders.AWAITING_PAYMENT:
        return orders.estimate_if_paid_now_text(turn.t, first, last)
    return orders.estimate_text(turn.t, first, last)


def payment_instructions(turn: Turn, order: Order) -> str:
    """How to pay an unpaid order: R-KR-PAY-3 for bank transfers, staff for cards."""
    if order.payment_method == orders.BANK_TRANSFER:
        return bank_transfer_text(turn, order)
    return card_text(turn, order)


def card_text(turn: Turn, order: Order) -> str:
    """No payment gateway: staff take card payments (R-KR-PAY-2 certificate rule noted)."""
    text = turn._(
        "Card payment is not taken in this chat: a staff member will contact you to take it, "
        "and the order waits for payment until they confirm it. Never send a card number here."
    )
    if policy.needs_certificate(order.market, order.total, order.payment_method):
        config = policy.market_config(order.market)
        assert config.payment.certificate_threshold is not None
        text += "\n" + turn._(
            "Card payments of {threshold} or more need certificate authentication (공인인증서)."
        ).format(threshold=turn.t.money(config.payment.certificate_threshold, order.currency))
    return text


def bank_transfer_text(turn: Turn, order: Order) -> str:
    """R-KR-PAY-3: the account, the deposit name, the deadline."""
    transfer = turn._("Please transfer {amount} to: {account}").format(
        amount=turn.t.money(order.total, order.currency), account=bank_account_text(turn)
    )
    if order.member_number:
        name = turn._("Deposit under the orderer's name and member number ({number}).").format(
            number=order.member_number
        )
    else:
        name = turn._("Deposit under the orderer's name and member number.")
    return "\n".join([transfer, name, deadline_text(turn, order)])


def deadline_text(turn: Turn, order: Order) -> str:
    """The bank-transfer deadline, and the closing-day rule when it shortened it."""
    assert order.pay_by is not None
    config = policy.market_config(order.market)
    text = turn._(
        "Pay by {deadline}; an order still unpaid then is cancelled automatically."
    ).format(deadline=turn.t.moment(order.pay_by, config.timezone))
    days = (
        policy.local_date(order.market, order.pay_by)
        - policy.local_date(order.market, order.placed_at)
    ).days
    if config.payment.bank_transfer_days is not None and days < config.payment.bank_transfer_days:
        text += "\n" + turn._(
            "Orders placed on the month's closing day must be paid by the last day of the month."
        )
    return text


def bank_account_text(turn: Turn) -> str:
    config = policy.market_config(turn.market)
    if config.payment.bank_account is None:
        return turn._("the account number is not available here; please ask support")
    if config.is_sample("payment.bank_account"):
        return turn._(
            "{account} (a SAMPLE placeholder, not the company's real account: ask support for "
            "the account before you pay)"
        ).format(account=config.payment.bank_account)
    return config.payment.bank_account


def payload_total(t: Translator, payload: Mapping[str, Any]) -> str:
    """An order's total as a staff card reads it from its outbox payload (`total`, `currency`);
    what the payload holds, as it is, when it is not an amount."""
    total, currency = payload.get("total"), str(payload.get("currency") or "")
    try:
        return t.money(Decimal(str(total)), currency) if currency else f"{total}"
    except (InvalidOperation, ValueError, KeyError):
        return f"{total} {currency}".strip()
