"""What the quick order's step modules share: the catalogue, quantities, navigation buttons.

Every step is a `core.steps.Step`: it lists the button families it accepts (flows/quick_order/
actions.py); any other tap is stale.
"""

from __future__ import annotations

from core.actions import ToMenu
from core.flow import Turn
from core.parsing import typed_whole_number
from core.types import Button
from flows.quick_order.actions import Qty, ToCart, ToCategories, ToOrders
from flows.shopping.cart import MAX_QUANTITY
from flows.shopping.catalog import Catalog

QUICK_QUANTITIES = (1, 2, 3, 4, 5)


def catalog_of(turn: Turn) -> Catalog | None:
    """The user's market's catalogue; None when the deployment has none for it."""
    catalog = turn.resources.catalogs.get(turn.market)
    return catalog if isinstance(catalog, Catalog) else None


def catalog(turn: Turn) -> Catalog:
    """The catalogue, for steps: the flow checked that there is one before calling them."""
    found = catalog_of(turn)
    assert found is not None, "QuickOrder checks the catalogue before any step runs"
    return found


def quantity_buttons() -> tuple[Button, ...]:
    return tuple(Qty(n=n).button(str(n)) for n in QUICK_QUANTITIES)


def typed_quantity(text: str, lowest: int = 1) -> int | None:
    """A typed quantity within lowest..MAX_QUANTITY (at most three digits: "007" is 7)."""
    return typed_whole_number(text, lowest, MAX_QUANTITY)


def cart_button(turn: Turn, count: int) -> Button:
    return ToCart().button(turn._("🛒 Cart ({count})").format(count=count))


def browse_button(turn: Turn) -> Button:
    return ToCategories().button(turn._("🛍 Browse products"))


def back_to_cart_button(turn: Turn) -> Button:
    return ToCart().button(turn._("⬅ Back to the cart"))


def orders_button(turn: Turn) -> Button:
    return ToOrders().button(turn._("📦 My orders"))


def menu_button(turn: Turn) -> Button:
    return ToMenu().button(turn._("🏠 Menu"))
