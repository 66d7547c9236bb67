"""What the quick order's step modules share: its picker (flows/shopping/picker.py, the one
the auto-order uses too) and its own buttons.

Every step is a `core.steps.Step`: it lists the button families it accepts (flows/quick_order/
actions.py); any other tap is stale.
"""

from __future__ import annotations

from core.flow import Turn
from core.types import Button, Outcome, Reply, go
from flows.quick_order.actions import Checkout, ToOrders
from flows.shopping.common import (
    back_to_cart_button,
    browse_button,
    catalog,
    catalog_of,
    menu_button,
)
from flows.shopping.picker import Picker
from storage.records import Order


def orders_button(turn: Turn) -> Button:
    return ToOrders().button(turn._("📦 My orders"))


async def _checkout(turn: Turn, tapped: Checkout) -> Outcome:
    return go("to_address")


PICKER = Picker(proceed=_checkout, extras=lambda turn: [orders_button(turn)])


def add_order_lines(turn: Turn, order: Order) -> Outcome:
    """Put an earlier order's lines into the cart (/reorder, "Order again")."""
    added, missing = PICKER.add_lines(turn, order.lines, order.market)
    notes = []
    if added:
        notes.append(
            turn._("Added from order {number}: {items}.").format(number=order.number, items=added)
        )
    if missing:
        notes.append(turn._("Not available to add now: {items}.").format(items=missing))
    return go("to_cart", Reply("\n".join(notes)))


__all__ = [
    "PICKER",
    "add_order_lines",
    "back_to_cart_button",
    "browse_button",
    "catalog",
    "catalog_of",
    "menu_button",
    "orders_button",
]
