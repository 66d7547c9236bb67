"""Checkout: delivery address, phone and recipient (kept in the profile for next time; their
steps are flows/quick_order/phone.py), payment method, the member number for a bank transfer,
the summary, and the confirmation that places exactly one order.

The Confirm button carries the cart's checkout token; the order's idempotency key is made
from it (flows/orders.py), so a double tap or a redelivered confirm stores one order and the
second tap shows it again.
"""

from __future__ import annotations

import hashlib
from dataclasses import astuple, dataclass
from datetime import timedelta

from babel.dates import format_timedelta

import policy
from core.actions import MenuChoice
from core.flow import Turn
from core.i18n import N_
from core.steps import Problem, Step
from core.types import Outcome, Reply, go, invalid, rows, stale, stay
from flows.quick_order.actions import (
    Confirm,
    Pay,
    SkipMember,
    ToAddress,
    ToCart,
    ToCategories,
    ToPayment,
)
from flows.quick_order.common import (
    PICKER,
    back_to_cart_button,
    browse_button,
    catalog,
    catalog_of,
    menu_button,
    orders_button,
)
from flows.quick_order.phone import DELIVERY, RECIPIENT
from flows.shopping.cart import Cart, CartLine, subtotal
from flows.shopping.common import order_lines
from flows.shopping.views import (
    card_text,
    cart_summary,
    cart_text,
    deadline_text,
    details_lines,
    order_view,
    payment_instructions,
)
from services import orders
from services.orders import BANK_TRANSFER, CARD
from storage.records import Order

# The channel whose payment methods this chat offers: it is the KakaoTalk quick order in
# Korea (R-KR-ORD-7); Kazakhstan names only the Virtual Office, paid by card (R-KZ-MIG-6).
ORDER_CHANNEL = {"KR": "kakaotalk", "KZ": "virtual_office"}
PAYMENT_BUTTONS = {CARD: N_("💳 Card"), BANK_TRANSFER: N_("🏦 Bank transfer")}
# Typed answers at the payment step, in our three languages.
PAYMENT_WORDS = {
    CARD: ("card", "카드", "карт"),
    BANK_TRANSFER: ("transfer", "bank", "이체", "입금", "송금", "무통장", "перевод", "банк"),
    "cash": ("cash", "현금", "наличн", "кэш"),
}
# The main menu's auto-order entry (flows/lrp), offered after an order is placed.
AUTO_ORDER = MenuChoice("lrp")
REVIEW_HELP = N_("Tap “Confirm the order” to place it, or change something below.")
PLACED_HELP = N_("Tap My orders to follow your order, or type products to start a new one.")
MEMBER_HELP = N_("Type your member number, or tap “Skip” if you do not have one at hand.")


def payment_methods(market: str) -> tuple[str, ...]:
    """The online methods of this chat's channel; cash is for the business center only."""
    methods = policy.accepted_payment_methods(market, ORDER_CHANNEL[market])
    return tuple(method for method in methods if method in (CARD, BANK_TRANSFER))


# -- payment -------------------------------------------------------------------------------
def _methods_note(turn: Turn) -> str:
    """R-KZ-MIG-6: which cards Kazakhstan accepts; Korea accepts any (R-KR-PAY-2)."""
    if turn.market == "KZ":
        return "\n" + turn._(
            "In Kazakhstan orders are paid by card, issued by a bank of Kazakhstan, "
            "Kyrgyzstan, Armenia or Belarus."
        )
    return ""


def _cash_text(turn: Turn) -> str:
    """R-KR-PAY-1: cash only at the business center."""
    address = policy.market_config(turn.market).business_center.address
    if address is None:
        return turn._("Cash is not accepted for orders in this chat.")
    return turn._(
        "Cash is accepted only at the business center ({address}), not for orders here."
    ).format(address=address)


async def payment_prompt(turn: Turn) -> list[Reply]:
    methods = payment_methods(turn.market)
    buttons = [Pay(m).button(turn._(PAYMENT_BUTTONS[m])) for m in methods]
    buttons.append(back_to_cart_button(turn))
    text = turn._("How would you like to pay?") + _methods_note(turn)
    return [Reply(text, rows(buttons))]


def _typed_method(text: str) -> str | None:
    folded = text.casefold()
    return next(
        (method for method, words in PAYMENT_WORDS.items() if any(w in folded for w in words)),
        None,
    )


def _paying_by(turn: Turn, method: str) -> Outcome:
    """A bank transfer asks the member number it is deposited under (R-KR-PAY-3) first."""
    turn.data["payment"] = method
    turn.data["member"] = ""
    return go("to_member") if method == BANK_TRANSFER else go("to_review")


async def pay_tapped(turn: Turn, tapped: Pay) -> Outcome:
    if tapped.method not in payment_methods(turn.market):
        return stale()
    return _paying_by(turn, tapped.method)


