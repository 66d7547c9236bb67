"""Cyrillic-only form fields for the move to Kazakhstan (R-KZ-MIG-3)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from policy._checks import require_text

# Modifier letters (category Lm, e.g. the apostrophe-like U+02BC) behave like punctuation.
_LETTER_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lo"})


@dataclass(frozen=True, slots=True)
class CyrillicIssue:
    """A word with non-Cyrillic letters; ``letters`` lists them once each, in order.

    ``letters`` matters for look-alikes: "Aбай" typed with a Latin "A" looks right on screen.
    """

    word: str
    letters: str


def _is_letter(char: str) -> bool:
    return unicodedata.category(char) in _LETTER_CATEGORIES


def _is_cyrillic(char: str) -> bool:
    # Covers Russian and the Kazakh letters ә ғ қ ң ө ұ ү һ і (all named "CYRILLIC ...").
    return unicodedata.name(char, "").startswith("CYRILLIC")


def _trim(word: str) -> str:
    """``word`` without surrounding punctuation or symbols, for display."""
    start, end = 0, len(word)
    while start < end and unicodedata.category(word[start])[0] in "PS":
        start += 1
    while end > start and unicodedata.category(word[end - 1])[0] in "PS":
        end -= 1
    return word[start:end]


def validate_cyrillic(text: str) -> tuple[CyrillicIssue, ...]:
    """The words of ``text`` that contain non-Cyrillic letters (R-KZ-MIG-3), in order.

    Empty when every letter is Cyrillic; digits, spaces, punctuation and symbols are ignored.
    Text is NFC-normalised first, so a decomposed "й" (и + combining breve) counts as Cyrillic.
    """
    issues: list[CyrillicIssue] = []
    for word in unicodedata.normalize("NFC", require_text(text, "text")).split():
        foreign = (ch for ch in word if _is_letter(ch) and not _is_cyrillic(ch))
        letters = "".join(dict.fromkeys(foreign))
        if letters:
            issues.append(CyrillicIssue(_trim(word), letters))
    return tuple(issues)


def is_cyrillic(text: str) -> bool:
    """True when ``text`` has at least one letter and every letter is Cyrillic (R-KZ-MIG-3).

    The migration form must be filled in Cyrillic; Kazakh letters (ә ғ қ ң ө ұ ү һ і) count.
    Digits, spaces and punctuation are allowed (house numbers, "ул.", "кв. 5"). Fields that
    cannot be Cyrillic (e-mail, card data) are the caller's business: do not check them.
    """
    normalized = unicodedata.normalize("NFC", require_text(text, "text"))
    return any(_is_letter(ch) for ch in normalized) and not validate_cyrillic(normalized)
