"""Opening hours of customer support and the business center (R-KR-ORD-5, R-KR-ORD-6,
R-KZ-SUP-1)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from policy.business_days import is_public_holiday
from policy.config import Market, OpeningHours, WeeklyHours, market_config, parse_market
from policy.errors import NotSpecifiedError
from policy.timezones import local_datetime, to_local

# Longer than any run of closed days (weekend plus the longest holiday block), so a search
# that finds nothing means the data file has no opening hours at all.
_SEARCH_DAYS = 60


def _hours_on(
    market: Market, weekly: WeeklyHours, closed_on_holidays: bool, day: date
) -> OpeningHours | None:
    if closed_on_holidays and is_public_holiday(market, day):
        return None
    return weekly[day.weekday()]


def _is_open(market: Market, weekly: WeeklyHours, closed_on_holidays: bool, at: datetime) -> bool:
    local = to_local(market, at)
    hours = _hours_on(market, weekly, closed_on_holidays, local.date())
    return hours is not None and hours.contains(local.time())


def support_is_open(market: Market | str, at: datetime) -> bool:
    """Whether customer support answers at the instant ``at`` (aware; naive -> ValueError).

    KR (R-KR-ORD-6): 1600-5105, weekdays 09:00-18:00, Saturday 09:00-13:00, closed Sunday.
    KZ (R-KZ-SUP-1): Mon-Fri 11:00-19:00, closed Saturday and Sunday.
    Opening time included, closing time excluded (18:00:00 is closed). The sources are silent
    about public holidays: support is treated as closed on them (kr.toml / kz.toml
    ``support.closed_on_public_holidays``), so the bot never promises an answer that day.
    """
    config = market_config(market)
    return _is_open(
        config.market, config.support.hours, config.support.closed_on_public_holidays, at
    )


def support_next_open(market: Market | str, at: datetime) -> datetime:
    """When support next opens, as an aware local datetime, for "we are closed" messages.

    Hours as in R-KR-ORD-6 (KR) and R-KZ-SUP-1 (KZ). Returns ``at`` (converted to local time)
    if support is open at that moment. Public holidays count as closed, as in
    :func:`support_is_open`.
    """
    config = market_config(market)
    closed_on_holidays = config.support.closed_on_public_holidays
    local = to_local(config.market, at)
    if _is_open(config.market, config.support.hours, closed_on_holidays, local):
        return local
    for offset in range(_SEARCH_DAYS):
        day = local.date() + timedelta(days=offset)
        hours = _hours_on(config.market, config.support.hours, closed_on_holidays, day)
        if hours is not None:
            opening = local_datetime(config.market, day, hours.opens)
            if opening > local:
                return opening
    raise NotSpecifiedError(config.market, "support opening hours")


def business_center_is_open(market: Market | str, at: datetime) -> bool:
    """Whether the business center is open at ``at`` (R-KR-ORD-5).

    KR: 서울시 서초구 강남대로 369, 8층; weekdays 10:00-19:00, Saturday 10:00-14:00. Public
    holidays are treated as closed (the source is silent). KZ has none: NotSpecifiedError.
    """
    market = parse_market(market)
    hours = market_config(market).business_center.hours
    if hours is None:
        raise NotSpecifiedError(market, "a business center")
    return _is_open(market, hours, True, at)
