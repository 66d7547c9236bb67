"""The picker's browsing steps, as a base of `Picker` (flows/shopping/picker.py): category,
product, quantity, and pick_match (a typed quick order that was not all clear). They use the
picker's cart, extras and adding (`cart`, `extras`, `add_typed`, `add_understood`,
`unclear_line`, `_added`, `_added_note`, `_limit`)."""

from __future__ import annotations

from typing import Any

from core.flow import Turn
from core.types import Outcome, Reply, go, invalid, rows, stale, stay
from flows.shopping.actions import (
    NONE_OF_THESE,
    AddUnderstood,
    ChooseCategory,
    ChooseProduct,
    PickMatch,
    Qty,
    ToCategories,
    ToProducts,
)
from flows.shopping.cart import MAX_QUANTITY
from flows.shopping.catalog import Product
from flows.shopping.common import (
    PICK_HELP,
    QUANTITY_HELP,
    UNCLEAR_HELP,
    back_to_cart_button,
    cart_button,
    catalog,
    quantity_buttons,
    typed_quantity,
)
from flows.shopping.match import match
from flows.shopping.views import (
    category_label,
    product_label,
    quoted,
)


class BrowseSteps:
    """The picker's category, product, quantity and pick_match steps."""

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

    # -- pick_match: a typed order that was not all clear -------------------------------------
    # Nothing of it is in the cart yet (`quick_add`): the products understood are held in
    # "understood", the names that fit several products in "pending", the rest in "unclear".
    def _pending(self, turn: Turn) -> list[dict[str, Any]]:
        pending = turn.data.get("pending")
        return pending if isinstance(pending, list) else []

    def _unclear(self, turn: Turn) -> list[list[Any]]:
        unclear = turn.data.get("unclear")
        return unclear if isinstance(unclear, list) else []

    def _understood(self, turn: Turn) -> list[str]:
        """The products held so far, as "Lemon × 1"."""
        held = turn.data.get("understood")
        products = catalog(turn)
        return [
            self._added(turn, product, int(quantity))
            for sku, quantity in (held if isinstance(held, list) else [])
            if (product := products.get(str(sku))) is not None
        ]

    async def pick_match_prompt(self, turn: Turn) -> list[Reply]:
        if self._unclear(turn):
            return [self._understood_reply(turn)]
        pending = self._pending(turn)
        if not pending:
            text = turn._("There is nothing left to choose.")
            return [Reply(text, ((back_to_cart_button(turn),),))]
        current = pending[0]
        products = [catalog(turn).get(str(sku)) for sku in current["skus"]]
        choices = [(PickMatch(p.sku).button(product_label(turn, p)),) for p in products if p]
        skip = (PickMatch(NONE_OF_THESE).button(turn._("None of these")),)
        question = turn._("Which one did you mean by {name}?").format(
            name=quoted(turn, str(current["query"]))
        )
        held = self._understood(turn)
        lines = [turn._("Here is what I understood:"), *(f"✅ {name}" for name in held)]
        return [Reply("\n".join([*(lines if held else []), question]), (*choices, skip))]

    def _understood_reply(self, turn: Turn) -> Reply:
        """Item by item, what was understood of a typed order and what was not."""
        lines = [turn._("Here is what I understood:")]
        lines += [f"✅ {name}" for name in self._understood(turn)]
        lines += [
            "❔ "
            + turn._("{name}: several products match; I'll ask which one.").format(
                name=quoted(turn, str(item["query"]))
            )
            for item in self._pending(turn)
        ]
        lines += [
            "❌ " + self.unclear_line(turn, str(query), bool(found))
            for query, found in self._unclear(turn)
        ]
        lines.append(
            turn._(
                "Nothing is in your cart yet. Add what I understood, or type the whole order again."
            )
        )
        add = AddUnderstood().button(turn._("✅ Add what I understood"))
        return Reply("\n".join(lines), ((add,), (back_to_cart_button(turn),)))

    def pick_match_help(self, turn: Turn) -> str:
        """The screen's two faces: what was understood of a typed order, or a choice."""
        return turn._(UNCLEAR_HELP if self._unclear(turn) else PICK_HELP)

    async def understood_tapped(self, turn: Turn, tapped: AddUnderstood) -> Outcome:
        if not self._unclear(turn):
            return stale()
        turn.data.pop("unclear")
        return stay() if self._pending(turn) else self.add_understood(turn)

    def _offered(self, turn: Turn) -> tuple[str, ...]:
        """The SKUs offered for the first ambiguous name."""
        return tuple(str(sku) for sku in self._pending(turn)[0]["skus"])

    async def pick_match_tapped(self, turn: Turn, tapped: PickMatch) -> Outcome:
        if (
            self._unclear(turn)
            or not self._pending(turn)
            or tapped.sku not in (*self._offered(turn), NONE_OF_THESE)
        ):
            return stale()
        return self._take_match(turn, tapped.sku)

    async def pick_match_typed(self, turn: Turn, text: str) -> Outcome:
        if self._unclear(turn):  # the order typed again, corrected
            return await self.add_typed(turn, text)
        if not self._pending(turn):
            return go("to_cart")
        found = match(text, catalog(turn), among=self._offered(turn)) if text else ()
        if len(found) != 1:
            return invalid(turn._(PICK_HELP))
        return self._take_match(turn, found[0])

    def _take_match(self, turn: Turn, chosen: str) -> Outcome:
        """The product chosen for the first ambiguous name (NONE_OF_THESE: none) held with the
        others; the last choice puts them all into the cart."""
        pending = self._pending(turn)
        current = pending.pop(0)
        if catalog(turn).get(chosen) is not None:
            held = turn.data.get("understood")
            turn.data["understood"] = [
                *(held if isinstance(held, list) else []),
                [chosen, int(current["quantity"])],
            ]
        return stay() if pending else self.add_understood(turn)
