"""The delivery address as typed: one rule for every flow that ships (quick order, auto-order)."""

from __future__ import annotations

import policy
from core.flow import Turn
from core.i18n import N_
from core.steps import Problem

ADDRESS_LENGTH = (5, 200)
# What is missing from an address that does not look like one for the market, per market.
MISSING = {
    ("KR", policy.AddressIssue.NO_PLACE): N_(
        "That does not look like a delivery address in Korea: please include the city and "
        "district, e.g. “서울 서초구 강남대로 369, 8층”."
    ),
    ("KR", policy.AddressIssue.NO_STREET): N_(
        "Please add the road name and building number (…로 / …길 369) or the lot address "
        "(…동 123-4), e.g. “서울 서초구 강남대로 369, 8층”."
    ),
    ("KZ", policy.AddressIssue.NO_PLACE): N_(
        "That does not look like a delivery address in Kazakhstan: please start with the city, "
        "e.g. “Алматы, ул. Абая 10, кв. 5”."
    ),
    ("KZ", policy.AddressIssue.NO_STREET): N_(
        "Please add the street and the house number, e.g. “Алматы, ул. Абая 10, кв. 5”."
    ),
}


def clean_address(turn: Turn, text: str) -> str | Problem:
    """The address with its spaces tidied, or what is wrong with it."""
    address = " ".join(text.split())
    low, high = ADDRESS_LENGTH
    if not low <= len(address) <= high or not any(ch.isalpha() for ch in address):
        return Problem(
            turn._(
                "Please type the full delivery address ({low} to {high} characters), e.g. "
                "city, street, building and apartment."
            ).format(low=low, high=high)
        )
    issue = policy.address_issue(turn.market, address)
    if issue is not None:
        return Problem(turn._(MISSING[turn.market, issue]))
    return address
