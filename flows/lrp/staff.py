"""What staff see of an auto-order run: the order card, with the template and what was left out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.i18n import Translator
from core.surface import StaffCard
from flows.shopping.views import payload_total


def run_card(t: Translator, payload: Mapping[str, Any]) -> StaffCard:
    """The `lrp_order_placed` card: an auto-order's order, paid by card (R-KR-LRP-4), which a
    person takes (there is no payment gateway)."""
    number = str(payload.get("number") or payload.get("order_id") or "?")
    title = t._("Auto-order {number} ({market}): {customer}").format(
        number=number, market=payload.get("market") or "?", customer=payload.get("customer") or "?"
    )
    lines = [
        t._("Template #{template} · run of {run} · Total: {total} · Payment: card").format(
            template=payload.get("template_id") or "?",
            run=payload.get("run_on") or "?",
            total=payload_total(t, payload),
        ),
        t._("Contact the customer to take the card payment, then run: {command}").format(
            command=f"orderbot orders paid {number}"
        ),
    ]
    missing = payload.get("missing") or []
    if missing:
        lines.append(
            t._("Left out (not in the catalogue): {items}").format(
                items=", ".join(map(str, missing))
            )
        )
    lines.append(
        t._("Template: {show} · Order: {order}").format(
            show=f"orderbot lrp show {payload.get('template_id')}",
            order=f"orderbot orders show {number}",
        )
    )
    return StaffCard(title, tuple(lines))
