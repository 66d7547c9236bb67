"""The purchase month (R-KR-ORD-1)."""

from __future__ import annotations

from datetime import date, datetime

from policy.business_days import last_business_day_of_month
from policy.config import Market, market_config, parse_market
from policy.dates import last_day_of_month, next_month
from policy.timezones import local_date


def month_closing_day(market: Market | str, year: int, month: int) -> date:
    """The last day that still belongs to purchase month ``year``-``month``.

    KR (R-KR-ORD-1): the month's last business day; the month closes at 24:00 local that day.
    KZ: the sources state no closing rule, so the calendar month's last day.
    """
    market = parse_market(market)
    if market_config(market).ordering.month_closes_on_last_business_day:
        return last_business_day_of_month(market, year, month)
    return last_day_of_month(year, month)


def order_month(market: Market | str, ordered_at: datetime) -> tuple[int, int]:
    """(year, month) of the purchase month an order received at ``ordered_at`` counts toward.

    R-KR-ORD-1: an order is contracted in the month it is received, and the purchase month
    runs until 24:00 local at the end of the month's last business day. An order after that
    (e.g. on a weekend or holiday that closes the calendar month) counts toward the next month.
    KZ: the local calendar month (the sources are silent).
    """
    market = parse_market(market)
    day = local_date(market, ordered_at)
    if day <= month_closing_day(market, day.year, day.month):
        return day.year, day.month
    return next_month(day.year, day.month)
