"""Product catalogues: one CSV per market (`catalog/kr.csv`, `catalog/kz.csv`).

The shipped files are SAMPLE data (the source documents list no products or prices); an
operator replaces them or points ORDERBOT_CATALOG_DIR at a folder of their own. A bad file
stops start-up with its line number and the reason, rather than selling at a wrong price.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import policy

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "catalog"
NAME_COLUMNS = {"en": "name_en", "ko": "name_ko", "ru": "name_ru"}
REQUIRED = ("sku", "category", "name_en", "name_ko", "name_ru", "size")
# SKUs and categories travel in button tokens (64 bytes in all, core/actions.py): at most 32
# bytes without spaces or ':'; checked here, so that no screen fails to pack its buttons.
CODE_BYTES = 32
_CODE = re.compile(r"[^\s:]+")


class CatalogError(ValueError):
    """A catalogue file that cannot be sold from; the message names file, line and reason."""


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    category: str
    names: dict[str, str]  # language -> name
    size: str
    price: Decimal

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


@dataclass(frozen=True, slots=True)
class Catalog:
    market: str
    currency: str
    products: tuple[Product, ...]

    def categories(self) -> list[str]:
        return list(dict.fromkeys(p.category for p in self.products))

    def in_category(self, category: str) -> list[Product]:
        return [p for p in self.products if p.category == category]

    def get(self, sku: str) -> Product | None:
        return next((p for p in self.products if p.sku == sku), None)


def _product(row: dict[str, str], price_column: str, where: str) -> Product:
    for column in (*REQUIRED, price_column):
        if not (row.get(column) or "").strip():
            raise CatalogError(f"{where}: column {column!r} is empty")
    for column in ("sku", "category"):
        code = row[column].strip()
        if not (_CODE.fullmatch(code) and code.isprintable() and len(code.encode()) <= CODE_BYTES):
            raise CatalogError(
                f"{where}: {column} {code!r} must be at most {CODE_BYTES} bytes, "
                "without spaces or ':'"
            )
    try:
        price = Decimal(row[price_column].strip())
    except InvalidOperation:
        raise CatalogError(f"{where}: price {row[price_column]!r} is not a number") from None
    if price <= 0 or price != price.to_integral_value():
        raise CatalogError(f"{where}: price {price} must be a positive whole amount")
    return Product(
        sku=row["sku"].strip(),
        category=row["category"].strip(),
        names={lang: row[column].strip() for lang, column in NAME_COLUMNS.items()},
        size=row["size"].strip(),
        price=price,
    )


def load_catalog(path: Path, market: str) -> Catalog:
    currency = policy.currency(market)
    price_column = f"price_{currency.lower()}"
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in (*REQUIRED, price_column) if c not in (reader.fieldnames or [])]
        if missing:
            raise CatalogError(f"{path}:1: missing columns {', '.join(missing)}")
        products: list[Product] = []
        seen: set[str] = set()
        for line, row in enumerate(reader, start=2):
            product = _product(row, price_column, f"{path}:{line}")
            if product.sku in seen:
                raise CatalogError(f"{path}:{line}: sku {product.sku} appears twice")
            seen.add(product.sku)
            products.append(product)
    if not products:
        raise CatalogError(f"{path}: no products")
    return Catalog(market, currency, tuple(products))


def load_catalogs(folder: Path | None = None) -> dict[str, Catalog]:
    folder = folder or DEFAULT_DIR
    catalogs = {}
    for market in ("KR", "KZ"):
        path = folder / f"{market.lower()}.csv"
        if not path.exists():
            raise CatalogError(f"{path}: catalogue file missing")
        catalogs[market] = load_catalog(path, market)
    return catalogs
