"""Cyrillic form fields: R-KZ-MIG-3."""

from __future__ import annotations

import unicodedata

import pytest

from policy import CyrillicIssue, is_cyrillic, validate_cyrillic


@pytest.mark.parametrize(
    "text",
    [
        "Иванов Иван Иванович",
        "г. Алматы, ул. Абая 10/2, кв. 5",
        "Әлихан Бөкейхан көшесі",
        "Қызылорда, Өскемен, Ұлытау, Үржар, Шаһар, Іле, Ғабит, Жаңаөзен",
        "Щёлково — «Ёлка» №7",
        "Ж",
    ],
)
def test_cyrillic_texts(text: str) -> None:
    """R-KZ-MIG-3: all letters Cyrillic (Kazakh letters included); digits, punctuation ok."""
    assert is_cyrillic(text)
    assert validate_cyrillic(text) == ()


@pytest.mark.parametrize("text", ["Almaty", "Алматы, Abay street", "ул. Абая 5 apt", "İle"])
def test_latin_letters_are_refused(text: str) -> None:
    assert not is_cyrillic(text)
    assert validate_cyrillic(text)


@pytest.mark.parametrize("text", ["", "   ", "12345", "10/2 - 5", "!!!"])
def test_text_without_letters_is_not_cyrillic(text: str) -> None:
    assert not is_cyrillic(text)
    assert validate_cyrillic(text) == ()


def test_validate_points_at_words_and_letters() -> None:
    assert validate_cyrillic("г. Almaty, ул. Абая") == (CyrillicIssue("Almaty", "Almaty"),)
    # A Latin "A" and "o" hiding in Cyrillic words.
    assert validate_cyrillic("Aбай Дoстык") == (
        CyrillicIssue("Aбай", "A"),
        CyrillicIssue("Дoстык", "o"),
    )


def test_decomposed_letters_are_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", "Йошкар-Ола, Ёлки")
    assert decomposed != "Йошкар-Ола, Ёлки"
    assert is_cyrillic(decomposed)


def test_other_scripts_are_refused() -> None:
    assert not is_cyrillic("서울")
    assert not is_cyrillic("Алматы 東京")


def test_non_str_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        is_cyrillic(None)  # type: ignore[arg-type]
