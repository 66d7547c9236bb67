"""The monthly loyalty auto-order (LRP): templates, changes against the cut-off, the runs and
the reminders (R-KR-LRP-1..4; KZ: R-KZ-MIG-5).

A template runs on its day every month (29-31 fall on a short month's last day,
`policy.lrp_next_run`). A change or cancellation must arrive by the cut-off, 3 business days
before the run (R-KR-LRP-3, `policy.lrp_change_cutoff`); one that arrives later is stored as
*pending* and applied after the locked run, from the run after it
(`policy.lrp_change_takes_effect`). The sources state no deadline for Kazakhstan: there a
change reaches the next run until the day before it (the run is made on its day), and the
customer is told the company confirms it.

A run is claimed by inserting its (template, period) row into `lrp_runs`, whose unique key
makes it happen once however many workers race; the order, the staff card, the customer's
notice and the template's next run are written in that same transaction, so a crash anywhere
between them leaves none of it and the next pass makes the run whole. Runs are taken in
batches of `BATCH` templates, each batch its own transaction, so memory stays flat and chat
turns get the database in between. A run found late (downtime) is still made; a period whose
following run is also due already is recorded as missed (no order, the customer is told)
rather than sending two months at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

import policy
from core.i18n import Translator, translator
from services import orders
from services.notices import tell_customer
from storage.db import Database
from storage.records import LrpLine, LrpTemplate, OrderLine
from storage.repos import Tx

ACTIVE = "active"
PAUSED = "paused"
CANCELLED = "cancelled"
STATUSES = (ACTIVE, PAUSED, CANCELLED)
# What became of a (template, period).
ORDERED = "ordered"
SKIPPED = "skipped"
MISSED = "missed"
EMPTY = "empty"  # none of its products is sold any more: no order
BATCH = 20
# After each batch a runner rests this many times as long as the batch took: chat turns in
# the same process (one event loop; on SQLite one write lock) then wait about one batch at most.
BREATHE = 1.0
MARKETS = ("KR", "KZ")


class Product(Protocol):
    price: Decimal

    def name(self, language: str) -> str: ...


class Products(Protocol):
    """A market's catalogue, as the runs need it (flows/shopping/catalog.py `Catalog`)."""

    def get(self, sku: str) -> Product | None: ...


# -- dates -----------------------------------------------------------------------------------
def period_of(day: date) -> str:
    """The run's period: its month, "2026-12"."""
    return f"{day.year:04d}-{day.month:02d}"


