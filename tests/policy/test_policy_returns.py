"""Returns and refunds: R-KR-RET-1, R-KR-RET-2, R-KR-RET-3, R-KR-RET-4."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from policy import NotSpecifiedError, card_refund_visible, refund_due, return_quote

AMOUNT = Decimal(100_000)


def member(purchased: date, requested: date, amount: Decimal = AMOUNT, **kw: date):
    return return_quote("KR", "member", purchased, requested, amount, **kw)


# --- R-KR-RET-2 (member) --------------------------------------------------------------------


def test_day_30_and_31_after_purchase_in_a_30_day_month() -> None:
    """R-KR-RET-2: bought Apr 1; one month later is May 1 (day 30): no fee; day 31: 5 %."""
    purchased = date(2026, 4, 1)
    day_30 = member(purchased, purchased + timedelta(days=30))
    assert (day_30.eligible, day_30.fee_rate, day_30.fee, day_30.refund) == (
        True,
        Decimal(0),
        Decimal(0),
        AMOUNT,
    )
    assert day_30.reason == "member_up_to_1_month"
    day_31 = member(purchased, purchased + timedelta(days=31))
    assert (day_31.fee_rate, day_31.fee, day_31.refund) == (
        Decimal("0.05"),
        Decimal(5000),
        Decimal(95000),
    )
    assert day_31.reason == "member_up_to_2_months"


def test_day_30_and_31_after_purchase_in_a_31_day_month() -> None:
    """Bought Jan 1: Jan 31 (day 30) and Feb 1 (day 31, exactly one month) carry no fee."""
    purchased = date(2026, 1, 1)
    assert member(purchased, date(2026, 1, 31)).fee_rate == 0
    assert member(purchased, date(2026, 2, 1)).fee_rate == 0
    assert member(purchased, date(2026, 2, 2)).fee_rate == Decimal("0.05")


def test_end_of_month_clamping() -> None:
    """Bought Jan 31: one month later is Feb 28 (Feb 29 in a leap year)."""
    assert member(date(2026, 1, 31), date(2026, 2, 28)).fee_rate == 0
    assert member(date(2026, 1, 31), date(2026, 3, 1)).fee_rate == Decimal("0.05")
    assert member(date(2028, 1, 31), date(2028, 2, 29)).fee_rate == 0
    assert member(date(2028, 1, 31), date(2028, 3, 1)).fee_rate == Decimal("0.05")


def test_two_and_three_month_boundaries() -> None:
    purchased = date(2026, 1, 15)
    assert member(purchased, date(2026, 3, 15)).fee_rate == Decimal("0.05")
    seven = member(purchased, date(2026, 3, 16))
    assert (seven.fee_rate, seven.reason) == (Decimal("0.07"), "member_up_to_3_months")
    last = member(purchased, date(2026, 4, 15))
    assert last.eligible and last.fee_rate == Decimal("0.07")
    assert last.deadline == date(2026, 4, 15)
    late = member(purchased, date(2026, 4, 16))
    assert (late.eligible, late.reason, late.fee, late.refund) == (
        False,
        "member_window_passed",
        Decimal(0),
        Decimal(0),
    )


def test_fee_rounds_down_to_whole_won() -> None:
    """R-KR-RET-2 "at most 7 %": 7 % of 12,345 is 864.15 -> 864; refund 11,481 (R-KR-RET-3)."""
    quote = member(date(2026, 1, 15), date(2026, 4, 1), Decimal(12_345))
    assert quote.fee == Decimal(864)
    assert quote.refund == Decimal(11_481)
    assert quote.fee <= Decimal(12_345) * quote.fee_rate


def test_fee_tier_counts_from_supply_window_from_contract() -> None:
    """R-KR-RET-2: 3 months from the contract; the fee by time since supply."""
    quote = member(date(2026, 1, 15), date(2026, 2, 20), delivered_on=date(2026, 1, 25))
    assert quote.fee_rate == 0  # 26 days after supply
    late = member(date(2026, 1, 15), date(2026, 4, 20), delivered_on=date(2026, 1, 25))
    assert not late.eligible  # more than 3 months after the contract


# --- R-KR-RET-1 (consumer) ------------------------------------------------------------------


def test_consumer_14_days_from_contract() -> None:
    """R-KR-RET-1: withdrawal within 14 days of the contract document; IPC responsible."""
    on_day_14 = return_quote("KR", "consumer", date(2026, 3, 1), date(2026, 3, 15), AMOUNT)
    assert (on_day_14.eligible, on_day_14.fee, on_day_14.refund) == (True, 0, AMOUNT)
    assert on_day_14.handled_by == "ipc"
    assert on_day_14.reason == "consumer_within_window"
    day_15 = return_quote("KR", "consumer", date(2026, 3, 1), date(2026, 3, 16), AMOUNT)
    assert (day_15.eligible, day_15.reason) == (False, "consumer_window_passed")


def test_consumer_14_days_from_late_delivery() -> None:
    """R-KR-RET-1: goods received after the contract: 14 days from receipt."""
    args = ("KR", "consumer", date(2026, 3, 1))
    delivered = date(2026, 3, 10)
    assert return_quote(*args, date(2026, 3, 24), AMOUNT, delivered_on=delivered).eligible
    late = return_quote(*args, date(2026, 3, 25), AMOUNT, delivered_on=delivered)
    assert not late.eligible
    assert late.deadline == date(2026, 3, 24)


# --- KZ and argument errors ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["member", "consumer"])
def test_kz_returns_are_not_specified(kind: str) -> None:
    quote = return_quote("KZ", kind, date(2026, 3, 1), date(2026, 3, 2), AMOUNT)
    assert (quote.eligible, quote.reason, quote.handled_by) == (False, "not_specified", "support")


def test_request_before_purchase_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="before purchased_on"):
        member(date(2026, 3, 2), date(2026, 3, 1))


def test_delivery_before_purchase_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="delivered_on"):
        member(date(2026, 3, 2), date(2026, 3, 3), delivered_on=date(2026, 3, 1))


def test_unknown_kind_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="kind"):
        return_quote("KR", "staff", date(2026, 3, 1), date(2026, 3, 2), AMOUNT)


def test_quote_is_frozen() -> None:
    quote = member(date(2026, 3, 1), date(2026, 3, 2))
    with pytest.raises(AttributeError):
        quote.fee = Decimal(1)  # type: ignore[misc]


# --- R-KR-RET-3, R-KR-RET-4 -----------------------------------------------------------------


def test_refund_within_3_business_days() -> None:
    """R-KR-RET-3 / R-KR-RET-4: refund within 3 business days of receipt and check."""
    assert refund_due("KR", date(2026, 1, 29)) == date(2026, 2, 3)
    assert refund_due("KR", date(2025, 10, 2)) == date(2025, 10, 14)  # Chuseok 2025
    with pytest.raises(NotSpecifiedError):
        refund_due("KZ", date(2026, 1, 29))


def test_card_refund_visible_after_3_to_5_business_days() -> None:
    """R-KR-RET-3: card approval cancelled; visible 3-5 business days after notice."""
    assert card_refund_visible("KR", date(2026, 1, 30)) == (date(2026, 2, 4), date(2026, 2, 6))
