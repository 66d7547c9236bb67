"""IPC membership renewal (R-KR-MEM-3)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from policy._checks import require_amount, require_date
from policy.config import Market, market_config
from policy.dates import add_months
from policy.errors import NotSpecifiedError
from policy.money import round_down


def ipc_next_renewal(market: Market | str, registered_on: date, today: date) -> date:
    """The next IPC renewal date on or after ``today`` (R-KR-MEM-3).

    Status renews yearly from the registration date; a Feb 29 registration renews on Feb 28 in
    common years. A renewal date equal to ``today`` is returned. KZ: NotSpecifiedError.
    """
    config = market_config(market)
    period = config.membership.renewal_period_months
    if not period:
        raise NotSpecifiedError(config.market, "membership renewal")
    require_date(registered_on, "registered_on")
    if require_date(today, "today") < registered_on:
        raise ValueError("today is before registered_on")
    # Always count from the registration date so a Feb 29 anniversary comes back in leap years.
    elapsed = (today.year - registered_on.year) * 12 + today.month - registered_on.month
    periods = max(1, elapsed // period)
    renewal = add_months(registered_on, periods * period)
    while renewal < today:
        periods += 1
        renewal = add_months(registered_on, periods * period)
    return renewal


def ipc_renewal_fee(market: Market | str, actual_cost: Decimal) -> Decimal:
    """The annual renewal fee: the actual cost, at most KRW 10,000 (R-KR-MEM-3)."""
    config = market_config(market)
    cap = config.membership.renewal_fee_cap
    if cap is None:
        raise NotSpecifiedError(config.market, "membership renewal fees")
    return round_down(config.market, min(require_amount(actual_cost, "actual_cost"), cap))
