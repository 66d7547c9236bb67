"""Catalogue files: the samples load; a bad file stops start-up naming its line and reason."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from flows.shopping.catalog import CatalogError, load_catalog, load_catalogs

HEADER = "sku,category,name_en,name_ko,name_ru,size,price_krw\n"


def test_sample_catalogues_load_in_their_currencies() -> None:
    catalogs = load_catalogs()
    assert catalogs["KR"].currency == "KRW"
    assert catalogs["KZ"].currency == "KZT"
    assert catalogs["KR"].get("KR-ONG15").price == Decimal(45300)


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ("KR-A,single,A,에이,А,15 mL,abc\n", ":2: price 'abc' is not a number"),
        ("KR-A,single,A,에이,А,15 mL,100\nKR-B,single,B,비,Б,15 mL,-5\n", ":3: price -5 must"),
        ("KR-A,single,,에이,А,15 mL,100\n", ":2: column 'name_en' is empty"),
        ("KR-A,single,A,에이,А,15 mL,100\nKR-A,single,A,에이,А,15 mL,100\n", ":3: sku KR-A"),
        # SKUs and categories go into button tokens
        ("KR A,single,A,에이,А,15 mL,100\n", ":2: sku 'KR A' must be at most 32 bytes"),
        ("KR:A,single,A,에이,А,15 mL,100\n", ":2: sku 'KR:A' must"),
        ("KR-A,body care,A,에이,А,15 mL,100\n", ":2: category 'body care' must"),
        (f"KR-A,{'가' * 11},A,에이,А,15 mL,100\n", ":2: category '가+' must"),
    ],
)
def test_bad_file_fails_with_line_and_reason(tmp_path: Path, rows: str, reason: str) -> None:
    path = tmp_path / "kr.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(CatalogError, match=reason.replace("(", r"\(")) as error:
        load_catalog(path, "KR")
    assert str(path) in str(error.value)


def test_missing_price_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "kr.csv"
    path.write_text("sku,category,name_en,name_ko,name_ru,size,price_kzt\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r":1: missing columns price_krw"):
        load_catalog(path, "KR")
