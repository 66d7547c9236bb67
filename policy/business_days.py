"""Business days: Monday to Friday minus the market's public holidays.

Holidays come from the maintained ``holidays`` library (Korean substitute holidays included),
never from a hand-written list. Kazakhstan occasionally moves a working day onto a Saturday;
the brief defines business days as Mon-Fri minus holidays and parcels are not dispatched on
weekends (R-KR-SHIP-4), so such Saturdays are not counted.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date, timedelta
from types import MappingProxyType

import holidays

from policy._checks import require_date, require_int
from policy.config import Market, market_config, parse_market
from policy.dates import last_day_of_month

_ONE_DAY = timedelta(days=1)


@functools.cache
def _holidays(market: Market, year: int) -> Mapping[date, str]:
    # Copied into a read-only mapping: the library's objects grow when queried for other years.
    country = market_config(market).holiday_country
    calendar = holidays.country_holidays(country, years=year, categories=("public",))
    return MappingProxyType(dict(calendar))


def holiday_name(market: Market | str, day: date) -> str | None:
    """The public holiday on ``day`` (library's English name), or None."""
    require_date(day, "day")
    return _holidays(parse_market(market), day.year).get(day)


def is_public_holiday(market: Market | str, day: date) -> bool:
    """Whether ``day`` is a public holiday (substitute holidays included) in the market."""
    return holiday_name(market, day) is not None


def is_business_day(market: Market | str, day: date) -> bool:
    """Mon-Fri and not a public holiday of the market (substitute holidays included).

    Used by the delivery windows (R-KR-SHIP-2..4), the month close (R-KR-ORD-1), the LRP change
    deadline (R-KR-LRP-3) and refund times (R-KR-RET-3).
    """
    require_date(day, "day")
    return day.weekday() < 5 and day not in _holidays(parse_market(market), day.year)


def add_business_days(market: Market | str, day: date, n: int) -> date:
    """The ``n``-th business day after ``day`` (before it when ``n`` is negative).

    ``day`` itself is never counted, so from a Saturday ``n=1`` gives the next business day.
    ``n=0`` returns ``day`` unchanged, business day or not: callers that need a business day
    use :func:`next_business_day_on_or_after`.
    """
    market = parse_market(market)
    current = require_date(day, "day")
    step = _ONE_DAY if require_int(n, "n") > 0 else -_ONE_DAY
    for _ in range(abs(n)):
        current += step
        while not is_business_day(market, current):
            current += step
    return current


def next_business_day_on_or_after(market: Market | str, day: date) -> date:
    """``day`` if it is a business day, else the next business day."""
    return day if is_business_day(market, day) else add_business_days(market, day, 1)


def last_business_day_of_month(market: Market | str, year: int, month: int) -> date:
    """The last business day of the month (a month always has one)."""
    day = last_day_of_month(year, month)
    while not is_business_day(market, day):
        day -= _ONE_DAY
    return day
