"""What the quick order's step modules share: its picker (flows/shopping/picker.py, the one
the auto-order uses too) and its own buttons.

Every step is a `core.steps.Step`: it lists the button families it accepts (flows/quick_order/
actions.py); any other tap is stale.
"""

from __future__ import annotations

from core.flow import Turn
from core.types import Button, Outcome, go
from flows.quick_order.actions import Checkout, ToOrders
from flows.shopping.common import (
    back_to_cart_button,
    browse_button,
    catalog,
    catalog_of,
    menu_button,
)
from flows.shopping.picker import Picker


def orders_button(turn: Turn) -> Button:
    return ToOrders().button(turn._("📦 My orders"))


async def _checkout(turn: Turn, tapped: Checkout) -> Outcome:
    return go("to_address")


PICKER = Picker(proceed=_checkout, extras=lambda turn: [orders_button(turn)])


__all__ = [
    "PICKER",
    "back_to_cart_button",
    "browse_button",
    "catalog",
    "catalog_of",
    "menu_button",
    "orders_button",
]
