"""The product picker: categories -> product -> quantity, typed quick orders, ambiguous names,
and the cart with its edits. One implementation for the quick order and the auto-order.

A flow makes one `Picker` (which cart slot it fills, what the cart's main button does and says,
the extra buttons it shows) and takes its `steps()` into its own `Steps`. Its machine declares
the moves the steps make: `pick_category` (category -> product), `pick_product` (product ->
quantity), `to_products`, `to_categories`, `ask_match` (a browsing step -> pick_match),
`to_cart`, `edit_cart` (cart -> edit), `pick_line` (edit -> requantity); `NAVIGATION` maps the
picker's move-only buttons to those triggers.

The browsing steps are in browse_steps.py, the cart's in cart_steps.py (both bases of
`Picker`); what they share, and the states, `NAVIGATION` and `transitions`, in common.py.

Typed product names add to the cart at every browsing step (`quick_add`), as in the Korea
KakaoTalk channel's quick order: "lavender 2, lemon". Only an ambiguous name asks back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from core.flow import Turn
from core.i18n import N_
from core.steps import Step
from core.types import Button, Outcome, Reply, go, invalid, stale
from flows.shopping.actions import (
    AddUnderstood,
    Checkout,
    ChooseCategory,
    ChooseProduct,
    ClearCart,
    EditLine,
    PickMatch,
    Qty,
    RemoveLine,
)
from flows.shopping.browse_steps import BrowseSteps
from flows.shopping.cart import CART_SLOT, MAX_QUANTITY, Cart
from flows.shopping.cart_steps import CartSteps
from flows.shopping.catalog import Product
from flows.shopping.common import (
    EDIT_HELP,
    ORDER_EXAMPLE_HINT,
    QUANTITY_HELP,
    REQUANTITY_HELP,
    catalog,
)
from flows.shopping.match import parse_order
from flows.shopping.views import (
    product_name,
    quoted,
)
from storage.records import Order


def _no_buttons(turn: Turn) -> list[Button]:
    return []


async def _nothing(turn: Turn, tapped: Checkout) -> Outcome:
    return stale()


@dataclass(frozen=True)
class Picker(BrowseSteps, CartSteps):
    """One flow's picker: the cart it fills and where the cart's main button leads."""

    # The conversation slot holding this flow's cart.
    slot: str = CART_SLOT
    # The cart's main button: its label (turn -> text) and what a tap does (cart not empty).
    proceed_label: Callable[[Turn], str] = field(default=lambda turn: turn._("✅ Checkout"))
    proceed: Callable[[Turn, Checkout], Awaitable[Outcome]] = _nothing
    # Buttons the flow adds under the categories and under an empty cart.
    extras: Callable[[Turn], list[Button]] = _no_buttons
    cart_help: str = N_(
        "Tap Checkout to order, Edit cart to change it, or type more products to add."
    )

    def cart(self, turn: Turn) -> Cart:
        return Cart.of(turn, self.slot)

    # -- adding ------------------------------------------------------------------------------
    def _added(self, turn: Turn, product: Product, quantity: int) -> str:
        return f"{product_name(turn, product)} × {quantity}"

    def _added_note(self, turn: Turn, items: list[str]) -> str:
        return turn._("Added to your cart: {items}.").format(items=", ".join(items))

    def _limit(self, turn: Turn, product: Product) -> str:
        return turn._("{name}: at most {max} of one product per order.").format(
            name=product_name(turn, product), max=MAX_QUANTITY
        )

    async def quick_add(self, turn: Turn, text: str) -> Outcome:
        """Read a typed order. All of it clear: into the cart. Otherwise nothing goes in yet:
        the products understood are held, and state pick_match says item by item what was
        understood and what was not, or asks which product an ambiguous name meant."""
        items = parse_order(text, catalog(turn))
        clear = [item for item in items if len(item.skus) == 1 and item.quantity is not None]
        ambiguous = [item for item in items if len(item.skus) > 1 and item.quantity is not None]
        unclear = [item for item in items if not item.skus or item.quantity is None]
        if not clear and not ambiguous:
            problems = [self.unclear_line(turn, item.query, bool(item.skus)) for item in unclear]
            return invalid("\n".join([*problems, turn._(ORDER_EXAMPLE_HINT)]))
        turn.data["understood"] = [[item.skus[0], item.quantity] for item in clear]
        turn.data["pending"] = [
            {"query": item.query, "quantity": item.quantity, "skus": item.skus}
            for item in ambiguous
        ]
        turn.data["unclear"] = [[item.query, bool(item.skus)] for item in unclear]
        if unclear or ambiguous:
            return go("ask_match")
        return self.add_understood(turn)

    def unclear_line(self, turn: Turn, query: str, found: bool) -> str:
        """What was wrong with one item of a typed order: its name, or its quantity."""
        if not found:
            return turn._("I couldn't find {name} in the catalogue.").format(
                name=quoted(turn, query)
            )
        return turn._("{name}: the quantity must be a number from 1 to {max}.").format(
            name=quoted(turn, query), max=MAX_QUANTITY
        )

    def add_understood(self, turn: Turn) -> Outcome:
        """Put the products held from a typed order into the cart, and show the cart."""
        products = catalog(turn)
        cart = self.cart(turn)
        added: list[str] = []
        problems: list[str] = []
        for sku, quantity in turn.data.pop("understood", []):
            product = products.get(str(sku))
            if product is None:
                continue
            if cart.add(product.sku, int(quantity)):
                added.append(self._added(turn, product, int(quantity)))
            else:
                problems.append(self._limit(turn, product))
        for key in ("pending", "unclear"):
            turn.data.pop(key, None)
        notes = [self._added_note(turn, added)] if added else []
        notes += problems
        return go("to_cart", *([Reply("\n".join(notes))] if notes else []))

    async def add_typed(self, turn: Turn, text: str, hint: str = ORDER_EXAMPLE_HINT) -> Outcome:
        """What a browsing step does with typed input: product names go into the cart; `hint`
        (an N_ message id) explains anything else (a photo, a sticker)."""
        if text:
            return await self.quick_add(turn, text)
        return invalid(turn._(hint))

    def add_order(self, turn: Turn, order: Order) -> Outcome:
        """Put an earlier order's lines into the cart (/reorder, "Order again", an auto-order
        copied from the last order) and show the cart, saying what was added and what is not
        available to add now (no longer sold, another market's)."""
        products = catalog(turn)
        cart = self.cart(turn)
        added, missing = [], []
        for line in order.lines:
            product = products.get(line.sku) if order.market == turn.market else None
            if product is not None and cart.add(product.sku, line.quantity):
                added.append(self._added(turn, product, line.quantity))
            else:
                missing.append(line.name)
        notes = []
        if added:
            notes.append(
                turn._("Added from order {number}: {items}.").format(
                    number=order.number, items=", ".join(added)
                )
            )
        if missing:
            notes.append(
                turn._("Not available to add now: {items}.").format(items=", ".join(missing))
            )
        return go("to_cart", Reply("\n".join(notes)))

    # -- the steps ---------------------------------------------------------------------------
    def steps(self) -> tuple[Step, ...]:
        """The picker's steps (STATES), for the flow's `Steps`."""
        return (
            Step(
                "category",
                prompt=self.category_prompt,
                on={ChooseCategory: self.category_tapped},
                answer=self.category_typed,
                help=N_(
                    "Tap a category, or type product names and quantities, e.g. “lavender 2, "
                    "lemon”."
                ),
            ),
            Step(
                "product",
                prompt=self.product_prompt,
                on={ChooseCategory: self.other_category_tapped, ChooseProduct: self.product_tapped},
                answer=self.add_typed,
                help=N_("Tap a product, or type its name."),
            ),
            Step(
                "quantity",
                prompt=self.quantity_prompt,
                on={Qty: self.quantity_tapped},
                answer=self.quantity_typed,
                help=QUANTITY_HELP,
                number=True,
            ),
            Step(
                "pick_match",
                prompt=self.pick_match_prompt,
                on={PickMatch: self.pick_match_tapped, AddUnderstood: self.understood_tapped},
                answer=self.pick_match_typed,
                help=self.pick_match_help,
            ),
            Step(
                "cart",
                prompt=self.cart_prompt,
                on={Checkout: self.checkout_tapped},
                answer=self.add_typed,
                help=self.cart_help,
            ),
            Step(
                "edit",
                prompt=self.edit_prompt,
                on={ClearCart: self.clear_tapped, EditLine: self.line_tapped},
                answer=self.line_typed,
                help=EDIT_HELP,
            ),
            Step(
                "requantity",
                prompt=self.requantity_prompt,
                on={RemoveLine: self.remove_tapped, Qty: self.requantity_tapped},
                answer=self.requantity_typed,
                help=REQUANTITY_HELP,
                number=True,
            ),
        )
