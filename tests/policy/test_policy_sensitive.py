"""Never store or repeat secrets: R-KZ-MIG-4."""

from __future__ import annotations

import pytest

from policy import looks_like_card_number, looks_like_password_disclosure, mask_secrets


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "моя карта 5500 0000 0000 0004, срок 12/27",
        "amex 378282246310005",
        "4222222222222",  # 13 digits
        "6011 0009 9013 9424",
        "card4111111111111111please",
        "2024-09-30 4111 1111 1111 1111",
        "4111 1111 1111 1111 12 27",
        "4111 1111 1111 1112",  # grouped like a card: caught whatever the check digit
        "4111 1111 1111 111",  # 15 digits, issue 18, 10
    ],
)
def test_card_numbers_are_spotted(text: str) -> None:
    """R-KZ-MIG-4: card data must not be stored: detect 13-19 digit Luhn-valid runs."""
    assert looks_like_card_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111112",  # in one piece, the check digit decides (it fails)
        "+7 701 123 45 67",
        "411111111111",  # 12 digits
        "41111111111111111111",  # 20 digits
        "0000 0000 0000 0000",
        "order 12345, AR 150",
        "",
    ],
)
def test_other_numbers_are_not_cards(text: str) -> None:
    assert not looks_like_card_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "my password is hunter2",
        "password: qwerty",
        "Password=Sup3r",
        "мой пароль Qwerty123",
        "пароль: ромашка",
        "пароль qwerty",
        "ID 1234567 пароль — Алматы2024",
        "비밀번호는 abcd1234",
        "비밀번호: 도테라짱",
        "비번 qwer",
        "құпия сөз: Астана2024",
        "PIN 1234",
        "cvv 123",
        "password password 1234",
    ],
)
def test_password_disclosures_are_spotted(text: str) -> None:
    """R-KZ-MIG-4: the assistant must never ask for, store or repeat a password."""
    assert looks_like_password_disclosure(text)


@pytest.mark.parametrize(
    "text",
    [
        "I forgot my password",
        "password reset please",
        "my password is wrong",
        "какой пароль нужен?",
        "пароль неверный",
        "Для входа нужно указать ID и пароль.",
        "비밀번호를 잊어버렸어요",
        "pin code please",
        "password: ********",
        "",
    ],
)
def test_talking_about_passwords_is_not_a_disclosure(text: str) -> None:
    assert not looks_like_password_disclosure(text)


def test_mask_cards_keeps_last_four_and_layout() -> None:
    assert mask_secrets("карта 4111 1111 1111 1111.") == "карта **** **** **** 1111."
    assert mask_secrets("4111-1111-1111-1111") == "****-****-****-1111"
    assert mask_secrets("378282246310005") == "***********0005"


def test_mask_passwords() -> None:
    assert mask_secrets("пароль: Qwerty1!") == "пароль: ********"
    assert mask_secrets("my password is hunter2, thanks") == "my password is ******** thanks"
    assert mask_secrets("비밀번호는 abcd1234입니다") == "비밀번호는 ********"


def test_mask_both_and_leave_the_rest() -> None:
    text = "ID 1234567, пароль Qwerty123, карта 4111111111111111, тел. +7 701 123 45 67"
    masked = mask_secrets(text)
    assert masked == "ID 1234567, пароль ******** карта ************1111, тел. +7 701 123 45 67"
    assert not looks_like_card_number(masked)
    assert not looks_like_password_disclosure(masked)
    assert mask_secrets(masked) == masked


def test_plain_text_is_unchanged() -> None:
    text = "Как перевести аккаунт? 전화 1600-5105"
    assert mask_secrets(text) == text


@pytest.mark.parametrize(
    "text",
    ["пароль от ВО Abc12345", "ID 1234567 PW qwerty12", "password for VO: Secr3t!"],
)
def test_password_for_something_is_still_a_password(text: str) -> None:
    """R-KZ-MIG-4: what the password is for does not hide it."""
    assert looks_like_password_disclosure(text)


@pytest.mark.parametrize(
    "text", ["my card 4111 1111 1111 1112", "карта 5500 0000 0000 0005", "카드 1234 5678 9012 3456"]
)
def test_a_mistyped_card_number_beside_the_word_card_is_a_card(text: str) -> None:
    """R-KZ-MIG-4: a wrong check digit does not make a card number safe to keep."""
    assert looks_like_card_number(text)
    assert text.split()[-1][-4:] in mask_secrets(text)
    assert "1111 1111" not in mask_secrets(text) and "0000 0000" not in mask_secrets(text)


@pytest.mark.parametrize(
    "text", ["010-1234-5678 카드로 결제", "card payment please", "order 12 lemon 3"]
)
def test_card_talk_without_a_card_number_is_not_a_card(text: str) -> None:
    assert not looks_like_card_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "my visa\u00a04111\u00a01111\u00a01111\u00a01111",
        "4111  1111  1111  1111",
        "4111.1111.1111.1111",
        "4111\u200b1111\u200b1111\u200b1111",
        "4111\n1111\n1111\n1111",
        "4111/1111/1111/1111",
        "4111\u20131111\u20131111\u20131111",
        "４１１１１１１１１１１１１１１１",
    ],
)
def test_card_numbers_typed_with_other_separators_are_caught_and_masked(text: str) -> None:
    """R-KZ-MIG-4: no-break spaces, dots, invisible characters or full-width digits do not
    hide a card number."""
    assert looks_like_card_number(text)
    masked = mask_secrets(text)
    assert masked.endswith("1111") and "4111" not in masked


def test_text_without_secrets_is_returned_as_typed() -> None:
    text = "２ lemons\u00a0please"
    assert mask_secrets(text) == text
