"""A typed whole number: what a step that asks for a number takes, and what it refuses."""

from __future__ import annotations

import pytest

from core.parsing import readable_text, typed_whole_number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("7", 7),
        (" 31 ", 31),
        ("１５", 15),  # full-width digits, as an East Asian keyboard types them
        ("007", 7),
        ("0", None),
        ("32", None),
        ("²", None),
        ("٣", None),
        ("-1", None),
        ("1e3", None),
        ("1.5", None),
        ("", None),
        ("9" * 5000, None),  # never handed to int()
    ],
)
def test_whole_numbers_are_ascii_digits_in_range(text: str, number: int | None) -> None:
    assert typed_whole_number(text, 1, 31) == number


def test_lone_surrogates_become_replacement_characters() -> None:
    assert readable_text("a\udc80b") == "a\ufffdb"
    assert readable_text("plain") == "plain"
