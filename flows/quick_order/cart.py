"""The cart on screen: checkout from it, edit a line's quantity, remove lines, empty it."""

from __future__ import annotations

from core.flow import Turn
from core.i18n import N_
from core.steps import Step
from core.types import Outcome, Reply, go, invalid, rows, stale, stay
from flows.quick_order.actions import (
    Checkout,
    ClearCart,
    EditCart,
    EditLine,
    Qty,
    RemoveLine,
    ToCart,
    ToCategories,
)
from flows.quick_order.common import (
    back_to_cart_button,
    browse_button,
    catalog,
    orders_button,
    quantity_buttons,
    typed_quantity,
)
from flows.quick_order.shop import add_typed, product_in_focus
from flows.shopping.cart import MAX_QUANTITY, Cart, subtotal
from flows.shopping.match import match
from flows.shopping.views import cart_text, product_name
from services.orders import quote

REQUANTITY_HELP = N_("Tap a number, or type a quantity from 0 to {max} (0 removes it).")
EDIT_HELP = N_("Tap the product you want to change.")


# -- cart ----------------------------------------------------------------------------------
async def cart_prompt(turn: Turn) -> list[Reply]:
    cart = Cart.of(turn)
    lines = cart.lines(catalog(turn))
    if not lines:
        return [
            Reply(
                turn._(
                    "Your cart is empty. Browse the catalogue or type product names, e.g. "
                    "“lavender 2, lemon”."
                ),
                rows([browse_button(turn), orders_button(turn)]),
            )
        ]
    text = cart_text(turn, lines, quote(turn.market, subtotal(lines)))
    buttons = rows(
        [
            Checkout().button(turn._("✅ Checkout")),
            ToCategories().button(turn._("➕ Add more")),
            EditCart().button(turn._("✏️ Edit cart")),
        ],
        per_row=3,
    )
    return [Reply(text, buttons)]


async def checkout_tapped(turn: Turn, tapped: Checkout) -> Outcome:
    return stay() if Cart.of(turn).is_empty else go("to_address")


# -- edit: pick a line ---------------------------------------------------------------------
async def edit_prompt(turn: Turn) -> list[Reply]:
    lines = Cart.of(turn).lines(catalog(turn))
    if not lines:
        return [Reply(turn._("Your cart is empty."), ((browse_button(turn),),))]
    choices = [
        EditLine(line.product.sku).button(f"{product_name(turn, line.product)} × {line.quantity}")
        for line in lines
    ]
    nav = [ClearCart().button(turn._("🗑 Empty the cart")), ToCart().button(turn._("✅ Done"))]
    text = turn._("Which product do you want to change?")
    return [Reply(text, rows(choices) + rows(nav))]


async def clear_tapped(turn: Turn, tapped: ClearCart) -> Outcome:
    Cart.of(turn).clear()
    return go("to_cart", Reply(turn._("Your cart is now empty.")))


async def line_tapped(turn: Turn, tapped: EditLine) -> Outcome:
    if not Cart.of(turn).quantity(tapped.sku):
        return stale()
    turn.data["line"] = tapped.sku
    return go("pick_line")


async def line_typed(turn: Turn, text: str) -> Outcome:
    cart = Cart.of(turn)
    in_cart = tuple(line.product.sku for line in cart.lines(catalog(turn)))
    found = match(text, catalog(turn), among=in_cart) if text else ()
    if len(found) != 1 or not cart.quantity(found[0]):
        return invalid(turn._(EDIT_HELP))
    turn.data["line"] = found[0]
    return go("pick_line")


# -- requantity: change one line -----------------------------------------------------------
async def requantity_prompt(turn: Turn) -> list[Reply]:
    product = product_in_focus(turn, "line")
    quantity = Cart.of(turn).quantity(product.sku) if product else 0
    back = back_to_cart_button(turn)
    if product is None or not quantity:
        return [Reply(turn._("This product is no longer in your cart."), ((back,),))]
    text = turn._(
        "{product}: {quantity} in the cart. How many do you want? Tap a number or type one from "
        "0 to {max} (0 removes it)."
    ).format(product=product_name(turn, product), quantity=quantity, max=MAX_QUANTITY)
    remove = RemoveLine().button(turn._("🗑 Remove"))
    return [Reply(text, (quantity_buttons(), (remove, back)))]


async def remove_tapped(turn: Turn, tapped: RemoveLine) -> Outcome:
    return _requantity(turn, 0) or stale()


async def requantity_tapped(turn: Turn, tapped: Qty) -> Outcome:
    return _requantity(turn, tapped.n) or stale()


async def requantity_typed(turn: Turn, text: str) -> Outcome:
    explain = invalid(turn._(REQUANTITY_HELP).format(max=MAX_QUANTITY))
    quantity = typed_quantity(text, lowest=0)
    return explain if quantity is None else _requantity(turn, quantity) or explain


def _requantity(turn: Turn, quantity: int) -> Outcome | None:
    """Set the line in focus to `quantity`; None when that line is no longer in the cart."""
    cart = Cart.of(turn)
    product = product_in_focus(turn, "line")
    if product is None or not cart.quantity(product.sku):
        return None
    cart.put(product.sku, quantity)
    name = product_name(turn, product)
    if quantity:
        done = turn._("{product}: now {quantity}.").format(product=name, quantity=quantity)
    else:
        done = turn._("{product} removed from the cart.").format(product=name)
    return go("to_cart", Reply(done))


STEPS = (
    Step(
        "cart",
        prompt=cart_prompt,
        on={Checkout: checkout_tapped},
        answer=add_typed,
        help=N_("Tap Checkout to order, Edit cart to change it, or type more products to add."),
    ),
    Step(
        "edit",
        prompt=edit_prompt,
        on={ClearCart: clear_tapped, EditLine: line_tapped},
        answer=line_typed,
        help=EDIT_HELP,
    ),
    Step(
        "requantity",
        prompt=requantity_prompt,
        on={RemoveLine: remove_tapped, Qty: requantity_tapped},
        answer=requantity_typed,
        help=REQUANTITY_HELP,
        number=True,
    ),
)
