"""Password, PIN and CVV disclosures in a customer's text (R-KZ-MIG-4): a keyword in English,
Russian or Korean with the value said after it ("my password is ...") or before it, and what
is no secret (fillers, ids, counts, links). policy/sensitive.py normalizes the text and masks
what is found here."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

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
