"""The quick order's buttons: one family per kind of tap, every token under `qo:`.

The tokens are those of earlier versions, so buttons left in a chat keep working. The product
picker's families (categories, products, quantities, the cart) live in flows/shopping/actions.py,
shared with the auto-order, and are re-exported here.
"""

from __future__ import annotations

from typing import Annotated

from core.actions import Action, OneOf, Pattern
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
from services.orders import BANK_TRANSFER, CARD

# -- moves to another step, taken wherever the machine allows them (QuickOrder.NAVIGATION) --
# The picker's own (cart, categories, products, edit) are flows/shopping/actions.py's.


class ToOrders(Action, prefix="qo:orders"):
    pass


class ToAddress(Action, prefix="qo:address"):
    pass


class ToPayment(Action, prefix="qo:payment"):
    pass


# -- checkout --------------------------------------------------------------------------------


class SavedAddress(Action, prefix="qo:addr:saved"):
    pass


class SavedPhone(Action, prefix="qo:phone:saved"):
    pass


class SavedRecipient(Action, prefix="qo:rcpt:saved"):
    pass


class SkipMember(Action, prefix="qo:member:skip"):
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


__all__ = [
    "NONE_OF_THESE",
    "CancelNo",
    "CancelOrder",
    "CancelYes",
    "Checkout",
    "ChooseCategory",
    "ChooseProduct",
    "ClearCart",
    "Confirm",
    "EditCart",
    "EditLine",
    "OpenOrder",
    "OrderAgain",
    "Pay",
    "PickMatch",
    "Qty",
    "RemoveLine",
    "SavedAddress",
    "SavedPhone",
    "SavedRecipient",
    "SkipMember",
    "ToAddress",
    "ToCart",
    "ToCategories",
    "ToOrders",
    "ToPayment",
    "ToProducts",
]
