"""Shipping fee and delivery windows (R-KR-SHIP-1..4, R-KR-ORD-3, R-KZ-MIG-6)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from policy._checks import require_amount
from policy.business_days import (
    add_business_days,
    is_business_day,
    next_business_day_on_or_after,
)
from policy.config import Market, MarketConfig, market_config, parse_market
from policy.errors import NotSpecifiedError
from policy.money import round_down
from policy.payment import require_online_payment
from policy.timezones import to_local


def shipping_fee(market: Market | str, subtotal: Decimal) -> Decimal:
    """Shipping fee for an order ``subtotal`` in the market currency.

    R-KR-SHIP-1: KRW 0 when the subtotal is KRW 50,000 or more, else KRW 4,500.
    KZ: the sources state no fee; ``kz.toml`` holds a SAMPLE value (check
    ``market_config("KZ").is_sample("shipping.fee")`` before showing it as fact).
    """
    config = market_config(market)
    amount = require_amount(subtotal, "subtotal")
    if config.shipping.free_threshold is not None and amount >= config.shipping.free_threshold:
        return round_down(config.market, Decimal(0))
    return round_down(config.market, config.shipping.fee)


def free_shipping_gap(market: Market | str, subtotal: Decimal) -> Decimal | None:
    """How much more the customer must buy for free shipping (R-KR-SHIP-1).

    0 when shipping is already free; None when the market has no free-shipping threshold
    (KZ: the sources state none), so the UI says nothing rather than invent one.
    """
    config = market_config(market)
    amount = require_amount(subtotal, "subtotal")
    if config.shipping.free_threshold is None:
        return None
    return max(config.shipping.free_threshold - amount, Decimal(0))


def delivery_window(
    market: Market | str, confirmed_at: datetime, payment: str
) -> tuple[date, date]:
    """Earliest and latest expected delivery dates for an order confirmed at ``confirmed_at``.

    ``payment`` is "card" or "bank_transfer" (else ValueError); ``confirmed_at`` must be aware.

    KR (R-KR-SHIP-2, -3, -4): business days counted from the local confirmation day. Card
    orders confirmed before 15:00 take 1-3 business days, at or after 15:00 2-4; bank transfers
    confirmed (order and deposit) by 13:00 (13:00:00 included) take 1-3, after 13:00:00 2-4.
    No parcels leave on weekends or holidays: a confirmation on a non-business day counts as
    confirmed before the cut-off on the next business day. Both dates are business days. The
    carrier may still shift them (R-KR-SHIP-4), so the UI presents them as an estimate.

    KZ (R-KZ-MIG-6): 1 to 10 calendar days from the local confirmation date, depending on the
    region; the payment method does not change it.
    """
    config = market_config(market)
    method = require_online_payment(payment)
    local = to_local(config.market, confirmed_at)
    if config.delivery.calendar_days is not None:
        low, high = config.delivery.calendar_days
        return local.date() + timedelta(days=low), local.date() + timedelta(days=high)
    return _business_day_window(config, local, method)


def _business_day_window(config: MarketConfig, local: datetime, method: str) -> tuple[date, date]:
    cutoff = (
        config.delivery.card_cutoff if method == "card" else config.delivery.bank_transfer_cutoff
    )
    before = config.delivery.business_days_before_cutoff
    after = config.delivery.business_days_after_cutoff
    if cutoff is None or before is None or after is None:
        raise NotSpecifiedError(config.market, f"delivery times for {method}")
    day = local.date()
    # The card rule says "before 15:00" (15:00:00 is late), the bank-transfer rule "by 13:00"
    # (13:00:00 is in time, 13:00:00.000001 is late).
    in_time = local.time() <= cutoff if method == "bank_transfer" else local.time() < cutoff
    on_time = not is_business_day(config.market, day) or in_time
    start = next_business_day_on_or_after(config.market, day)
    low, high = before if on_time else after
    return (
        add_business_days(config.market, start, low),
        add_business_days(config.market, start, high),
    )


def business_center_delivery_by(market: Market | str, confirmed_at: datetime) -> date:
    """Latest delivery date when delivery is asked for at the business center (R-KR-ORD-3).

    Delivery starts when the order is confirmed and completes within 5 business days of the
    local confirmation day (the business center is also open on Saturdays: counting then
    starts with Monday as day 1).
    """
    market = parse_market(market)
    days = market_config(market).business_center.delivery_business_days
    if days is None:
        raise NotSpecifiedError(market, "business-center delivery times")
    return add_business_days(market, to_local(market, confirmed_at).date(), days)
