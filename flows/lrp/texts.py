"""The auto-order's texts: a template on screen, its next run and deadline, which run a change
reaches, the points note (R-KR-LRP-1..4)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import policy
from core.flow import Turn
from core.i18n import N_, Translator
from flows.shopping.catalog import Catalog
from flows.shopping.phone import display as display_phone
from flows.shopping.views import money, product_size, totals_text
from services import lrp
from services.orders import quote
from storage.records import LrpLine, LrpTemplate

STATUS_LABELS = {
    lrp.ACTIVE: N_("active"),
    lrp.PAUSED: N_("paused"),
    lrp.CANCELLED: N_("cancelled"),
}


def day_text(turn: Turn, day: int) -> str:
    if day >= 29:
        return turn._("day {day} of each month (in shorter months, the month's last day)").format(
            day=day
        )
    return turn._("day {day} of each month").format(day=day)


def deadline_text(turn: Turn, market: str, run: date) -> str:
    """The last moment to change the run on `run` (R-KR-LRP-3)."""
    cutoff = lrp.cutoff(market, run)
    if cutoff is None:
        return turn._(
            "The company states no change deadline for Kazakhstan: send changes before the run "
            "day; support confirms them."
        )
    return turn._("Changes for this run are possible until {cutoff}.").format(
        cutoff=moment(turn, market, cutoff)
    )


def moment(turn: Turn, market: str, at: datetime) -> str:
    return zone_moment(turn.t, market, at)


def lines_text(turn: Turn, lines: list[LrpLine], catalog: Catalog | None, market: str) -> str:
    """Each line at today's price, then subtotal, shipping and total (R-KR-SHIP-1)."""
    rows, subtotal = [], Decimal(0)
    for line in lines:
        product = catalog.get(line.sku) if catalog is not None else None
        if product is None:
            rows.append(
                "• "
                + turn._("{name} × {quantity} (not sold now: it will be left out)").format(
                    name=line.name, quantity=line.quantity
                )
            )
            continue
        total = product.price * line.quantity
        subtotal += total
        name = f"{product.name(turn.t.language)} {product_size(turn, product)}"
        rows.append(f"• {name} × {line.quantity} = {money(turn, total, market)}")
    return "\n".join(rows) + "\n\n" + totals_text(turn, quote(market, subtotal), market)


def points_text(turn: Turn, market: str) -> str:
    """R-KR-LRP-1: LRP purchases earn points; the rate is a sample setting, not confirmed."""
    config = policy.market_config(market)
    rate = config.lrp.point_rate
    if rate is None:
        return turn._("Auto-order purchases earn loyalty points; the rate is not stated here.")
    text = turn._("Auto-order purchases earn loyalty points ({rate} of the amount).").format(
        rate=f"{(rate * 100).normalize():f}%"
    )
    if config.is_sample("lrp.point_rate"):
        text += " " + turn._(
            "This rate is a sample figure, not confirmed by the company: support will confirm it."
        )
    return text


def applied_text(turn: Turn, template: LrpTemplate, applied: lrp.Applied) -> str:
    """Which run a change reaches: the next, or (after the cut-off) the run after it."""
    if not applied.pending:
        return turn._("This applies from the run on {run}.").format(run=turn.t.day(applied.run))
    return turn._(
        "The run on {next} is past its change deadline and goes ahead unchanged; this change "
        "applies from the run on {run}."
    ).format(next=turn.t.day(template.next_run), run=turn.t.day(applied.run))


def recipient_lines(turn: Turn, name: str) -> list[str]:
    """The recipient, if one was given (templates made before it was asked have none)."""
    return [turn._("Recipient: {name}").format(name=name)] if name else []


def template_text(turn: Turn, template: LrpTemplate, catalog: Catalog | None) -> str:
    """A template as the customer sees it."""
    status = turn._(STATUS_LABELS.get(template.status, template.status))
    parts = [
        turn._("Auto-order #{id} · {status}").format(id=template.id, status=status),
        lines_text(turn, template.lines, catalog, template.market),
        turn._("Runs on {day}.").format(day=day_text(turn, template.day)),
        turn._("Deliver to: {address}").format(address=template.address),
        *recipient_lines(turn, template.recipient_name),
        turn._("Phone: {phone}").format(phone=display_phone(template.phone, template.market)),
        turn._("Payment: credit card (a staff member takes it each month)."),
    ]
    if template.status == lrp.ACTIVE:
        run = turn._("Next run: {run}.").format(run=turn.t.day(template.next_run))
        if template.skip_period == template.next_period:
            run += " " + turn._("You skip this run: no order will be made for it.")
        parts.append(run + "\n" + deadline_text(turn, template.market, template.next_run))
        if template.skip_period and template.skip_period != template.next_period:
            parts.append(turn._("You skip the run of {month}.").format(month=template.skip_period))
    if template.pending:
        parts.append(pending_text(turn, template))
    return "\n".join(parts)


def pending_text(turn: Turn, template: LrpTemplate) -> str:
    pending = template.pending or {}
    applies = date.fromisoformat(str(pending.get("applies")))
    what = []
    if "lines" in pending:
        what.append(turn._("products"))
    if "day" in pending:
        what.append(turn._("day {day}").format(day=pending["day"]))
    if "address" in pending:
        what.append(turn._("address"))
    if pending.get("status") == lrp.PAUSED:
        what.append(turn._("pause"))
    if pending.get("status") == lrp.CANCELLED:
        what.append(turn._("cancellation"))
    return turn._("Changes waiting for the run on {run}: {what}.").format(
        run=turn.t.day(applies), what=", ".join(what)
    )


def summary_line(turn: Turn, template: LrpTemplate) -> str:
    """One line of the list: number, day, next run and its deadline."""
    if template.status != lrp.ACTIVE:
        status = turn._(STATUS_LABELS.get(template.status, template.status))
        return turn._("#{id}: day {day} · {status}").format(
            id=template.id, day=template.day, status=status
        )
    cutoff = lrp.cutoff(template.market, template.next_run)
    if cutoff is None:
        return turn._("#{id}: day {day} · next run {run}").format(
            id=template.id, day=template.day, run=turn.t.day(template.next_run)
        )
    return turn._("#{id}: day {day} · next run {run} · change until {cutoff}").format(
        id=template.id,
        day=template.day,
        run=turn.t.day(template.next_run),
        cutoff=moment(turn, template.market, cutoff),
    )


def zone_moment(t: Translator, market: str, at: datetime) -> str:
    return t.moment(at, policy.market_config(market).timezone)
