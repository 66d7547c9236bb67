"""Shipping fee and delivery windows: R-KR-SHIP-1..4, R-KR-ORD-3, R-KZ-MIG-6."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from policy import (
    NotSpecifiedError,
    business_center_delivery_by,
    delivery_window,
    free_shipping_gap,
    market_config,
    shipping_fee,
)

SEOUL = ZoneInfo("Asia/Seoul")


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=SEOUL)  # type: ignore[misc]


# --- R-KR-SHIP-1 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subtotal", "fee"),
    [(0, 4500), (49999, 4500), (Decimal("49999.99"), 4500), (50000, 0), (1_000_000, 0)],
)
def test_kr_free_shipping_from_50000(subtotal: int, fee: int) -> None:
    """R-KR-SHIP-1: KRW 4,500 below KRW 50,000; free at 50,000 or more."""
    result = shipping_fee("KR", Decimal(subtotal))
    assert result == Decimal(fee)
    assert isinstance(result, Decimal)


def test_free_shipping_gap() -> None:
    """R-KR-SHIP-1: how much more buys free shipping."""
    assert free_shipping_gap("KR", Decimal(49999)) == Decimal(1)
    assert free_shipping_gap("KR", Decimal(50000)) == Decimal(0)
    assert free_shipping_gap("KR", Decimal(70000)) == Decimal(0)
    assert free_shipping_gap("KR", Decimal(0)) == Decimal(50000)
    assert free_shipping_gap("KZ", Decimal(0)) is None  # no threshold in the sources


def test_kz_fee_is_the_marked_sample_setting() -> None:
    config = market_config("KZ")
    assert shipping_fee("KZ", Decimal(100_000)) == config.shipping.fee
    assert config.is_sample("shipping.fee")


@pytest.mark.parametrize("bad", [49999.0, "50000", None])
def test_subtotal_must_be_decimal(bad: object) -> None:
    with pytest.raises(TypeError):
        shipping_fee("KR", bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [Decimal(-1), Decimal("NaN"), Decimal("Infinity")])
def test_subtotal_must_be_finite_and_non_negative(bad: Decimal) -> None:
    with pytest.raises(ValueError):
        shipping_fee("KR", bad)


# --- R-KR-SHIP-2, -3, -4 --------------------------------------------------------------------


def test_card_before_and_at_the_15_00_cutoff() -> None:
    """R-KR-SHIP-2: before 15:00 1-3 business days, from 15:00 2-4 (Fri 2026-01-30)."""
    assert delivery_window("KR", kst(2026, 1, 30, 14, 59, 59), "card") == (
        date(2026, 2, 2),
        date(2026, 2, 4),
    )
    assert delivery_window("KR", kst(2026, 1, 30, 14, 59, 59, 999999), "card")[0] == date(
        2026, 2, 2
    )
    assert delivery_window("KR", kst(2026, 1, 30, 15, 0, 0), "card") == (
        date(2026, 2, 3),
        date(2026, 2, 5),
    )


def test_bank_transfer_cutoff_is_13_00_inclusive() -> None:
    """R-KR-SHIP-3: deposit confirmed by 13:00 ("오후 1시까지": 13:00:00 is within): 1-3
    business days; from 13:00:00.000001: 2-4."""
    wednesday = (2026, 1, 14)
    within, after = (date(2026, 1, 15), date(2026, 1, 19)), (date(2026, 1, 16), date(2026, 1, 20))
    assert delivery_window("KR", kst(*wednesday, 12, 59, 59), "bank_transfer") == within
    assert delivery_window("KR", kst(*wednesday, 13, 0, 0), "bank_transfer") == within
    just_after = kst(*wednesday, 13, 0, 0).replace(microsecond=1)
    assert delivery_window("KR", just_after, "bank_transfer") == after
    assert delivery_window("KR", kst(*wednesday, 13, 0, 1), "bank_transfer") == after
    # The card rule's cut-off stays exclusive ("오후 3시 이전"): 15:00:00 is after it.
    assert delivery_window("KR", kst(*wednesday, 15, 0, 0), "card") == after
    # 14:00 is before the card cut-off but after the bank-transfer one.
    assert delivery_window("KR", kst(*wednesday, 14, 0), "card")[0] == date(2026, 1, 15)
    assert delivery_window("KR", kst(*wednesday, 14, 0), "bank_transfer")[0] == date(2026, 1, 16)


def test_weekend_confirmation_counts_as_monday_morning() -> None:
    """R-KR-SHIP-4: no dispatch on weekends; Saturday evening = Monday before the cut-off."""
    saturday_evening = kst(2026, 1, 31, 20, 0)
    assert delivery_window("KR", saturday_evening, "card") == (date(2026, 2, 3), date(2026, 2, 5))
    assert delivery_window("KR", saturday_evening, "bank_transfer") == (
        date(2026, 2, 3),
        date(2026, 2, 5),
    )


def test_holiday_confirmation_and_holidays_inside_the_window() -> None:
    """R-KR-SHIP-4 with Chuseok 2025 (10-03, 10-06..10-09 closed)."""
    # Thu 2025-10-02 16:00: after the cut-off, 2-4 business days: 10-13 .. 10-15.
    assert delivery_window("KR", kst(2025, 10, 2, 16, 0), "card") == (
        date(2025, 10, 13),
        date(2025, 10, 15),
    )
    # On the substitute holiday 2025-10-08: as if Fri 10-10 before the cut-off.
    assert delivery_window("KR", kst(2025, 10, 8, 9, 0), "card") == (
        date(2025, 10, 13),
        date(2025, 10, 15),
    )


def test_cutoff_uses_local_time() -> None:
    """06:00 UTC is 15:00 in Seoul: after the card cut-off."""
    assert delivery_window("KR", datetime(2026, 1, 14, 6, 0, tzinfo=UTC), "card") == (
        date(2026, 1, 16),
        date(2026, 1, 20),
    )
    assert delivery_window("KR", datetime(2026, 1, 14, 5, 59, tzinfo=UTC), "card")[0] == date(
        2026, 1, 15
    )


def test_kz_window_is_1_to_10_calendar_days() -> None:
    """R-KZ-MIG-6: 1 to 10 days from the Almaty warehouse, by region (calendar days)."""
    # 20:00 UTC on Jan 30 is 01:00 on Jan 31 in Almaty (UTC+5).
    confirmed = datetime(2026, 1, 30, 20, 0, tzinfo=UTC)
    assert delivery_window("KZ", confirmed, "card") == (date(2026, 2, 1), date(2026, 2, 10))


@pytest.mark.parametrize("payment", ["cash", "CARD", "paypal", ""])
def test_unknown_payment_is_a_value_error(payment: str) -> None:
    with pytest.raises(ValueError, match="payment"):
        delivery_window("KR", kst(2026, 1, 14, 10, 0), payment)


def test_naive_confirmation_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        delivery_window("KR", datetime(2026, 1, 14, 10, 0), "card")


# --- R-KR-ORD-3 ----------------------------------------------------------------------------


def test_business_center_delivery_within_5_business_days() -> None:
    """R-KR-ORD-3: delivery starts on confirmation and completes within 5 business days."""
    assert business_center_delivery_by("KR", kst(2026, 1, 12, 11, 0)) == date(2026, 1, 19)
    assert business_center_delivery_by("KR", kst(2026, 1, 31, 11, 0)) == date(2026, 2, 6)
    with pytest.raises(NotSpecifiedError):
        business_center_delivery_by("KZ", kst(2026, 1, 12, 11, 0))
