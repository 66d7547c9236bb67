"""IPC renewal: R-KR-MEM-3."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from policy import NotSpecifiedError, ipc_next_renewal, ipc_renewal_fee, market_config


def test_renews_yearly_from_registration() -> None:
    """R-KR-MEM-3: IPC status renews every year from the registration date."""
    assert market_config("KR").membership.renewal_period_months == 12
    registered = date(2024, 5, 20)
    assert ipc_next_renewal("KR", registered, date(2024, 5, 20)) == date(2025, 5, 20)
    assert ipc_next_renewal("KR", registered, date(2025, 5, 20)) == date(2025, 5, 20)
    assert ipc_next_renewal("KR", registered, date(2025, 5, 21)) == date(2026, 5, 20)
    assert ipc_next_renewal("KR", registered, date(2030, 1, 1)) == date(2030, 5, 20)


def test_leap_day_registration() -> None:
    registered = date(2024, 2, 29)
    assert ipc_next_renewal("KR", registered, date(2024, 3, 1)) == date(2025, 2, 28)
    assert ipc_next_renewal("KR", registered, date(2027, 3, 1)) == date(2028, 2, 29)


def test_renewal_fee_is_the_actual_cost_up_to_10000() -> None:
    """R-KR-MEM-3: annual renewal fee: the actual cost, at most KRW 10,000."""
    assert ipc_renewal_fee("KR", Decimal(7_000)) == Decimal(7_000)
    assert ipc_renewal_fee("KR", Decimal(10_000)) == Decimal(10_000)
    assert ipc_renewal_fee("KR", Decimal(12_500)) == Decimal(10_000)


def test_kz_membership_not_specified() -> None:
    with pytest.raises(NotSpecifiedError):
        ipc_renewal_fee("KZ", Decimal(1))
    with pytest.raises(NotSpecifiedError):
        ipc_next_renewal("KZ", date(2024, 1, 1), date(2025, 1, 1))


def test_today_before_registration_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        ipc_next_renewal("KR", date(2025, 1, 2), date(2025, 1, 1))
