"""The product picker's buttons: one family per kind of tap.

The picker was the quick order's before the auto-order shared it, so its tokens keep their
`qo:` prefixes: buttons left in a chat keep working. A flow that uses the picker accepts these
families at the picker's steps (flows/shopping/picker.py).
"""

from __future__ import annotations

from typing import Annotated

from core.actions import Action, Range
from flows.shopping.cart import MAX_QUANTITY

# -- moves to another picker step, taken wherever the flow's machine allows them ------------


class ToCart(Action, prefix="qo:cart"):
    pass


class ToCategories(Action, prefix="qo:cats"):
    pass


class ToProducts(Action, prefix="qo:products"):
    pass


class EditCart(Action, prefix="qo:edit"):
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


class AddUnderstood(Action, prefix="qo:ok"):
    """Add the products of a typed order that were understood; the rest was not."""


class Checkout(Action, prefix="qo:checkout"):
    """The cart's main button: go on with these contents (the flow says where to)."""


class EditLine(Action, prefix="qo:e"):
    sku: str


class ClearCart(Action, prefix="qo:clear"):
    pass


class RemoveLine(Action, prefix="qo:rm"):
    pass
