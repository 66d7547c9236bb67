"""Translations and locale formatting for the conversation core.

Catalogues are gettext `.po` files under `locales/<lang>/LC_MESSAGES/<domain>.po`, one domain
per area of the code (see `bot/i18n_tool.py`), merged into one catalogue per language at run
time. Compiled `.mo` files are preferred; a missing one is compiled in memory from its `.po`,
so a checkout that skipped `make` still speaks every language.
"""

from __future__ import annotations

import copy
import gettext
import io
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Annotated

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import NumberPattern, format_decimal, parse_pattern

from core.actions import Action, OneOf
from core.types import Button, rows
from policy import load_zone

LOCALES_DIR = Path(__file__).resolve().parents[1] / "locales"
LANGUAGES = ("ko", "ru", "en")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"ko": "한국어", "ru": "Русский", "en": "English"}


class Language(Action, prefix="lang"):
    """Switch the language, in any state (the /lang picker)."""

    code: Annotated[str, OneOf(*LANGUAGES)]


def language_buttons(
    current: str | None, family: Callable[..., Action] = Language
) -> tuple[tuple[Button, ...], ...]:
    """One button per language, the current (or suggested) one first and ticked; `family`
    makes the buttons' actions from `code=`."""
    ordered = sorted(LANGUAGES, key=lambda code: code != current)
    return rows(
        [
            family(code=code).button(("✓ " if code == current else "") + LANGUAGE_NAMES[code])
            for code in ordered
        ],
        per_row=3,
    )


def N_(message: str) -> str:
    """Mark a string for extraction where it is declared; translate it where it is shown."""
    return message


def pick_language(hint: str | None) -> str | None:
    """Our language for a client's IETF tag ('ru-RU' -> 'ru'), or None when we have none."""
    if not hint:
        return None
    base = hint.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def _load_domain(language: str, po_path: Path) -> gettext.GNUTranslations:
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        with mo_path.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


# Country names where the locale data's differ from the ones our source documents use: the
# KZ letter says «Кыргызстан», CLDR's Russian «Киргизия» (R-KZ-MIG-6).
COUNTRY_NAMES: dict[str, dict[str, str]] = {"ru": {"KG": "Кыргызстан"}}


