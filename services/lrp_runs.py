"""The auto-order's monthly runs (R-KR-LRP-1, R-KR-LRP-4): `run_due` makes each due
template's order, the staff card and the customer's notice; templates and their dates are
services/lrp.py.

A run is claimed by inserting its (template, period) row into `lrp_runs`, whose unique key
makes it happen once however many workers race; the order, the staff card, the customer's
notice and the template's next run are written in that same transaction, so a crash anywhere
between them leaves none of it and the next pass makes the run whole. Runs are taken in
batches of `BATCH` templates, each batch its own transaction, so memory stays flat and chat
turns get the database in between; a batch ends early when a chat turn of any process waits
for SQLite's write lock (`Database.writers_waiting`). A run found late (downtime) is still
made; a period whose following run is also due already is recorded as missed (no order, the
customer is told) rather than sending two months at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

import policy
from core.i18n import Translator
from services import orders
from services.lrp import (
    MARKETS,
    following_run,
    month_after,
    period_of,
    schedule,
)
from services.notices import tell_customer
from storage.db import Database
from storage.records import LrpLine, LrpTemplate, OrderLine
from storage.repos import Tx

# What became of a (template, period).
ORDERED = "ordered"
SKIPPED = "skipped"
MISSED = "missed"
EMPTY = "empty"  # none of its products is sold any more: no order
BATCH = 20
# After each batch a runner rests this many times as long as the batch took: chat turns in
# the same process (one event loop; on SQLite one write lock) then wait about one batch at most.
BREATHE = 1.0


class Product(Protocol):
    price: Decimal

    def name(self, language: str) -> str: ...


class Products(Protocol):
    """A market's catalogue, as the runs need it (flows/shopping/catalog.py `Catalog`)."""

    def get(self, sku: str) -> Product | None: ...


# -- runs ------------------------------------------------------------------------------------
@dataclass(slots=True)
class RunReport:
    ordered: int = 0
    skipped: int = 0
    missed: int = 0
    empty: int = 0
    already: int = 0  # claimed by another runner or an earlier pass

    @property
    def changed(self) -> int:
        return self.ordered + self.skipped + self.missed + self.empty


# A test's hook between the order insert and the notice (a crash there rolls back both).
_after_order: Callable[[LrpTemplate], None] | None = None


async def run_due(
    db: Database,
    now: datetime,
    catalogs: Mapping[str, Products],
    *,
    markets: Sequence[str] = MARKETS,
    batch: int = BATCH,
    staff_desk: bool = True,
    day: date | None = None,
    breathe: float = BREATHE,
) -> RunReport:
    """Make every run due by `now` (the market's local day; `day` to run up to another day by
    hand), once per (template, period)."""
    report = RunReport()
    for market in markets:
        today = day or policy.local_date(market, now)
        while True:
            began = time.perf_counter()
            async with db.transaction(gives_way=True) as tx:
                due = await tx.lrp.due(market, today, batch)
                for template in due:
                    outcome = await _run_one(
                        tx, template, today, now, catalogs.get(market), staff_desk
                    )
                    setattr(report, outcome, getattr(report, outcome) + 1)
                    if await _chat_waits(db):
                        break  # the rest of the batch stays due: the next batch takes it
            if not due:
                break
            # Chat turns take the loop and the database between batches.
            await asyncio.sleep((time.perf_counter() - began) * breathe)
    return report


async def _chat_waits(db: Database) -> bool:
    """Whether a chat turn (of this process or another) waits for SQLite's write lock, which
    this batch holds: the batch then ends at once, so that the turn waits for one run rather
    than a batch. The loop is given up first so that arriving turns can get in line."""
    await asyncio.sleep(0)
    return db.writers_waiting


async def _run_one(
    tx: Tx,
    template: LrpTemplate,
    today: date,
    now: datetime,
    catalog: Products | None,
    staff_desk: bool,
) -> str:
    period = template.next_period
    lines, missing = _order_lines(template, catalog)
    if template.skip_period == period:
        outcome = SKIPPED
    elif following_run(template) <= today:
        outcome = MISSED  # a later run is due as well: never two months at once
    elif not lines:
        outcome = EMPTY
    else:
        outcome = ORDERED
    run_id = await tx.lrp.claim_run(template.id, period, template.next_run, outcome, now)
    if run_id is not None:
        if outcome == ORDERED:
            order = await _place(tx, template, lines, missing, now, staff_desk)
            await tx.lrp.set_run_order(run_id, order.id)
            if _after_order is not None:
                _after_order(template)
            await _notice(tx, template, period, now, order=order, missing=missing)
        else:
            await _notice(tx, template, period, now, outcome=outcome, missing=missing)
    await tx.lrp.advance(template, now, **_advance(template, period))
    return outcome if run_id is not None else "already"


