"""Amounts in the market currency, as ``Decimal``; display formatting belongs to the UI."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from policy.config import Market, market_config


def currency_unit(market: Market | str) -> Decimal:
    """The smallest amount of the market currency used here (1 for KRW and KZT)."""
    return Decimal(1).scaleb(-market_config(market).currency_minor_units)


def round_down(market: Market | str, amount: Decimal) -> Decimal:
    """``amount`` rounded down to the currency unit.

    Fees are caps ("at most 5 %", R-KR-RET-2): rounding down keeps a fee within its cap.
    """
    return amount.quantize(currency_unit(market), rounding=ROUND_DOWN)
