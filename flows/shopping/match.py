"""Reading a quick order typed like a KakaoTalk message: "lavender 2, lemon", "라벤더 2개 레몬
1개", "лаванда 2 шт", "2 x wild orange", "orange lemon", "레몬 두개", "lavender two".

Commas (or ; + and new lines) separate items, but people often leave them out, so each part is
read word by word: a quantity (digits or a number word, with or without a counter such as 개,
병, шт, pcs) ends an item when quantities follow the names ("wild orange 2 lemon 1") and starts
one when the part begins with a quantity ("2 lavender 3 lemon"); the words between quantities
are split into as many catalogue names as they best cover ("orange lemon" is two products,
"wild orange" one). Nothing typed is dropped: words that name no product come back as an item
with no product, so the customer is told.

Names match the catalogue's names in all three languages with rapidfuzz, so typos
("lavendar") still match, and so do spelling variants: Korean is also compared letter by
letter (라벤다 ~ 라벤더), Cyrillic also in Latin letters (дип блю ~ Deep Blue), and the end
of a compound name's word counts (민트 of 페퍼민트). When several products match about equally
well the item is ambiguous and the customer picks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache, partial

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from core.parsing import COUNTER, typed_count, typed_whole_number
from flows.shopping.cart import MAX_QUANTITY
from flows.shopping.catalog import Catalog

MAX_TEXT = 500  # characters read; nobody types a longer order
MAX_ITEMS = 10
MAX_NAME_WORDS = 4  # the longest catalogue name people type has four words
MAX_WORDS = MAX_ITEMS * MAX_NAME_WORDS  # read of one part: enough for MAX_ITEMS names
MIN_QUERY = 2  # a single letter names nothing
MIN_SPELLED = 3  # two letters sound like the start of too many names ("my" ~ "mint")
MIN_SCORE = 80  # below this, "hello" or "order" would match some product
TIE_MARGIN = 5  # products within this many points of the best are a tie: ask
MAX_CHOICES = 5

_SEPARATORS = re.compile(r"[,;+\n、，]+")
# A quantity as typed, signs and exponents included, so that "-1" or "1e9" is refused as a
# quantity rather than read as "1" or "9" or as a name; "x3", "×3" and "3개" glued on.
_NUMERIC = re.compile(rf"[x×*]?(?P<number>[-+]?\d[\d.,e]*)(?:{COUNTER})?", re.IGNORECASE)
_FILLER = re.compile(rf"[x×*]|{COUNTER}", re.IGNORECASE)  # "2 x lemon", "2 шт"
_HANGUL = re.compile("[\uac00-\ud7a3]")
# Cyrillic in Latin letters the way product names are spelled in English.
_LATIN = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфцыэ", "abvgdeziiklmnoprstufcye", strict=True)),
        **{"ж": "zh", "х": "h", "ч": "ch", "ш": "sh", "щ": "sh", "ю": "yu", "я": "ya"},
        **{"ё": "e", "ъ": "", "ь": ""},
    }
)
# Spellings of one sound in English names and in Latin-lettered Russian: "deep" ~ "дип",
# "blue" ~ "блю", "tea tree" ~ "ти три", "peppermint" ~ "пеперминт".
_SOUNDS = (
    (re.compile(r"yu|ue\b|oo"), "u"),
    (re.compile(r"ee|ea|y"), "i"),
    (re.compile(r"(.)\1"), r"\1"),
)


@dataclass(frozen=True, slots=True)
class Item:
    query: str  # the name as typed
    quantity: int | None  # None: a number outside 1..MAX_QUANTITY
    skus: tuple[str, ...]  # one: found; several: ambiguous, best first; none: not found


@dataclass(frozen=True, slots=True)
class _Group:
    """Name words and the quantity typed with them."""

    words: list[str]
    typed: str  # the quantity as typed; "" when none was
    quantity: int | None  # 1 when none was typed; None: not a valid quantity
    quantity_first: bool


# The best score and SKUs for a query (`_ranked` over one catalogue, remembered for one order:
# the split of a part into names asks about the same words several times).
Ranked = Callable[[str], tuple[float, tuple[str, ...]]]


def parse_order(text: str, catalog: Catalog) -> list[Item]:
    ranked: Ranked = cache(partial(_ranked, catalog=catalog))
    items = [
        item
        for part in _SEPARATORS.split(text[:MAX_TEXT])
        for group in _groups(part.split()[:MAX_WORDS], ranked)
        for item in _items(group, ranked)
    ]
    return items[:MAX_ITEMS]


def _is_quantity(word: str) -> bool:
    return bool(_NUMERIC.fullmatch(word)) or typed_count(word, 1, MAX_QUANTITY) is not None


def _quantity(word: str) -> int | None:
    """The quantity a word states; None: not a whole number from 1 to MAX_QUANTITY."""
    numeric = _NUMERIC.fullmatch(word)
    if numeric is not None:
        return typed_whole_number(numeric["number"], 1, MAX_QUANTITY)
    return typed_count(word, 1, MAX_QUANTITY)


def _groups(words: list[str], ranked: Ranked) -> list[_Group]:
    """The part's words cut at its quantities: after the names, unless it starts with one."""
    quantity_first = bool(words) and _is_quantity(words[0])
    groups: list[_Group] = []
    names: list[str] = []
    for word in words:
        if not _is_quantity(word) or _ends_name(names, word, ranked):
            if not _FILLER.fullmatch(word):
                names.append(word)
            continue
        if quantity_first:
            if groups:
                groups[-1].words.extend(names)
            groups.append(_Group([], word, _quantity(word), True))
        else:
            groups.append(_Group(names, word, _quantity(word), False))
        names = []
    if quantity_first:
        groups[-1].words.extend(names)
    elif names:
        groups.append(_Group(names, "", 1, False))
    return groups


