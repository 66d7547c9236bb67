"""Reading typed quick orders: quantities, typos, three languages, ambiguity, garbage."""

from __future__ import annotations

import pytest

from flows.shopping.catalog import Catalog
from flows.shopping.match import MAX_ITEMS, match, parse_order


@pytest.fixture
def kr(resources) -> Catalog:
    return resources.catalogs["KR"]


@pytest.fixture
def split_quantity(kr: Catalog):
    """The one item read from `typed`: (name as typed, quantity)."""

    def read(typed: str) -> tuple[str, int | None]:
        (item,) = parse_order(typed, kr)
        return item.query, item.quantity

    return read


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("lavender 2", ("lavender", 2)),
        ("2 lavender", ("lavender", 2)),
        ("lavender x3", ("lavender", 3)),
        ("라벤더 2개", ("라벤더", 2)),
        ("лаванда 2 шт", ("лаванда", 2)),
        ("wild orange", ("wild orange", 1)),
        ("lemon 0", ("lemon", None)),
        ("lemon 100", ("lemon", None)),
    ],
)
def test_quantity_before_or_after_the_name(split_quantity, typed: str, expected: tuple) -> None:
    assert split_quantity(typed) == expected


@pytest.mark.parametrize(
    ("query", "sku"),
    [
        ("lavendar", "KR-LAV15"),  # typo
        ("lemmon", "KR-LEM15"),
        ("pepermint", "KR-PEP15"),
        ("orange", "KR-WOR15"),  # one word of the name
        ("라벤더", "KR-LAV15"),
        ("오렌지", "KR-WOR15"),
        ("лаванда", "KR-LAV15"),
        ("дикий апельсин", "KR-WOR15"),
        ("ON GUARD", "KR-ONG15"),
    ],
)
def test_names_match_in_every_language_despite_typos(kr: Catalog, query: str, sku: str) -> None:
    assert match(query, kr) == (sku,)


def test_an_abbreviation_shared_by_two_products_is_ambiguous(kr: Catalog) -> None:
    assert set(match("ла", kr)) == {"KR-LAV15", "KR-FRA15"}  # Лаванда, Ладан


@pytest.mark.parametrize("query", ["hello", "order", "да", "x", "asdf qwerty", "🙂🙂", "x" * 5000])
def test_ordinary_words_match_nothing(kr: Catalog, query: str) -> None:
    assert match(query, kr) == ()


def test_a_whole_order_in_one_line(kr: Catalog) -> None:
    items = parse_order("lavendar 2, lemon; 라벤더 1개", kr)
    assert [(i.quantity, i.skus) for i in items] == [
        (2, ("KR-LAV15",)),
        (1, ("KR-LEM15",)),
        (1, ("KR-LAV15",)),
    ]


def test_a_flood_of_items_is_cut_short(kr: Catalog) -> None:
    assert len(parse_order(", ".join(["lemon"] * 50), kr)) == MAX_ITEMS


@pytest.mark.parametrize("typed", ["lavender -1", "-1 lavender", "lavender 1e9", "lavender 1.5"])
def test_a_quantity_that_is_not_a_whole_positive_number_is_refused(
    split_quantity, typed: str
) -> None:
    assert split_quantity(typed) == ("lavender", None)


@pytest.mark.parametrize(("typed", "expected"), [("lavender ٣", None), ("lavender २", None)])
def test_a_quantity_in_other_digits_is_refused_as_every_typed_number_is(
    split_quantity, typed: str, expected: int | None
) -> None:
    """One rule for a typed whole number (core/parsing.py): ASCII digits, full-width read as
    such; Arabic-Indic or Devanagari digits are not read as a quantity."""
    assert split_quantity(typed) == ("lavender", expected)


def test_a_quantity_typed_in_full_width_digits_is_read(split_quantity) -> None:
    assert split_quantity("라벤더 ２개") == ("라벤더", 2)


# -- issue 18, defect 3: nothing typed is dropped ----------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("orange lemon", [("KR-WOR15", 1), ("KR-LEM15", 1)]),
        ("wild orange 2 lemon 1", [("KR-WOR15", 2), ("KR-LEM15", 1)]),
        ("라벤더 2개 레몬 1개", [("KR-LAV15", 2), ("KR-LEM15", 1)]),
        ("레몬 두개", [("KR-LEM15", 2)]),
        ("레몬 세 병", [("KR-LEM15", 3)]),
        ("lavender two", [("KR-LAV15", 2)]),
        ("лаванда две, лимон 3 шт", [("KR-LAV15", 2), ("KR-LEM15", 3)]),
        ("2 lavender 3 lemon", [("KR-LAV15", 2), ("KR-LEM15", 3)]),
        ("lemon lavender peppermint", [("KR-LEM15", 1), ("KR-LAV15", 1), ("KR-PEP15", 1)]),
        ("ти три", [("KR-TEA15", 1)]),  # "три" ends the name here; it is not a quantity
    ],
)
def test_several_items_without_commas_with_counters_and_number_words(
    kr: Catalog, typed: str, expected: list
) -> None:
    assert [(i.skus[0], i.quantity) for i in parse_order(typed, kr)] == expected


@pytest.mark.parametrize(
    ("query", "sku"),
    [("라벤다", "KR-LAV15"), ("민트", "KR-PEP15"), ("дип блю", "KR-DBR120"), ("мята", "KR-PEP15")],
)
def test_spelling_variants_and_transliterations_match(kr: Catalog, query: str, sku: str) -> None:
    assert match(query, kr) == (sku,)


def test_words_that_name_nothing_come_back_as_an_item(kr: Catalog) -> None:
    items = parse_order("lemon unicorn tears 2", kr)
    assert [(i.query, i.skus) for i in items] == [("lemon", ("KR-LEM15",)), ("unicorn tears", ())]
