"""Can this account move to the Kazakhstan market? (R-KZ-MIG-2, R-KZ-MIG-8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from policy._checks import require_date
from policy.config import Market, market_config

AR_BALANCE_OVER_LIMIT = "ar_balance_over_limit"
NEGATIVE_BALANCE = "negative_balance"


@dataclass(frozen=True, slots=True)
class MigrationCheck:
    """The result of :func:`migration_check`.

    ``reasons`` lists why the move is not possible (empty when ``eligible``). The date flags
    are facts the bot must state truthfully, whatever the eligibility.
    """

    eligible: bool
    reasons: tuple[str, ...]
    limit: Decimal
    deadline: date
    deadline_passed: bool
    russia_delivery_end: date
    russia_delivery_ended: bool


def migration_check(ar_balance_usd: Decimal, today: date) -> MigrationCheck:
    """Check the conditions for moving an account to the Kazakhstan market.

    R-KZ-MIG-2: possible only if the AR balance does not exceed USD 150.00 (150.00 passes,
    150.01 does not); reason "ar_balance_over_limit".
    Negative balances are refused with reason "negative_balance": the letter does not say
    what a negative AR balance means, so the bot routes it to support instead of guessing.

    R-KZ-MIG-8: the letter asked to move by 2024-09-30 and delivery from Russia ends on
    2024-10-01. ``deadline_passed`` is ``today > deadline`` and ``russia_delivery_ended`` is
    ``today >= russia_delivery_end``; they do not change ``eligible`` because the letter does
    not say the move closes after the deadline. Limit and dates come from ``kz.toml``.
    """
    balance = _require_balance(ar_balance_usd)
    require_date(today, "today")
    config = market_config(Market.KZ)
    limit, deadline, delivery_end = _migration_terms(
        config.migration.ar_limit_usd,
        config.migration.deadline,
        config.migration.russia_delivery_end,
    )
    reasons = _reasons(balance, limit)
    return MigrationCheck(
        eligible=not reasons,
        reasons=reasons,
        limit=limit,
        deadline=deadline,
        deadline_passed=today > deadline,
        russia_delivery_end=delivery_end,
        russia_delivery_ended=today >= delivery_end,
    )


def _require_balance(value: object) -> Decimal:
    # Unlike prices, a balance may be negative, so require_amount does not fit.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"ar_balance_usd must be a Decimal, got {value!r}")
    balance = Decimal(value)
    if not balance.is_finite():
        raise ValueError(f"ar_balance_usd must be finite, got {value!r}")
    return balance


def _migration_terms(
    limit: Decimal | None, deadline: date | None, delivery_end: date | None
) -> tuple[Decimal, date, date]:
    if limit is None or deadline is None or delivery_end is None:
        raise ValueError("kz.toml must set migration.ar_limit_usd, deadline, russia_delivery_end")
    return limit, deadline, delivery_end


def _reasons(balance: Decimal, limit: Decimal) -> tuple[str, ...]:
    if balance < 0:
        return (NEGATIVE_BALANCE,)
    if balance > limit:
        return (AR_BALANCE_OVER_LIMIT,)
    return ()
