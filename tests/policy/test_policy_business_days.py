"""Business days: Mon-Fri minus public holidays (Korean substitute holidays included)."""

from __future__ import annotations

from datetime import date

import pytest

from policy import (
    add_business_days,
    add_months,
    holiday_name,
    is_business_day,
    last_business_day_of_month,
    next_business_day_on_or_after,
)

# Substitute holidays (대체공휴일) as the holidays library lists them ("Alternative holiday").
KR_SUBSTITUTE_HOLIDAYS = [
    date(2025, 3, 3),  # for Independence Movement Day on Sat 2025-03-01
    date(2025, 5, 6),  # for Children's Day / Buddha's Birthday on Mon 2025-05-05
    date(2025, 10, 8),  # for Chuseok falling on Sun 2025-10-05
    date(2026, 3, 2),  # for Independence Movement Day on Sun 2026-03-01
    date(2026, 5, 25),  # for Buddha's Birthday on Sun 2026-05-24
    date(2026, 8, 17),  # for Liberation Day on Sat 2026-08-15
    date(2026, 10, 5),  # for National Foundation Day on Sat 2026-10-03
]


@pytest.mark.parametrize("day", KR_SUBSTITUTE_HOLIDAYS)
def test_korean_substitute_holidays_are_not_business_days(day: date) -> None:
    assert day.weekday() < 5
    assert "Alternative holiday" in (holiday_name("KR", day) or "")
    assert not is_business_day("KR", day)
    assert is_business_day("KZ", day) == (holiday_name("KZ", day) is None)


def test_weekends_are_not_business_days() -> None:
    assert not is_business_day("KR", date(2026, 1, 31))  # Saturday
    assert not is_business_day("KZ", date(2026, 2, 1))  # Sunday
    assert is_business_day("KR", date(2026, 1, 30))  # Friday


def test_kazakh_holidays() -> None:
    assert not is_business_day("KZ", date(2026, 3, 23))  # Nowruz
    assert not is_business_day("KZ", date(2025, 12, 16))  # Independence Day
    assert is_business_day("KR", date(2025, 12, 16))
    assert not is_business_day("KR", date(2025, 10, 6))  # Chuseok
    assert is_business_day("KZ", date(2025, 10, 6))


def test_kazakh_working_saturday_is_not_a_business_day() -> None:
    """2024-05-04 was a transferred working Saturday in Kazakhstan; parcels still wait."""
    assert not is_business_day("KZ", date(2024, 5, 4))
    assert not is_business_day("KZ", date(2024, 5, 8))  # the day off it paid for


def test_add_business_days_skips_weekends_and_holidays() -> None:
    assert add_business_days("KR", date(2026, 1, 30), 1) == date(2026, 2, 2)
    # Chuseok 2025: Fri 10-03 holiday, 10-06..10-09 holidays.
    assert add_business_days("KR", date(2025, 10, 2), 1) == date(2025, 10, 10)
    assert add_business_days("KR", date(2025, 10, 10), -1) == date(2025, 10, 2)
    assert add_business_days("KZ", date(2026, 3, 20), 1) == date(2026, 3, 26)


def test_add_zero_business_days_returns_the_day_unchanged() -> None:
    saturday = date(2026, 1, 31)
    assert add_business_days("KR", saturday, 0) == saturday
    assert next_business_day_on_or_after("KR", saturday) == date(2026, 2, 2)
    assert next_business_day_on_or_after("KR", date(2026, 2, 2)) == date(2026, 2, 2)


def test_from_a_non_business_day() -> None:
    saturday = date(2026, 1, 31)
    assert add_business_days("KR", saturday, 1) == date(2026, 2, 2)
    assert add_business_days("KR", saturday, -1) == date(2026, 1, 30)


def test_across_a_year_boundary() -> None:
    assert add_business_days("KR", date(2025, 12, 31), 1) == date(2026, 1, 2)
    assert add_business_days("KZ", date(2025, 12, 31), 1) == date(2026, 1, 5)


def test_last_business_day_of_month() -> None:
    assert last_business_day_of_month("KR", 2026, 1) == date(2026, 1, 30)  # a Friday
    assert last_business_day_of_month("KR", 2023, 9) == date(2023, 9, 27)  # Chuseok
    assert last_business_day_of_month("KR", 2022, 1) == date(2022, 1, 28)  # Seollal eve
    assert last_business_day_of_month("KR", 2026, 3) == date(2026, 3, 31)


@pytest.mark.parametrize("bad", [1.0, True, "1"])
def test_n_must_be_an_int(bad: object) -> None:
    with pytest.raises(TypeError):
        add_business_days("KR", date(2026, 1, 5), bad)  # type: ignore[arg-type]


def test_unknown_market() -> None:
    with pytest.raises(ValueError):
        is_business_day("US", date(2026, 1, 5))


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
