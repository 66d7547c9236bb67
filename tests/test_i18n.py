"""Every message the code can show exists, translated, in Korean and Russian."""

from __future__ import annotations

from decimal import Decimal

from bot import i18n_tool
from core.i18n import translator


def test_catalogues_complete_and_current() -> None:
    problems = i18n_tool.problems()
    assert not problems, "run `make i18n` and translate:\n" + "\n".join(problems[:40])


def test_every_domain_has_both_languages() -> None:
    for domain in i18n_tool.templates():
        for language in i18n_tool.TRANSLATED:
            assert i18n_tool.po_path(language, domain).exists(), (domain, language)


def test_money_is_formatted_for_the_locale() -> None:
    assert translator("ko").money(Decimal(50000), "KRW") == "₩50,000"
    assert translator("en").money(Decimal(4500), "KRW") == "₩4,500"
    assert translator("ru").money(Decimal(14500), "KZT").replace("\xa0", " ") == "14 500 KZT"
    assert translator("en").money(Decimal("150.5"), "USD") == "$150.50"


def test_unknown_language_falls_back_to_english() -> None:
    assert translator("xx")._("Menu") == "Menu"
    assert translator("ko")._("Menu") == "메뉴"
