"""Filling the cart: categories -> product -> quantity, typed quick orders, ambiguous names.

Typed product names add to the cart at every browsing step (`quick_add`), as in the Korea
KakaoTalk channel's quick order: "lavender 2, lemon". Only an ambiguous name asks back.
"""

from __future__ import annotations

from typing import Any

from core.flow import Turn
from core.i18n import N_
from core.steps import Step
from core.types import Outcome, Reply, go, invalid, rows, stale, stay
from flows.quick_order.actions import (
    NONE_OF_THESE,
    ChooseCategory,
    ChooseProduct,
    PickMatch,
    Qty,
    ToCategories,
    ToProducts,
)
from flows.quick_order.common import (
    back_to_cart_button,
    cart_button,
    catalog,
    orders_button,
    quantity_buttons,
    typed_quantity,
)
from flows.shopping.cart import MAX_QUANTITY, Cart
from flows.shopping.catalog import Product
from flows.shopping.match import match, parse_order
from flows.shopping.views import (
    category_label,
    product_label,
    product_name,
    quoted,
)
from storage.records import Order

ORDER_EXAMPLE_HINT = N_(
    "Type product names and quantities, e.g. “lavender 2, lemon”, or tap a button."
)
QUANTITY_HELP = N_("Tap a number, or type a quantity from 1 to {max}.")
PICK_HELP = N_("Tap the product you meant, or “None of these”.")


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


async def add_typed(turn: Turn, text: str, hint: str = ORDER_EXAMPLE_HINT) -> Outcome:
    """What a browsing step does with typed input: product names go into the cart; `hint`
    (an N_ message id) explains anything else (a photo, a sticker)."""
    if text:
        return await quick_add(turn, text)
    return invalid(turn._(hint))


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
        ChooseCategory(category).button(category_label(turn, category))
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


async def category_tapped(turn: Turn, tapped: ChooseCategory) -> Outcome:
    return go("pick_category") if _choose_category(turn, tapped.name) else stale()


async def category_typed(turn: Turn, text: str) -> Outcome:
    category = _typed_category(turn, text) if text else None
    if category is not None:
        _choose_category(turn, category)
        return go("pick_category")
    return await add_typed(turn, text)


# -- product -------------------------------------------------------------------------------
async def product_prompt(turn: Turn) -> list[Reply]:
    category = turn.data.get("category")
    products = catalog(turn).in_category(category) if isinstance(category, str) else []
    if not products:
        # Reached without a category (/back from a later step): offer them here.
        return await category_prompt(turn)
    cart = Cart.of(turn)
    choices = [(ChooseProduct(p.sku).button(product_label(turn, p)),) for p in products]
    nav = [ToCategories().button(turn._("⬅ Categories"))]
    if not cart.is_empty:
        nav.append(cart_button(turn, cart.units))
    text = turn._("{category}: which product?").format(category=category_label(turn, category))
    return [Reply(text, (*choices, tuple(nav)))]


async def other_category_tapped(turn: Turn, tapped: ChooseCategory) -> Outcome:
    return stay() if _choose_category(turn, tapped.name) else stale()


async def product_tapped(turn: Turn, tapped: ChooseProduct) -> Outcome:
    if catalog(turn).get(tapped.sku) is None:
        return stale()
    turn.data["sku"] = tapped.sku
    return go("pick_product")


# -- quantity ------------------------------------------------------------------------------
def product_in_focus(turn: Turn, key: str) -> Product | None:
    sku = turn.data.get(key)
    return catalog(turn).get(sku) if isinstance(sku, str) else None


async def quantity_prompt(turn: Turn) -> list[Reply]:
    product = product_in_focus(turn, "sku")
    back = ToProducts().button(turn._("⬅ Back"))
    if product is None:
        return [Reply(turn._("Please choose a product first."), ((back,),))]
    text = turn._("How many {product}? Tap a number or type one from 1 to {max}.").format(
        product=product_label(turn, product), max=MAX_QUANTITY
    )
    return [Reply(text, (quantity_buttons(), (back,)))]


async def quantity_tapped(turn: Turn, tapped: Qty) -> Outcome:
    product = product_in_focus(turn, "sku")
    if product is None or tapped.n < 1:
        return stale()
    return _add_product(turn, product, tapped.n)


async def quantity_typed(turn: Turn, text: str) -> Outcome:
    product = product_in_focus(turn, "sku")
    if product is None:
        return invalid(turn._("Please choose a product first."))
    quantity = typed_quantity(text)
    if quantity is None:
        return invalid(turn._(QUANTITY_HELP).format(max=MAX_QUANTITY))
    return _add_product(turn, product, quantity)


def _add_product(turn: Turn, product: Product, quantity: int) -> Outcome:
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
    choices = [(PickMatch(p.sku).button(product_label(turn, p)),) for p in products if p]
    skip = (PickMatch(NONE_OF_THESE).button(turn._("None of these")),)
    text = turn._("Which one did you mean by {name}?").format(
        name=quoted(turn, str(current["query"]))
    )
    return [Reply(text, (*choices, skip))]


def _offered(turn: Turn) -> tuple[str, ...]:
    """The SKUs offered for the first ambiguous name."""
    return tuple(str(sku) for sku in _pending(turn)[0]["skus"])


async def pick_match_tapped(turn: Turn, tapped: PickMatch) -> Outcome:
    if not _pending(turn) or tapped.sku not in (*_offered(turn), NONE_OF_THESE):
        return stale()
    return _take_match(turn, tapped.sku)


async def pick_match_typed(turn: Turn, text: str) -> Outcome:
    if not _pending(turn):
        return go("to_cart")
    found = match(text, catalog(turn), among=_offered(turn)) if text else ()
    if len(found) != 1:
        return invalid(turn._(PICK_HELP))
    return _take_match(turn, found[0])


def _take_match(turn: Turn, chosen: str) -> Outcome:
    """The product chosen for the first ambiguous name (NONE_OF_THESE: none) into the cart."""
    pending = _pending(turn)
    current = pending.pop(0)
    say = []
    product = catalog(turn).get(chosen)
    if product is not None:
        quantity = int(current["quantity"])
        if Cart.of(turn).add(product.sku, quantity):
            say.append(Reply(_added_note(turn, [_added(turn, product, quantity)])))
        else:
            say.append(Reply(_limit(turn, product)))
    return stay(*say) if pending else go("to_cart", *say)


STEPS = (
    Step(
        "category",
        prompt=category_prompt,
        on={ChooseCategory: category_tapped},
        answer=category_typed,
        help=N_("Tap a category, or type product names and quantities, e.g. “lavender 2, lemon”."),
    ),
    Step(
        "product",
        prompt=product_prompt,
        on={ChooseCategory: other_category_tapped, ChooseProduct: product_tapped},
        answer=add_typed,
        help=N_("Tap a product, or type its name."),
    ),
    Step(
        "quantity",
        prompt=quantity_prompt,
        on={Qty: quantity_tapped},
        answer=quantity_typed,
        help=QUANTITY_HELP,
        number=True,
    ),
    Step(
        "pick_match",
        prompt=pick_match_prompt,
        on={PickMatch: pick_match_tapped},
        answer=pick_match_typed,
        help=PICK_HELP,
    ),
)
