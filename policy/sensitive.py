"""Spotting card numbers and passwords so they are never stored or repeated (R-KZ-MIG-4).

Heuristics: they err toward masking, because a leaked secret costs more than a masked
order number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

from policy._checks import require_text

_MASK = "********"

# Digit groups separated as people (and their keyboards) type card numbers: spaces of any
# kind, dots, dashes of any kind, slashes, underscores, up to three in a row.
_SEPARATOR = r"[\s.\-\u2010-\u2015_/]{1,3}"
_DIGIT_RUN = re.compile(rf"(?<!\d)\d+(?:{_SEPARATOR}\d+)*(?!\d)")
# Characters that render as nothing and would split a number for a regex but not for a reader.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def _normalized(text: str) -> str:
    """What a reader sees: compatibility forms folded (full-width digits, no-break spaces),
    invisible characters removed."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))


_GROUP = re.compile(r"\d+")

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


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _is_card(digits: str) -> bool:
    # Payment card numbers never start with 0 (ISO/IEC 7812 major industry identifier).
    return 13 <= len(digits) <= 19 and digits[0] != "0" and _luhn_ok(digits)


# Beside one of these words, a card-length number is taken for a card even when its check
# digit is wrong: a mistyped card number is still a card number.
_CARD_WORD = re.compile(r"card|visa|master\s?card|карт[аыуео]|карточк|мир\b|카드", re.IGNORECASE)


def _card_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each card number; tries every run of whole groups, longest first."""
    if _CARD_WORD.search(text):
        for run in _DIGIT_RUN.finditer(text):
            if 13 <= sum(ch.isdigit() for ch in run.group()) <= 19:
                yield run.span()
        return
    for run in _DIGIT_RUN.finditer(text):
        groups = list(_GROUP.finditer(text, run.start(), run.end()))
        first = 0
        while first < len(groups):
            last = _longest_card_from(groups, first)
            if last is None:
                first += 1
                continue
            yield groups[first].start(), groups[last].end()
            first = last + 1


def _longest_card_from(groups: list[re.Match[str]], first: int) -> int | None:
    digits = ""
    candidates: list[int] = []
    for last in range(first, len(groups)):
        digits += groups[last].group()
        if len(digits) > 19:
            break
        if _is_card(digits):
            candidates.append(last)
    return candidates[-1] if candidates else None


def looks_like_card_number(text: str) -> bool:
    """True if ``text`` contains a 13-19 digit number passing the Luhn check, or any 13-19
    digit number when the text speaks of a card ("card", "карта", "카드") (R-KZ-MIG-4).

    Digits may be grouped with spaces, dashes, dots or slashes, in full-width forms or with
    invisible characters between them ("4111 1111-1111 1111", "4111.1111.1111.1111").
    """
    return next(_card_spans(_normalized(require_text(text, "text"))), None) is not None


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
