"""The markets the bot serves."""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType


class Market(StrEnum):
    """A market the bot serves. Functions also accept the plain strings "KR" / "KZ"."""

    KR = "KR"
    KZ = "KZ"


def parse_market(market: Market | str) -> Market:
    """``market`` as a :class:`Market`; case and surrounding spaces are ignored.

    Raises ValueError for anything that is not KR or KZ.
    """
    if isinstance(market, Market):
        return market
    if isinstance(market, str):
        # A dict look-up: Enum's own call costs more, and every reply asks a few times.
        found = _MARKETS.get(market) or _MARKETS.get(market.strip().upper())
        if found is not None:
            return found
    raise ValueError(f"unknown market {market!r}; expected one of {', '.join(Market)}")


_MARKETS = MappingProxyType({market.value: market for market in Market})
