"""Quick order: the Korea KakaoTalk channel's quick order (R-KR-ORD-7), in any of our
languages and for both markets: catalogue -> cart -> checkout -> order, and My orders.

The product picker and cart are flows/shopping/picker.py's (shared with the auto-order); the
checkout steps live in checkout.py, phone.py and history.py beside this module, their buttons
in actions.py, the staff card in staff.py; this module declares the machine, the
flow's surface (commands, menu entries, the expiry job, the staff card) and the buttons that
only move. Decisions and the state diagram: docs/flows/quick_order.md.
"""

from __future__ import annotations

from datetime import timedelta
from types import MappingProxyType
from typing import ClassVar

from core.actions import Action, parse
from core.flow import Turn
from core.i18n import N_
from core.steps import StepFlow, Steps
from core.surface import Command, Job, MenuEntry
from core.types import Event, Kind, Outcome, Reply, finish, go, stay
from flows.quick_order import checkout, history
from flows.quick_order.actions import ToAddress, ToOrders, ToPayment
from flows.quick_order.common import PICKER, catalog_of, menu_button
from flows.quick_order.staff import order_card
from flows.shopping import common as shopping
from flows.shopping.cart import MAX_QUANTITY, Cart
from services import orders

STEPS = Steps(*PICKER.steps(), *checkout.STEPS, *history.STEPS)

# Buttons that only move to another step, taken wherever the machine allows that move from
# the current step; elsewhere they are stale.
NAVIGATION: dict[type[Action], str] = {
    **shopping.NAVIGATION,
    ToOrders: "to_orders",
    ToAddress: "to_address",
    ToPayment: "to_payment",
}


class QuickOrder(StepFlow):
    name = "quick_order"
    steps = STEPS
    states: ClassVar = STEPS.states
    transitions: ClassVar = [
        *shopping.transitions(
            to_cart_from=(
                "address",
                "phone",
                "recipient",
                "payment",
                "member",
                "review",
                "placed",
                "order",
            ),
            to_categories_from=("review", "placed", "orders"),
            ask_match_from=("placed",),
        ),
        {"trigger": "to_address", "source": ["category", "cart", "review"], "dest": "address"},
        {"trigger": "to_phone", "source": "address", "dest": "phone"},
        {"trigger": "to_recipient", "source": "phone", "dest": "recipient"},
        {"trigger": "to_payment", "source": ["recipient", "review"], "dest": "payment"},
        {"trigger": "to_member", "source": "payment", "dest": "member"},
        {"trigger": "to_review", "source": ["payment", "member"], "dest": "review"},
        {"trigger": "confirm", "source": "review", "dest": "placed"},
        {
            "trigger": "to_orders",
            "source": ["category", "cart", "placed", "order"],
            "dest": "orders",
        },
        {"trigger": "open_order", "source": "orders", "dest": "order"},
        {"trigger": "ask_cancel", "source": "order", "dest": "confirm_cancel"},
        {"trigger": "to_order", "source": "confirm_cancel", "dest": "order"},
    ]
    initial = "category"
    free_text_states = STEPS.free_text
    commands = (
        Command("order", N_("Order products"), order=20),
        Command("cart", N_("Your cart"), "cart", order=21),
        Command("checkout", N_("Check out your cart"), "checkout", order=22),
        Command("orders", N_("Your orders"), "orders", order=23),
        Command("reorder", N_("Order again"), "reorder", order=24),
    )
    menu = (
        MenuEntry(N_("🛒 Order"), order=10),
        MenuEntry(N_("📦 My orders"), "orders", order=20),
    )
    jobs = (Job("expire_unpaid_orders", timedelta(minutes=1), orders.expire_job),)
    staff_cards = MappingProxyType({"order_placed": order_card})

    async def begin(self, turn: Turn, args: str) -> Outcome:
        """`/order [items]`, `/cart`, `/checkout`, `/orders`, `/reorder`, and the menu."""
        if catalog_of(turn) is None:
            return finish(Reply(_unavailable_text(turn)))
        entry = args.strip()
        if entry == "cart":
            return go("to_cart")
        if entry == "checkout":
            return go("to_cart") if Cart.of(turn).is_empty else go("to_address")
        if entry == "orders":
            return go("to_orders")
        if entry == "reorder":
            return await _reorder_last(turn)
        return await PICKER.quick_add(turn, entry) if entry else Outcome()

    async def prompt(self, turn: Turn) -> list[Reply]:
        if catalog_of(turn) is None:
            return [Reply(_unavailable_text(turn), ((menu_button(turn),),))]
        return await super().prompt(turn)

    async def handle(self, turn: Turn, event: Event) -> Outcome:
        if catalog_of(turn) is None:
            return finish(Reply(_unavailable_text(turn)))
        if event.kind is Kind.ACTION:
            trigger = NAVIGATION.get(type(parse(event.action)))
            if trigger is not None and trigger in self.machine.get_triggers(turn.conv.state):
                return go(trigger)
        return await super().handle(turn, event)

    def help(self, turn: Turn) -> str:
        return super().help(turn).format(max=MAX_QUANTITY)

    async def cancel(self, turn: Turn) -> list[Reply]:
        if Cart.of(turn).is_empty:
            return [Reply(turn._("Stopped."))]
        return [Reply(turn._("Stopped. Your cart is kept: send /cart to see it."))]


async def _reorder_last(turn: Turn) -> Outcome:
    """/reorder: the last order's lines into the cart."""
    last = await turn.tx.orders.recent(turn.user.id, 1)
    if not last:
        return stay(Reply(turn._("You have no earlier order to repeat.")))
    return PICKER.add_order(turn, last[0])


def _unavailable_text(turn: Turn) -> str:
    """No catalogue for the market: a deployment problem the customer can only route around."""
    return turn._(
        "Ordering is not available for your market right now. Please try later or send /support."
    )
