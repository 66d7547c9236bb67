"""Filling the cart: categories -> product -> quantity, typed quick orders, the cart, edits.

Typed product names add to the cart at every browsing step (`quick_add`), as in the Korea
KakaoTalk channel's quick order: "lavender 2, lemon". Only an ambiguous name asks back.
"""

from __future__ import annotations

from typing import Any

from core.flow import Turn
from core.i18n import N_
from core.types import Event, Outcome, Reply, go, invalid, rows, stale, stay
from flows.quick_order.common import (
    MAX_QUANTITY,
    Step,
    action,
    back_to_cart_button,
    browse_button,
    button,
    cart_button,
    catalog,
    not_understood,
    orders_button,
    parse_quantity,
    quantity_buttons,
    typed,
)
from flows.shopping.cart import Cart, subtotal
from flows.shopping.catalog import Product
from flows.shopping.match import match, parse_order
from flows.shopping.views import (
    cart_text,
    category_label,
    product_label,
    product_name,
    quoted,
)
from services.orders import quote
from storage.records import Order

ORDER_EXAMPLE_HINT = N_(
    "Type product names and quantities, e.g. “lavender 2, lemon”, or tap a button."
)
QUANTITY_HELP = N_("Tap a number, or type a quantity from 1 to {max}.")
REQUANTITY_HELP = N_("Tap a number, or type a quantity from 0 to {max} (0 removes it).")
PICK_HELP = N_("Tap the product you meant, or “None of these”.")
EDIT_HELP = N_("Tap the product you want to change.")


def _added(turn: Turn, product: Product, quantity: int) -> str:
    return f"{product_name(turn, product)} × {quantity}"


def _added_note(turn: Turn, items: list[str]) -> str:
    return turn._("Added to your cart: {items}.").format(items=", ".join(items))


def _limit(turn: Turn, product: Product) -> str:
    return turn._("{name}: at most {max} of one product per order.").format(
        name=product_name(turn, product), max=MAX_QUANTITY
    )


async def quick_add(turn: Turn, text: str) -> Outcome:
    """Add what the customer typed; ask about ambiguous names (state pick_match)."""
    products = catalog(turn)
    cart = Cart.of(turn)
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
                added.append(_added(turn, product, item.quantity))
            else:
                problems.append(_limit(turn, product))
    notes = [_added_note(turn, added)] if added else []
    notes += problems
    say = [Reply("\n".join(notes))] if notes else []
    if pending:
        turn.data["pending"] = pending
        return go("ask_match", *say)
    if added:
        return go("to_cart", *say)
    return invalid("\n".join([*problems, turn._(ORDER_EXAMPLE_HINT)]))


async def add_typed(turn: Turn, event: Event, hint: str = ORDER_EXAMPLE_HINT) -> Outcome:
    """What a browsing step does with input other than its buttons: typed names go into the
    cart; `hint` (an N_ message id) explains anything else."""
    if typed(event):
        return await quick_add(turn, typed(event))
    return not_understood(event, turn._(hint))


def add_order_lines(turn: Turn, order: Order) -> Outcome:
    """Put an earlier order's lines into the cart (/reorder, "Order again")."""
    products = catalog(turn)
    cart = Cart.of(turn)
    added, missing = [], []
    for line in order.lines:
        product = products.get(line.sku) if order.market == turn.market else None
        if product is not None and cart.add(product.sku, line.quantity):
            added.append(_added(turn, product, line.quantity))
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
        notes.append(turn._("Not available to add now: {items}.").format(items=", ".join(missing)))
    return go("to_cart", Reply("\n".join(notes)))


# -- category ------------------------------------------------------------------------------
async def category_prompt(turn: Turn) -> list[Reply]:
    cart = Cart.of(turn)
    categories = [
        button(category_label(turn, category), f"c:{category}")
        for category in catalog(turn).categories()
    ]
    extra = [cart_button(turn, cart.units)] if not cart.is_empty else []
    text = turn._(
        "What would you like to order? Choose a category, or type product names and "
        "quantities, e.g. “lavender 2, lemon”."
    )
    return [Reply(text, rows(categories) + rows([*extra, orders_button(turn)]))]


def _typed_category(turn: Turn, text: str) -> str | None:
    folded = text.casefold()
    return next(
        (
            category
            for category in catalog(turn).categories()
            if folded in (category.casefold(), category_label(turn, category).casefold())
        ),
        None,
    )


def _choose_category(turn: Turn, category: str) -> bool:
    if category not in catalog(turn).categories():
        return False
    turn.data["category"] = category
    return True


