"""The cart: what the customer is about to order, kept in the conversation's slots.

The quick order's lives under `slots["cart"]`, not under the flow's own key: the engine
clears a flow's slots whenever the flow is entered afresh (/order, /cart, the menu), and the
cart must survive that, /cancel and visits to other flows. It belongs to one market, since
SKUs and prices differ: a customer who switches market finds an empty cart.

The cart also holds the checkout token from which the order's idempotency key is made. Any
change to the lines drops it, so a Confirm button shown for other contents goes stale; placing
the order clears the cart, token included.

Another flow keeps a cart of its own under another slot name (the auto-order's template being
set up or changed, `Cart.of(turn, "lrp_cart")`), so the two never mix.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.flow import Turn
from flows.shopping.catalog import Catalog, Product

CART_SLOT = "cart"
MAX_QUANTITY = 99


@dataclass(frozen=True, slots=True)
class CartLine:
    product: Product
    quantity: int

    @property
    def total(self) -> Decimal:
        return self.product.price * self.quantity


class Cart:
    def __init__(self, slot: dict[str, Any]) -> None:
        self._slot = slot
        self._lines: dict[str, int] = slot.setdefault("lines", {})

    @classmethod
    def of(cls, turn: Turn, name: str = CART_SLOT) -> Cart:
        slot = turn.conv.slots.get(name)
        if not isinstance(slot, dict) or slot.get("market") != turn.market:
            slot = {"market": turn.market, "lines": {}}
            turn.conv.slots[name] = slot
        return cls(slot)

    def items(self) -> dict[str, int]:
        """SKU -> quantity, in the order added."""
        return dict(self._lines)

    @property
    def is_empty(self) -> bool:
        return not self._lines

    @property
    def units(self) -> int:
        return sum(self._lines.values())

    def quantity(self, sku: str) -> int:
        return self._lines.get(sku, 0)

    def add(self, sku: str, quantity: int) -> bool:
        """Add to a line; False (nothing changed) when it would pass MAX_QUANTITY."""
        if self.quantity(sku) + quantity > MAX_QUANTITY:
            return False
        self.put(sku, self.quantity(sku) + quantity)
        return True

    def put(self, sku: str, quantity: int) -> None:
        """Set a line's quantity; 0 removes the line."""
        if quantity > 0:
            self._lines[sku] = quantity
        else:
            self._lines.pop(sku, None)
        self._slot.pop("token", None)

    def clear(self) -> None:
        self._lines.clear()
        self._slot.pop("token", None)

    def lines(self, catalog: Catalog) -> list[CartLine]:
        """The lines in the order they were added. A product the catalogue no longer sells
        (the operator replaced the file) is dropped rather than sold at an unknown price."""
        lines = []
        for sku, quantity in list(self._lines.items()):
            product = catalog.get(sku)
            if product is None:
                self.put(sku, 0)
            else:
                lines.append(CartLine(product, quantity))
        return lines

    def checkout_token(self) -> str:
        """The token of the checkout of these contents, made on first use."""
        token = self._slot.get("token")
        if not token:
            token = self._slot["token"] = secrets.token_urlsafe(9)
        return str(token)


def subtotal(lines: list[CartLine]) -> Decimal:
    return sum((line.total for line in lines), Decimal(0))