def _ends_name(names: list[str], word: str, ranked: Ranked) -> bool:
    """Whether a number word is the end of a product's name ("ти три": Tea Tree), not a
    quantity ("лаванда три")."""
    if not names or _NUMERIC.fullmatch(word):
        return False
    alone = ranked(names[-1])[0]
    return ranked(f"{names[-1]} {word}")[0] > max(alone, MIN_SCORE)


def _items(group: _Group, ranked: Ranked) -> list[Item]:
    """The products the group's words name; its quantity goes with the name next to it, the
    others are one each."""
    spans = _split_names(group.words, ranked)
    if not spans:  # a quantity with no name: say what was typed
        return [Item(group.typed, None, ())]
    near = 0 if group.quantity_first else len(spans) - 1
    return [
        Item(query, group.quantity if index == near else 1, skus)
        for index, (query, skus) in enumerate(spans)
    ]


def _split_names(words: list[str], ranked: Ranked) -> list[tuple[str, tuple[str, ...]]]:
    """`words` as consecutive names (query, SKUs): the split whose matched names cover the
    words best (score x words), then the one with fewer names. Words that match nothing
    come back together as one name without SKUs."""
    # best[i]: (weight, -names, spans) of the best split of words[:i]
    best: list[tuple[float, int, list[tuple[str, tuple[str, ...]]]]] = [(0, 0, [])]
    for end in range(1, len(words) + 1):
        options = []
        for start in range(max(0, end - MAX_NAME_WORDS), end):
            query = " ".join(words[start:end])
            score, skus = ranked(query)
            weight, names, spans = best[start]
            if skus:
                options.append((weight + score * (end - start), names - 1, [*spans, (query, skus)]))
            elif end - start == 1:
                options.append((weight, names - 1, _unmatched(spans, query)))
        best.append(max(options, key=lambda option: option[:2]))
    return best[-1][2]


def _unmatched(
    spans: list[tuple[str, tuple[str, ...]]], word: str
) -> list[tuple[str, tuple[str, ...]]]:
    """`spans` followed by a word that names nothing, joined to unmatched words before it."""
    if spans and not spans[-1][1]:
        return [*spans[:-1], (f"{spans[-1][0]} {word}", ())]
    return [*spans, (word, ())]


def match(query: str, catalog: Catalog, among: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The SKUs whose names best match `query` (several when it is a tie), limited to
    `among` when given."""
    return _ranked(query, catalog, among)[1]


def _ranked(
    query: str, catalog: Catalog, among: tuple[str, ...] | None = None
) -> tuple[float, tuple[str, ...]]:
    """The best score for `query` and the SKUs within TIE_MARGIN of it (none: no match)."""
    wanted = default_process(query)
    if len(wanted) < MIN_QUERY:
        return 0, ()
    scores = {
        product.sku: max(_score(wanted, default_process(name)) for name in product.names.values())
        for product in catalog.products
        if among is None or product.sku in among
    }
    ranked = sorted(
        ((score, sku) for sku, score in scores.items() if score >= MIN_SCORE), reverse=True
    )
    if not ranked:
        return 0, ()
    best = ranked[0][0]
    return best, tuple(sku for score, sku in ranked if score >= best - TIE_MARGIN)[:MAX_CHOICES]


def _score(query: str, name: str) -> float:
    as_typed = _similarity(query, name, hangul=bool(_HANGUL.search(query)))
    if len(query) < MIN_SPELLED:
        return as_typed
    return max(
        as_typed, _similarity(_spelled(query), _spelled(name), hangul=False, short=len(query))
    )


@lru_cache(maxsize=4096)
def _spelled(text: str) -> str:
    """`text` as it sounds, roughly: Korean syllables as their letters (라벤다 -> ㄹㅏㅂㅔㄴㄷㅏ),
    Cyrillic in Latin letters, common English spellings of one sound made one."""
    text = unicodedata.normalize("NFD", text.translate(_LATIN))
    for spelling, sound in _SOUNDS:
        text = spelling.sub(sound, text)
    return text


def _similarity(query: str, name: str, *, hangul: bool, short: int | None = None) -> float:
    """How well `query` names `name`; `short` is the query's length as typed (its spelled
    form may be longer: a Korean syllable is two or three letters)."""
    if query == name:
        return 100
    words = (name, *name.split())
    # The start of the name or of one of its words ("orange", "лаван", "라벤"): what people
    # type when they abbreviate, and sure evidence even when short.
    if any(word.startswith(query) for word in words):
        return 95
    # Several words: each the start of a word of the name ("blue rub"), or the whole a near
    # spelling of it ("on gard"); never a name found somewhere inside them ("lemon unicorn").
    if " " in query:
        if all(any(word.startswith(part) for word in words) for part in query.split()):
            return 95
        return fuzz.ratio(query, name)
    # The end of a word of a compound name: "민트" of "페퍼민트", "mint" of "peppermint". A
    # Korean syllable says as much as two Latin letters.
    if len(query) >= (2 if hangul else 4) and any(word.endswith(query) for word in words):
        return 90
    # Fragments of two or three letters occur inside many names: compare them whole.
    if (short or len(query)) < 4:
        return fuzz.ratio(query, name)
    return fuzz.WRatio(query, name)
