"""Reading what a person typed: the rules every flow shares."""

from __future__ import annotations

# Digits an East Asian keyboard types in full-width mode, read as the ASCII ones.
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# More digits than any number a step asks for: int() of a longer string is never attempted
# (Python refuses more than 4300 digits, and nobody means a number that long).
MAX_DIGITS = 9


def typed_whole_number(text: str, lowest: int, highest: int) -> int | None:
    """The whole number typed in ``text`` if it lies within ``lowest``..``highest``; None for
    anything else.

    Only ASCII digits count (full-width ones are read as such), at most MAX_DIGITS of them,
    with spaces around them allowed: no sign, decimal point or exponent, and none of the other
    characters str.isdigit() accepts ('²', '٣', '१') and int() refuses or reads otherwise.
    """
    digits = text.strip().translate(_FULL_WIDTH_DIGITS)
    if not 0 < len(digits) <= MAX_DIGITS or not (digits.isascii() and digits.isdigit()):
        return None
    number = int(digits)
    return number if lowest <= number <= highest else None


def readable_text(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD; pairs become the character they
    encode.

    Bytes that were not UTF-8 (read with errors="surrogateescape", as a terminal does) and
    JSON escapes such as "\\udc80" give them; no database, log or transport can encode them.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text
