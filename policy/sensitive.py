"""Spotting card numbers and passwords so they are never stored or repeated (R-KZ-MIG-4).

Heuristics: they err toward masking, because a leaked secret costs more than a masked
order number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

import phonenumbers

from policy._checks import require_text

_MASK = "********"

# Characters that render as nothing and would split a number for a regex but not for a reader.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def _normalized(text: str) -> str:
    """What a reader sees: compatibility forms folded (full-width digits, no-break spaces),
    invisible characters removed."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))


# --- card numbers ---------------------------------------------------------------------------

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
    r"(?<!\d)(?:\d{4}-\d{6}"
    rf"|(?:19|20)\d\d([-./]){_MONTH}\1{_DAY}|{_DAY}([-./]){_MONTH}\2(?:19|20)\d\d)(?!\d)"
)
_PHONE_REGIONS = ("KR", "KZ")


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
            phones = [
                (match.start, match.end)
                for region in _PHONE_REGIONS
                for match in phonenumbers.PhoneNumberMatcher(
                    self.text, region, leniency=phonenumbers.Leniency.VALID
                )
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
        if about_cards or (digits[0] != "0" and _luhn_ok(digits)):
            candidates.append(last)
    for last in reversed(candidates):
        if not exemptions.explain(run[first : last + 1]):
            return last
    return None


def looks_like_card_number(text: str) -> bool:
    """True if ``text`` contains a card number (R-KZ-MIG-4): 13-19 digits passing the Luhn
    check, or any 13-19 digits when the text speaks of a card ("card", "карта", "카드", an
    expiry date "12/27", "CVV"), where a mistyped digit would fail the check.

    The digits may be in one piece or in groups as cards are written (fours; 4-6-5, 4-6-4)
    with anything but letters and currency signs between the groups: spaces or tabs of any
    number, line breaks, dashes, dots, commas, bullets, middle dots, pipes, brackets, slashes;
    in full-width forms or with invisible characters between them. Runs made of phone numbers,
    order numbers ("2611-000007") or dates are not cards.
    """
    return next(_card_spans(_normalized(require_text(text, "text"))), None) is not None


# --- passwords -----------------------------------------------------------------------------

_KEYWORD = re.compile(
    r"(?<!\w)(?:password|passwd|passcode|pwd|pass|pw|p/w|pin[ -]?code|pin|cvv2?|cvc2?"
    r"|парол[а-яё]*|пин[ -]?код|пин|құпия\s+сөз)(?!\w)"
    r"|비밀\s?번호|비번|패스워드|암호",
    re.IGNORECASE,
)
# What follows a keyword: an optional Korean particle, a connector, then the value.
_TAIL = re.compile(
    r"(?:[은는이가을를])?"
    # "пароль от ВО Abc12345", "password for VO Abc12345": what the password is for.
    r"(?:\s+(?:от|для|к|на|for|to|of|from|on)\s+\S+)?"
    r"(?:(?P<explicit>\s*[:=：]\s*|\s+(?:is|это|[-–—])\s+)|\s+)"
    r"(?P<value>\S+)",
    re.IGNORECASE,
)
# Words that describe a password rather than disclose one ("password: wrong").
_NOT_SECRETS = frozenset(
    {
        "reset", "forgot", "forgotten", "wrong", "incorrect", "invalid", "expired", "changed",
        "required", "needed", "not", "неверный", "неправильный", "забыл", "забыла", "не",
        "нужен", "сброшен", "изменен", "изменён", "истек", "истёк",
    }
)  # fmt: skip
_EDGE_PUNCTUATION = ".,!?;:\"'()«»"


def _script(text: str) -> str:
    names = {unicodedata.name(ch, "").split(" ")[0] for ch in text if ch.isalpha()}
    return names.pop() if len(names) == 1 else "MIXED"


def _looks_secret(value: str, keyword: str, explicit: bool) -> bool:
    if len(value) < 3 or set(value) <= {"*"}:
        return False
    if any(ch.isdigit() for ch in value) or not value.isalnum():
        return True
    if any(ch.isupper() for ch in value[1:]) and any(ch.islower() for ch in value):
        return True
    # "пароль qwerty": a Latin word after a Cyrillic or Korean keyword is the password.
    if _script(value) != _script(keyword):
        return True
    return explicit and value.lower() not in _NOT_SECRETS


def _password_spans(text: str) -> Iterator[tuple[int, int]]:
    # Tails are matched at each keyword's end so "password password 1234" is still caught.
    for keyword in _KEYWORD.finditer(text):
        tail = _TAIL.match(text, keyword.end())
        if tail is None:
            continue
        raw = tail.group("value")
        value = raw.strip(_EDGE_PUNCTUATION)
        if _looks_secret(value, keyword.group(), tail.group("explicit") is not None):
            # The whole token goes: a trailing "!" may be part of the password.
            yield tail.span("value")


def looks_like_password_disclosure(text: str) -> bool:
    """True if ``text`` seems to state a password, PIN or CVV (R-KZ-MIG-4).

    A keyword ("password", "пароль", "비밀번호", "құпия сөз", "PIN", "CVV", ...) followed by a
    value: after ":", "=", "is", "это" any word except ones like "wrong"; after a plain space
    only values with digits, symbols, mixed case or another script than the keyword's
    ("пароль qwerty"). "I forgot my password" is not a disclosure.
    """
    return next(_password_spans(_normalized(require_text(text, "text"))), None) is not None


def _mask_card(number: str) -> str:
    digits_seen = sum(ch.isdigit() for ch in number)
    out = []
    for char in number:
        if char.isdigit():
            digits_seen -= 1
            out.append(char if digits_seen < 4 else "*")
        else:
            out.append(char)
    return "".join(out)


def _replace(text: str, spans: list[tuple[int, int]], mask: Callable[[str], str]) -> str:
    # Right to left, so earlier offsets stay valid; overlapping spans are skipped.
    limit = len(text)
    for start, end in sorted(spans, reverse=True):
        if end <= limit:
            text = text[:start] + mask(text[start:end]) + text[end:]
            limit = start
    return text


def _mask_once(text: str) -> str:
    text = _replace(text, list(_card_spans(text)), _mask_card)
    return _replace(text, list(_password_spans(text)), lambda _: _MASK)


def mask_secrets(text: str) -> str:
    """``text`` with card numbers masked to their last 4 digits ("**** **** **** 1111") and
    disclosed password, PIN or CVV values replaced by "********" (R-KZ-MIG-4).

    Use before logging or storing any customer message. Idempotent.
    """
    normalized = _normalized(require_text(text, "text"))
    masked = normalized
    # A masked card's last 4 digits could join neighbouring digits into a new card-like run:
    # repeat until nothing changes (each pass removes digits, so this ends).
    while (again := _mask_once(masked)) != masked:
        masked = again
    # Text without secrets comes back exactly as it was typed.
    return text if masked == normalized else masked
