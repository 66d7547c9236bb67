"""What the auto-order's steps share (flows/lrp/setup.py, manage.py, picking.py): the cart slot
and the flow's name, the set-up's modes (a new template, or one change of the template in
focus), the template on screen, the set-up's start and the buttons several screens show."""

from __future__ import annotations

from core.flow import Turn
from core.types import Button
from flows.lrp.actions import (
    OtherMarket,
    Rules,
    ToList,
)
from flows.shopping.cart import Cart
from services import lrp
from storage.records import LrpTemplate

CART = "lrp_cart"
NAME = "lrp"
# What the set-up is for: a new template, or one change of the template in focus.
NEW, PRODUCTS, DAY, ADDRESS = "new", "products", "day", "address"


def mode(turn: Turn) -> str:
    value = turn.data.get("mode")
    return value if value in (NEW, PRODUCTS, DAY, ADDRESS) else NEW


def cart(turn: Turn) -> Cart:
    return Cart.of(turn, CART)


async def focused(turn: Turn) -> LrpTemplate | None:
    """The template on screen (its id kept in the flow's data), if it is the user's."""
    template_id = turn.data.get("tid")
    if not isinstance(template_id, int):
        return None
    return await lrp.owned(turn.tx, turn.user.id, template_id)


def start_setup(turn: Turn) -> None:
    cart(turn).clear()
    for key in ("mode", "tid", "day", "address", "phone", "recipient", "card_ok"):
        turn.data.pop(key, None)
    turn.data["mode"] = NEW


def list_button(turn: Turn) -> Button:
    return ToList().button(turn._("🔁 My auto-orders"))


def other_market_button(turn: Turn) -> Button:
    return OtherMarket().button(turn._("🌐 I have auto-orders in another market"))


def rules_button(turn: Turn) -> Button:
    return Rules().button(turn._("ℹ️ Rules and deadlines"))


def _saved(turn: Turn) -> str:
    return turn._("✅ Saved.")
