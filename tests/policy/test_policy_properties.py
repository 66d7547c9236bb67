"""Property tests (hypothesis) for the invariants the brief names, and a few more.

R-KR-RET-2: a fee never exceeds its cap. R-KR-SHIP-2..4: a delivery window's start is not
after its end and both are business days. add_business_days round-trips.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from policy import (
    add_business_days,
    add_months,
    bank_transfer_deadline,
    delivery_window,
    end_of_day,
    free_shipping_gap,
    is_business_day,
    is_cyrillic,
    local_date,
    looks_like_card_number,
    looks_like_password_disclosure,
    lrp_change_cutoff,
    mask_secrets,
    normalize_kz_phone,
    order_month,
    return_quote,
    shipping_fee,
    support_is_open,
    support_next_open,
)
from tests.cards import luhn_complete

# No example database: the tests must not write files into the repository.
PROPERTY = settings(database=None, deadline=None, max_examples=150)

MARKETS = st.sampled_from(["KR", "KZ"])
DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
ZONES = st.sampled_from(
    [UTC, ZoneInfo("Asia/Seoul"), timezone(timedelta(hours=5)), timezone(timedelta(hours=-8))]
)
MOMENTS = st.datetimes(
    min_value=datetime(2020, 1, 2), max_value=datetime(2035, 12, 30), timezones=ZONES
)
AMOUNTS = st.decimals(min_value=0, max_value=10_000_000, places=2)


@PROPERTY
@given(
    purchased=DAYS,
    after=st.integers(min_value=0, max_value=120),
    delivered_after=st.none() | st.integers(min_value=0, max_value=30),
    amount=AMOUNTS,
)
def test_member_fee_never_exceeds_its_cap(
    purchased: date, after: int, delivered_after: int | None, amount: Decimal
) -> None:
    """R-KR-RET-2: the fee is at most 0 / 5 / 7 % and refund + fee == amount (R-KR-RET-3)."""
    delivered = None if delivered_after is None else purchased + timedelta(days=delivered_after)
    quote = return_quote(
        "KR", "member", purchased, purchased + timedelta(days=after), amount, delivered
    )
    assert Decimal(0) <= quote.fee <= amount * quote.fee_rate
    assert quote.fee_rate <= Decimal("0.07")
    assert quote.fee == quote.fee.to_integral_value()
    if quote.eligible:
        assert quote.fee + quote.refund == amount
    else:
        assert quote.fee == quote.refund == 0
        assert after > 88  # 3 calendar months are at least 89 days


@PROPERTY
@given(purchased=DAYS, after=st.integers(min_value=0, max_value=60), amount=AMOUNTS)
def test_member_fee_rate_never_falls_with_time(
    purchased: date, after: int, amount: Decimal
) -> None:
    kwargs = {"market": "KR", "kind": "member", "purchased_on": purchased, "amount": amount}
    earlier = return_quote(requested_on=purchased + timedelta(days=after), **kwargs)
    later = return_quote(requested_on=purchased + timedelta(days=after + 1), **kwargs)
    if later.eligible:
        assert earlier.fee_rate <= later.fee_rate


@PROPERTY
@given(at=MOMENTS, payment=st.sampled_from(["card", "bank_transfer"]))
def test_kr_delivery_window_is_ordered_business_days(at: datetime, payment: str) -> None:
    """R-KR-SHIP-2..4: start <= end, both business days, after the confirmation day."""
    start, end = delivery_window("KR", at, payment)
    assert start <= end
    assert is_business_day("KR", start) and is_business_day("KR", end)
    assert local_date("KR", at) < start
    assert (end - start).days <= 14


@PROPERTY
@given(at=MOMENTS, payment=st.sampled_from(["card", "bank_transfer"]))
def test_kz_delivery_window_is_1_to_10_days(at: datetime, payment: str) -> None:
    """R-KZ-MIG-6."""
    start, end = delivery_window("KZ", at, payment)
    confirmed = local_date("KZ", at)
    assert (start - confirmed, end - confirmed) == (timedelta(days=1), timedelta(days=10))


@PROPERTY
@given(market=MARKETS, day=DAYS, n=st.integers(min_value=-60, max_value=60))
def test_add_business_days_round_trips(market: str, day: date, n: int) -> None:
    assume(is_business_day(market, day))
    there = add_business_days(market, day, n)
    assert add_business_days(market, there, -n) == day
    assert is_business_day(market, there)
    assert (there > day) == (n > 0) and (there < day) == (n < 0)


@PROPERTY
@given(market=MARKETS, day=DAYS, a=st.integers(0, 30), b=st.integers(0, 30))
def test_add_business_days_composes(market: str, day: date, a: int, b: int) -> None:
    assume(a > 0)
    first = add_business_days(market, day, a)
    assert add_business_days(market, first, b) == add_business_days(market, day, a + b)


@PROPERTY
@given(subtotal=AMOUNTS)
def test_shipping_fee_and_gap_agree(subtotal: Decimal) -> None:
    """R-KR-SHIP-1."""
    fee = shipping_fee("KR", subtotal)
    gap = free_shipping_gap("KR", subtotal)
    assert fee in {Decimal(0), Decimal(4500)}
    assert gap is not None and gap >= 0
    assert (fee == 0) == (gap == 0) == (subtotal >= 50_000)
    if gap:
        assert shipping_fee("KR", subtotal + gap) == 0


@PROPERTY
@given(at=MOMENTS)
def test_order_month_is_this_or_next_month(at: datetime) -> None:
    """R-KR-ORD-1."""
    day = local_date("KR", at)
    month = order_month("KR", at)
    following = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    assert month in {(day.year, day.month), following}
    if day.day <= 25:
        assert month == (day.year, day.month)


@PROPERTY
@given(at=MOMENTS)
def test_bank_transfer_deadline_is_within_7_days(at: datetime) -> None:
    """R-KR-PAY-3."""
    deadline = bank_transfer_deadline("KR", at)
    day = local_date("KR", at)
    assert at < deadline <= end_of_day("KR", day + timedelta(days=7))
    assert deadline.time() == time.max
    assert deadline.date() >= day


@PROPERTY
@given(run=DAYS)
def test_lrp_cutoff_leaves_three_business_days(run: date) -> None:
    """R-KR-LRP-3: business days from the cut-off day up to the run (excluded) number 3."""
    cutoff = lrp_change_cutoff("KR", run)
    assert is_business_day("KR", cutoff.date())
    between = [cutoff.date() + timedelta(days=i) for i in range((run - cutoff.date()).days)]
    assert sum(is_business_day("KR", d) for d in between) == 3


@PROPERTY
@given(market=MARKETS, at=MOMENTS)
def test_support_next_open_is_open_and_not_earlier(market: str, at: datetime) -> None:
    """R-KR-ORD-6, R-KZ-SUP-1."""
    opens = support_next_open(market, at)
    assert opens >= at
    assert support_is_open(market, opens)
    assert opens - at < timedelta(days=14)


@PROPERTY
@given(day=DAYS, months=st.integers(-40, 40))
def test_add_months_moves_whole_months(day: date, months: int) -> None:
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day <= day.day


CYRILLIC_LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһіАБВЁӘҒҚҢӨҰҮҺІ"


@PROPERTY
@given(
    words=st.lists(st.text(alphabet=CYRILLIC_LETTERS, min_size=1, max_size=8), min_size=1),
    extras=st.text(alphabet="0123456789 ,.-/№()«»", max_size=10),
    latin=st.sampled_from("abcxyzAOE"),
)
def test_cyrillic_with_punctuation(words: list[str], extras: str, latin: str) -> None:
    """R-KZ-MIG-3."""
    text = " ".join(words) + " " + extras
    assert is_cyrillic(text)
    assert not is_cyrillic(text + latin)


@PROPERTY
@given(
    prefix=st.sampled_from(["700", "701", "702", "705", "707", "708", "747", "771", "775", "778"]),
    rest=st.text(alphabet="0123456789", min_size=7, max_size=7),
    style=st.integers(0, 3),
)
def test_kazakh_mobiles_normalise_the_same_in_any_spelling(
    prefix: str, rest: str, style: int
) -> None:
    """R-KZ-MIG-5."""
    spelled = [
        f"+7{prefix}{rest}",
        f"8 {prefix} {rest[:3]} {rest[3:5]} {rest[5:]}",
        f"+7 ({prefix}) {rest[:3]}-{rest[3:5]}-{rest[5:]}",
        f"{prefix}{rest}",
    ][style]
    assert normalize_kz_phone(spelled) == f"+7{prefix}{rest}"


@PROPERTY
@given(
    body=st.text(alphabet="0123456789", min_size=12, max_size=18).filter(lambda s: s[0] != "0"),
    before=st.text(alphabet="abc абв.,:- ", max_size=10),
    after=st.text(alphabet="abc абв.,:- ", max_size=10),
)
def test_cards_are_found_and_masked(body: str, before: str, after: str) -> None:
    """R-KZ-MIG-4."""
    card = luhn_complete(body)
    text = f"{before} {card} {after}"
    assert looks_like_card_number(text)
    masked = mask_secrets(text)
    assert not looks_like_card_number(masked)
    assert card[-4:] in masked and card not in masked


@PROPERTY
@given(text=st.text(alphabet="0123456789 -abcпароль:=password비번", max_size=80))
def test_mask_secrets_is_idempotent_and_clean(text: str) -> None:
    """R-KZ-MIG-4."""
    masked = mask_secrets(text)
    assert mask_secrets(masked) == masked
    assert not looks_like_card_number(masked)
    assert not looks_like_password_disclosure(masked)
