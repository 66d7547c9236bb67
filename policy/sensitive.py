"""Spotting card numbers and passwords so they are never stored or repeated (R-KZ-MIG-4).

Heuristics: they err toward masking, because a leaked secret costs more than a masked
order number. Card numbers are found by policy/card_numbers.py, passwords by
policy/passwords.py; this module normalizes the text they read and masks what they find.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from policy._checks import require_text
from policy.card_numbers import _card_spans
from policy.passwords import _password_spans

_MASK = "********"

# Characters that render as nothing and would split a number for a regex but not for a reader.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def _normalized(text: str) -> str:
    """What a reader sees: compatibility forms folded (full-width digits, no-break spaces),
    invisible characters removed."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))


def looks_like_card_number(text: str) -> bool:
    """True if ``text`` contains a card number (R-KZ-MIG-4): 13-19 digits passing the Luhn
    check, or any 13-19 digits when the text speaks of a card ("card", "карта", "카드", an
    expiry date "12/27", "CVV"), where a mistyped digit would fail the check.

    The digits may be in one piece or in groups as cards are written (fours; 4-6-5, 4-6-4)
    with anything but letters and currency signs between the groups: spaces or tabs of any
    number, line breaks, dashes, dots, commas, bullets, middle dots, pipes, brackets, slashes;
    in full-width forms or with invisible characters between them. Runs made of phone numbers,
    order numbers ("2611-000007") or dates are not cards.
    """
    return next(_card_spans(_normalized(require_text(text, "text"))), None) is not None


def looks_like_password_disclosure(text: str) -> bool:
    """True if ``text`` seems to state a password, PIN or CVV (R-KZ-MIG-4).

    A keyword ("password", "пароль", "비밀번호", "비번", "құпия сөз", "PIN", "CVV", ...) and a
    value after it, possibly after what the password is for ("пароль от личного кабинета X",
    "the password for my virtual office is X") and a Korean particle ("비밀번호는 X",
    "비번은요 X"): after a connector that says "is" (":", "=", "->", "is", "'s", "это", "—",
    "будет", a Korean copula "X이에요") any word except ones like "wrong"; after a plain space
    only values with digits, symbols, mixed case or another script than the keyword's
    ("пароль qwerty"). Or such a value before it: "hunter22 is my password", "X — мой
    пароль", "X가 제 비밀번호예요". "I forgot my password", "пароль для ID 1234567 не подходит"
    and "비밀번호 4자리" are no disclosure.
    """
    return next(_password_spans(_normalized(require_text(text, "text"))), None) is not None


def _mask_card(number: str) -> str:
    digits_seen = sum(ch.isdigit() for ch in number)
    out = []
    for char in number:
        if char.isdigit():
            digits_seen -= 1
            out.append(char if digits_seen < 4 else "*")
        else:
            out.append(char)
    return "".join(out)


def _replace(text: str, spans: list[tuple[int, int]], mask: Callable[[str], str]) -> str:
    # Right to left, so earlier offsets stay valid; overlapping spans are skipped.
    limit = len(text)
    for start, end in sorted(spans, reverse=True):
        if end <= limit:
            text = text[:start] + mask(text[start:end]) + text[end:]
            limit = start
    return text


def _mask_once(text: str) -> str:
    text = _replace(text, list(_card_spans(text)), _mask_card)
    return _replace(text, list(_password_spans(text)), lambda _: _MASK)


def mask_secrets(text: str) -> str:
    """``text`` with card numbers masked to their last 4 digits ("**** **** **** 1111") and
    disclosed password, PIN or CVV values replaced by "********" (R-KZ-MIG-4).

    Use before logging or storing any customer message. Idempotent.
    """
    normalized = _normalized(require_text(text, "text"))
    masked = normalized
    # A masked card's last 4 digits could join neighbouring digits into a new card-like run:
    # repeat until nothing changes (each pass removes digits, so this ends).
    while (again := _mask_once(masked)) != masked:
        masked = again
    # Text without secrets comes back exactly as it was typed.
    return text if masked == normalized else masked
