"""My orders: the latest orders, one order's detail, cancelling an unpaid one, ordering again.

Order ids arrive in button tokens (`qo:o:<id>`), which a client can forge: every lookup goes
through `orders.owned`, so nobody sees or cancels someone else's order.
"""

from __future__ import annotations

import policy
from core.actions import ReturnOrder
from core.flow import Turn
from core.i18n import N_
from core.steps import Step
from core.types import Outcome, Reply, go, invalid, rows, stale
from flows.quick_order.actions import CancelNo, CancelOrder, CancelYes, OpenOrder, OrderAgain
from flows.quick_order.common import PICKER, browse_button, catalog_of, orders_button
from flows.shopping.views import (
    delivery_text,
    order_view,
    payment_instructions,
    status_label,
)
from services import orders
from storage.records import Order

RECENT_ORDERS = 5
ORDERS_HELP = N_("Tap an order to see it, or type its number.")
ORDER_HELP = N_(
    "Tap a button below: cancel an unpaid order, return goods of a paid one, order the same "
    "again, or go back."
)
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
        (OpenOrder(o.id).button(f"{o.number} · {status_label(turn, o.status)}"),) for o in recent
    ]
    return [Reply(text, (*choices, (browse_button(turn),)))]


async def order_tapped(turn: Turn, tapped: OpenOrder) -> Outcome:
    order = await orders.owned(turn.tx, turn.user.id, tapped.id)
    if order is None:
        return stale()
    turn.data["order"] = order.id
    return go("open_order")


async def order_typed(turn: Turn, text: str) -> Outcome:
    order = await turn.tx.orders.by_number(text.upper()) if text else None
    if order is None or order.user_id != turn.user.id:
        return invalid(turn._(ORDERS_HELP))
    turn.data["order"] = order.id
    return go("open_order")


# -- order: one order's detail -------------------------------------------------------------
async def order_prompt(turn: Turn) -> list[Reply]:
    order = await _focused(turn)
    if order is None:
        return [_not_found(turn)]
    catalog = catalog_of(turn)
    text, summary = order_view(turn, order, catalog)
    parts = [text]
    buttons = []
    if order.status == orders.AWAITING_PAYMENT:
        parts.append(payment_instructions(turn, order))
        buttons.append(CancelOrder().button(turn._("❌ Cancel the order")))
    if order.status in orders.RETURNABLE:
        buttons.append(ReturnOrder(order.id).button(turn._("↩️ Return")))
    buttons += [OrderAgain().button(turn._("🔁 Order again")), orders_button(turn)]
    return [Reply("\n\n".join(parts), rows(buttons, per_row=1), summary=summary)]


async def cancel_tapped(turn: Turn, tapped: CancelOrder) -> Outcome:
    order = await _focused(turn)
    if order is None or order.status != orders.AWAITING_PAYMENT:
        return stale()
    return go("ask_cancel")


async def again_tapped(turn: Turn, tapped: OrderAgain) -> Outcome:
    order = await _focused(turn)
    return stale() if order is None else PICKER.add_order(turn, order)


# -- confirm_cancel ------------------------------------------------------------------------
async def confirm_cancel_prompt(turn: Turn) -> list[Reply]:
    order = await _focused(turn)
    if order is None or order.status != orders.AWAITING_PAYMENT:  # cancelled or paid since
        back = CancelNo().button(turn._("⬅ Back to the order"))
        return [Reply(_not_cancellable(turn), ((back,),))]
    keep = CancelNo().button(turn._("No, keep it"))
    text = turn._("Cancel order {number} ({total})? This cannot be undone.").format(
        number=order.number, total=turn.t.money(order.total, order.currency)
    )
    return [Reply(text, ((CancelYes().button(turn._("Yes, cancel it")), keep),))]


def _not_cancellable(turn: Turn) -> str:
    return turn._(
        "This order can no longer be cancelled here: it is paid or closed. Send /support for help."
    )


async def keep_tapped(turn: Turn, tapped: CancelNo) -> Outcome:
    return go("to_order")


async def cancel_confirmed(turn: Turn, tapped: CancelYes) -> Outcome:
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


STEPS = (
    Step(
        "orders",
        prompt=orders_prompt,
        on={OpenOrder: order_tapped},
        answer=order_typed,
        help=ORDERS_HELP,
    ),
    Step(
        "order",
        prompt=order_prompt,
        on={CancelOrder: cancel_tapped, OrderAgain: again_tapped},
        help=ORDER_HELP,
    ),
    Step(
        "confirm_cancel",
        prompt=confirm_cancel_prompt,
        on={CancelNo: keep_tapped, CancelYes: cancel_confirmed},
        help=CANCEL_HELP,
        resumable=False,
    ),
)
