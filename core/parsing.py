"""Reading what a person typed: the rules every flow shares."""

from __future__ import annotations

import re

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


# Counters typed after a count: "2개", "3병", "2 шт.", "2 pcs", "two bottles".
COUNTER = r"(?:개|병|ea|pcs?|pieces?|bottles?|шт\w*\.?|бут\w*|флакон\w*)"
_COUNTED = re.compile(rf"(?P<count>.+?)\s*{COUNTER}", re.IGNORECASE)
# Counts people write in words. Korean counts things with the native numbers, whose short
# forms come before a counter ("두 개", "한 병"); Russian has gendered forms for 1 and 2.
NUMBER_WORDS: dict[str, int] = {
    **dict.fromkeys(("one", "하나", "한", "один", "одна", "одно", "одну"), 1),
    **dict.fromkeys(("two", "둘", "두", "два", "две"), 2),
    **dict.fromkeys(("three", "셋", "세", "석", "три"), 3),
    **dict.fromkeys(("four", "넷", "네", "넉", "четыре"), 4),
    **dict.fromkeys(("five", "다섯", "пять"), 5),
    **dict.fromkeys(("six", "여섯", "шесть"), 6),
    **dict.fromkeys(("seven", "일곱", "семь"), 7),
    **dict.fromkeys(("eight", "여덟", "восемь"), 8),
    **dict.fromkeys(("nine", "아홉", "девять"), 9),
    **dict.fromkeys(("ten", "열", "десять"), 10),
}


def typed_count(text: str, lowest: int, highest: int) -> int | None:
    """A count of things as people type it, within ``lowest``..``highest``: digits (as
    `typed_whole_number` reads them) or a number word in English, Korean or Russian, with or
    without a counter: "2", "2개", "두 개", "two", "2 шт", "две"."""
    text = text.strip()
    counted = _COUNTED.fullmatch(text)
    count = (counted["count"] if counted else text).strip()
    number = typed_whole_number(count, lowest, highest)
    if number is None:
        word = NUMBER_WORDS.get(count.casefold())
        number = word if word is not None and lowest <= word <= highest else None
    return number
