"""The courier's phone number: the rule is `policy.normalize_phone` (a number of the market's
country a courier can call, R-KZ-MIG-5); this module says what was wrong in the user's words
and shows numbers the way people of the market write them.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberFormat

import policy
from core.flow import Turn
from core.i18n import N_
from core.steps import Problem
from core.types import Kind

REGION = {"KR": "KR", "KZ": "KZ"}
PHONE_HELP = N_("Type the phone number the courier should call.")


class PhoneRefused(ValueError):
    """The number cannot reach the customer; `reason` is a localized explanation."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalize(turn: Turn, text: str) -> str:
    """The number in E.164 for the user's market (policy.normalize_phone), or PhoneRefused
    with what was wrong and an example, in the user's language."""
    try:
        return policy.normalize_phone(turn.market, text)
    except policy.PhoneError as error:
        reason = _reason(turn, error.code)
        example = _example(turn)
        raise PhoneRefused(f"{reason} {example}" if reason else example) from None


def _reason(turn: Turn, code: str) -> str | None:
    if code == "russian_number":
        return turn._("This is a Russian number; the courier needs a working Kazakhstan number.")
    if code == "service_number":
        return turn._("The courier cannot call this service number.")
    if code == "foreign_number" and turn.market == "KZ":
        return turn._("This number is not from Kazakhstan; the courier needs a Kazakhstan number.")
    if code == "foreign_number":
        return turn._("This is not a Korean number; the courier needs one in Korea.")
    return None


def _example(turn: Turn) -> str:
    if turn.market == "KZ":
        return turn._("Please send a Kazakhstan phone number, e.g. +7 701 123 45 67.")
    return turn._("Please send a phone number in Korea, e.g. 010-1234-5678.")


def from_contact(text: str) -> str:
    """A shared contact's number; some clients send it without the leading '+'."""
    digits = text.strip()
    return digits if digits.startswith("+") else "+" + digits


@lru_cache(maxsize=1024)  # parsing is ~100 us and the same numbers show on every review
def display(e164: str, market: str) -> str:
    """'010-1234-5678' in Korea, '+7 701 123 45 67' in Kazakhstan; as stored if unreadable."""
    try:
        number = phonenumbers.parse(e164, REGION.get(market, "KR"))
    except phonenumbers.NumberParseException:
        return e164
    if market == "KR":
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    national = str(number.national_number)
    if number.country_code != 7 or len(national) != 10:
        return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    # As Kazakhstan writes it (and the source letter): +7 701 123 45 67.
    return f"+7 {national[:3]} {national[3:6]} {national[6:8]} {national[8:]}"


def saved_phone(turn: Turn) -> str | None:
    """The profile's phone, if the courier of the current market can call it."""
    if not turn.user.phone:
        return None
    try:
        return normalize(turn, turn.user.phone)
    except PhoneRefused:
        return None


def clean_phone(turn: Turn, text: str) -> str | Problem:
    """A typed number, or a shared contact's, in E.164 for the market (PhoneRefused's why)."""
    raw = from_contact(text) if turn.event.kind is Kind.CONTACT else text
    if not raw:
        return Problem(turn._(PHONE_HELP))
    try:
        return normalize(turn, raw)
    except PhoneRefused as refused:
        return Problem(refused.reason)
