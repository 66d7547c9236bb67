"""The auto-order's use of the shared picker (flows/shopping/picker.py): its own cart slot, the
proceed button (on to the day, or saving the products of the template in focus), the extra
buttons, copying the last order, and the KZ request to delete other markets' auto-orders."""

from __future__ import annotations

from core.flow import Turn
from core.i18n import N_
from core.types import Button, Outcome, Reply, go, stale, stay, switch
from flows.lrp import texts
from flows.lrp.actions import (
    FromLastOrder,
    OtherMarket,
)
from flows.lrp.common import (
    CART,
    NAME,
    PRODUCTS,
    _saved,
    cart,
    focused,
    list_button,
    mode,
    other_market_button,
    rules_button,
)
from flows.shopping.actions import Checkout
from flows.shopping.common import catalog
from flows.shopping.picker import Picker
from services import lrp
from storage.records import LrpLine


def _extras(turn: Turn) -> list[Button]:
    buttons = [
        FromLastOrder().button(turn._("↩️ Same as my last order")),
        list_button(turn),
        rules_button(turn),
    ]
    if turn.market == "KZ":
        buttons.append(other_market_button(turn))
    return buttons


def _proceed_label(turn: Turn) -> str:
    if mode(turn) == PRODUCTS:
        return turn._("💾 Save the products")
    return turn._("➡️ Continue")


async def _proceed(turn: Turn, tapped: Checkout) -> Outcome:
    if mode(turn) != PRODUCTS:
        return go("to_day")
    template = await focused(turn)
    if template is None:
        return stale()
    lines = [
        LrpLine(line.product.sku, line.product.name("en"), line.quantity)
        for line in cart(turn).lines(catalog(turn))
    ]
    applied = await lrp.change(turn.tx, template, turn.now, lines=lines)
    cart(turn).clear()
    return go(
        "to_template", Reply(_saved(turn) + " " + texts.applied_text(turn, template, applied))
    )


PICKER = Picker(
    slot=CART,
    proceed=_proceed,
    proceed_label=_proceed_label,
    extras=_extras,
    cart_help=N_(
        "Tap Continue when the products are right, Edit cart to change them, or type more."
    ),
)


async def from_last_order(turn: Turn, tapped: FromLastOrder) -> Outcome:
    recent = [o for o in await turn.tx.orders.recent(turn.user.id, 5) if o.market == turn.market]
    if not recent:
        return stay(Reply(turn._("You have no earlier order in this market to copy.")))
    return PICKER.add_order(turn, recent[0])


async def other_market(turn: Turn, tapped: OtherMarket) -> Outcome:
    """R-KZ-MIG-5: auto-orders of other markets are deleted only by support: a ticket."""
    said = turn._("I have auto-orders (LRP templates) in another market; please delete them.")
    note = Reply(
        turn._(
            "Auto-orders of other markets can be deleted only by support. I am passing your "
            "request on."
        )
    )
    return switch("support", f"{NAME}:{turn.conv.state} {said}", note)
