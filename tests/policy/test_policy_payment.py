"""Payment: R-KR-PAY-2 (certificate), R-KR-PAY-3 (bank-transfer deadline), R-KZ-MIG-6 (cards)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from policy import (
    NotSpecifiedError,
    bank_transfer_deadline,
    card_issuer_accepted,
    needs_certificate,
)

SEOUL = ZoneInfo("Asia/Seoul")


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=SEOUL)  # type: ignore[misc]


def end_kst(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 23, 59, 59, 999999, tzinfo=SEOUL)


# --- R-KR-PAY-2 ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "payment", "expected"),
    [
        (299_999, "card", False),
        (300_000, "card", True),
        (1_000_000, "card", True),
        (300_000, "bank_transfer", False),
    ],
)
def test_certificate_from_300000_by_card(amount: int, payment: str, expected: bool) -> None:
    """R-KR-PAY-2: online payments of KRW 300,000 or more need certificate authentication."""
    assert needs_certificate("KR", Decimal(amount), payment) is expected


def test_no_certificate_rule_in_kz() -> None:
    assert needs_certificate("KZ", Decimal(10_000_000), "card") is False


def test_certificate_rejects_unknown_payment() -> None:
    with pytest.raises(ValueError):
        needs_certificate("KR", Decimal(300_000), "cash")


# --- R-KR-PAY-3 ----------------------------------------------------------------------------


def test_deposit_within_7_days() -> None:
    """R-KR-PAY-3: unpaid 7 days after the order -> cancelled; end of that local day."""
    deadline = bank_transfer_deadline("KR", kst(2026, 1, 14, 10, 0))
    assert deadline == end_kst(2026, 1, 21)
    assert deadline.utcoffset() == timedelta(hours=9)
    assert deadline.tzinfo is not None


def test_order_on_the_closing_day_pays_by_month_end() -> None:
    """R-KR-PAY-3 + R-KR-ORD-1: Fri 2026-01-30 is January's last business day."""
    assert bank_transfer_deadline("KR", kst(2026, 1, 30, 9, 0)) == end_kst(2026, 1, 31)
    assert bank_transfer_deadline("KR", kst(2026, 1, 30, 23, 59, 59)) == end_kst(2026, 1, 31)


def test_order_the_day_before_closing_gets_7_days() -> None:
    assert bank_transfer_deadline("KR", kst(2026, 1, 29, 9, 0)) == end_kst(2026, 2, 5)


def test_order_after_the_closing_day_belongs_to_next_month() -> None:
    """Sat 2026-01-31 counts toward February (R-KR-ORD-1): plain 7 days."""
    assert bank_transfer_deadline("KR", kst(2026, 1, 31, 10, 0)) == end_kst(2026, 2, 7)
    # 16:00 UTC Friday is 01:00 Saturday in Seoul.
    assert bank_transfer_deadline("KR", datetime(2026, 1, 30, 16, 0, tzinfo=UTC)) == end_kst(
        2026, 2, 7
    )


def test_closing_day_that_is_the_last_calendar_day() -> None:
    """Tue 2026-03-31 is both: the deposit is due the same day."""
    assert bank_transfer_deadline("KR", kst(2026, 3, 31, 10, 0)) == end_kst(2026, 3, 31)


def test_closing_day_before_a_holiday_month_end() -> None:
    """September 2023 closed on Wed 09-27 (Chuseok 09-28..09-30)."""
    assert bank_transfer_deadline("KR", kst(2023, 9, 27, 10, 0)) == end_kst(2023, 9, 30)
    assert bank_transfer_deadline("KR", kst(2023, 9, 28, 10, 0)) == end_kst(2023, 10, 5)


def test_bank_transfer_not_specified_for_kz() -> None:
    with pytest.raises(NotSpecifiedError) as info:
        bank_transfer_deadline("KZ", datetime(2026, 1, 14, 10, 0, tzinfo=UTC))
    assert info.value.market == "KZ"


def test_bank_transfer_deadline_needs_aware_datetime() -> None:
    with pytest.raises(ValueError):
        bank_transfer_deadline("KR", datetime(2026, 1, 14, 10, 0))


# --- R-KZ-MIG-6 ----------------------------------------------------------------------------


@pytest.mark.parametrize("country", ["KZ", "kg", "Am", " BY "])
def test_kz_accepts_cards_from_kz_kg_am_by(country: str) -> None:
    """R-KZ-MIG-6: cards issued by banks of Kazakhstan, Kyrgyzstan, Armenia, Belarus."""
    assert card_issuer_accepted("KZ", country)


@pytest.mark.parametrize("country", ["RU", "UZ", "KR", "US"])
def test_kz_refuses_other_issuers(country: str) -> None:
    assert not card_issuer_accepted("KZ", country)


def test_kr_accepts_any_issuer() -> None:
    """R-KR-PAY-2: credit cards for every order; no issuer-country restriction stated."""
    assert card_issuer_accepted("KR", "RU")
    assert card_issuer_accepted("KR", "kr")


@pytest.mark.parametrize("country", ["KAZ", "", "K", "K1", "Қз"])
def test_country_must_be_alpha_2(country: str) -> None:
    with pytest.raises(ValueError):
        card_issuer_accepted("KZ", country)
