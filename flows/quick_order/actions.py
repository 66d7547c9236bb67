"""The quick order's buttons: one family per kind of tap, every token under `qo:`.

The tokens are those of earlier versions, so buttons left in a chat keep working.
"""

from __future__ import annotations

from typing import Annotated

from core.actions import Action, OneOf, Pattern, Range
from flows.shopping.cart import MAX_QUANTITY
from services.orders import BANK_TRANSFER, CARD

# -- moves to another step, taken wherever the machine allows them (QuickOrder.NAVIGATION) --


class ToCart(Action, prefix="qo:cart"):
    pass


class ToCategories(Action, prefix="qo:cats"):
    pass


class ToProducts(Action, prefix="qo:products"):
    pass


class ToOrders(Action, prefix="qo:orders"):
    pass


class EditCart(Action, prefix="qo:edit"):
    pass


class ToAddress(Action, prefix="qo:address"):
    pass


class ToPayment(Action, prefix="qo:payment"):
    pass


# -- filling the cart ------------------------------------------------------------------------


class ChooseCategory(Action, prefix="qo:c"):
    name: str


class ChooseProduct(Action, prefix="qo:p"):
    sku: str


class Qty(Action, prefix="qo:q"):
    n: Annotated[int, Range(0, MAX_QUANTITY)]


class PickMatch(Action, prefix="qo:m"):
    """The product meant by an ambiguous name; NONE_OF_THESE for none."""

    sku: str


NONE_OF_THESE = "-"


class Checkout(Action, prefix="qo:checkout"):
    pass


class EditLine(Action, prefix="qo:e"):
    sku: str


class ClearCart(Action, prefix="qo:clear"):
    pass


class RemoveLine(Action, prefix="qo:rm"):
    pass


# -- checkout --------------------------------------------------------------------------------


class SavedAddress(Action, prefix="qo:addr:saved"):
    pass


class SavedPhone(Action, prefix="qo:phone:saved"):
    pass


class Pay(Action, prefix="qo:pay"):
    method: Annotated[str, OneOf(CARD, BANK_TRANSFER)]


class Confirm(Action, prefix="qo:confirm", sep="."):
    """Place the order: the cart's checkout token and a fingerprint of the reviewed details
    (checkout.confirm_action)."""

    checkout: Annotated[str, Pattern(r"[A-Za-z0-9_-]{1,43}")]
    fingerprint: Annotated[str, Pattern(r"[0-9a-f]{8}")]


# -- my orders -------------------------------------------------------------------------------


class OpenOrder(Action, prefix="qo:o"):
    id: int


class CancelOrder(Action, prefix="qo:cancel"):
    pass


class CancelYes(Action, prefix="qo:cancel:yes"):
    pass


class CancelNo(Action, prefix="qo:cancel:no"):
    pass


class OrderAgain(Action, prefix="qo:again"):
    pass
