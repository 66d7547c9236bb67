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
    r"(?<!\d)(?:\d{4}-\d{6}(?!-\d)"
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
    r"|парол[а-яё]*|пин[ -]?код|пин|құпия\s*сөз\w*)(?!\w)"
    r"|비밀\s?번호|비번|패스워드|암호",
    re.IGNORECASE,
)
# Right after a keyword: a Korean particle ("비밀번호는", "비번은요", "비밀번호란") or the
# English "'s" ("my password's hunter2"), which says "is".
_SUFFIX = re.compile(r"(?P<is>['’]s)(?!\w)|(?:은요|는요|이요|이란|란|은|는|이|가|을|를)(?!\w)")
# "пароль от личного кабинета X", "password for my virtual office is X", "пароль у меня X":
# what the password is for, a few words that the value follows.
_FOR = frozenset({"от", "для", "к", "на", "у", "в", "for", "to", "of", "from", "on", "at", "in"})
_FOR_WORDS = 4
_WORD = re.compile(r"\s+(?P<word>[^\s:=：]+)")
# Between the keyword (or what it is for) and the value: a connector that says "is", or a
# plain space.
_LINK = re.compile(
    r"(?P<explicit>\s*(?:-+>|=+>|[→⇒➔➡]|[:=：])\s*"
    r"|\s+(?:is|was|will\s+be|это|был[аио]?|будет|такой|такая|такое|[-–—])(?:\s*:)?\s+)"
    r"|\s+",
    re.IGNORECASE,
)
_VALUE = re.compile(r"\S+")
# Words between the connector and the value ("my password is now X", "пароль сейчас X").
_FILLERS = frozenset(
    {"now", "currently", "just", "simply", "сейчас", "теперь", "просто", "вот", "지금", "현재",
     "바로", "이제"}
)  # fmt: skip
# "X is my password", "X — мой пароль", "X가 제 비밀번호예요": the value before the keyword.
_BEFORE = re.compile(
    r"(?P<value>\S+?)(?:\s+(?:is|was|это)|\s*[-–—](?:\s*это)?|[이가은는])\s+"
    r"(?:(?:my|the|our|мой|наш|제|내)\s+)?$",
    re.IGNORECASE,
)
_BEFORE_WINDOW = 80
# A member ID after what a password is for is no password: "пароль для ID 1234567 не подходит".
_ID_WORD = re.compile(
    r"id|ид|айди|логин\w*|login|номер\w*|number|no\.?|№|account|аккаунт\w*|кабинет\w*",
    re.IGNORECASE,
)
# A length or a count, not a password: "비밀번호 4자리", "비밀번호 5회 틀려서", "пароль 8 символов".
_COUNTED = re.compile(
    r"\d{1,2}\s*(?:자리|글자|자|회|번|digits?|chars?|characters?|times|символ\w*|цифр\w*|раз\w*)"
)
# Korean copulas ending a stated value: "비밀번호는 도테라짱이에요" (it is X).
_COPULA = re.compile(r"(?:이에요|예요|이예요|입니다|이야|이다|이요|임)$")
# Words that describe a password or ask about it rather than disclose it ("password: wrong").
_NOT_SECRETS = frozenset(
    {
        "reset", "forgot", "forgotten", "wrong", "incorrect", "invalid", "expired", "changed",
        "required", "needed", "not", "неверный", "неправильный", "забыл", "забыла", "не",
        "нужен", "сброшен", "изменен", "изменён", "истек", "истёк",
        "the", "same", "still", "been", "too", "also", "what", "which", "how", "where", "this",
        "that", "here", "there", "correct", "right", "working", "locked", "blocked", "lost",
        "stolen", "saved", "sent", "weak", "strong", "short", "long", "different", "new", "old",
        "empty", "blank", "тот", "же", "что", "какой", "где", "как", "правильный", "верный",
        "старый", "новый", "другой", "простой", "сложный", "короткий", "длинный", "пустой",
        "заблокирован", "ещё", "еще", "тоже", "утерян", "потерян", "украден", "сохранён",
        "сохранен", "case", "ok", "okay", "fine", "my", "your", "very", "always", "never",
        "help", "please", "problem", "issue", "question", "помогите", "помощь", "проблема",
        "вопрос", "пожалуйста", "뭐", "무엇", "몇", "어떻게",
    }
)  # fmt: skip
# An English contraction is a word, not a password with a symbol in it: "password doesn't work".
_CONTRACTION = re.compile(r"[a-z]+(?:n['’]t|['’](?:s|re|ll|ve|d|m))", re.IGNORECASE)
_EDGE_PUNCTUATION = ".,!?;:\"'()«»“”‘’"
_SENTENCE_END = re.compile(r"[.,;!?]")


