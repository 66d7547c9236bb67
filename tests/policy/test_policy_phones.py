"""Kazakh phone numbers for the courier: R-KZ-MIG-5."""

from __future__ import annotations

import pytest

from policy import PHONE_ERROR_CODES, PhoneError, normalize_kz_phone, normalize_phone


@pytest.mark.parametrize(
    "text",
    [
        "+7 701 123 45 67",
        "+7 (701) 123-45-67",
        "+77011234567",
        "8 701 123 45 67",
        "8 (701) 123 45 67",
        "87011234567",
        "77011234567",
        "7011234567",
        " +7-701-123-45-67 ",
    ],
)
def test_kazakh_mobile_spellings(text: str) -> None:
    """R-KZ-MIG-5: a working Kazakhstan number, returned in E.164."""
    assert normalize_kz_phone(text) == "+77011234567"


def test_kazakh_landline_is_accepted() -> None:
    assert normalize_kz_phone("+7-727-312-10-19") == "+77273121019"
    assert normalize_kz_phone("+7 747 123 4567") == "+77471234567"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("+7 916 123 45 67", "russian_number"),
        ("8 916 123 45 67", "russian_number"),
        ("+7 495 123 45 67", "russian_number"),
        ("+82 10 1234 5678", "foreign_number"),
        ("+996 555 123 456", "foreign_number"),
        ("+7 800 100 23 23", "service_number"),
        ("+7 701 123 45", "invalid"),
        ("+7 600 123 45 67", "invalid"),
        ("1234", "invalid"),
        ("hello", "not_a_number"),
        ("", "not_a_number"),
        ("телефон", "not_a_number"),
    ],
)
def test_refusals_say_why(text: str, code: str) -> None:
    with pytest.raises(PhoneError) as info:
        normalize_kz_phone(text)
    assert info.value.code == code
    assert code in PHONE_ERROR_CODES
    assert isinstance(info.value, ValueError)


def test_plus_7_701_vs_plus_7_916() -> None:
    """+7 is shared: 701 is Kazakh, 916 Russian."""
    assert normalize_kz_phone("+7 701 000 00 00").startswith("+7701")
    with pytest.raises(PhoneError, match="russian_number"):
        normalize_kz_phone("+7 916 000 00 00")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("010-1234-5678", "+821012345678"),
        ("+82 10 1234 5678", "+821012345678"),
        ("02-123-4567", "+8221234567"),
    ],
)
def test_korean_numbers_for_the_kr_market(text: str, expected: str) -> None:
    """The courier in Korea calls a Korean number (the same rule as R-KZ-MIG-5 for KZ)."""
    assert normalize_phone("KR", text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("+7 701 123 45 67", "foreign_number"),
        ("080-123-4567", "service_number"),
        ("hello", "not_a_number"),
    ],
)
def test_korean_market_refusals(text: str, code: str) -> None:
    with pytest.raises(PhoneError) as refused:
        normalize_phone("KR", text)
    assert refused.value.code == code
