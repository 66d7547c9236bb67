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
    """Issue 18, defect 11: Korean prices read "18,000원", Russian tenge "₸", English "KZT 29,000"
    with a (no-break) space."""
    assert translator("ko").money(Decimal(18000), "KRW") == "18,000원"
    assert translator("en").money(Decimal(4500), "KRW") == "₩4,500"
    assert translator("ru").money(Decimal(14500), "KZT").replace("\xa0", " ") == "14 500 ₸"
    assert translator("en").money(Decimal(29000), "KZT").replace("\xa0", " ") == "KZT 29,000"
    assert translator("en").money(Decimal("150.5"), "USD") == "$150.50"
    assert translator("en").money(Decimal("-0"), "KZT") != translator("en").money(0, "KZT")


def test_unknown_language_falls_back_to_english() -> None:
    assert translator("xx")._("Menu") == "Menu"
    assert translator("ko")._("Menu") == "메뉴"