async def payment_typed(turn: Turn, text: str) -> Outcome:
    methods = payment_methods(turn.market)
    method = _typed_method(text) or ""
    if method == "cash":
        return stay(Reply(_cash_text(turn)))
    if method not in methods:
        choose = turn._("Please choose one of: {methods}.").format(
            methods=", ".join(turn._(PAYMENT_BUTTONS[m]) for m in methods)
        )
        if method in PAYMENT_BUTTONS:
            label = turn._(orders.PAYMENT_LABELS[method])
            choose = turn._("{method} is not available here.").format(method=label) + " " + choose
        return invalid(choose)
    return _paying_by(turn, method)


# -- member number (bank transfers) ----------------------------------------------------------
async def member_prompt(turn: Turn) -> list[Reply]:
    text = turn._(
        "A bank transfer is deposited under the orderer's name and member number. What is your "
        "member number? We show it with the payment details."
    )
    buttons = [SkipMember().button(turn._("⏭ Skip")), back_to_cart_button(turn)]
    return [Reply(text, rows(buttons, per_row=1))]


def clean_member_number(turn: Turn, text: str) -> str | Problem:
    digit_range = policy.market_config(turn.market).membership.member_number_digits
    if digit_range is None:  # a market without bank transfers: only "Skip" goes on
        return Problem(turn._(MEMBER_HELP))
    number = policy.member_number(turn.market, text) if text else None
    if number is not None:
        return number
    low, high = digit_range
    return Problem(
        turn._(
            "A member number has {low} to {high} digits, e.g. 12345678. Please type it again, "
            "or tap “Skip”."
        ).format(low=low, high=high)
    )


async def member_typed(turn: Turn, number: str) -> Outcome:
    turn.data["member"] = number
    return go("to_review")


async def member_skipped(turn: Turn, tapped: SkipMember) -> Outcome:
    turn.data["member"] = ""
    return go("to_review")


# -- review --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Details:
    """What this checkout asked besides the cart."""

    address: str
    phone: str
    recipient: str
    payment: str
    member: str  # "" when skipped, and for a card


def _details(turn: Turn) -> Details | None:
    """The details chosen in this checkout; None if one is missing."""
    values = tuple(turn.data.get(key) for key in ("address", "phone", "recipient", "payment"))
    if not all(isinstance(v, str) and v for v in values):
        return None
    address, phone, recipient, payment = (str(v) for v in values)
    if payment not in payment_methods(turn.market):
        return None
    member = turn.data.get("member") if payment == BANK_TRANSFER else ""
    return Details(address, phone, recipient, payment, member if isinstance(member, str) else "")


def _draft(turn: Turn, lines: list[CartLine], details: Details) -> Order:
    """The order as it would be if confirmed now."""
    return orders.draft(
        turn.user.id,
        turn.market,
        order_lines(lines),
        details.payment,
        details.address,
        details.phone,
        turn.now,
        recipient_name=details.recipient,
        member_number=details.member,
    )


async def review_prompt(turn: Turn) -> list[Reply]:
    cart = Cart.of(turn)
    lines = cart.lines(catalog(turn))
    if not lines:
        return [Reply(turn._("Your cart is empty."), ((browse_button(turn),),))]
    details = _details(turn)
    if details is None:
        resume = ToAddress().button(turn._("➡️ Continue the checkout"))
        return [Reply(turn._("Some delivery details are missing."), ((resume,),))]
    draft = _draft(turn, lines, details)
    payment = card_text(turn, draft) if draft.payment_method == CARD else deadline_text(turn, draft)
    if draft.payment_method != CARD:
        payment += _short_notice(turn)
    totals = orders.quote(turn.market, subtotal(lines))
    contents = cart_text(turn, lines, totals)
    text = "\n\n".join(
        [
            turn._("Please check your order:"),
            contents,
            "\n".join(details_lines(turn, draft)),
            payment,
        ]
    )
    buttons = rows(
        [
            confirm_action(cart, details).button(turn._("✅ Confirm the order")),
            ToCart().button(turn._("✏️ Edit cart")),
            ToAddress().button(turn._("📍 Change the address")),
            ToPayment().button(turn._("💳 Change the payment")),
        ],
        per_row=1,
    )
    return [Reply(text, buttons, summary=cart_summary(turn, lines, totals, contents))]


