"""Card numbers in a customer's text (R-KZ-MIG-4): digit runs grouped as cards are written,
the Luhn check, the words and expiry dates that say a number is a card, and what is no card
(phone numbers, order numbers, dates). policy/sensitive.py normalizes the text and masks what
is found here."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import phonenumbers

_GROUP = re.compile(r"\d+")
# Between two groups of one number: 1 to _MAX_GAP characters, none of them a letter, a digit
# or a currency sign: spaces of any kind, tabs, line breaks, dashes, dots, commas, bullets,
# middle dots, pipes, brackets, slashes... A letter or a currency sign ends the number:
# "₩35,000 ₩42,000" are two amounts.
_MAX_GAP = 10
_CARD_DIGITS = range(13, 20)
# Beside one of these, a card-length number is taken for a card even when its check digit is
# wrong: a mistyped card number is still a card number. An expiry date ("12/27") or a CVV says
# the same.
_CARD_WORD = re.compile(
    r"card(?!amom)|visa|master\s?card|maestro|amex|american\s+express|union\s?pay|\bjcb\b"
    r"|\bcvv2?\b|\bcvc2?\b|\bexp(?:iry|iration|ires)?\b|valid\s+thru"
    r"|карт(?:[аыуеоя]|\b)|карточк|кредитк|дебетов|мир\b|виза|мастеркард|срок\s+действия"
    r"|카드|유효\s?기간|씨브이씨",
    re.IGNORECASE,
)
_EXPIRY = re.compile(r"(?<![\d/.\-])(?:0[1-9]|1[0-2])/(?:\d{2}|20\d{2})(?![\d/.\-])")
# Numbers that a card-length run may be made of without being a card: an order number typed
# without its market ("2611-000007") and dates ("2026-11-30", "30.11.2026"). Phone numbers
# are found with the phonenumbers library.
_DAY, _MONTH = r"(?:0?[1-9]|[12]\d|3[01])", r"(?:0?[1-9]|1[0-2])"
_NOT_CARDS = re.compile(
    r"(?<!\d)(?:\d{4}-\d{6}(?!-\d)"
    rf"|(?:19|20)\d\d([-./]){_MONTH}\1{_DAY}|{_DAY}([-./]){_MONTH}\2(?:19|20)\d\d)(?!\d)"
)
_PHONE_REGIONS = ("KR", "KZ")
# A card number as written by hand: at least this many groups ("4111 1111 1111 111"), and the
# first digit of a card issuer (ISO/IEC 7812: 2-6, travel, banking and merchandising).
_CARD_GROUPS = 3
_ISSUER_DIGITS = frozenset("23456")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _is_gap(between: str) -> bool:
    return 0 < len(between) <= _MAX_GAP and not any(
        ch.isalnum() or unicodedata.category(ch) == "Sc" for ch in between
    )


def _digit_runs(text: str) -> Iterator[list[re.Match[str]]]:
    """Runs of digit groups that read as one number."""
    run: list[re.Match[str]] = []
    for group in _GROUP.finditer(text):
        if run and not _is_gap(text[run[-1].end() : group.start()]):
            yield run
            run = []
        run.append(group)
    if run:
        yield run


def _card_layout(sizes: list[int]) -> bool:
    """How card numbers are written: in one piece, in fours (the last group may be shorter),
    or 4-6-5 and 4-6-4 (American Express, Diners Club). Thousands (3-digit groups), dates,
    phones and lists of short numbers are laid out otherwise."""
    if len(sizes) == 1:
        return True
    if sizes[0] != 4:
        return False
    if sizes[1:] in ([6, 5], [6, 4]):
        return True
    return all(size == 4 for size in sizes[1:-1]) and sizes[-1] <= 4


class _Exemptions:
    """Where a text has order numbers, dates and phone numbers: found once, and only if a
    card-like run needs them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._found: tuple[list[tuple[int, int]], list[tuple[int, int]]] | None = None

    def _spans(self) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        if self._found is None:
            others = [match.span() for match in _NOT_CARDS.finditer(self.text)]
            # A "phone" that takes in an expiry date is the card's last group and its expiry
            # ("1566 12/27" reads as a Korean 1566 number): no phone at all.
            phones = [
                (match.start, match.end)
                for region in _PHONE_REGIONS
                for match in phonenumbers.PhoneNumberMatcher(
                    self.text, region, leniency=phonenumbers.Leniency.VALID
                )
                if _EXPIRY.search(match.raw_string) is None
            ]
            self._found = others, phones
        return self._found

    def explain(self, groups: list[re.Match[str]]) -> bool:
        """True if ``groups`` are other numbers strung together: they touch an order number
        or a date, begin or end inside a phone number, or are phone numbers throughout.

        A phone number found inside a card is no excuse: the library reads one in
        "3282/8242/4966/8449" (the last three groups)."""
        others, phones = self._spans()
        start, end = groups[0].start(), groups[-1].end()
        if any(s < end and start < e for s, e in others):
            return True
        if any(s < start < e or s < end < e for s, e in phones):
            return True
        return all(any(s <= g.start() and g.end() <= e for s, e in phones) for g in groups)


def _card_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each card number: within each run of digit groups, the longest run of
    whole groups laid out like a card, longest first."""
    about_cards = _CARD_WORD.search(text) is not None or _EXPIRY.search(text) is not None
    exemptions = _Exemptions(text)
    for run in _digit_runs(text):
        whole = sum(len(group.group()) for group in run)
        if about_cards and whole in _CARD_DIGITS and not exemptions.explain(run):
            yield run[0].start(), run[-1].end()
            continue
        first = 0
        while first < len(run):
            last = _longest_card_from(run, first, about_cards, exemptions)
            if last is None:
                first += 1
                continue
            yield run[first].start(), run[last].end()
            first = last + 1


def _longest_card_from(
    run: list[re.Match[str]], first: int, about_cards: bool, exemptions: _Exemptions
) -> int | None:
    digits = ""
    candidates: list[int] = []
    for last in range(first, len(run)):
        digits += run[last].group()
        if len(digits) > max(_CARD_DIGITS):
            break
        if len(digits) not in _CARD_DIGITS:
            continue
        if not _card_layout([len(g.group()) for g in run[first : last + 1]]):
            continue
        # Payment card numbers never start with 0 (ISO/IEC 7812 major industry identifier).
        checked = digits[0] != "0" and _luhn_ok(digits)
        # Written in a card's groups with a card issuer's first digit, a number is taken for
        # a card even with a wrong check digit: a mistyped card ("4111 1111 1111 111") is no
        # less secret. In one piece, the check digit still decides (tracking numbers).
        written_as_card = last - first + 1 >= _CARD_GROUPS and digits[0] in _ISSUER_DIGITS
        if about_cards or checked or written_as_card:
            candidates.append(last)
    for last in reversed(candidates):
        if not exemptions.explain(run[first : last + 1]):
            return last
    return None
