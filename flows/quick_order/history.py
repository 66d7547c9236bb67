"""My orders: the latest orders, one order's detail, cancelling an unpaid one, ordering again.

Order ids arrive in button tokens (`qo:o:<id>`), which a client can forge: every lookup goes
through `orders.owned`, so nobody sees or cancels someone else's order.
"""

from __future__ import annotations

import policy
from core.flow import Turn
from core.i18n import N_
from core.types import Event, Outcome, Reply, go, rows
from flows.quick_order.common import (
    Step,
    action,
    browse_button,
    button,
    catalog_of,
    not_understood,
    orders_button,
    typed,
)
from flows.quick_order.shop import add_order_lines
from flows.shopping.views import (
    delivery_text,
    order_text,
    payment_instructions,
    status_label,
)
from services import orders
from storage.records import Order

RECENT_ORDERS = 5
ORDERS_HELP = N_("Tap an order to see it, or type its number.")
ORDER_HELP = N_("Tap a button below: cancel an unpaid order, order the same again, or go back.")
CANCEL_HELP = N_("Tap “Yes, cancel it” or “No, keep it”.")


def _order_id(turn: Turn) -> int | None:
    value = turn.data.get("order")
    return value if isinstance(value, int) else None


async def _focused(turn: Turn) -> Order | None:
    order_id = _order_id(turn)
    return await orders.owned(turn.tx, turn.user.id, order_id) if order_id else None


def _not_found(turn: Turn) -> Reply:
    return Reply(turn._("This order was not found."), ((orders_button(turn),),))


# -- orders: the list ----------------------------------------------------------------------
def _summary(turn: Turn, order: Order) -> str:
    """'• KR-2611-000001 · Nov 24 · ₩50,000 · Awaiting payment' and its delivery estimate."""
    placed = turn.t.day(policy.local_date(order.market, order.placed_at))
    text = (
        f"• {order.number} · {placed} · {turn.t.money(order.total, order.currency)} · "
        f"{status_label(turn, order.status)}"
    )
    if order.status in orders.IN_PROGRESS:
        text += "\n  " + delivery_text(turn, order)
    return text


async def orders_prompt(turn: Turn) -> list[Reply]:
    recent = await turn.tx.orders.recent(turn.user.id, RECENT_ORDERS)
    if not recent:
        return [Reply(turn._("You have no orders yet."), ((browse_button(turn),),))]
    text = turn._("Your latest orders:") + "\n" + "\n".join(_summary(turn, o) for o in recent)
    choices = [
        (button(f"{o.number} · {status_label(turn, o.status)}", f"o:{o.id}"),) for o in recent
    ]
    return [Reply(text, (*choices, (browse_button(turn),)))]


async def orders_handle(turn: Turn, event: Event) -> Outcome:
    token = action(event)
    if token.startswith("o:") and token[2:].isdigit():
        order = await orders.owned(turn.tx, turn.user.id, int(token[2:]))
    else:
        order = await turn.tx.orders.by_number(typed(event).upper()) if typed(event) else None
        order = order if order is not None and order.user_id == turn.user.id else None
    if order is None:
        return not_understood(event, turn._(ORDERS_HELP))
    turn.data["order"] = order.id
    return go("open_order")


# -- order: one order's detail -------------------------------------------------------------
async def order_prompt(turn: Turn) -> list[Reply]:
    order = await _focused(turn)
    if order is None:
        return [_not_found(turn)]
    parts = [order_text(turn, order, catalog_of(turn))]
    buttons = []
    if order.status == orders.AWAITING_PAYMENT:
        parts.append(payment_instructions(turn, order))
        buttons.append(button(turn._("❌ Cancel the order"), "cancel"))
    buttons += [button(turn._("🔁 Order again"), "again"), orders_button(turn)]
    return [Reply("\n\n".join(parts), rows(buttons, per_row=1))]


async def order_handle(turn: Turn, event: Event) -> Outcome:
    token = action(event)
    order = await _focused(turn)
    if order is not None and token == "cancel" and order.status == orders.AWAITING_PAYMENT:
        return go("ask_cancel")
    if order is not None and token == "again":
        return add_order_lines(turn, order)
    return not_understood(event, turn._(ORDER_HELP))


# -- confirm_cancel ------------------------------------------------------------------------
async def confirm_cancel_prompt(turn: Turn) -> list[Reply]:
    order = await _focused(turn)
    keep = button(turn._("No, keep it"), "cancel:no")
    if order is None or order.status != orders.AWAITING_PAYMENT:
        return [Reply(_not_cancellable(turn), ((keep,),))]
    text = turn._("Cancel order {number} ({total})? This cannot be undone.").format(
        number=order.number, total=turn.t.money(order.total, order.currency)
    )
    return [Reply(text, ((button(turn._("Yes, cancel it"), "cancel:yes"), keep),))]


def _not_cancellable(turn: Turn) -> str:
    return turn._(
        "This order can no longer be cancelled here: it is paid or closed. Send /support for help."
    )


async def confirm_cancel_handle(turn: Turn, event: Event) -> Outcome:
    token = action(event)
    if token == "cancel:no":
        return go("to_order")
    if token != "cancel:yes":
        return not_understood(event, turn._(CANCEL_HELP))
    order_id = _order_id(turn)
    cancelled = (
        await orders.cancel_for_customer(turn.tx, turn.user.id, order_id, turn.now)
        if order_id
        else None
    )
    if cancelled is None:
        return go("to_order", Reply(_not_cancellable(turn)))
    done = turn._("Order {number} is cancelled.").format(number=cancelled.number)
    return go("to_order", Reply(done))


STEPS = {
    "orders": Step(orders_prompt, orders_handle, ORDERS_HELP),
    "order": Step(order_prompt, order_handle, ORDER_HELP),
    "confirm_cancel": Step(confirm_cancel_prompt, confirm_cancel_handle, CANCEL_HELP),
}
