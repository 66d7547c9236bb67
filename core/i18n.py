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
        return self._catalogue.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalogue.ngettext(singular, plural, n)

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
        return f"{format_skeleton('yMMMd', local, locale=self.locale)} {local:%H:%M}"


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
