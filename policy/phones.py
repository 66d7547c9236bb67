"""Phone numbers for the courier: a working number in the market's own country (R-KZ-MIG-5)."""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from policy._checks import require_text
from policy.config import Market, parse_market

NOT_A_NUMBER = "not_a_number"
RUSSIAN_NUMBER = "russian_number"
FOREIGN_NUMBER = "foreign_number"
SERVICE_NUMBER = "service_number"
INVALID = "invalid"
PHONE_ERROR_CODES = frozenset(
    {NOT_A_NUMBER, RUSSIAN_NUMBER, FOREIGN_NUMBER, SERVICE_NUMBER, INVALID}
)

# A courier must be able to call the customer back on it.
_PERSONAL_TYPES = frozenset(
    {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


class PhoneError(ValueError):
    """Why a phone number was refused; ``code`` is one of PHONE_ERROR_CODES.

    not_a_number: no phone number in the text; russian_number: a valid +7 number of Russia
    where Kazakhstan was needed; foreign_number: a valid number of another country;
    service_number: a toll-free or other service number nobody answers for a courier; invalid:
    looks like a number but is not a valid one (wrong length, unassigned range).
    """

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"{code}: {text!r}")
        self.code = code


def normalize_phone(market: Market | str, text: str) -> str:
    """A number in the market's country that a courier can call, in E.164, or PhoneError.

    The market's country decides (KR: Korea, KZ: Kazakhstan); the domestic spellings are
    accepted ("010-1234-5678", "8 701 123 45 67"). Toll-free and other service numbers are
    refused with "service_number".
    """
    region = parse_market(market).value
    require_text(text, "text")
    if not any(ch.isdigit() for ch in text):
        raise PhoneError(NOT_A_NUMBER, text)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneError(NOT_A_NUMBER, text) from exc
    if phonenumbers.is_valid_number_for_region(number, region):
        if phonenumbers.number_type(number) not in _PERSONAL_TYPES:
            raise PhoneError(SERVICE_NUMBER, text)
        return phonenumbers.format_number(number, PhoneNumberFormat.E164)
    raise PhoneError(_refusal_code(number, region), text)


def normalize_kz_phone(text: str) -> str:
    """A working Kazakh phone number in E.164 ("+77011234567"), or PhoneError (a ValueError).

    R-KZ-MIG-5: the customer must give a working Kazakhstan number for the courier. +7 is
    shared by Kazakhstan and Russia; the number range decides (phonenumbers metadata: +7 7xx
    is Kazakh, +7 9xx Russian). Accepted spellings: "+7 701 123 45 67", "+7 (701) 123-45-67",
    "8 701 123 45 67" and "87011234567" (8 is the domestic trunk prefix), "77011234567", and the
    bare 10-digit national number "7011234567" (unambiguous once the region is Kazakhstan).
    Toll-free and other service numbers (e.g. +7 800) are refused with "service_number".
    """
    return normalize_phone(Market.KZ, text)


def _refusal_code(number: phonenumbers.PhoneNumber, region: str) -> str:
    # +7 is shared: in Kazakhstan, a Russian number is the mistake worth naming.
    if region == "KZ" and phonenumbers.is_valid_number_for_region(number, "RU"):
        return RUSSIAN_NUMBER
    if phonenumbers.is_valid_number(number):
        return FOREIGN_NUMBER
    return INVALID
