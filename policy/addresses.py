"""Whether a typed delivery address looks like one for the market (issue 18, defect 4).

Not a postal validation (no address database is available offline): a shape check that keeps
"hello", "I want to return my order" or "반품하고 싶어요" from being taken as an address, and
says what is missing.

- KR: a road-name address (…로 / …길 + building number) or a lot address (…동 / …리 / …가 +
  lot number), with the city or district (…시 / …도 / …구 / …군, or a metropolitan city's
  name); romanized too ("Seocho-gu, Gangnam-daero 369").
- KZ: the city (a city's name, or "г." / "город" / "қ." / "село") and the street with the house
  number ("ул. Абая 10", "Жібек жолы 50", "мкр Самал-2, 15", "Abaya 10").
"""

from __future__ import annotations

import re
from enum import Enum
from itertools import pairwise

from policy.config import parse_market


class AddressIssue(Enum):
    NO_PLACE = "no_place"  # no city or district
    NO_STREET = "no_street"  # no road, street or lot with its number


_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_NUMBER = re.compile(r"\d")

_KR_CITIES = frozenset(
    {
        *("서울", "부산", "대구", "인천", "광주", "대전", "울산", "세종", "제주", "경기", "강원"),
        *("충북", "충남", "전북", "전남", "경북", "경남"),
        *("seoul", "busan", "daegu", "incheon", "gwangju", "daejeon", "ulsan", "sejong", "jeju"),
    }
)
# 서울특별시, 성남시, 경기도, 서초구, 양평군 (and 읍 / 면 of a county), Seocho-gu, Seongnam-si.
_KR_PLACE = re.compile(r"^[가-힣]+(?:시|도|구|군|읍|면)$|^[a-z]+-(?:si|do|gu|gun|eup|myeon)$")
# 강남대로 369, 테헤란로 12길, 역삼동 123-4 ("동" of a lot address), Gangnam-daero, Yeoksam-dong.
_KR_STREET = re.compile(
    r"^[가-힣\d]+(?:로|길|동|리|가)(?:\d+(?:-\d+)?)?$"
    r"|^[a-z\d]+-(?:ro|gil|daero|dong|ri|ga)$|^(?:road|street|st|ro|gil)$"
)

_KZ_CITIES = frozenset(
    {
        *("алматы", "астана", "шымкент", "караганда", "қарағанды", "актобе", "ақтөбе", "тараз"),
        *("павлодар", "усть-каменогорск", "өскемен", "семей", "атырау", "костанай", "қостанай"),
        *("кызылорда", "қызылорда", "уральск", "орал", "петропавловск", "актау", "ақтау"),
        *("темиртау", "туркестан", "кокшетау", "көкшетау", "талдыкорган", "талдықорған"),
        *("экибастуз", "екібастұз", "рудный", "жезказган", "жезқазған", "конаев", "қонаев"),
        *("almaty", "astana", "shymkent", "karaganda", "aktobe", "taraz", "pavlodar", "semey"),
        *("atyrau", "kostanay", "kyzylorda", "uralsk", "oral", "aktau", "turkestan"),
    }
)
# "г. Алматы", "город", "қ." (қала), "с." / "село" / "пос." / "ауыл", "city", "village".
_KZ_PLACE_MARKERS = frozenset(
    {"г", "гор", "город", "қ", "қала", "с", "село", "пос", "поселок", "посёлок", "ауыл"}
    | {"city", "village"}
)
# "ул.", "улица", "пр.", "проспект", "мкр", "көше", "даңғылы", "жолы", "бульвар", "street"...
_KZ_STREET_MARKERS = frozenset(
    {"ул", "улица", "пр", "пр-т", "проспект", "мкр", "микрорайон", "мкрн", "бульвар", "б-р"}
    | {"переулок", "пер", "шоссе", "трасса", "көше", "көшесі", "даңғылы", "жолы", "шағынаудан"}
    | {"street", "st", "avenue", "ave", "microdistrict", "mkr", "lane", "road"}
)


def address_issue(market: str, address: str) -> AddressIssue | None:
    """None when ``address`` looks like a delivery address in ``market`` ("KR" or "KZ"),
    else what is missing (the place first)."""
    words = [word.casefold() for word in _WORD.findall(address)]
    if parse_market(market).value == "KR":
        return _kr_issue(words, address)
    return _kz_issue(words, address)


def _kr_issue(words: list[str], address: str) -> AddressIssue | None:
    place = any(
        _KR_PLACE.match(word) or any(word.startswith(city) for city in _KR_CITIES) for word in words
    )
    if not place:
        return AddressIssue.NO_PLACE
    if not (_NUMBER.search(address) and any(_KR_STREET.match(word) for word in words)):
        return AddressIssue.NO_STREET
    return None


def _kz_issue(words: list[str], address: str) -> AddressIssue | None:
    if not any(word in _KZ_CITIES or word in _KZ_PLACE_MARKERS for word in words):
        return AddressIssue.NO_PLACE
    # A street: a street word, or a name followed by the house number ("Abaya 10").
    named = any(
        word not in _KZ_CITIES and not word.isdigit() and following.isdigit()
        for word, following in pairwise(words)
    )
    has_number = bool(_NUMBER.search(address))
    if not has_number or not (named or any(word in _KZ_STREET_MARKERS for word in words)):
        return AddressIssue.NO_STREET
    return None
