"""Loyalty auto-order (LRP) dates (R-KR-LRP-1, R-KR-LRP-3)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from policy._checks import require_date, require_int
from policy.business_days import add_business_days
from policy.config import Market, market_config, parse_market
from policy.dates import last_day_of_month, next_month
from policy.errors import NotSpecifiedError
from policy.timezones import end_of_day, to_local


def _run_in_month(year: int, month: int, day_of_month: int) -> date:
    # A run day the month lacks (29-31) falls on the month's last day, so no month is skipped.
    end = last_day_of_month(year, month)
    return end.replace(day=min(day_of_month, end.day))


def lrp_next_run(market: Market | str, day_of_month: int, today: date) -> date:
    """The next scheduled run, on or after ``today``, of a monthly auto-order on ``day_of_month``.

    R-KR-LRP-1: the order is paid and shipped every month on the chosen day. ``day_of_month``
    is 1..31 (ValueError otherwise); in months without that day (29-31) the run falls on the
    month's last day. The sources say nothing about runs on weekends or holidays, so the
    nominal date is returned unshifted. When ``today`` is the run day, today is returned.
    Both markets (KZ has LRP too, R-KZ-MIG-5).
    """
    parse_market(market)
    require_date(today, "today")
    if not 1 <= require_int(day_of_month, "day_of_month") <= 31:
        raise ValueError(f"day_of_month must be 1..31, got {day_of_month}")
    run = _run_in_month(today.year, today.month, day_of_month)
    if run >= today:
        return run
    return _run_in_month(*next_month(today.year, today.month), day_of_month)


def lrp_change_cutoff(market: Market | str, next_run: date) -> datetime:
    """The last moment (local 23:59:59.999999, aware) to change or cancel the run on ``next_run``.

    R-KR-LRP-3: a change or cancellation must reach the company at least 3 business days before
    the scheduled order date. The cut-off is the end of the 3rd business day counted back from
    the day before ``next_run`` (the day before counts as the 1st if it is a business day):
    run on Thu 2026-12-10 -> Mon 2026-12-07 23:59:59.999999 Asia/Seoul.
    KZ: the sources give no notice period: NotSpecifiedError.
    """
    config = market_config(market)
    days = config.lrp.change_notice_business_days
    if days is None:
        raise NotSpecifiedError(config.market, "the LRP change deadline")
    require_date(next_run, "next_run")
    return end_of_day(config.market, add_business_days(config.market, next_run, -days))


def lrp_change_takes_effect(
    market: Market | str, requested_at: datetime, day_of_month: int
) -> date:
    """The first run a change or cancellation received at ``requested_at`` applies to.

    R-KR-LRP-3: requests after the cut-off take effect from the following run.
    """
    market = parse_market(market)
    local = to_local(market, requested_at)
    run = lrp_next_run(market, day_of_month, local.date())
    if local > lrp_change_cutoff(market, run):
        run = lrp_next_run(market, day_of_month, run + timedelta(days=1))
    return run