def month_after(period: str) -> date:
    """The first day of the month after `period`."""
    year, month = (int(part) for part in period.split("-"))
    return date(year + month // 12, month % 12 + 1, 1)


def cutoff(market: str, run: date) -> datetime | None:
    """The last moment a change reaches the run on `run` (R-KR-LRP-3); None where the sources
    state none (KZ)."""
    try:
        return policy.lrp_change_cutoff(market, run)
    except policy.NotSpecifiedError:
        return None


def locked(market: str, run: date, now: datetime) -> bool:
    """True once a change made `now` can no longer reach the run on `run`."""
    deadline = cutoff(market, run)
    if deadline is None:
        return policy.local_date(market, now) >= run
    return now > deadline


def first_open_run(market: str, day: int, now: datetime, after: str | None = None) -> date:
    """The first run on `day` that a request made `now` still reaches (R-KR-LRP-3,
    `policy.lrp_change_takes_effect`), in a period after `after` (one run a month)."""
    if policy.market_config(market).lrp.change_notice_business_days is not None:
        run = policy.lrp_change_takes_effect(market, now, day)
    else:
        run = policy.lrp_next_run(market, day, policy.local_date(market, now))
    while locked(market, run, now) or (after is not None and period_of(run) <= after):
        run = policy.lrp_next_run(market, day, run + timedelta(days=1))
    return run


def remind_on(market: str, run: date) -> date:
    """The reminder day of a run: `lrp.reminder_business_days` business days before its
    cut-off (before the run where no cut-off is stated)."""
    deadline = cutoff(market, run)
    base = policy.local_date(market, deadline) if deadline is not None else run
    days = policy.market_config(market).lrp.reminder_business_days or 0
    return policy.add_business_days(market, base, -days) if days else base


def schedule(market: str, run: date) -> dict[str, Any]:
    """The template's fields for a next run on `run`."""
    return {"next_run": run, "next_period": period_of(run), "remind_on": remind_on(market, run)}


def following_run(template: LrpTemplate, day: int | None = None) -> date:
    """The run after the template's next one (on `day` if it changes)."""
    return policy.lrp_next_run(
        template.market, day or template.day, month_after(template.next_period)
    )


# -- templates -------------------------------------------------------------------------------
async def create(
    tx: Tx,
    user_id: int,
    market: str,
    lines: list[LrpLine],
    day: int,
    address: str,
    phone: str,
    now: datetime,
) -> LrpTemplate:
    """A new template, first run on the first `day` whose cut-off has not passed."""
    template = LrpTemplate(
        id=0,
        user_id=user_id,
        market=market,
        currency=policy.currency(market),
        status=ACTIVE,
        day=day,
        lines=lines,
        address=address,
        phone=phone,
        **schedule(market, first_open_run(market, day, now)),
    )
    return await tx.lrp.create(template, now)


async def owned(tx: Tx, user_id: int, template_id: int) -> LrpTemplate | None:
    """The template if it belongs to this user: a forged id shows nobody else's."""
    template = await tx.lrp.get(template_id)
    return template if template is not None and template.user_id == user_id else None


@dataclass(frozen=True, slots=True)
class Applied:
    """Which run a change reaches: the next run, or (`pending`) the run after a locked one."""

    run: date
    pending: bool


def _as_json(fields: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    if "lines" in out:
        out["lines"] = [
            {"sku": x.sku, "name": x.name, "quantity": x.quantity} for x in out["lines"]
        ]
    return out


def pending_lines(template: LrpTemplate) -> list[LrpLine] | None:
    raw = (template.pending or {}).get("lines")
    if not isinstance(raw, list):
        return None
    return [LrpLine(str(i["sku"]), str(i["name"]), int(i["quantity"])) for i in raw]


async def change(tx: Tx, template: LrpTemplate, now: datetime, **fields: Any) -> Applied:
    """Change products (`lines`), `day`, `address`, `phone` or `status` (paused, cancelled).

    Before the next run's cut-off the change applies to that run; after it (R-KR-LRP-3) it is
    stored as pending and applies from the run after: the locked run goes ahead unchanged.
    """
    market = template.market
    if template.status == ACTIVE and locked(market, template.next_run, now):
        applies = following_run(template, fields.get("day") or _pending_day(template))
        pending = {**(template.pending or {}), **_as_json(fields), "applies": applies.isoformat()}
        await tx.lrp.update(template.id, now, pending=pending)
        template.pending = pending
        return Applied(applies, True)
    values: dict[str, Any] = dict(fields)
    run = template.next_run
    if "day" in fields and fields["day"] != template.day:
        run = first_open_run(market, fields["day"], now, template.last_period)
        values.update(schedule(market, run))
    if fields.get("status") == ACTIVE:
        run = first_open_run(market, fields.get("day", template.day), now, template.last_period)
        values.update(schedule(market, run))
    await tx.lrp.update(template.id, now, **values)
    for key, value in values.items():
        setattr(template, key, value)
    return Applied(run, False)


def _pending_day(template: LrpTemplate) -> int | None:
    day = (template.pending or {}).get("day")
    return day if isinstance(day, int) else None


async def skip(tx: Tx, template: LrpTemplate, now: datetime) -> date:
    """Skip the first run a request made now still reaches; that run's date."""
    run = template.next_run
    if locked(template.market, run, now):
        run = following_run(template, _pending_day(template))
    await tx.lrp.update(template.id, now, skip_period=period_of(run))
    template.skip_period = period_of(run)
    return run


async def unskip(tx: Tx, template: LrpTemplate, now: datetime) -> None:
    await tx.lrp.update(template.id, now, skip_period=None)
    template.skip_period = None


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
            async with db.transaction() as tx:
                due = await tx.lrp.due(market, today, batch)
                for template in due:
                    outcome = await _run_one(
                        tx, template, today, now, catalogs.get(market), staff_desk
                    )
                    setattr(report, outcome, getattr(report, outcome) + 1)
            if not due:
                break
            # Chat turns take the loop and the database between batches.
            await asyncio.sleep((time.perf_counter() - began) * breathe)
    return report


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
        template.user_id, template.market, lines, orders.CARD, template.address, template.phone, now
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


# -- reminders -------------------------------------------------------------------------------
# (the customer's translator, the template, its cut-off or None) -> (text, button rows)
Compose = Callable[
    [Translator, LrpTemplate, datetime | None], tuple[str, list[list[dict[str, str]]]]
]


async def remind_due(
    db: Database,
    now: datetime,
    compose: Compose,
    *,
    markets: Sequence[str] = MARKETS,
    batch: int = 200,
) -> int:
    """Queue each due reminder once per (template, period): the guarded mark is the claim."""
    sent = 0
    for market in markets:
        today = policy.local_date(market, now)
        while True:
            async with db.transaction() as tx:
                due = await tx.lrp.reminders_due(market, today, batch)
                for template in due:
                    if not await tx.lrp.mark_reminded(template.id, template.next_period, now):
                        continue
                    # Nothing to remind of: a skipped run, or too late to change it anyway.
                    if template.skip_period == template.next_period or locked(
                        market, template.next_run, now
                    ):
                        continue
                    user = await tx.users.get(template.user_id)
                    if user is None:
                        continue
                    t = translator(user.language or "en")
                    text, buttons = compose(t, template, cutoff(market, template.next_run))
                    await tx.outbox.add(
                        "user",
                        {"text": text, "buttons": buttons, "lrp_template": template.id},
                        now,
                        user_id=user.id,
                        dedup_key=f"lrp-remind-{template.id}-{template.next_period}",
                    )
                    sent += 1
            if not due:
                break
    return sent


# -- operators -------------------------------------------------------------------------------
async def set_status(
    db: Database, template_id: int, status: str, now: datetime
) -> LrpTemplate | None:
    """An operator pauses or cancels a template at once (the company's own decision, so no
    cut-off); the customer is told. None when there is no such template."""
    async with db.transaction() as tx:
        template = await tx.lrp.get(template_id)
        if template is None or template.status == status:
            return template
        await tx.lrp.update(template.id, now, status=status, pending=None)
        template.status = status

        def words(t: Translator) -> str:
            if status == PAUSED:
                return t._("Our staff have paused your auto-order. Send /lrp to see it.")
            return t._("Our staff have cancelled your auto-order. Send /lrp to see it.")

        await tell_customer(
            tx,
            template.user_id,
            now,
            words,
            dedup_key=f"lrp-{status}-{template.id}-{now:%Y%m%d%H%M%S}",
        )
        return template
