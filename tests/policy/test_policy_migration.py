"""Moving to the Kazakhstan market: R-KZ-MIG-2, R-KZ-MIG-8."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from policy import migration_check

TODAY = date(2026, 1, 15)


@pytest.mark.parametrize("balance", ["0", "0.00", "149.99", "150", "150.00"])
def test_ar_balance_up_to_150_is_eligible(balance: str) -> None:
    """R-KZ-MIG-2: the AR balance must not exceed USD 150."""
    check = migration_check(Decimal(balance), TODAY)
    assert check.eligible
    assert check.reasons == ()
    assert check.limit == Decimal("150.00")


@pytest.mark.parametrize("balance", ["150.01", "150.001", "1000"])
def test_ar_balance_over_150_is_refused(balance: str) -> None:
    check = migration_check(Decimal(balance), TODAY)
    assert not check.eligible
    assert check.reasons == ("ar_balance_over_limit",)


def test_negative_balance_goes_to_support() -> None:
    check = migration_check(Decimal("-0.01"), TODAY)
    assert not check.eligible
    assert check.reasons == ("negative_balance",)


def test_deadline_flags() -> None:
    """R-KZ-MIG-8: move by 2024-09-30; delivery from Russia ends 2024-10-01."""
    on_deadline = migration_check(Decimal(10), date(2024, 9, 30))
    assert (on_deadline.deadline_passed, on_deadline.russia_delivery_ended) == (False, False)
    next_day = migration_check(Decimal(10), date(2024, 10, 1))
    assert (next_day.deadline_passed, next_day.russia_delivery_ended) == (True, True)
    assert next_day.eligible  # the letter does not close the move after the deadline
    assert next_day.deadline == date(2024, 9, 30)
    assert next_day.russia_delivery_end == date(2024, 10, 1)


def test_today_is_past_the_deadline() -> None:
    """The bot must say the deadline has passed instead of repeating it (R-KZ-MIG-8)."""
    check = migration_check(Decimal(10), TODAY)
    assert check.deadline_passed and check.russia_delivery_ended


@pytest.mark.parametrize("bad", [150.0, "150", None])
def test_balance_must_be_decimal(bad: object) -> None:
    with pytest.raises(TypeError):
        migration_check(bad, TODAY)  # type: ignore[arg-type]


def test_today_must_be_a_date() -> None:
    with pytest.raises(TypeError):
        migration_check(Decimal(1), datetime(2026, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        migration_check(Decimal("NaN"), TODAY)
