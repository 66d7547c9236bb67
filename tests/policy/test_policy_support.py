"""Support and business-center hours: R-KR-ORD-5, R-KR-ORD-6, R-KZ-SUP-1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from policy import NotSpecifiedError, business_center_is_open, support_is_open, support_next_open

SEOUL = ZoneInfo("Asia/Seoul")


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=SEOUL)  # type: ignore[misc]


def almaty(*args: int) -> datetime:
    # Built from UTC so the test does not depend on the system's copy of tzdata.
    return datetime(*args, tzinfo=UTC) + timedelta(hours=-5)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("at", "is_open"),
    [
        (kst(2026, 1, 14, 8, 59, 59), False),
        (kst(2026, 1, 14, 9, 0), True),
        (kst(2026, 1, 14, 17, 59, 59), True),
        (kst(2026, 1, 14, 18, 0), False),
        (kst(2026, 1, 17, 9, 0), True),  # Saturday
        (kst(2026, 1, 17, 12, 59, 59), True),
        (kst(2026, 1, 17, 13, 0), False),
        (kst(2026, 1, 18, 10, 0), False),  # Sunday
        (kst(2025, 10, 6, 10, 0), False),  # Chuseok (Monday)
        (kst(2026, 3, 2, 10, 0), False),  # substitute holiday
    ],
)
def test_kr_support_hours(at: datetime, is_open: bool) -> None:
    """R-KR-ORD-6: weekdays 09:00-18:00, Saturday 09:00-13:00; holidays closed (decision)."""
    assert support_is_open("KR", at) is is_open


@pytest.mark.parametrize(
    ("at", "is_open"),
    [
        (almaty(2026, 1, 14, 10, 59, 59), False),
        (almaty(2026, 1, 14, 11, 0), True),
        (almaty(2026, 1, 14, 18, 59, 59), True),
        (almaty(2026, 1, 14, 19, 0), False),
        (almaty(2026, 1, 17, 12, 0), False),  # Saturday
        (almaty(2026, 1, 18, 12, 0), False),  # Sunday
        (almaty(2026, 3, 23, 12, 0), False),  # Nowruz
    ],
)
def test_kz_support_hours(at: datetime, is_open: bool) -> None:
    """R-KZ-SUP-1: Mon-Fri 11:00-19:00, Sat-Sun closed."""
    assert support_is_open("KZ", at) is is_open


def test_kz_hours_follow_utc_plus_5() -> None:
    """06:00 UTC is 11:00 in Almaty (it would be 12:00 under the old UTC+6)."""
    assert support_is_open("KZ", datetime(2026, 1, 14, 6, 0, tzinfo=UTC))
    assert not support_is_open("KZ", datetime(2026, 1, 14, 5, 59, tzinfo=UTC))
    assert not support_is_open("KZ", datetime(2026, 1, 14, 14, 0, tzinfo=UTC))


def test_next_open_kr() -> None:
    assert support_next_open("KR", kst(2026, 1, 14, 7, 30)) == kst(2026, 1, 14, 9, 0)
    assert support_next_open("KR", kst(2026, 1, 14, 18, 0)) == kst(2026, 1, 15, 9, 0)
    assert support_next_open("KR", kst(2026, 1, 17, 13, 0)) == kst(2026, 1, 19, 9, 0)
    # Chuseok 2025: closed Fri 10-03 and Mon-Thu 10-06..10-09.
    assert support_next_open("KR", kst(2025, 10, 2, 18, 30)) == kst(2025, 10, 4, 9, 0)
    assert support_next_open("KR", kst(2025, 10, 4, 13, 30)) == kst(2025, 10, 10, 9, 0)


def test_next_open_returns_the_moment_when_open() -> None:
    at = kst(2026, 1, 14, 10, 0)
    assert support_next_open("KR", at) == at


def test_next_open_kz_after_nowruz() -> None:
    """R-KZ-SUP-1: closed over Nowruz 2026 (Mar 21-25) and the weekend before."""
    result = support_next_open("KZ", almaty(2026, 3, 20, 19, 30))
    assert result == almaty(2026, 3, 26, 11, 0)
    assert result.utcoffset() == timedelta(hours=5)
    assert result.tzinfo is not None


def test_naive_datetime_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        support_is_open("KR", datetime(2026, 1, 14, 10, 0))
    with pytest.raises(ValueError):
        support_next_open("KZ", datetime(2026, 1, 14, 10, 0))


def test_business_center_hours() -> None:
    """R-KR-ORD-5: weekdays 10:00-19:00, Saturday 10:00-14:00."""
    assert not business_center_is_open("KR", kst(2026, 1, 14, 9, 59))
    assert business_center_is_open("KR", kst(2026, 1, 14, 18, 59))
    assert not business_center_is_open("KR", kst(2026, 1, 14, 19, 0))
    assert business_center_is_open("KR", kst(2026, 1, 17, 13, 59))
    assert not business_center_is_open("KR", kst(2026, 1, 17, 14, 0))
    assert not business_center_is_open("KR", kst(2026, 1, 18, 12, 0))
    with pytest.raises(NotSpecifiedError):
        business_center_is_open("KZ", kst(2026, 1, 14, 12, 0))
