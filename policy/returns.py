"""Return quotes and refund timing (R-KR-RET-1..4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from policy._checks import require_amount, require_date, require_text
from policy.business_days import add_business_days
from policy.config import Market, MarketConfig, market_config
from policy.dates import add_months
from policy.errors import NotSpecifiedError
from policy.money import round_down

RETURN_KINDS = frozenset({"member", "consumer"})
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class ReturnQuote:
    """What a return request would yield.

    ``fee_rate`` is the fee cap the source allows ("at most 5 %"); ``fee`` is that cap applied
    to the amount and rounded down to the currency unit; ``refund`` is ``amount - fee`` before
    deducting bonuses already paid on the order (R-KR-RET-3), which only the company knows.
    ``deadline`` is the last day a request is accepted (None when unknown); ``handled_by`` is
    "company", "ipc" (consumer returns: the selling IPC, R-KR-RET-1) or "support" (KZ).
    Ineligible quotes carry zero fee and refund.
    """

    eligible: bool
    fee_rate: Decimal
    fee: Decimal
    refund: Decimal
    reason: str
    deadline: date | None = None
    handled_by: str = "company"


def return_quote(
    market: Market | str,
    kind: str,
    purchased_on: date,
    requested_on: date,
    amount: Decimal,
    delivered_on: date | None = None,
) -> ReturnQuote:
    """Quote a return of goods worth ``amount`` bought on ``purchased_on``.

    ``kind`` is "member" or "consumer" (else ValueError); ``requested_on`` (or
    ``delivered_on``) before ``purchased_on`` raises ValueError.

    Member (R-KR-RET-2): withdrawal within 3 calendar months of the contract (purchase) date;
    the fee depends on the time since supply (``delivered_on`` when known, else
    ``purchased_on``): up to 1 month inclusive 0 %, up to 2 months 5 %, up to 3 months 7 %.
    Months are calendar months, end-of-month clamped (bought Jan 31: one month is Feb 28/29).
    Reasons: "member_up_to_1_month", "member_up_to_2_months", "member_up_to_3_months",
    "member_window_passed".

    Consumer (R-KR-RET-1): no fee within 14 days (inclusive) of the contract date or, if the
    goods arrived later, of delivery; handled by the selling IPC. Reasons:
    "consumer_within_window", "consumer_window_passed".

    KZ: the sources state no return rules: ineligible, reason "not_specified", handled by
    support (the bot routes the customer there).
    """
    config = market_config(market)
    _check_kind(kind)
    require_date(purchased_on, "purchased_on")
    require_date(requested_on, "requested_on")
    total = require_amount(amount, "amount")
    supplied_on = _supply_date(purchased_on, delivered_on)
    if requested_on < purchased_on:
        raise ValueError("requested_on is before purchased_on")
    if kind == "consumer":
        return _consumer_quote(config, supplied_on, requested_on, total)
    return _member_quote(config, purchased_on, supplied_on, requested_on, total)


def _check_kind(kind: str) -> None:
    if require_text(kind, "kind") not in RETURN_KINDS:
        raise ValueError(f"kind must be 'member' or 'consumer', got {kind!r}")


def _supply_date(purchased_on: date, delivered_on: date | None) -> date:
    if delivered_on is None:
        return purchased_on
    if require_date(delivered_on, "delivered_on") < purchased_on:
        raise ValueError("delivered_on is before purchased_on")
    return delivered_on


def _not_specified() -> ReturnQuote:
    return ReturnQuote(False, _ZERO, _ZERO, _ZERO, "not_specified", None, "support")


def _consumer_quote(
    config: MarketConfig, supplied_on: date, requested_on: date, amount: Decimal
) -> ReturnQuote:
    days = config.returns.consumer_withdrawal_days
    if days is None:
        return _not_specified()
    deadline = supplied_on + timedelta(days=days)
    handled_by = config.returns.consumer_handled_by or "company"
    if requested_on > deadline:
        return ReturnQuote(
            False, _ZERO, _ZERO, _ZERO, "consumer_window_passed", deadline, handled_by
        )
    zero = round_down(config.market, _ZERO)
    return ReturnQuote(True, _ZERO, zero, amount, "consumer_within_window", deadline, handled_by)


def _member_quote(
    config: MarketConfig,
    purchased_on: date,
    supplied_on: date,
    requested_on: date,
    amount: Decimal,
) -> ReturnQuote:
    tiers = config.returns.member_fee_tiers
    if not tiers:
        return _not_specified()
    deadline = add_months(purchased_on, tiers[-1].up_to_months)
    if requested_on <= deadline:
        for months, rate in tiers:
            if requested_on <= add_months(supplied_on, months):
                fee = round_down(config.market, amount * rate)
                reason = f"member_up_to_{months}_month" + ("s" if months > 1 else "")
                return ReturnQuote(True, rate, fee, amount - fee, reason, deadline)
    return ReturnQuote(False, _ZERO, _ZERO, _ZERO, "member_window_passed", deadline)


def refund_due(market: Market | str, received_on: date) -> date:
    """Latest refund date for a return received (and its goods checked) on ``received_on``.

    R-KR-RET-3, R-KR-RET-4: refunded within 3 business days. KZ: NotSpecifiedError.
    """
    config = market_config(market)
    if config.returns.refund_business_days is None:
        raise NotSpecifiedError(config.market, "refund times")
    return add_business_days(config.market, received_on, config.returns.refund_business_days)


def card_refund_visible(market: Market | str, notified_on: date) -> tuple[date, date]:
    """When a card refund shows on the card (R-KR-RET-3).

    A card refund cancels the approval; it is visible 3-5 business days after the company
    notifies the card company on ``notified_on``. KZ: NotSpecifiedError.
    """
    config = market_config(market)
    window = config.returns.card_refund_visible_business_days
    if window is None:
        raise NotSpecifiedError(config.market, "card refund times")
    return (
        add_business_days(config.market, notified_on, window[0]),
        add_business_days(config.market, notified_on, window[1]),
    )