async def category_handle(turn: Turn, event: Event) -> Outcome:
    token = action(event)
    if token.startswith("c:"):
        return go("pick_category") if _choose_category(turn, token[2:]) else stale()
    category = _typed_category(turn, typed(event)) if typed(event) else None
    if category is not None:
        _choose_category(turn, category)
        return go("pick_category")
    return await add_typed(turn, event)


# -- product -------------------------------------------------------------------------------
async def product_prompt(turn: Turn) -> list[Reply]:
    category = turn.data.get("category")
    products = catalog(turn).in_category(category) if isinstance(category, str) else []
    if not products:
        # Reached without a category (/back from a later step): offer them here.
        return await category_prompt(turn)
    cart = Cart.of(turn)
    choices = [(button(product_label(turn, p), f"p:{p.sku}"),) for p in products]
    nav = [button(turn._("⬅ Categories"), "cats")]
    if not cart.is_empty:
        nav.append(cart_button(turn, cart.units))
    text = turn._("{category}: which product?").format(category=category_label(turn, category))
    return [Reply(text, (*choices, tuple(nav)))]


async def product_handle(turn: Turn, event: Event) -> Outcome:
    token = action(event)
    if token.startswith("c:"):
        return stay() if _choose_category(turn, token[2:]) else stale()
    if token.startswith("p:"):
        if catalog(turn).get(token[2:]) is None:
            return stale()
        turn.data["sku"] = token[2:]
        return go("pick_product")
    return await add_typed(turn, event)


# -- quantity ------------------------------------------------------------------------------
def _product_in_focus(turn: Turn, key: str) -> Product | None:
    sku = turn.data.get(key)
    return catalog(turn).get(sku) if isinstance(sku, str) else None


async def quantity_prompt(turn: Turn) -> list[Reply]:
    product = _product_in_focus(turn, "sku")
    back = button(turn._("⬅ Back"), "products")
    if product is None:
        return [Reply(turn._("Please choose a product first."), ((back,),))]
    text = turn._("How many {product}? Tap a number or type one from 1 to {max}.").format(
        product=product_label(turn, product), max=MAX_QUANTITY
    )
    return [Reply(text, (quantity_buttons(), (back,)))]


async def quantity_handle(turn: Turn, event: Event) -> Outcome:
    product = _product_in_focus(turn, "sku")
    if product is None:
        return not_understood(event, turn._("Please choose a product first."))
    quantity = parse_quantity(event)
    if quantity is None:
        return not_understood(event, turn._(QUANTITY_HELP).format(max=MAX_QUANTITY))
    if not Cart.of(turn).add(product.sku, quantity):
        return invalid(_limit(turn, product))
    return go("to_cart", Reply(_added_note(turn, [_added(turn, product, quantity)])))


# -- pick_match: an ambiguous name typed in a quick order ----------------------------------
def _pending(turn: Turn) -> list[dict[str, Any]]:
    pending = turn.data.get("pending")
    return pending if isinstance(pending, list) else []


async def pick_match_prompt(turn: Turn) -> list[Reply]:
    pending = _pending(turn)
    if not pending:
        return [Reply(turn._("There is nothing left to choose."), ((back_to_cart_button(turn),),))]
    current = pending[0]
    products = [catalog(turn).get(str(sku)) for sku in current["skus"]]
    choices = [(button(product_label(turn, p), f"m:{p.sku}"),) for p in products if p]
    skip = (button(turn._("None of these"), "m:-"),)
    text = turn._("Which one did you mean by {name}?").format(
        name=quoted(turn, str(current["query"]))
    )
    return [Reply(text, (*choices, skip))]


def _picked(turn: Turn, event: Event, skus: tuple[str, ...]) -> str | None:
    """The SKU chosen by button or by typing (among the offered ones); "-" for none."""
    token = action(event)
    if token.startswith("m:"):
        chosen = token[2:]
        return chosen if chosen in (*skus, "-") else None
    found = match(typed(event), catalog(turn), among=skus) if typed(event) else ()
    return found[0] if len(found) == 1 else None


