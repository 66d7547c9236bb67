"""The monthly loyalty auto-order (LRP): templates, changes against the cut-off, and the dates
they follow (R-KR-LRP-1..4; KZ: R-KZ-MIG-5).

A template runs on its day every month (29-31 fall on a short month's last day,
`policy.lrp_next_run`). A change or cancellation must arrive by the cut-off, 3 business days
before the run (R-KR-LRP-3, `policy.lrp_change_cutoff`); one that arrives later is stored as
*pending* and applied after the locked run, from the run after it
(`policy.lrp_change_takes_effect`). The sources state no deadline for Kazakhstan: there a
change reaches the next run until the day before it (the run is made on its day), and the
customer is told the company confirms it.

The monthly runs are services/lrp_runs.py, the reminders before them
services/lrp_reminders.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import policy
from core.i18n import Translator
from services.notices import tell_customer
from storage.db import Database
from storage.records import LrpLine, LrpTemplate
from storage.repos import Tx

ACTIVE = "active"
PAUSED = "paused"
CANCELLED = "cancelled"
STATUSES = (ACTIVE, PAUSED, CANCELLED)
MARKETS = ("KR", "KZ")


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
    *,
    recipient_name: str = "",
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
        recipient_name=recipient_name,
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