def _script(text: str) -> str:
    names = {unicodedata.name(ch, "").split(" ")[0] for ch in text if ch.isalpha()}
    return names.pop() if len(names) == 1 else "MIXED"


def _looks_secret(value: str, keyword: str, explicit: bool) -> bool | None:
    """True: ``value`` is a password; False: it is not; None: it was masked already."""
    value = value.strip(_EDGE_PUNCTUATION)
    if len(value) >= 3 and set(value) <= {"*"}:
        return None
    # "도테라짱이에요": the copula says "it is", as ":" would.
    copula = _COPULA.search(value)
    if copula is not None and copula.start() > 0:
        value, explicit = value[: copula.start()], True
    if len(value) < 3 or value.lower() in _NOT_SECRETS:
        return False
    if _COUNTED.fullmatch(value) or _CONTRACTION.fullmatch(value):
        return False
    if any(ch.isdigit() for ch in value) or not value.isalnum():
        return True
    if any(ch.isupper() for ch in value[1:]) and any(ch.islower() for ch in value):
        return True
    # "пароль qwerty": a Latin word after a Cyrillic or Korean keyword is the password.
    if _script(value) != _script(keyword):
        return True
    return explicit


def _value_after(text: str, at: int, is_said: bool) -> tuple[re.Match[str], bool] | None:
    """The value that follows position ``at`` (after a connector and any filler words), and
    whether a connector said "is"."""
    link = _LINK.match(text, at)
    if link is None:
        return None
    explicit = is_said or link.group("explicit") is not None
    value = _VALUE.match(text, link.end())
    for _ in range(2):
        if value is None or value.group().strip(_EDGE_PUNCTUATION).lower() not in _FILLERS:
            break
        value = _WORD.match(text, value.end())
        value = _VALUE.match(text, value.start("word")) if value else None
    return (value, explicit) if value is not None else None


def _after_keyword(text: str, keyword: re.Match[str]) -> tuple[int, int] | None:
    """The span of the value stated after ``keyword``, trying what it may be for: none, then
    one to _FOR_WORDS words after "от", "for", ..."""
    at, is_said = keyword.end(), False
    suffix = _SUFFIX.match(text, at)
    if suffix is not None:
        at, is_said = suffix.end(), suffix.group("is") is not None
    starts = [(at, "")]
    first = _WORD.match(text, at)
    if first is not None and first.group("word").lower() in _FOR:
        end = first.end()
        for _ in range(_FOR_WORDS):
            word = _WORD.match(text, end)
            if word is None or _SENTENCE_END.search(word.group("word")):
                break
            end = word.end()
            starts.append((end, word.group("word")))
    for start, last_word in starts:
        found = _value_after(text, start, is_said)
        if found is None:
            continue
        value, explicit = found
        if not explicit and value.group().isdigit() and _ID_WORD.fullmatch(last_word):
            continue  # "пароль для ID 1234567 ...": the member ID
        secret = _looks_secret(value.group(), keyword.group(), explicit)
        if secret is None:
            return None
        if secret:
            # The whole token goes: a trailing "!" may be part of the password.
            return value.span()
    return None


def _before_keyword(text: str, keyword: re.Match[str]) -> tuple[int, int] | None:
    """The span of a value stated before ``keyword``: "hunter22 is my password"."""
    window = max(0, keyword.start() - _BEFORE_WINDOW)
    before = _BEFORE.search(text, window, keyword.start())
    if before is None:
        return None
    # Only what is plainly a password: "What is my password?" asks.
    if _looks_secret(before.group("value"), keyword.group(), explicit=False):
        return before.span("value")
    return None


def _password_spans(text: str) -> Iterator[tuple[int, int]]:
    # Each keyword is tried, so "password password 1234" is still caught.
    for keyword in _KEYWORD.finditer(text):
        for span in (_after_keyword(text, keyword), _before_keyword(text, keyword)):
            if span is not None:
                yield span


def looks_like_password_disclosure(text: str) -> bool:
    """True if ``text`` seems to state a password, PIN or CVV (R-KZ-MIG-4).

    A keyword ("password", "пароль", "비밀번호", "비번", "құпия сөз", "PIN", "CVV", ...) and a
    value after it, possibly after what the password is for ("пароль от личного кабинета X",
    "the password for my virtual office is X") and a Korean particle ("비밀번호는 X",
    "비번은요 X"): after a connector that says "is" (":", "=", "->", "is", "'s", "это", "—",
    "будет", a Korean copula "X이에요") any word except ones like "wrong"; after a plain space
    only values with digits, symbols, mixed case or another script than the keyword's
    ("пароль qwerty"). Or such a value before it: "hunter22 is my password", "X — мой
    пароль", "X가 제 비밀번호예요". "I forgot my password", "пароль для ID 1234567 не подходит"
    and "비밀번호 4자리" are no disclosure.
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
