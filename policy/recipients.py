"""Whom an order is for: the recipient's name as the market needs it written (issue 18,
defect 4), and the member number a bank transfer is deposited under (R-KR-PAY-3).

- KZ: the name in Cyrillic, like every form of the move to Kazakhstan (R-KZ-MIG-3); Kazakh
  letters count.
- KR: Hangul or Latin letters (a Korean name, or a name as written in a passport).
Either way a person's name: two letters at least, at most a few words, no digits.
"""

from __future__ import annotations

import unicodedata
from enum import Enum

from policy._checks import require_text
from policy.config import Market, market_config
from policy.cyrillic import is_cyrillic
from policy.errors import NotSpecifiedError

NAME_LENGTH = (2, 64)
MAX_NAME_WORDS = 4  # "Иванова Анна Сергеевна", "Kim Mina"; a sentence is no name
# Besides letters and spaces, what names are written with: "Ким-Ли", "O'Neil", "A. Kim".
_NAME_MARKS = frozenset("-'’.")
_KR_SCRIPTS = ("HANGUL", "LATIN")


class NameIssue(Enum):
    NOT_A_NAME = "not_a_name"  # digits, symbols, too short or too long
    NOT_CYRILLIC = "not_cyrillic"  # KZ
    NOT_HANGUL_OR_LATIN = "not_hangul_or_latin"  # KR


def recipient_name_issue(market: Market | str, name: str) -> NameIssue | None:
    """What is wrong with ``name`` as the recipient's name in ``market``; None if nothing."""
    config = market_config(market)
    text = unicodedata.normalize("NFC", " ".join(require_text(name, "name").split()))
    letters = [ch for ch in text if ch.isalpha()]
    low, high = NAME_LENGTH
    shaped = all(ch.isalpha() or ch == " " or ch in _NAME_MARKS for ch in text)
    if not shaped or len(letters) < low or len(text) > high or len(text.split()) > MAX_NAME_WORDS:
        return NameIssue.NOT_A_NAME
    if config.market == "KZ":
        return None if is_cyrillic(text) else NameIssue.NOT_CYRILLIC
    if all(unicodedata.name(ch, "").startswith(_KR_SCRIPTS) for ch in letters):
        return None
    return NameIssue.NOT_HANGUL_OR_LATIN


def member_number(market: Market | str, text: str) -> str | None:
    """The member number in ``text`` as digits ("1234-5678" -> "12345678"), or None when it
    is not one: digits only, of the market's length (a SAMPLE range until the company states
    the format). A market without a member-number format: NotSpecifiedError."""
    config = market_config(market)
    digit_range = config.membership.member_number_digits
    if digit_range is None:
        raise NotSpecifiedError(config.market, "member numbers")
    low, high = digit_range
    digits = "".join(require_text(text, "text").replace("-", " ").split())
    return digits if digits.isascii() and digits.isdigit() and low <= len(digits) <= high else None
