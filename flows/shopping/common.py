"""What the picker's modules share (flows/shopping/picker.py, browse_steps.py, cart_steps.py)
and what flows use beside a `Picker`: the help texts, the states and the move-only buttons'
triggers, the machine's moves (`transitions`), the turn's catalogue, quantity buttons and typed
quantities, the common buttons, and cart lines as order lines."""

from __future__ import annotations

from typing import Any

from core.actions import Action, ToMenu
from core.flow import Turn
from core.i18n import N_
from core.parsing import typed_count
from core.types import Button
from flows.shopping.actions import (
    EditCart,
    Qty,
    ToCart,
    ToCategories,
    ToProducts,
)
from flows.shopping.cart import MAX_QUANTITY, CartLine
from flows.shopping.catalog import Catalog
from storage.records import OrderLine

QUICK_QUANTITIES = (1, 2, 3, 4, 5)
ORDER_EXAMPLE_HINT = N_(
    "Type product names and quantities, e.g. “lavender 2, lemon”, or tap a button."
)
QUANTITY_HELP = N_("Tap a number, or type a quantity from 1 to {max}.")
PICK_HELP = N_("Tap the product you meant, or “None of these”.")
UNCLEAR_HELP = N_(
    "Tap “Add what I understood” to put those products in your cart, or type the whole order again."
)
REQUANTITY_HELP = N_("Tap a number, or type a quantity from 0 to {max} (0 removes it).")
EDIT_HELP = N_("Tap the product you want to change.")
# The machine's moves for the picker's move-only buttons.
NAVIGATION: dict[type[Action], str] = {
    ToCart: "to_cart",
    ToCategories: "to_categories",
    ToProducts: "to_products",
    EditCart: "edit_cart",
}
# The picker's states, in order.
STATES = ("category", "product", "quantity", "pick_match", "cart", "edit", "requantity")
BROWSING = ("category", "product", "cart")


# -- what every picker shares ----------------------------------------------------------------
def catalog_of(turn: Turn) -> Catalog | None:
    """The user's market's catalogue; None when the deployment has none for it."""
    catalog = turn.resources.catalogs.get(turn.market)
    return catalog if isinstance(catalog, Catalog) else None


def catalog(turn: Turn) -> Catalog:
    """The catalogue, for steps: the flow checked that there is one before calling them."""
    found = catalog_of(turn)
    assert found is not None, "the flow checks the catalogue before any step runs"
    return found


def quantity_buttons() -> tuple[Button, ...]:
    return tuple(Qty(n=n).button(str(n)) for n in QUICK_QUANTITIES)


def typed_quantity(text: str, lowest: int = 1) -> int | None:
    """A typed quantity within lowest..MAX_QUANTITY: "7", "007", "7개", "two", "두 개"."""
    return typed_count(text, lowest, MAX_QUANTITY)


def cart_button(turn: Turn, count: int) -> Button:
    return ToCart().button(turn._("🛒 Cart ({count})").format(count=count))


def browse_button(turn: Turn) -> Button:
    return ToCategories().button(turn._("🛍 Browse products"))


def back_to_cart_button(turn: Turn) -> Button:
    return ToCart().button(turn._("⬅ Back to the cart"))


def menu_button(turn: Turn) -> Button:
    return ToMenu().button(turn._("🏠 Menu"))


def order_lines(lines: list[CartLine]) -> list[OrderLine]:
    """Cart lines as order lines. The English name is stored: staff read it; the customer sees
    the catalogue's name in their own language while the product is sold."""
    return [
        OrderLine(
            line.product.sku, line.product.name("en"), line.quantity, line.product.price, line.total
        )
        for line in lines
    ]


# The moves every picker's steps make, as `transitions` entries; a flow adds its own sources
# for `to_cart` / `to_categories` (its checkout steps) beside these.
def transitions(
    *,
    to_cart_from: tuple[str, ...] = (),
    to_categories_from: tuple[str, ...] = (),
    ask_match_from: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    return [
        {"trigger": "pick_category", "source": "category", "dest": "product"},
        {"trigger": "pick_product", "source": "product", "dest": "quantity"},
        {"trigger": "to_products", "source": "quantity", "dest": "product"},
        {
            "trigger": "to_categories",
            "source": ["product", "cart", "edit", *to_categories_from],
            "dest": "category",
        },
        {
            "trigger": "ask_match",
            "source": [*BROWSING, "pick_match", *ask_match_from],
            "dest": "pick_match",
        },
        {
            "trigger": "to_cart",
            "source": [
                "category",
                "product",
                "quantity",
                "pick_match",
                "cart",
                "edit",
                "requantity",
                *to_cart_from,
            ],
            "dest": "cart",
        },
        {"trigger": "edit_cart", "source": "cart", "dest": "edit"},
        {"trigger": "pick_line", "source": "edit", "dest": "requantity"},
    ]
