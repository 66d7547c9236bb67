"""Reading what the customer types in the guide: the AR balance, the form details.

Each validator returns the clean value or a `Problem` saying what was wrong, in the
customer's language.
"""

from __future__ import annotations

import re
from decimal import Decimal

import policy
from core.flow import Turn
from core.i18n import N_
from core.steps import Problem
from flows.kz_move import texts

BALANCE_HELP = N_(
    "Send the AR balance your Virtual Office shows, in US dollars, e.g. 120.50 or $120."
)
CARD_HELP = N_(
    "Tap the country of the bank that issued your payment card. Never send the card number."
)
_CURRENCY = re.compile(r"us\$|\$|usd|dollars?|долл[а-я]*|달러", re.IGNORECASE)
_AMOUNT = re.compile(r"-?\d+(?:[.,]\d{1,2})?")
_AMOUNT_WITH_THOUSANDS = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?")
# storage keeps Numeric(14, 2); nobody's AR balance comes close.
MAX_BALANCE = Decimal("1000000000")


def parse_usd(text: str) -> Decimal | None:
    """A dollar amount as people type it: 150, 150.00, 150,00, $120, 120 USD, 1,200.50."""
    bare = re.sub(r"\s", "", _CURRENCY.sub("", text))
    if _AMOUNT.fullmatch(bare):
        return Decimal(bare.replace(",", "."))
    if _AMOUNT_WITH_THOUSANDS.fullmatch(bare):
        return Decimal(bare.replace(",", ""))
    return None


def balance(turn: Turn, text: str) -> Decimal | Problem:
    if not text:
        return Problem(turn._(BALANCE_HELP))
    amount = parse_usd(text)
    if amount is None or amount >= MAX_BALANCE:
        return Problem(
            turn._("Please send the amount in US dollars as a number, e.g. 120.50 or $120.")
        )
    if amount < 0:
        return Problem(
            turn._(
                "An AR balance below zero is not something I can judge. Please check the "
                "amount; if your Virtual Office really shows a negative balance, send "
                "/support."
            )
        )
    return amount


def cyrillic(turn: Turn, text: str) -> str | Problem:
    """R-KZ-MIG-3: the name and the address as they will be typed into the form."""
    issues = policy.validate_cyrillic(text)
    if issues:
        return Problem(texts.cyrillic_problem(turn, issues))
    if not policy.is_cyrillic(text):
        return Problem(turn._("Please type it with Cyrillic letters."))
    return text


def kz_phone(turn: Turn, text: str) -> str | Problem:
    """R-KZ-MIG-5: a working Kazakhstan number, for the courier."""
    try:
        return policy.normalize_kz_phone(text)
    except policy.PhoneError as error:
        return Problem(turn._(texts.PHONE_PROBLEMS[error.code]))


def issuer_country(turn: Turn, text: str) -> str | Problem:
    return texts.typed_country(turn, text) or Problem(turn._(CARD_HELP))