async def pick_match_handle(turn: Turn, event: Event) -> Outcome:
    pending = _pending(turn)
    if not pending:
        return stale() if action(event) else go("to_cart")
    current = pending[0]
    skus = tuple(str(sku) for sku in current["skus"])
    chosen = _picked(turn, event, skus)
    if chosen is None:
        return not_understood(event, turn._(PICK_HELP))
    pending.pop(0)
    say = []
    product = catalog(turn).get(chosen)
    if product is not None:
        quantity = int(current["quantity"])
        if Cart.of(turn).add(product.sku, quantity):
            say.append(Reply(_added_note(turn, [_added(turn, product, quantity)])))
        else:
            say.append(Reply(_limit(turn, product)))
    return stay(*say) if pending else go("to_cart", *say)


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
            button(turn._("✅ Checkout"), "checkout"),
            button(turn._("➕ Add more"), "cats"),
            button(turn._("✏️ Edit cart"), "edit"),
        ],
        per_row=3,
    )
    return [Reply(text, buttons)]


async def cart_handle(turn: Turn, event: Event) -> Outcome:
    token = action(event)
    if token == "checkout":
        return stay() if Cart.of(turn).is_empty else go("to_address")
    return await add_typed(turn, event)


# -- edit: pick a line ---------------------------------------------------------------------
async def edit_prompt(turn: Turn) -> list[Reply]:
    lines = Cart.of(turn).lines(catalog(turn))
    if not lines:
        return [Reply(turn._("Your cart is empty."), ((browse_button(turn),),))]
    choices = [
        button(f"{product_name(turn, line.product)} × {line.quantity}", f"e:{line.product.sku}")
        for line in lines
    ]
    nav = [button(turn._("🗑 Empty the cart"), "clear"), button(turn._("✅ Done"), "cart")]
    text = turn._("Which product do you want to change?")
    return [Reply(text, rows(choices) + rows(nav))]


async def edit_handle(turn: Turn, event: Event) -> Outcome:
    cart = Cart.of(turn)
    token = action(event)
    if token == "clear":
        cart.clear()
        return go("to_cart", Reply(turn._("Your cart is now empty.")))
    if token.startswith("e:"):
        sku = token[2:]
    elif token:
        return stale()
    else:
        in_cart = tuple(line.product.sku for line in cart.lines(catalog(turn)))
        found = match(typed(event), catalog(turn), among=in_cart) if typed(event) else ()
        sku = found[0] if len(found) == 1 else ""
    if not cart.quantity(sku):
        return not_understood(event, turn._(EDIT_HELP))
    turn.data["line"] = sku
    return go("pick_line")


# -- requantity: change one line -----------------------------------------------------------
async def requantity_prompt(turn: Turn) -> list[Reply]:
    product = _product_in_focus(turn, "line")
    quantity = Cart.of(turn).quantity(product.sku) if product else 0
    back = back_to_cart_button(turn)
    if product is None or not quantity:
        return [Reply(turn._("This product is no longer in your cart."), ((back,),))]
    text = turn._(
        "{product}: {quantity} in the cart. How many do you want? Tap a number or type one from "
        "0 to {max} (0 removes it)."
    ).format(product=product_name(turn, product), quantity=quantity, max=MAX_QUANTITY)
    remove = button(turn._("🗑 Remove"), "rm")
    return [Reply(text, (quantity_buttons(), (remove, back)))]


async def requantity_handle(turn: Turn, event: Event) -> Outcome:
    cart = Cart.of(turn)
    product = _product_in_focus(turn, "line")
    quantity = 0 if action(event) == "rm" else parse_quantity(event, lowest=0)
    if product is None or not cart.quantity(product.sku) or quantity is None:
        return not_understood(event, turn._(REQUANTITY_HELP).format(max=MAX_QUANTITY))
    cart.put(product.sku, quantity)
    name = product_name(turn, product)
    if quantity:
        done = turn._("{product}: now {quantity}.").format(product=name, quantity=quantity)
    else:
        done = turn._("{product} removed from the cart.").format(product=name)
    return go("to_cart", Reply(done))


STEPS = {
    "category": Step(
        category_prompt,
        category_handle,
        N_("Tap a category, or type product names and quantities, e.g. “lavender 2, lemon”."),
    ),
    "product": Step(product_prompt, product_handle, N_("Tap a product, or type its name.")),
    "quantity": Step(quantity_prompt, quantity_handle, QUANTITY_HELP),
    "pick_match": Step(pick_match_prompt, pick_match_handle, PICK_HELP),
    "cart": Step(
        cart_prompt,
        cart_handle,
        N_("Tap Checkout to order, Edit cart to change it, or type more products to add."),
    ),
    "edit": Step(edit_prompt, edit_handle, EDIT_HELP),
    "requantity": Step(requantity_prompt, requantity_handle, REQUANTITY_HELP),
}