class Translator:
    """Everything language-dependent a reply needs: messages, money, dates, numbers."""

    def __init__(self, language: str, catalogue: gettext.NullTranslations) -> None:
        self.language = language
        self.locale = Locale.parse(language)
        self._catalogue = catalogue

    def _(self, message: str) -> str:
        return self._template(self._catalogue.gettext(message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._template(self._catalogue.ngettext(singular, plural, n))

    def _template(self, text: str) -> str:
        template = TEMPLATES.get(self.language)
        return template(text) if template is not None else text

    def money(self, amount: Decimal, currency: str) -> str:
        """Whole-unit amounts without a fraction (KRW 50,000 / 14 500 ₸), others as usual."""
        # Keyed on the text of the amount, not the Decimal: -0 and 0 are equal but format apart.
        return _money(self.language, str(amount), currency)

    def country(self, code: str) -> str:
        """A country's name (ISO code), as our source documents write it."""
        named = COUNTRY_NAMES.get(self.language, {}).get(code)
        return named or str(self.locale.territories.get(code, code))

    def number(self, value: Decimal | int) -> str:
        return format_decimal(value, locale=self.locale)

    def day(self, value: date) -> str:
        """A date with its weekday, short: 'Tue, Nov 24', '11월 24일 (화)', 'вт, 24 нояб.'."""
        if type(value) is not date:  # aware datetimes of different zones compare equal
            return format_skeleton("MMMEd", value, locale=self.locale)
        return _day(self.language, value)

    def full_date(self, value: date) -> str:
        return format_date(value, format="long", locale=self.locale)

    def moment(self, value: datetime, tz: str) -> str:
        """A date and time in the market's zone: 'Nov 30, 2026, 23:59'."""
        # policy's loader: the pinned tzdata, not a possibly stale system copy (Almaty).
        local = value.astimezone(load_zone(tz))
        # Translators: a date and a time of day; Russian puts "в" before the time.
        return self._("{date} {time}").format(
            date=format_skeleton("yMMMd", local, locale=self.locale), time=f"{local:%H:%M}"
        )


# Money and dates are formatted per product label and per prompt: prices and days repeat, and
# Babel takes ~10 us a call (docs/performance.md), so results are kept, a bounded number of them.
@cache
def _money_pattern(language: str, whole: bool) -> NumberPattern:
    """The locale's currency pattern, without a fraction for whole amounts. parse_pattern
    caches its result: a copy is changed, never the shared pattern (nor, later, this one)."""
    pattern = copy.copy(parse_pattern(Locale.parse(language).currency_formats["standard"]))
    if whole:
        pattern.frac_prec = (0, 0)
    return pattern


# Amounts written the way our customers read them where the locale data's symbol or its place
# differs: Korean "18,000원" (not "₩18,000"), Russian "29 000 ₸" (not "29 000 KZT"), English
# "KZT 29,000" with a space. The amount itself keeps the locale's digits and separators.
MONEY_FORMATS: dict[tuple[str, str], str] = {
    ("ko", "KRW"): "{amount}원",
    ("ko", "KZT"): "{amount}텡게",
    ("ru", "KZT"): "{amount}\xa0₸",
    ("en", "KZT"): "KZT\xa0{amount}",
}


@lru_cache(maxsize=4096)
def _money(language: str, amount_text: str, currency: str) -> str:
    amount = Decimal(amount_text)
    whole = amount == amount.to_integral_value()
    written = MONEY_FORMATS.get((language, currency))
    if written is not None:
        number = format_decimal(abs(amount), "#,##0" if whole else "#,##0.00", locale=language)
        return ("-" if amount.is_signed() else "") + written.format(amount=number)
    pattern = _money_pattern(language, whole)
    return pattern.apply(amount, Locale.parse(language), currency=currency, currency_digits=False)


@lru_cache(maxsize=1024)
def _day(language: str, value: date) -> str:
    return format_skeleton("MMMEd", value, locale=Locale.parse(language))


# Korean particles written for both endings where a placeholder precedes them ("#{number}을(를)"):
# the form after a final consonant first, the other in brackets, as translators write them.
_PARTICLE = re.compile(
    r"(을\(를\)|를\(을\)|이\(가\)|가\(이\)|은\(는\)|는\(은\)|과\(와\)|와\(과\)|\(으\)로)"
)
_PARTICLE_FORMS = {
    "을(를)": ("을", "를"),
    "를(을)": ("을", "를"),
    "이(가)": ("이", "가"),
    "가(이)": ("이", "가"),
    "은(는)": ("은", "는"),
    "는(은)": ("은", "는"),
    "과(와)": ("과", "와"),
    "와(과)": ("과", "와"),
    "(으)로": ("으로", "로"),
}
_HANGUL_FIRST, _HANGUL_LAST, _NO_FINAL, _RIEUL = 0xAC00, 0xD7A3, 0, 8
# Read aloud in Korean: digits (영 일 이 삼 사 오 육 칠 팔 구), a round number by its last
# unit (십 백 천 만), Latin letters by their Korean names (엘 엠 엔 알 end in a consonant).
_DIGIT_FINAL = dict(zip("0123456789", (21, 8, 0, 16, 0, 0, 1, 8, 8, 0), strict=True))
_ROUND_FINAL = {1: 17, 2: 1, 3: 4, 4: 4}  # 십 (ㅂ), 백 (ㄱ), 천 (ㄴ), 만 (ㄴ)
_LATIN_FINAL = {"l": 8, "m": 16, "n": 4, "r": 8}


def _final_sound(text: str) -> int | None:
    """The final consonant (its index in a Hangul syllable, 0: none) of the last word of
    `text` as read aloud; None when nothing readable precedes."""
    words = re.findall(r"\w+", text)
    if not words:
        return None
    word = words[-1]
    last = word[-1]
    if _HANGUL_FIRST <= ord(last) <= _HANGUL_LAST:
        return (ord(last) - _HANGUL_FIRST) % 28
    if last.isdigit() and last.isascii():
        zeros = len(word) - len(word.rstrip("0"))
        if zeros and zeros < len(word):
            return _ROUND_FINAL.get(zeros, 4)
        return _DIGIT_FINAL[last]
    return _LATIN_FINAL.get(last.lower(), _NO_FINAL)


def with_particles(text: str) -> str:
    """``text`` with each Korean particle written for both endings ("을(를)", "이(가)", "은(는)",
    "과(와)", "(으)로") chosen by what precedes it once the placeholders are filled: "#1을",
    "#2를", "KZT로", "서울로" ("(으)로" takes "로" after ㄹ too). Other languages' texts
    have no such forms and come back unchanged."""

    def chosen(found: re.Match[str]) -> str:
        final = _final_sound(text[: found.start()])
        after_consonant, after_vowel = _PARTICLE_FORMS[found.group()]
        if final is None:
            return found.group()
        if found.group() == "(으)로" and final == _RIEUL:
            return after_vowel
        return after_consonant if final != _NO_FINAL else after_vowel

    return _PARTICLE.sub(chosen, text)


class KoreanTemplate(str):
    """A Korean message: filling its placeholders (`format`, as every caller does) also
    chooses the particles written for both endings after them (`with_particles`), so that
    "#{number}을(를)" reads "#1을" or "#2를" wherever the message is used."""

    __slots__ = ()

    def format(self, *args: object, **kwargs: object) -> str:
        return with_particles(super().format(*args, **kwargs))


# An abbreviated month or "г." (год) ends with a period: one at the end of a sentence is enough.
_ABBREVIATION_AND_PERIOD = re.compile(
    r"\b(янв|февр|мар|апр|июн|июл|авг|сент|окт|нояб|дек|г)\.\.(?!\.)"
)


class RussianTemplate(str):
    """A Russian message: filling its placeholders (`format`) does not leave a double period
    where a date ending with an abbreviation ("24 нояб.", "2026 г.") ends a sentence."""

    __slots__ = ()

    def format(self, *args: object, **kwargs: object) -> str:
        return _ABBREVIATION_AND_PERIOD.sub(r"\1.", super().format(*args, **kwargs))


TEMPLATES: dict[str, type[str]] = {"ko": KoreanTemplate, "ru": RussianTemplate}


@cache
def translator(language: str) -> Translator:
    """The translator for one of LANGUAGES (anything else gets English)."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    catalogue: gettext.NullTranslations = gettext.NullTranslations()
    folder = LOCALES_DIR / language / "LC_MESSAGES"
    for po_path in sorted(folder.glob("*.po")):
        domain = _load_domain(language, po_path)
        domain.add_fallback(catalogue)
        catalogue = domain
    return Translator(language, catalogue)
