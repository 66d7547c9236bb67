"""Market-local time: aware datetimes only, Asia/Seoul and Asia/Almaty (UTC+5 since 2024-03-01)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from policy import end_of_day, local_date, market_config, to_local


def test_almaty_is_utc_plus_5_since_march_2024() -> None:
    """tzdata 2024a moved Asia/Almaty from UTC+6 to UTC+5 on 2024-03-01 00:00 local."""
    summer = to_local("KZ", datetime(2024, 6, 1, 12, 0, tzinfo=UTC))
    assert summer.hour == 17
    assert summer.utcoffset() == timedelta(hours=5)
    assert to_local("KZ", datetime(2026, 1, 15, 12, 0, tzinfo=UTC)).utcoffset() == timedelta(
        hours=5
    )
    before = to_local("KZ", datetime(2024, 2, 29, 17, 59, tzinfo=UTC))
    assert (before.hour, before.utcoffset()) == (23, timedelta(hours=6))
    after = to_local("KZ", datetime(2024, 2, 29, 19, 0, tzinfo=UTC))
    assert (after.date(), after.hour, after.utcoffset()) == (
        date(2024, 3, 1),
        0,
        timedelta(hours=5),
    )


def test_seoul_is_utc_plus_9() -> None:
    local = to_local("KR", datetime(2026, 1, 30, 15, 0, tzinfo=UTC))
    assert local.utcoffset() == timedelta(hours=9)
    assert local_date("KR", datetime(2026, 1, 30, 15, 0, tzinfo=UTC)) == date(2026, 1, 31)
    assert market_config("KR").zone.key == "Asia/Seoul"


def test_other_fixed_offsets_are_converted() -> None:
    moscow = timezone(timedelta(hours=3))
    assert to_local("KZ", datetime(2026, 5, 4, 9, 0, tzinfo=moscow)).hour == 11


def test_naive_datetime_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        to_local("KR", datetime(2026, 1, 1, 12, 0))


def test_date_instead_of_datetime_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        to_local("KR", date(2026, 1, 1))  # type: ignore[arg-type]


def test_end_of_day_is_local_and_aware() -> None:
    end = end_of_day("KZ", date(2026, 12, 7))
    assert (end.hour, end.minute, end.second, end.microsecond) == (23, 59, 59, 999999)
    assert end.utcoffset() == timedelta(hours=5)
    with pytest.raises(TypeError):
        end_of_day("KZ", datetime(2026, 12, 7, tzinfo=UTC))
