"""Returning goods (R-KR-RET-1..4): the customer picks an order (ours, or one made elsewhere),
the goods, who returns them, a later delivery date and the reason; policy quotes the return
(eligible or not and why, fee, refund estimate before bonuses paid, timing); a confirmation
stores one numbered request in the customer's support thread, where staff approve or reject it
from a card. The customer follows it under My returns and may cancel it before the decision.
KZ: the sources give no return rules; the request is recorded and support takes it.

What each state shows and takes is in steps.py, the texts in texts.py, typed dates and amounts
in checks.py, the buttons in actions.py, the staff cards and decisions in staff.py; the
request's life is services/returns.py. Decisions and the state diagram: docs/flows/returns.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

from core.actions import Action, ReturnOrder
from core.flow import Turn
from core.i18n import N_
from core.steps import StepFlow
from core.surface import Command, GlobalAction, MenuEntry
from core.types import Event, Outcome, Reply, go, stale, stay, switch
from flows.returns import staff
from flows.returns.actions import STAFF_PREFIX
from flows.returns.steps import NAME, STEPS, choose_order, not_found_text, start_fresh
from services import orders

__all__ = ["Returns"]

# What each asking step needs of the answers before it; a conversation found there without
# them (its slots lost, a state put by hand) starts the return again at the order.
NEEDS: dict[str, tuple[str, ...]] = {
    "goods": ("order_number", "purchased_on"),
    "amount": ("order_number", "purchased_on", "goods"),
    "lines": ("order_number", "purchased_on", "lines", "picked"),
    "who": ("order_number", "purchased_on"),
    "delivered": ("order_number", "purchased_on"),
    "reason": ("order_number", "purchased_on", "kind"),
    "quote": ("order_number", "purchased_on", "kind", "reason"),
}
TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "to_elsewhere", "source": "order", "dest": "elsewhere"},
    {"trigger": "to_goods", "source": ["order", "elsewhere"], "dest": "goods"},
    {"trigger": "to_amount", "source": "goods", "dest": "amount"},
    {"trigger": "to_lines", "source": "order", "dest": "lines"},
    {"trigger": "to_who", "source": ["lines", "amount"], "dest": "who"},
    {"trigger": "to_delivered", "source": "who", "dest": "delivered"},
    {"trigger": "to_reason", "source": "delivered", "dest": "reason"},
    {"trigger": "to_quote", "source": "reason", "dest": "quote"},
    {"trigger": "submit", "source": "quote", "dest": "created"},
    {"trigger": "to_order", "source": "*", "dest": "order"},
    {"trigger": "to_list", "source": "*", "dest": "list"},
    {"trigger": "to_request", "source": ["list", "request", "confirm_cancel"], "dest": "request"},
    {"trigger": "ask_cancel", "source": "request", "dest": "confirm_cancel"},
]


class Returns(StepFlow):
    name = NAME
    steps = STEPS
    states: ClassVar = STEPS.states
    transitions: ClassVar = TRANSITIONS
    initial = "order"
    free_text_states = STEPS.free_text
    commands = (
        Command("return", N_("Return goods"), order=28),
        Command("returns", N_("Your return requests"), "list", order=29),
    )
    menu = (MenuEntry(N_("↩️ Return"), order=40),)
    staff_cards = MappingProxyType(
        {"return_requested": staff.request_card, "return_changed": staff.changed_card}
    )
    staff_actions = MappingProxyType({STAFF_PREFIX: staff.staff_move})
    staff_words = (staff.reject_reason,)

    async def begin(self, turn: Turn, args: str) -> Outcome:
        """The menu and /return: a new return. "list": My returns. "order:<id>" (an order's
        Return button) or an order number (the deep link return_<number>): that order."""
        start_fresh(turn)
        verb, _, rest = args.strip().partition(":")
        if verb == "list":
            return go("to_list")
        if verb == "order" and rest.isdigit():
            order = await orders.owned(turn.tx, turn.user.id, int(rest))
            return stale() if order is None else choose_order(turn, order)
        if args.strip():
            order = await turn.tx.orders.by_number(args.strip().upper())
            if order is not None and order.user_id == turn.user.id:
                return choose_order(turn, order)
            return Outcome(say=[Reply(not_found_text(turn, args.strip()[:40]))])
        return Outcome()

    async def prompt(self, turn: Turn) -> list[Reply]:
        if _lost(turn):
            return [Reply(_again(turn)), *await super().prompt(turn)]
        return await super().prompt(turn)

    async def handle(self, turn: Turn, event: Event) -> Outcome:
        if _lost(turn):
            return stay(Reply(_again(turn)))
        return await super().handle(turn, event)

    def global_actions(self) -> Mapping[type[Action], GlobalAction]:
        return {ReturnOrder: _return_order}

    async def cancel(self, turn: Turn) -> list[Reply]:
        if isinstance(turn.data.get("rid"), int):
            return []
        return [Reply(turn._("Stopped. No return request was sent."))]


def _lost(turn: Turn) -> bool:
    """True (and the conversation back at the order) when a step's earlier answers are gone."""
    needed = NEEDS.get(turn.conv.state, ())
    if all(key in turn.data for key in needed):
        return False
    turn.conv.state = "order"
    return True


def _again(turn: Turn) -> str:
    return turn._("Let's start this return again.")


async def _return_order(turn: Turn) -> Outcome | None:
    tapped = ReturnOrder.parse(turn.event.action)
    return switch(NAME, f"order:{tapped.id}") if tapped else stale()
