"""The courier's phone number: valid for the market's country, stored in E.164.

Korea: checked with `phonenumbers` for region KR. Kazakhstan: `policy.normalize_kz_phone`
(R-KZ-MIG-5: a working Kazakh number; +7 is shared with Russia, so the range decides).
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

import policy
from flows.context import Turn

REGION = {"KR": "KR", "KZ": "KZ"}
# A courier must be able to call it: no toll-free or premium numbers.
PERSONAL_TYPES = frozenset(
    {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


class PhoneRefused(ValueError):
    """The number cannot reach the customer; `reason` is a localized explanation."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalize(turn: Turn, text: str) -> str:
    """The number in E.164 for the user's market, or PhoneRefused."""
    if turn.market == "KZ":
        return _kazakh(turn, text)
    return _korean(turn, text)


def _korean(turn: Turn, text: str) -> str:
    example = turn._("Please send a phone number in Korea, e.g. 010-1234-5678.")
    try:
        number = phonenumbers.parse(text, REGION["KR"])
    except phonenumbers.NumberParseException:
        raise PhoneRefused(example) from None
    if not phonenumbers.is_valid_number_for_region(number, REGION["KR"]):
        if phonenumbers.is_valid_number(number):
            raise PhoneRefused(
                turn._("This is not a Korean number; the courier needs one in Korea.")
                + " "
                + example
            )
        raise PhoneRefused(example)
    if phonenumbers.number_type(number) not in PERSONAL_TYPES:
        raise PhoneRefused(turn._("The courier cannot call this service number.") + " " + example)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _kazakh(turn: Turn, text: str) -> str:
    try:
        return policy.normalize_kz_phone(text)
    except policy.PhoneError as error:
        reasons = {
            "russian_number": turn._(
                "This is a Russian number; the courier needs a working Kazakhstan number."
            ),
            "not_kazakh": turn._(
                "This number is not from Kazakhstan; the courier needs a Kazakhstan number."
            ),
            "service_number": turn._("The courier cannot call this service number."),
        }
        example = turn._("Please send a Kazakhstan phone number, e.g. +7 701 123 45 67.")
        reason = reasons.get(error.code)
        raise PhoneRefused(f"{reason} {example}" if reason else example) from None


def from_contact(text: str) -> str:
    """A shared contact's number; some clients send it without the leading '+'."""
    digits = text.strip()
    return digits if digits.startswith("+") else "+" + digits


def display(e164: str, market: str) -> str:
    """'010-1234-5678' in Korea, '+7 701 123 4567' in Kazakhstan; as stored if unreadable."""
    try:
        number = phonenumbers.parse(e164, REGION.get(market, "KR"))
    except phonenumbers.NumberParseException:
        return e164
    style = PhoneNumberFormat.NATIONAL if market == "KR" else PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)