def _short_notice(turn: Turn) -> str:
    """A bank transfer due in a few hours (late on the month's closing day): say how little
    time is left and suggest a card."""
    left = policy.bank_transfer_time_left(turn.market, turn.now)
    if left is None:
        return ""
    # Rounded down, never up: the deadline shows 23:59, and 2 h 50 min is not "3 hours".
    minutes = int(left.total_seconds() // 60)
    left = timedelta(hours=minutes // 60) if minutes >= 60 else timedelta(minutes=minutes)
    return "\n⚠️ " + turn._(
        "Only {left} left until then: a transfer may not arrive in time, and the order is then "
        "cancelled. Paying by card is safer ({change})."
    ).format(
        left=format_timedelta(left, locale=turn.t.locale),
        change=turn._("💳 Change the payment"),
    )


def confirm_action(cart: Cart, details: Details) -> Confirm:
    """The Confirm button: this cart's checkout and a fingerprint of the details the
    customer reviewed, so that a Confirm shown for another address, phone, recipient or
    payment is stale rather than placing an order the customer did not see."""
    return Confirm(cart.checkout_token(), _fingerprint(details))


def _fingerprint(details: Details) -> str:
    return hashlib.sha256("\x1f".join(astuple(details)).encode()).hexdigest()[:8]


async def confirm_tapped(turn: Turn, tapped: Confirm) -> Outcome:
    checkout = tapped.checkout
    cart = Cart.of(turn)
    existing = await orders.by_checkout(turn.tx, turn.user.id, checkout)
    if existing is not None:
        # A double tap, or an old Confirm: show that order; only the cart it was made from
        # is emptied, never a cart the customer has filled since.
        return _placed(turn, existing, clear=checkout == cart.checkout_token())
    lines = cart.lines(catalog(turn))
    details = _details(turn)
    # A Confirm shown for other contents or other details is stale.
    if not lines or details is None or tapped != confirm_action(cart, details):
        return stale()
    draft = _draft(turn, lines, details)
    staff_desk = turn.resources.staff_desk
    order, _ = await orders.place(turn.tx, draft, checkout, turn.user, staff_desk=staff_desk)
    return _placed(turn, order)


def _placed(turn: Turn, order: Order, *, clear: bool = True) -> Outcome:
    if clear:
        Cart.of(turn).clear()
    turn.data["placed"] = order.id
    turn.fresh["placed"] = order
    return go("confirm")


# -- placed --------------------------------------------------------------------------------
async def placed_prompt(turn: Turn) -> list[Reply]:
    order = await _placed_order(turn)
    choices = [orders_button(turn), ToCategories().button(turn._("🛍 Order more"))]
    if AUTO_ORDER.flow in turn.flows:
        choices.append(AUTO_ORDER.button(turn._("🔁 Order monthly (auto-order)")))
    buttons = rows([*choices, menu_button(turn)], per_row=2)
    if order is None:
        return [Reply(turn._("Your order is placed: find it under My orders."), buttons)]
    catalog = catalog_of(turn)
    text, summary = order_view(turn, order, catalog)
    parts = [turn._("✅ Thank you! Your order is placed."), text]
    if order.status == orders.AWAITING_PAYMENT:
        parts.append(payment_instructions(turn, order))
    if policy.market_config(order.market).ordering.quick_orders_processed_in_sequence:
        parts.append(
            turn._(
                "Quick orders are processed one after another as they arrive, so processing "
                "may start a little after the time you ordered."
            )
        )
    return [Reply("\n\n".join(parts), buttons, summary=summary)]


async def _placed_order(turn: Turn) -> Order | None:
    """The order this step shows: as placed in this very turn, else read back by its id."""
    order_id = turn.data.get("placed")
    if not order_id:
        return None
    order = turn.fresh.get("placed")
    if isinstance(order, Order) and order.id == order_id:
        return order
    return await orders.owned(turn.tx, turn.user.id, order_id)


async def placed_confirm_tapped(turn: Turn, tapped: Confirm) -> Outcome:
    existing = await orders.by_checkout(turn.tx, turn.user.id, tapped.checkout)
    if existing is None:
        return stale()
    turn.data["placed"] = existing.id
    return stay(Reply(turn._("This order has already been placed; here it is again.")))


async def placed_typed(turn: Turn, text: str) -> Outcome:
    return await PICKER.add_typed(turn, text, PLACED_HELP)


STEPS = (
    *DELIVERY.steps(),
    RECIPIENT.step(),
    Step(
        "payment",
        prompt=payment_prompt,
        on={Pay: pay_tapped},
        answer=payment_typed,
        help=N_("Tap how you would like to pay."),
        # Typed words ("card", "카드", "перевод") that the question detector would otherwise
        # answer as a question about payment.
        free_text=True,
    ),
    Step(
        "member",
        prompt=member_prompt,
        on={SkipMember: member_skipped},
        validate=clean_member_number,
        answer=member_typed,
        help=MEMBER_HELP,
        # A number: never the number of an option shown.
        number=True,
    ),
    Step("review", prompt=review_prompt, on={Confirm: confirm_tapped}, help=REVIEW_HELP),
    Step(
        "placed",
        prompt=placed_prompt,
        on={Confirm: placed_confirm_tapped},
        answer=placed_typed,
        help=PLACED_HELP,
        resumable=False,
    ),
)
