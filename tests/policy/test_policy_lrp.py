"""LRP auto-order dates: R-KR-LRP-1, R-KR-LRP-3."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from policy import NotSpecifiedError, lrp_change_cutoff, lrp_change_takes_effect, lrp_next_run

SEOUL = ZoneInfo("Asia/Seoul")


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=SEOUL)  # type: ignore[misc]


def test_cutoff_three_business_days_before_the_run() -> None:
    """R-KR-LRP-3: run Thu 2026-12-10 -> cut-off Mon 2026-12-07 23:59:59.999999 local."""
    cutoff = lrp_change_cutoff("KR", date(2026, 12, 10))
    assert cutoff == datetime(2026, 12, 7, 23, 59, 59, 999999, tzinfo=SEOUL)
    assert cutoff.utcoffset() == timedelta(hours=9)


def test_cutoff_for_a_weekend_run() -> None:
    """Run on Sun 2026-12-13: the day before is Saturday; Fri, Thu, Wed -> Wed 12-09."""
    assert lrp_change_cutoff("KR", date(2026, 12, 13)).date() == date(2026, 12, 9)
    assert lrp_change_cutoff("KR", date(2026, 12, 14)).date() == date(2026, 12, 9)


def test_cutoff_skips_holidays() -> None:
    """Run Fri 2025-10-10 after Chuseok and Hangul Day: cut-off Tue 2025-09-30."""
    assert lrp_change_cutoff("KR", date(2025, 10, 10)).date() == date(2025, 9, 30)


def test_cutoff_not_specified_for_kz() -> None:
    with pytest.raises(NotSpecifiedError):
        lrp_change_cutoff("KZ", date(2026, 12, 10))


def test_next_run_on_the_chosen_day() -> None:
    """R-KR-LRP-1: paid and shipped every month on the chosen day."""
    assert lrp_next_run("KR", 15, date(2026, 1, 10)) == date(2026, 1, 15)
    assert lrp_next_run("KR", 15, date(2026, 1, 15)) == date(2026, 1, 15)
    assert lrp_next_run("KR", 15, date(2026, 1, 16)) == date(2026, 2, 15)
    assert lrp_next_run("KR", 5, date(2026, 12, 20)) == date(2027, 1, 5)
    assert lrp_next_run("KZ", 28, date(2026, 2, 28)) == date(2026, 2, 28)


def test_run_days_29_to_31_fall_on_short_months_last_day() -> None:
    """R-KR-LRP-1: "every month": a day-31 auto-order still runs in February and April."""
    assert lrp_next_run("KR", 31, date(2026, 2, 1)) == date(2026, 2, 28)
    assert lrp_next_run("KR", 31, date(2026, 3, 1)) == date(2026, 3, 31)
    assert lrp_next_run("KR", 31, date(2026, 4, 1)) == date(2026, 4, 30)
    assert lrp_next_run("KR", 29, date(2028, 2, 1)) == date(2028, 2, 29)
    assert lrp_next_run("KR", 30, date(2026, 1, 31)) == date(2026, 2, 28)
    assert lrp_change_takes_effect("KR", kst(2026, 2, 27, 10, 0), 31) == date(2026, 3, 31)


@pytest.mark.parametrize("day", [0, 32, -1])
def test_run_day_must_be_1_to_31(day: int) -> None:
    with pytest.raises(ValueError):
        lrp_next_run("KR", day, date(2026, 1, 1))


def test_late_change_applies_from_the_following_run() -> None:
    """R-KR-LRP-3: later requests take effect from the following run."""
    assert lrp_change_takes_effect("KR", kst(2026, 12, 7, 23, 59, 59), 10) == date(2026, 12, 10)
    assert lrp_change_takes_effect("KR", kst(2026, 12, 8, 0, 0), 10) == date(2027, 1, 10)
    assert lrp_change_takes_effect("KR", kst(2026, 12, 10, 9, 0), 10) == date(2027, 1, 10)
    # 15:00 UTC on Dec 7 is 00:00 on Dec 8 in Seoul: too late.
    late = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    assert lrp_change_takes_effect("KR", late, 10) == date(2027, 1, 10)
