"""Card numbers in the shapes people type them, and the numbers that are not cards:
R-KZ-MIG-4."""

from __future__ import annotations

import random

import pytest

from policy import looks_like_card_number, mask_secrets
from tests.cards import luhn_complete

VISA = "4111111111111111"
AMEX = "378282246310005"  # 4-6-5
DINERS = "30569309025904"  # 4-6-4


def grouped(number: str, separator: str, sizes: tuple[int, ...] = (4, 4, 4, 4)) -> str:
    parts, start = [], 0
    for size in sizes:
        parts.append(number[start : start + size])
        start += size
    if start < len(number):
        parts.append(number[start:])
    return separator.join(part for part in parts if part)


SEPARATORS = [
    ",",
    ", ",
    "•",
    " • ",
    "·",
    " · ",
    "|",
    " | ",
    "\t",
    "    ",
    "        ",
    "\n",
    "\r\n",
    "\n\n",
    ") (",
    "*",
    "~",
    "+",
    "_",
    " / ",
    "; ",
    "#",
    "—",
    " ‑ ",
    "、",
]


@pytest.mark.parametrize("separator", SEPARATORS)
def test_a_card_grouped_by_any_separator_is_caught_and_masked(separator: str) -> None:
    """R-KZ-MIG-4: commas, bullets, middle dots, pipes, parentheses, tabs, runs of spaces or
    line breaks between the groups do not hide a card number."""
    text = grouped(VISA, separator)
    assert looks_like_card_number(text), repr(text)
    masked = mask_secrets(text)
    assert "4111" not in masked and masked.endswith("1111"), repr(masked)
    assert not looks_like_card_number(masked)


@pytest.mark.parametrize(
    "text",
    [
        "(4111) (1111) (1111) (1111)",
        "[4111][1111][1111][1111]",
        "4111-1111 1111•1111",
        "my number: 4111 | 1111 | 1111 | 1111, thanks",
        "номер\n4111\n1111\n1111\n1111\nспасибо",
        "3782 • 822463 • 10005",
        "3782-822463-10005",
        "3056-930902-5904",
        "3056,930902,5904",
        "4111 1111 1111 1111 ✅",
        # Its last group and the expiry read as a Korean 1566 phone number: still a card.
        "6011 • 6314 • 6193 • 1566 12/27",
    ],
)
def test_cards_in_mixed_and_scheme_layouts_are_caught(text: str) -> None:
    assert looks_like_card_number(text), repr(text)
    assert not looks_like_card_number(mask_secrets(text))


def test_a_19_digit_card_is_caught_whole() -> None:
    card = luhn_complete("601100099013942412")
    text = grouped(card, " · ", (4, 4, 4, 4, 3))
    assert looks_like_card_number(text)
    assert mask_secrets(text) == f"**** · **** · **** · ***{card[-4]} · {card[-3:]}"


