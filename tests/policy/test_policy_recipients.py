"""The recipient's name per market (issue 18, defect 4) and the member number's shape."""

from __future__ import annotations

import pytest

from policy import NameIssue, NotSpecifiedError, member_number, recipient_name_issue


@pytest.mark.parametrize("name", ["Иванова Анна", "Сәрсенова Әлия", "Ким-Ли О."])
def test_kz_takes_cyrillic_names(name: str) -> None:
    assert recipient_name_issue("KZ", name) is None


@pytest.mark.parametrize("name", ["Anna Ivanova", "Aнна"])  # the second with a Latin "A"
def test_kz_refuses_latin_letters(name: str) -> None:
    assert recipient_name_issue("KZ", name) is NameIssue.NOT_CYRILLIC


@pytest.mark.parametrize("name", ["김민아", "Kim Mina", "O'Neil"])
def test_kr_takes_hangul_or_latin(name: str) -> None:
    assert recipient_name_issue("KR", name) is None


def test_kr_refuses_other_scripts() -> None:
    assert recipient_name_issue("KR", "Анна") is NameIssue.NOT_HANGUL_OR_LATIN


@pytest.mark.parametrize("text", ["A", "Mina 2", "I want to return my order now", "☺☺"])
def test_what_is_no_name(text: str) -> None:
    assert recipient_name_issue("KR", text) is NameIssue.NOT_A_NAME


def test_member_number_is_digits_of_the_sample_length() -> None:
    assert member_number("KR", "1234-5678") == "12345678"
    assert member_number("KR", "12 34 56") == "123456"
    for wrong in ("12345", "1234567890123", "12a456", "١٢٣٤٥٦"):
        assert member_number("KR", wrong) is None


def test_member_number_format_is_unknown_in_kazakhstan() -> None:
    with pytest.raises(NotSpecifiedError):
        member_number("KZ", "123456")
