"""Reading the return flow's typed answers: dates, amounts, an order made elsewhere."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from core.parsing import MAX_DIGITS

# 2026-11-02, 2026.11.02, 2026/11/02, 2026년 11월 2일; 02.11.2026 as Russians write it.
_YEAR_FIRST = re.compile(r"(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*일?")
_DAY_FIRST = re.compile(r"(\d{1,2})\s*[./]\s*(\d{1,2})\s*[./]\s*(\d{4})")
# Currency words and signs around an amount, and the separators people write inside it.
_MONEY_NOISE = re.compile(r"[\s,'’₩₸]|원|won|krw|kzt|тенге|тг|₸", re.IGNORECASE)
# An order number is letters, digits and dashes (KR-2611-000001, 12345678).
_ORDER_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{2,40}")


def typed_date(text: str) -> tuple[date | None, str]:
    """The first date in `text` and the text around it; (None, text) when there is none or it
    is no calendar day."""
    for pattern, order in ((_YEAR_FIRST, (1, 2, 3)), (_DAY_FIRST, (3, 2, 1))):
        found = pattern.search(text)
        if found is None:
            continue
        year, month, day = (int(found.group(i)) for i in order)
        rest = (text[: found.start()] + " " + text[found.end() :]).strip()
        try:
            return date(year, month, day), rest
        except ValueError:
            return None, text
    return None, text


def typed_amount(text: str) -> Decimal | None:
    """A whole amount of won or tenge: "52,000", "52 000 ₸", "52000원"; None otherwise."""
    digits = _MONEY_NOISE.sub("", text)
    if not 0 < len(digits) <= MAX_DIGITS or not (digits.isascii() and digits.isdigit()):
        return None
    amount = Decimal(digits)
    return amount if amount > 0 else None


def typed_order(text: str) -> tuple[str, date] | None:
    """An order made elsewhere: its number and purchase date, typed together."""
    day, rest = typed_date(text)
    number = rest.strip(" ,;:#№")
    if day is None or _ORDER_NUMBER.fullmatch(number) is None:
        return None
    return number.upper(), day