def test_random_cards_in_random_layouts_are_all_caught() -> None:
    """R-KZ-MIG-4: a seeded sweep of Luhn-valid numbers of 13-19 digits, grouped as cards
    are (4-4-4-4..., 4-6-5, 4-6-4, or not at all), with any of the separators."""
    rng = random.Random(2611)
    for _ in range(2000):
        length = rng.choice([13, 14, 15, 16, 16, 16, 17, 18, 19])
        body = rng.choice("123456789") + "".join(
            rng.choice("0123456789") for _ in range(length - 2)
        )
        card = luhn_complete(body)
        layout: tuple[int, ...] = (4,) * ((length - 1) // 4)
        if length in (14, 15) and rng.random() < 0.5:
            layout = (4, 6)
        if rng.random() < 0.1:
            layout = ()
        text = grouped(card, rng.choice(SEPARATORS), layout)
        assert looks_like_card_number(text), repr(text)
        masked = mask_secrets(text)
        assert not looks_like_card_number(masked), repr(masked)
        assert card[:6] not in "".join(ch for ch in masked if ch.isdigit()), repr(masked)


@pytest.mark.parametrize(
    "text",
    [
        "карта 4111•1111•1111•1112",
        "my card: 4111 | 1111 | 1111 | 1121",
        "카드번호 4111,1111,1111,1113",
        "Visa 4111\t1111\t1111\t1114",
        "4111 1111 1111 1112 12/27",
        "4111-1111-1111-1112 exp 12/2027",
        "4111 1111 1111 1112, cvv 123",
        "кредитка 5500 0000 0000 0005",
        "срок действия 11/28, номер 4111 1111 1111 1115",
    ],
)
def test_a_card_number_one_digit_off_is_caught_where_the_text_is_about_a_card(
    text: str,
) -> None:
    """R-KZ-MIG-4: a card number with a mistyped digit fails the Luhn check and is still a
    card number: beside a card word, an expiry date (MM/YY) or a CVV it is taken for one."""
    assert looks_like_card_number(text), repr(text)
    assert not looks_like_card_number(mask_secrets(text))


@pytest.mark.parametrize(
    "text",
    [
        # order numbers
        "KR-2611-000007",
        "KR-2611-000007, KR-2611-000008, KZ-2612-000123",
        "2611-000007 2611-000008",
        "заказы 2611-000007, 2611-000010, 2611-000042",
        # phone numbers
        "+7 701 234 5678",
        "010-1234-5678",
        "8 (701) 234-56-78",
        "+7 701 234 5678, +7 702 345 6789",
        "010-1234-5678 / 010-9876-5432",
        "8 (701) 234-56-78\n8 (702) 345-67-89",
        "+7-727-312-10-19, +7-800-100-23-23",
        "1588-1234, 1600-5105",
        "1588 1234 1600 5105",
        "+82 10 1234 5678, 02-123-4567",
        "87012345678, 87023456789",
        # amounts
        "1,234,567,890 ₩",
        "₩1,234,567,890",
        "1 234 567 890 ₸, 1 234 567 890 ₸",
        "12,345,678,901,234원",
        "7500₸, 6600₸, 5000₸, 3000₸",
        "35000, 42000, 28000, 16000",
        # dates
        "2026-11-30",
        "30.11.2026",
        "2026-11-30 2026-12-07 2027-01-04",
        "30.11.2026, 07.12.2026, 04.01.2027",
        "30/11/2026 07/12/2026",
        "+7 701 234 5678, 30.11.2026",
        "010-1234-5678 2026-11-30",
        # postcodes and addresses
        "050000",
        "06236",
        "Алматы 050000, ул. Абая 10, кв. 5, +7 701 234 5678",
        "100000, 110000, 120000",
        "서울 06236 강남구 테헤란로 123, 010-1234-5678",
        # catalogue SKUs and quantities
        "KR-LAV15 2, KR-PEP15 1, KR-LEM15 3",
        "lavender 2, lemon 1",
        "라벤더 2개, 레몬 1개, 페퍼민트 3개",
        "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12",
        "2 2 2 2 2 2 2 2 2 2 2 2 2 2",
        "10, 12, 15, 20, 25, 30, 40",
        # member IDs, Korean bank accounts
        "ID 1234567 +7 701 234 5678",
        "1002-123-456789",
        "123456-78-901234",
        "3333-01-1234567",
    ],
)
def test_numbers_that_are_not_cards_pass(text: str) -> None:
    """Order numbers, phones, amounts, dates, postcodes, SKUs and quantity lists are never a
    card number, however they are strung together."""
    assert not looks_like_card_number(text), repr(text)
    assert mask_secrets(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "оплачу картой, мой телефон +7 701 234 5678, 30.11.2026",
        "카드로 결제할게요 1588-1234, 1600-5105",
        "card payment, orders 2611-000007 2611-000008",
    ],
)
def test_card_talk_beside_phones_dates_and_orders_is_not_a_card(text: str) -> None:
    assert not looks_like_card_number(text), repr(text)
