"""The product picker: categories -> product -> quantity, typed quick orders, ambiguous names,
and the cart with its edits. One implementation for the quick order and the auto-order.

A flow makes one `Picker` (which cart slot it fills, what the cart's main button does and says,
the extra buttons it shows) and takes its `steps()` into its own `Steps`. Its machine declares
the moves the steps make: `pick_category` (category -> product), `pick_product` (product ->
quantity), `to_products`, `to_categories`, `ask_match` (a browsing step -> pick_match),
`to_cart`, `edit_cart` (cart -> edit), `pick_line` (edit -> requantity); `NAVIGATION` maps the
picker's move-only buttons to those triggers.

Typed product names add to the cart at every browsing step (`quick_add`), as in the Korea
KakaoTalk channel's quick order: "lavender 2, lemon". Only an ambiguous name asks back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from core.actions import Action, ToMenu
from core.flow import Turn
from core.i18n import N_
from core.parsing import typed_whole_number
from core.steps import Step
from core.types import Button, Outcome, Reply, go, invalid, rows, stale, stay
from flows.shopping.actions import (
    NONE_OF_THESE,
    Checkout,
    ChooseCategory,
    ChooseProduct,
    ClearCart,
    EditCart,
    EditLine,
    PickMatch,
    Qty,
    RemoveLine,
    ToCart,
    ToCategories,
    ToProducts,
)
from flows.shopping.cart import CART_SLOT, MAX_QUANTITY, Cart, CartLine, subtotal
from flows.shopping.catalog import Catalog, Product
from flows.shopping.match import match, parse_order
from flows.shopping.views import (
    cart_text,
    category_label,
    product_label,
    product_name,
    quoted,
)
from services.orders import quote
from storage.records import OrderLine

QUICK_QUANTITIES = (1, 2, 3, 4, 5)
ORDER_EXAMPLE_HINT = N_(
    "Type product names and quantities, e.g. “lavender 2, lemon”, or tap a button."
)
QUANTITY_HELP = N_("Tap a number, or type a quantity from 1 to {max}.")
PICK_HELP = N_("Tap the product you meant, or “None of these”.")
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
    """A typed quantity within lowest..MAX_QUANTITY (at most three digits: "007" is 7)."""
    return typed_whole_number(text, lowest, MAX_QUANTITY)


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


def _no_buttons(turn: Turn) -> list[Button]:
    return []


async def _nothing(turn: Turn, tapped: Checkout) -> Outcome:
    return stale()


@dataclass(frozen=True)
class Picker:
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
        """Add what the customer typed; ask about ambiguous names (state pick_match)."""
        products = catalog(turn)
        cart = self.cart(turn)
        added: list[str] = []
        problems: list[str] = []
        pending: list[dict[str, Any]] = []
        for item in parse_order(text, products):
            if not item.skus:
                problems.append(
                    turn._("I couldn't find {name} in the catalogue.").format(
                        name=quoted(turn, item.query)
                    )
                )
            elif item.quantity is None:
                problems.append(
                    turn._("{name}: the quantity must be a number from 1 to {max}.").format(
                        name=quoted(turn, item.query), max=MAX_QUANTITY
                    )
                )
            elif len(item.skus) > 1:
                pending.append({"query": item.query, "quantity": item.quantity, "skus": item.skus})
            else:
                product = products.get(item.skus[0])
                assert product is not None
                if cart.add(product.sku, item.quantity):
                    added.append(self._added(turn, product, item.quantity))
                else:
                    problems.append(self._limit(turn, product))
        notes = [self._added_note(turn, added)] if added else []
        notes += problems
        say = [Reply("\n".join(notes))] if notes else []
        if pending:
            turn.data["pending"] = pending
            return go("ask_match", *say)
        if added:
            return go("to_cart", *say)
        return invalid("\n".join([*problems, turn._(ORDER_EXAMPLE_HINT)]))

    async def add_typed(self, turn: Turn, text: str, hint: str = ORDER_EXAMPLE_HINT) -> Outcome:
        """What a browsing step does with typed input: product names go into the cart; `hint`
        (an N_ message id) explains anything else (a photo, a sticker)."""
        if text:
            return await self.quick_add(turn, text)
        return invalid(turn._(hint))

    def add_lines(self, turn: Turn, lines: list[OrderLine], market: str) -> tuple[str, str]:
        """Put earlier lines (an order's, a template's) into the cart: the names added and
        the names not available to add now (no longer sold, another market's)."""
        products = catalog(turn)
        cart = self.cart(turn)
        added, missing = [], []
        for line in lines:
            product = products.get(line.sku) if market == turn.market else None
            if product is not None and cart.add(product.sku, line.quantity):
                added.append(self._added(turn, product, line.quantity))
            else:
                missing.append(line.name)
        return ", ".join(added), ", ".join(missing)

    # -- category ----------------------------------------------------------------------------
    async def category_prompt(self, turn: Turn) -> list[Reply]:
        cart = self.cart(turn)
        categories = [
            ChooseCategory(category).button(category_label(turn, category))
            for category in catalog(turn).categories()
        ]
        extra = [cart_button(turn, cart.units)] if not cart.is_empty else []
        text = turn._(
            "What would you like to order? Choose a category, or type product names and "
            "quantities, e.g. “lavender 2, lemon”."
        )
        return [Reply(text, rows(categories) + rows([*extra, *self.extras(turn)]))]

    def _typed_category(self, turn: Turn, text: str) -> str | None:
        folded = text.casefold()
        return next(
            (
                category
                for category in catalog(turn).categories()
                if folded in (category.casefold(), category_label(turn, category).casefold())
            ),
            None,
        )

    def _choose_category(self, turn: Turn, category: str) -> bool:
        if category not in catalog(turn).categories():
            return False
        turn.data["category"] = category
        return True

    async def category_tapped(self, turn: Turn, tapped: ChooseCategory) -> Outcome:
        return go("pick_category") if self._choose_category(turn, tapped.name) else stale()

    async def category_typed(self, turn: Turn, text: str) -> Outcome:
        category = self._typed_category(turn, text) if text else None
        if category is not None:
            self._choose_category(turn, category)
            return go("pick_category")
        return await self.add_typed(turn, text)

    # -- product -----------------------------------------------------------------------------
    async def product_prompt(self, turn: Turn) -> list[Reply]:
        category = turn.data.get("category")
        products = catalog(turn).in_category(category) if isinstance(category, str) else []
        if not products:
            # Reached without a category (/back from a later step): offer them here.
            return await self.category_prompt(turn)
        cart = self.cart(turn)
        choices = [(ChooseProduct(p.sku).button(product_label(turn, p)),) for p in products]
        nav = [ToCategories().button(turn._("⬅ Categories"))]
        if not cart.is_empty:
            nav.append(cart_button(turn, cart.units))
        text = turn._("{category}: which product?").format(category=category_label(turn, category))
        return [Reply(text, (*choices, tuple(nav)))]

    async def other_category_tapped(self, turn: Turn, tapped: ChooseCategory) -> Outcome:
        return stay() if self._choose_category(turn, tapped.name) else stale()

    async def product_tapped(self, turn: Turn, tapped: ChooseProduct) -> Outcome:
        if catalog(turn).get(tapped.sku) is None:
            return stale()
        turn.data["sku"] = tapped.sku
        return go("pick_product")

    # -- quantity ----------------------------------------------------------------------------
    def product_in_focus(self, turn: Turn, key: str) -> Product | None:
        sku = turn.data.get(key)
        return catalog(turn).get(sku) if isinstance(sku, str) else None

    async def quantity_prompt(self, turn: Turn) -> list[Reply]:
        product = self.product_in_focus(turn, "sku")
        back = ToProducts().button(turn._("⬅ Back"))
        if product is None:
            return [Reply(turn._("Please choose a product first."), ((back,),))]
        text = turn._("How many {product}? Tap a number or type one from 1 to {max}.").format(
            product=product_label(turn, product), max=MAX_QUANTITY
        )
        return [Reply(text, (quantity_buttons(), (back,)))]

    async def quantity_tapped(self, turn: Turn, tapped: Qty) -> Outcome:
        product = self.product_in_focus(turn, "sku")
        if product is None or tapped.n < 1:
            return stale()
        return self._add_product(turn, product, tapped.n)

    async def quantity_typed(self, turn: Turn, text: str) -> Outcome:
        product = self.product_in_focus(turn, "sku")
        if product is None:
            return invalid(turn._("Please choose a product first."))
        quantity = typed_quantity(text)
        if quantity is None:
            return invalid(turn._(QUANTITY_HELP).format(max=MAX_QUANTITY))
        return self._add_product(turn, product, quantity)

    def _add_product(self, turn: Turn, product: Product, quantity: int) -> Outcome:
        if not self.cart(turn).add(product.sku, quantity):
            return invalid(self._limit(turn, product))
        note = self._added_note(turn, [self._added(turn, product, quantity)])
        return go("to_cart", Reply(note))

    # -- pick_match: an ambiguous name typed in a quick order --------------------------------
    def _pending(self, turn: Turn) -> list[dict[str, Any]]:
        pending = turn.data.get("pending")
        return pending if isinstance(pending, list) else []

    async def pick_match_prompt(self, turn: Turn) -> list[Reply]:
        pending = self._pending(turn)
        if not pending:
            text = turn._("There is nothing left to choose.")
            return [Reply(text, ((back_to_cart_button(turn),),))]
        current = pending[0]
        products = [catalog(turn).get(str(sku)) for sku in current["skus"]]
        choices = [(PickMatch(p.sku).button(product_label(turn, p)),) for p in products if p]
        skip = (PickMatch(NONE_OF_THESE).button(turn._("None of these")),)
        text = turn._("Which one did you mean by {name}?").format(
            name=quoted(turn, str(current["query"]))
        )
        return [Reply(text, (*choices, skip))]

    def _offered(self, turn: Turn) -> tuple[str, ...]:
        """The SKUs offered for the first ambiguous name."""
        return tuple(str(sku) for sku in self._pending(turn)[0]["skus"])

    async def pick_match_tapped(self, turn: Turn, tapped: PickMatch) -> Outcome:
        if not self._pending(turn) or tapped.sku not in (*self._offered(turn), NONE_OF_THESE):
            return stale()
        return self._take_match(turn, tapped.sku)

    async def pick_match_typed(self, turn: Turn, text: str) -> Outcome:
        if not self._pending(turn):
            return go("to_cart")
        found = match(text, catalog(turn), among=self._offered(turn)) if text else ()
        if len(found) != 1:
            return invalid(turn._(PICK_HELP))
        return self._take_match(turn, found[0])

    def _take_match(self, turn: Turn, chosen: str) -> Outcome:
        """The product chosen for the first ambiguous name (NONE_OF_THESE: none) into the cart."""
        pending = self._pending(turn)
        current = pending.pop(0)
        say = []
        product = catalog(turn).get(chosen)
        if product is not None:
            quantity = int(current["quantity"])
            if self.cart(turn).add(product.sku, quantity):
                say.append(Reply(self._added_note(turn, [self._added(turn, product, quantity)])))
            else:
                say.append(Reply(self._limit(turn, product)))
        return stay(*say) if pending else go("to_cart", *say)

    # -- cart --------------------------------------------------------------------------------
    async def cart_prompt(self, turn: Turn) -> list[Reply]:
        lines = self.cart(turn).lines(catalog(turn))
        if not lines:
            return [
                Reply(
                    turn._(
                        "Your cart is empty. Browse the catalogue or type product names, e.g. "
                        "“lavender 2, lemon”."
                    ),
                    rows([browse_button(turn), *self.extras(turn)]),
                )
            ]
        text = cart_text(turn, lines, quote(turn.market, subtotal(lines)))
        buttons = rows(
            [
                Checkout().button(self.proceed_label(turn)),
                ToCategories().button(turn._("➕ Add more")),
                EditCart().button(turn._("✏️ Edit cart")),
            ],
            per_row=3,
        )
        return [Reply(text, buttons)]

    async def checkout_tapped(self, turn: Turn, tapped: Checkout) -> Outcome:
        return stay() if self.cart(turn).is_empty else await self.proceed(turn, tapped)

    # -- edit: pick a line -------------------------------------------------------------------
    async def edit_prompt(self, turn: Turn) -> list[Reply]:
        lines = self.cart(turn).lines(catalog(turn))
        if not lines:
            return [Reply(turn._("Your cart is empty."), ((browse_button(turn),),))]
        choices = [
            EditLine(line.product.sku).button(
                f"{product_name(turn, line.product)} × {line.quantity}"
            )
            for line in lines
        ]
        nav = [ClearCart().button(turn._("🗑 Empty the cart")), ToCart().button(turn._("✅ Done"))]
        text = turn._("Which product do you want to change?")
        return [Reply(text, rows(choices) + rows(nav))]

    async def clear_tapped(self, turn: Turn, tapped: ClearCart) -> Outcome:
        self.cart(turn).clear()
        return go("to_cart", Reply(turn._("Your cart is now empty.")))

    async def line_tapped(self, turn: Turn, tapped: EditLine) -> Outcome:
        if not self.cart(turn).quantity(tapped.sku):
            return stale()
        turn.data["line"] = tapped.sku
        return go("pick_line")

    async def line_typed(self, turn: Turn, text: str) -> Outcome:
        cart = self.cart(turn)
        in_cart = tuple(line.product.sku for line in cart.lines(catalog(turn)))
        found = match(text, catalog(turn), among=in_cart) if text else ()
        if len(found) != 1 or not cart.quantity(found[0]):
            return invalid(turn._(EDIT_HELP))
        turn.data["line"] = found[0]
        return go("pick_line")

    # -- requantity: change one line ---------------------------------------------------------
    async def requantity_prompt(self, turn: Turn) -> list[Reply]:
        product = self.product_in_focus(turn, "line")
        quantity = self.cart(turn).quantity(product.sku) if product else 0
        back = back_to_cart_button(turn)
        if product is None or not quantity:
            return [Reply(turn._("This product is no longer in your cart."), ((back,),))]
        text = turn._(
            "{product}: {quantity} in the cart. How many do you want? Tap a number or type one "
            "from 0 to {max} (0 removes it)."
        ).format(product=product_name(turn, product), quantity=quantity, max=MAX_QUANTITY)
        remove = RemoveLine().button(turn._("🗑 Remove"))
        return [Reply(text, (quantity_buttons(), (remove, back)))]

    async def remove_tapped(self, turn: Turn, tapped: RemoveLine) -> Outcome:
        return self._requantity(turn, 0) or stale()

    async def requantity_tapped(self, turn: Turn, tapped: Qty) -> Outcome:
        return self._requantity(turn, tapped.n) or stale()

    async def requantity_typed(self, turn: Turn, text: str) -> Outcome:
        explain = invalid(turn._(REQUANTITY_HELP).format(max=MAX_QUANTITY))
        quantity = typed_quantity(text, lowest=0)
        return explain if quantity is None else self._requantity(turn, quantity) or explain

    def _requantity(self, turn: Turn, quantity: int) -> Outcome | None:
        """Set the line in focus to `quantity`; None when that line is no longer in the cart."""
        cart = self.cart(turn)
        product = self.product_in_focus(turn, "line")
        if product is None or not cart.quantity(product.sku):
            return None
        cart.put(product.sku, quantity)
        name = product_name(turn, product)
        if quantity:
            done = turn._("{product}: now {quantity}.").format(product=name, quantity=quantity)
        else:
            done = turn._("{product} removed from the cart.").format(product=name)
        return go("to_cart", Reply(done))

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
                on={PickMatch: self.pick_match_tapped},
                answer=self.pick_match_typed,
                help=PICK_HELP,
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
        {"trigger": "ask_match", "source": [*BROWSING, *ask_match_from], "dest": "pick_match"},
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
