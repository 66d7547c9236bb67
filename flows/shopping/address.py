"""The delivery address as typed: one rule for every flow that ships (quick order, auto-order)."""

from __future__ import annotations

from core.flow import Turn
from core.steps import Problem

ADDRESS_LENGTH = (5, 200)


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
    return address
