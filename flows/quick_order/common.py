"""What the quick order's step modules share: the step record, action tokens, nav buttons.

Every action token of the flow starts with `qo:` (e.g. `qo:p:KR-LAV15`); a step accepts the
tokens it lists and answers any other with `stale()`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core.actions import ToMenu
from core.flow import Turn
from core.types import Button, Event, Kind, Outcome, Reply, invalid, stale
from flows.shopping.cart import MAX_QUANTITY
from flows.shopping.catalog import Catalog

PREFIX = "qo:"
QUICK_QUANTITIES = (1, 2, 3, 4, 5)


@dataclass(frozen=True, slots=True)
class Step:
    """One state of the flow: its question, how it reads an answer, what it expects."""

    prompt: Callable[[Turn], Awaitable[list[Reply]]]
    handle: Callable[[Turn, Event], Awaitable[Outcome]]
    help: str  # N_() message id


def catalog_of(turn: Turn) -> Catalog | None:
    """The user's market's catalogue; None when the deployment has none for it."""
    catalog = turn.resources.catalogs.get(turn.market)
    return catalog if isinstance(catalog, Catalog) else None


def catalog(turn: Turn) -> Catalog:
    """The catalogue, for steps: the flow checked that there is one before calling them."""
    found = catalog_of(turn)
    assert found is not None, "QuickOrder checks the catalogue before any step runs"
    return found


def action(event: Event) -> str:
    """The flow's own part of a button's token ("" for typed input or a foreign token)."""
    if event.kind is Kind.ACTION and event.action.startswith(PREFIX):
        return event.action.removeprefix(PREFIX)
    return ""


def not_understood(event: Event, explanation: str) -> Outcome:
    """A button the step does not offer (now) is stale; anything else gets the explanation."""
    return stale() if event.kind is Kind.ACTION else invalid(explanation)


def typed(event: Event) -> str:
    """What the user typed (stripped), "" for buttons and media."""
    return event.text.strip() if event.kind is Kind.TEXT else ""


def button(label: str, token: str) -> Button:
    return Button(label, PREFIX + token)


def quantity_buttons() -> tuple[Button, ...]:
    return tuple(button(str(n), f"q:{n}") for n in QUICK_QUANTITIES)


def parse_quantity(event: Event, lowest: int = 1) -> int | None:
    """A quantity from a `q:N` button or a typed number, if within lowest..MAX_QUANTITY."""
    token = action(event)
    text = token.removeprefix("q:") if token.startswith("q:") else typed(event)
    if not text.isascii() or not text.isdigit() or len(text) > 3:
        return None
    number = int(text)
    return number if lowest <= number <= MAX_QUANTITY else None


def cart_button(turn: Turn, count: int) -> Button:
    return button(turn._("🛒 Cart ({count})").format(count=count), "cart")


def browse_button(turn: Turn) -> Button:
    return button(turn._("🛍 Browse products"), "cats")


def back_to_cart_button(turn: Turn) -> Button:
    return button(turn._("⬅ Back to the cart"), "cart")


def orders_button(turn: Turn) -> Button:
    return button(turn._("📦 My orders"), "orders")


def menu_button(turn: Turn) -> Button:
    return ToMenu().button(turn._("🏠 Menu"))
