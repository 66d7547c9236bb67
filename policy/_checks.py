"""Argument checks shared by the public functions.

Policy answers reach customers, so wrong argument types fail loudly instead of being coerced
(a float amount or a datetime passed as a date would silently change a result).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal


def require_date(value: object, name: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date (not a datetime), got {value!r}")
    return value


def require_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    return value


def require_amount(value: object, name: str) -> Decimal:
    """A finite, non-negative Decimal (ints accepted); floats are refused as inexact."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal, got {value!r}")
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValueError(f"{name} must be finite, got {value!r}")
    if amount < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")
    return amount


def require_text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {value!r}")
    return value
