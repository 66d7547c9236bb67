"""Reading a quick order typed like a KakaoTalk message: "lavender 2, lemon", "라벤더 2개",
"лаванда 2 шт", "2 x wild orange".

Items are separated by commas (or ; + and new lines); each may carry a quantity before or
after the name (default 1). Names match the catalogue's names in all three languages with
rapidfuzz, so typos ("lavendar") still match; when several products match about equally well
the item is ambiguous and the customer picks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from core.parsing import typed_whole_number
from flows.shopping.cart import MAX_QUANTITY
from flows.shopping.catalog import Catalog

MAX_TEXT = 500  # characters read; nobody types a longer order
MAX_ITEMS = 10
MIN_QUERY = 2  # a single letter names nothing
MIN_SCORE = 80  # below this, "hello" or "order" would match some product
TIE_MARGIN = 5  # products within this many points of the best are a tie: ask
MAX_CHOICES = 5

_SEPARATORS = re.compile(r"[,;+\n、，]+")
_UNIT = r"(?:개|병|ea|pcs?|шт\w*\.?)"
# A quantity as typed, signs and exponents included, so that "-1" or "1e9" is refused as a
# quantity rather than read as "1" or "9".
_NUMBER = r"[-+]?\d[\d.,e]*"
_QUANTITY_AFTER = re.compile(
    rf"^(?P<name>.*?[^\W\d_])\s*[x×*]?\s*(?P<qty>{_NUMBER})\s*{_UNIT}?$", re.IGNORECASE
)
_QUANTITY_BEFORE = re.compile(
    rf"^(?P<qty>{_NUMBER})\s*(?:{_UNIT}|[x×*])?\s+(?P<name>.+)$", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Item:
    query: str  # the name as typed
    quantity: int | None  # None: a number outside 1..MAX_QUANTITY
    skus: tuple[str, ...]  # one: found; several: ambiguous, best first; none: not found


def parse_order(text: str, catalog: Catalog) -> list[Item]:
    parts = [part.strip() for part in _SEPARATORS.split(text[:MAX_TEXT])]
    return [_item(part, catalog) for part in parts if part][:MAX_ITEMS]


def _item(part: str, catalog: Catalog) -> Item:
    name, quantity = split_quantity(part)
    return Item(name or part, quantity, match(name, catalog))


def split_quantity(part: str) -> tuple[str, int | None]:
    """("lavender", 2) from "lavender 2", "2 lavender", "lavender x2", "라벤더 2개"."""
    found = _QUANTITY_AFTER.match(part) or _QUANTITY_BEFORE.match(part)
    if found is None:
        return part, 1
    return found["name"].strip(), typed_whole_number(found["qty"], 1, MAX_QUANTITY)


def match(query: str, catalog: Catalog, among: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The SKUs whose names best match `query` (several when it is a tie), limited to
    `among` when given."""
    wanted = default_process(query)
    if len(wanted) < MIN_QUERY:
        return ()
    scores = {
        product.sku: max(_score(wanted, default_process(name)) for name in product.names.values())
        for product in catalog.products
        if among is None or product.sku in among
    }
    ranked = sorted(
        ((score, sku) for sku, score in scores.items() if score >= MIN_SCORE), reverse=True
    )
    if not ranked:
        return ()
    best = ranked[0][0]
    return tuple(sku for score, sku in ranked if score >= best - TIE_MARGIN)[:MAX_CHOICES]


def _score(query: str, name: str) -> float:
    if query == name:
        return 100
    # The start of the name or of one of its words ("orange", "лаван", "라벤"): what people
    # type when they abbreviate, and sure evidence even when short.
    if any(word.startswith(query) for word in (name, *name.split())):
        return 95
    # Fragments of two or three letters occur inside many names: compare them whole.
    if len(query) < 4:
        return fuzz.ratio(query, name)
    return fuzz.WRatio(query, name)
