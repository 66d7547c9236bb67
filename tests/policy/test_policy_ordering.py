"""Purchase month: R-KR-ORD-1."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from policy import month_closing_day, order_month

SEOUL = ZoneInfo("Asia/Seoul")


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=SEOUL)  # type: ignore[misc]


def test_month_ending_on_a_weekend_closes_on_friday() -> None:
    """R-KR-ORD-1: January 2026 ends Sat 31; its last business day is Fri 30."""
    assert month_closing_day("KR", 2026, 1) == date(2026, 1, 30)
    assert order_month("KR", kst(2026, 1, 30, 23, 59, 59, 999999)) == (2026, 1)
    assert order_month("KR", kst(2026, 1, 31, 0, 0)) == (2026, 2)
    assert order_month("KR", kst(2026, 2, 1, 12, 0)) == (2026, 2)


def test_month_ending_with_holidays() -> None:
    """R-KR-ORD-1: September 2023 closes on Wed 27 (Chuseok 28-30)."""
    assert order_month("KR", kst(2023, 9, 27, 23, 0)) == (2023, 9)
    assert order_month("KR", kst(2023, 9, 28, 10, 0)) == (2023, 10)
    # January 2022: Mon 31 was the eve of Seollal, so the month closed Fri 28.
    assert order_month("KR", kst(2022, 1, 28, 18, 0)) == (2022, 1)
    assert order_month("KR", kst(2022, 1, 31, 10, 0)) == (2022, 2)


def test_december_rolls_into_next_year() -> None:
    assert month_closing_day("KR", 2022, 12) == date(2022, 12, 30)
    assert order_month("KR", kst(2022, 12, 31, 10, 0)) == (2023, 1)


def test_ordinary_days_stay_in_their_month() -> None:
    assert order_month("KR", kst(2026, 3, 31, 23, 59)) == (2026, 3)
    assert order_month("KR", kst(2026, 1, 15, 10, 0)) == (2026, 1)


def test_local_midnight_not_utc() -> None:
    """15:00 UTC Friday is 00:00 Saturday in Seoul: already the next purchase month."""
    assert order_month("KR", datetime(2026, 1, 30, 14, 59, 59, tzinfo=UTC)) == (2026, 1)
    assert order_month("KR", datetime(2026, 1, 30, 15, 0, tzinfo=UTC)) == (2026, 2)


def test_kz_uses_calendar_months() -> None:
    assert order_month("KZ", datetime(2026, 1, 31, 6, 0, tzinfo=UTC)) == (2026, 1)
    assert month_closing_day("KZ", 2026, 1) == date(2026, 1, 31)


def test_naive_order_time_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        order_month("KR", datetime(2026, 1, 30, 12, 0))
