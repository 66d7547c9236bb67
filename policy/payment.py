"""Payment rules: methods, certificate authentication, bank-transfer deadline, card issuers
(R-KR-PAY-1..3, R-KR-ORD-4, R-KR-LRP-4, R-KZ-MIG-6)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from policy._checks import require_amount, require_text
from policy.config import Market, market_config, parse_market
from policy.dates import last_day_of_month
from policy.errors import NotSpecifiedError
from policy.ordering import month_closing_day
from policy.timezones import end_of_day, local_date


class PaymentMethod(StrEnum):
    CARD = "card"
    BANK_TRANSFER = "bank_transfer"
    CASH = "cash"  # business center only (R-KR-PAY-1)


ONLINE_PAYMENT_METHODS = frozenset({PaymentMethod.CARD, PaymentMethod.BANK_TRANSFER})


def require_online_payment(payment: str) -> PaymentMethod:
    """``payment`` as a PaymentMethod if it is "card" or "bank_transfer", else ValueError."""
    require_text(payment, "payment")
    if payment not in ONLINE_PAYMENT_METHODS:
        raise ValueError(f"payment must be 'card' or 'bank_transfer', got {payment!r}")
    return PaymentMethod(payment)


def accepted_payment_methods(market: Market | str, channel: str) -> tuple[str, ...]:
    """Payment methods accepted for an ordering ``channel`` (or "lrp").

    KR: business center: cash or card (R-KR-PAY-1, -2; paid in full on the spot, R-KR-ORD-3);
    phone, mobile, website, KakaoTalk: card or bank transfer, in full at once (R-KR-ORD-4,
    R-KR-PAY-2, -3); LRP: card only (R-KR-LRP-4). KZ: cards (R-KZ-MIG-6).
    An unknown channel raises NotSpecifiedError.
    """
    config = market_config(market)
    methods = config.payment.methods_by_channel.get(require_text(channel, "channel"))
    if methods is None:
        raise NotSpecifiedError(config.market, f"payment methods for channel {channel!r}")
    return methods


def needs_certificate(market: Market | str, amount: Decimal, payment: str) -> bool:
    """True when an online payment needs certificate-based (공인인증서) authentication.

    R-KR-PAY-2: card payments of KRW 300,000 or more. Bank transfers never do. KZ: no such
    rule in the sources, so False.
    """
    config = market_config(market)
    method = require_online_payment(payment)
    total = require_amount(amount, "amount")
    threshold = config.payment.certificate_threshold
    return method is PaymentMethod.CARD and threshold is not None and total >= threshold


def bank_transfer_deadline(market: Market | str, ordered_at: datetime) -> datetime:
    """The last moment (local 23:59:59.999999, aware) a bank-transfer deposit is accepted.

    R-KR-PAY-3: unpaid 7 days after the order, the order is cancelled: the deadline is the end
    of the local day 7 calendar days after the local order date. An order placed on the
    month's closing day must be paid by the last day of that month, so for such orders the
    deadline is min(that, end of the month's last calendar day).

    Reading used: "the month's closing day" (월 마감일) is the last business day of the month,
    the day the purchase month closes at 24:00 (R-KR-ORD-1). An order placed after it (say on
    the weekend that ends the calendar month) already counts toward the next purchase month,
    so it is not a closing-day order and gets the plain 7 days. "The last day of that month"
    is read as the last calendar day.

    KZ: bank transfer is not described in the sources: NotSpecifiedError.
    """
    config = market_config(market)
    if config.payment.bank_transfer_days is None:
        raise NotSpecifiedError(config.market, "bank transfer")
    day = local_date(config.market, ordered_at)
    due = day + timedelta(days=config.payment.bank_transfer_days)
    if day == month_closing_day(config.market, day.year, day.month):
        due = min(due, last_day_of_month(day.year, day.month))
    return end_of_day(config.market, due)


def bank_transfer_time_left(market: Market | str, ordered_at: datetime) -> timedelta | None:
    """How little time a bank transfer ordered at ``ordered_at`` has before its deadline, when
    that is under the market's warning setting (`payment.bank_transfer_warning_hours`); None
    when there is time enough, or no setting. An order placed late on the month's closing day
    may have minutes left (R-KR-PAY-3)."""
    config = market_config(market)
    hours = config.payment.bank_transfer_warning_hours
    if hours is None:
        return None
    left = bank_transfer_deadline(config.market, ordered_at) - ordered_at
    return left if left < timedelta(hours=hours) else None


def card_issuer_accepted(market: Market | str, country: str) -> bool:
    """Whether a card issued by a bank in ``country`` (ISO 3166 alpha-2, any case) is accepted.

    R-KZ-MIG-6: KZ accepts cards from banks of Kazakhstan, Kyrgyzstan, Armenia and Belarus
    (KZ, KG, AM, BY). KR (R-KR-PAY-2): "a credit card for every order" with no issuer-country
    restriction stated, so True for any country (accepted cards may change: kr.toml). A value
    that is not two ASCII letters raises ValueError.
    """
    code = require_text(country, "country").strip().upper()
    if len(code) != 2 or not (code.isascii() and code.isalpha()):
        raise ValueError(f"country must be an ISO 3166 alpha-2 code, got {country!r}")
    accepted = market_config(parse_market(market)).payment.card_issuer_countries
    return accepted is None or code in accepted