def _order_lines(
    template: LrpTemplate, catalog: Products | None
) -> tuple[list[OrderLine], list[str]]:
    """The template's lines at today's prices; the names of products no longer sold."""
    lines, missing = [], []
    for line in template.lines:
        product = catalog.get(line.sku) if catalog is not None else None
        if product is None:
            missing.append(line.name)
            continue
        total = product.price * line.quantity
        lines.append(OrderLine(line.sku, product.name("en"), line.quantity, product.price, total))
    return lines, missing


async def _place(
    tx: Tx,
    template: LrpTemplate,
    lines: list[OrderLine],
    missing: list[str],
    now: datetime,
    staff_desk: bool,
) -> Any:
    """A normal order (number, purchase month, delivery estimate from the run), paid by card
    (R-KR-LRP-4), once per (template, period) by its idempotency key too."""
    draft = orders.draft(
        template.user_id,
        template.market,
        lines,
        orders.CARD,
        template.address,
        template.phone,
        now,
        recipient_name=template.recipient_name,
    )
    order, _ = await orders.place(
        tx,
        draft,
        "",
        staff_desk=staff_desk,
        key=f"lrp:{template.id}:{template.next_period}",
        card="lrp_order_placed",
        extra={
            "template_id": template.id,
            "run_on": template.next_run.isoformat(),
            "missing": missing,
        },
    )
    return order


def _advance(template: LrpTemplate, period: str) -> dict[str, Any]:
    """The template after its run of `period`: pending changes applied, the next run set."""
    values: dict[str, Any] = {"last_period": period}
    day = template.day
    pending = template.pending or {}
    if pending:
        applies = date.fromisoformat(str(pending.get("applies")))
        day = int(pending.get("day") or day)
        if period_of(applies) <= period_of(
            policy.lrp_next_run(template.market, day, month_after(period))
        ):
            values.update({k: v for k, v in pending.items() if k != "applies"})
            if "lines" in values:
                values["lines"] = [
                    LrpLine(str(i["sku"]), str(i["name"]), int(i["quantity"]))
                    for i in values["lines"]
                ]
            values["pending"] = None
        else:
            day = template.day
    values.update(
        schedule(template.market, policy.lrp_next_run(template.market, day, month_after(period)))
    )
    if template.skip_period == period:
        values["skip_period"] = None
    return values


async def _notice(
    tx: Tx,
    template: LrpTemplate,
    period: str,
    now: datetime,
    *,
    order: Any = None,
    outcome: str = ORDERED,
    missing: list[str] | None = None,
) -> None:
    await tell_customer(
        tx,
        template.user_id,
        now,
        lambda t: run_notice(t, template, order, outcome, missing or []),
        dedup_key=f"lrp-run-{template.id}-{period}",
        lrp_template=template.id,
    )


def run_notice(
    t: Translator, template: LrpTemplate, order: Any, outcome: str, missing: list[str]
) -> str:
    """What the customer is told of a run (through the outbox)."""
    run = t.day(template.next_run)
    if outcome == SKIPPED:
        text = t._("Your auto-order of {run} was skipped, as you asked. No order was made.")
    elif outcome == MISSED:
        text = t._(
            "Your auto-order of {run} could not be made on time because of a service outage, "
            "and no order was made for it. Your next auto-order runs as planned; send /support "
            "if you need these products now."
        )
    elif outcome == EMPTY:
        text = t._(
            "Your auto-order of {run} was not made: none of its products is sold now. Send /lrp "
            "to choose other products."
        )
    else:
        assert order is not None and order.estimate_from is not None
        placed = t._(
            "Your auto-order of {run} is placed: order {number}, total {total}. A staff member "
            "will contact you to take the card payment; never send a card number in the chat."
        ).format(run=run, number=order.number, total=t.money(order.total, order.currency))
        estimate = orders.estimate_text(t, order.estimate_from, order.estimate_to)
        text = f"{placed} {estimate}".replace("{", "{{").replace("}", "}}")
    text = text.format(run=run)
    if missing:
        text += "\n" + t._("Not in the catalogue any more, so left out: {items}.").format(
            items=", ".join(missing)
        )
    return text
