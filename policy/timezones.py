"""Local time per market: every rule's cut-off is stated in the market's wall-clock time."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from policy._checks import require_date
from policy.config import Market, market_config


def market_zone(market: Market | str) -> ZoneInfo:
    """The market's zone (Asia/Seoul, Asia/Almaty), from the ``tzdata`` package."""
    return market_config(market).zone


def require_aware(at: object, name: str = "at") -> datetime:
    """``at`` itself if it is a timezone-aware datetime; ValueError if naive.

    A naive datetime has no defined instant, and guessing a zone would move cut-offs.
    """
    if not isinstance(at, datetime):
        raise TypeError(f"{name} must be a datetime, got {at!r}")
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {at!r}")
    return at


def to_local(market: Market | str, at: datetime) -> datetime:
    """``at`` converted to the market's local zone. Naive datetimes raise ValueError."""
    return require_aware(at).astimezone(market_zone(market))


def local_date(market: Market | str, at: datetime) -> date:
    """The market-local calendar date of the instant ``at``."""
    return to_local(market, at).date()


def end_of_day(market: Market | str, day: date) -> datetime:
    """The last representable moment (23:59:59.999999) of ``day`` in the market's zone."""
    return datetime.combine(require_date(day, "day"), time.max, tzinfo=market_zone(market))


def local_datetime(market: Market | str, day: date, moment: time) -> datetime:
    """The aware local datetime of wall-clock ``moment`` on ``day`` in the market's zone."""
    return datetime.combine(require_date(day, "day"), moment, tzinfo=market_zone(market))
