"""The picker's cart steps, as a base of `Picker` (flows/shopping/picker.py): the cart with its
main button, edit (pick a line) and requantity (change one line). They use the picker's cart
slot, main button and extras (`cart`, `proceed`, `proceed_label`, `extras`) and its product in
focus (`product_in_focus`, browse_steps.py)."""

from __future__ import annotations

from core.flow import Turn
from core.types import Outcome, Reply, go, invalid, rows, stale, stay
from flows.shopping.actions import (
    Checkout,
    ClearCart,
    EditCart,
    EditLine,
    Qty,
    RemoveLine,
    ToCart,
    ToCategories,
)
from flows.shopping.cart import MAX_QUANTITY, subtotal
from flows.shopping.common import (
    EDIT_HELP,
    REQUANTITY_HELP,
    back_to_cart_button,
    browse_button,
    catalog,
    quantity_buttons,
    typed_quantity,
)
from flows.shopping.match import match
from flows.shopping.views import (
    cart_summary,
    cart_text,
    product_name,
)
from services.orders import quote


class CartSteps:
    """The picker's cart, edit and requantity steps."""

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
        totals = quote(turn.market, subtotal(lines))
        buttons = rows(
            [
                Checkout().button(self.proceed_label(turn)),
                ToCategories().button(turn._("➕ Add more")),
                EditCart().button(turn._("✏️ Edit cart")),
            ],
            per_row=3,
        )
        text = cart_text(turn, lines, totals)
        return [Reply(text, buttons, summary=cart_summary(turn, lines, totals, text))]

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
