"""Calendar arithmetic that does not depend on a market."""

from __future__ import annotations

import calendar
from datetime import date

from policy._checks import require_date, require_int


def last_day_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months, clamped to the month's end.

    Jan 31 + 1 month is Feb 28 (Feb 29 in leap years). Used for "within N months" rules
    (R-KR-RET-2, R-KR-MEM-3).
    """
    require_date(day, "day")
    year, month_index = divmod(day.year * 12 + day.month - 1 + require_int(months, "months"), 12)
    end = last_day_of_month(year, month_index + 1)
    return end.replace(day=min(day.day, end.day))


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)
