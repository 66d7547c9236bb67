"""What looks like a delivery address in each market (policy/addresses.py)."""

from __future__ import annotations

import pytest

from policy import AddressIssue, address_issue


@pytest.mark.parametrize(
    ("market", "address"),
    [
        ("KR", "Seoul, Seocho-gu, Gangnam-daero 369, 8F"),
        ("KR", "서울특별시 서초구 강남대로 369, 8층"),
        ("KR", "서울 강남구 역삼동 123-4"),
        ("KR", "경기도 성남시 분당구 판교역로 235"),
        ("KR", "서울시 마포구 와우산로21길 19-3"),
        ("KR", "제주시 연동 123"),
        ("KZ", "Алматы, проспект Абая 10, кв. 5"),
        ("KZ", "Алматы, Әуезов ауданы, Жібек жолы 50, кв. 5"),
        ("KZ", "г. Караганда, мкр Степной-2, д. 15"),
        ("KZ", "Almaty, Abaya 10, apt 5"),
    ],
)
def test_addresses_of_the_market_pass(market: str, address: str) -> None:
    assert address_issue(market, address) is None


@pytest.mark.parametrize(
    ("market", "address", "issue"),
    [
        ("KR", "hello", AddressIssue.NO_PLACE),
        ("KR", "I want to return my order", AddressIssue.NO_PLACE),
        ("KR", "반품하고 싶어요", AddressIssue.NO_PLACE),
        ("KR", "서울 서초구", AddressIssue.NO_STREET),
        ("KZ", "Хочу вернуть заказ", AddressIssue.NO_PLACE),
        ("KZ", "ул. Абая 10", AddressIssue.NO_PLACE),
        ("KZ", "Алматы", AddressIssue.NO_STREET),
    ],
)
def test_what_is_missing_is_named(market: str, address: str, issue: AddressIssue) -> None:
    assert address_issue(market, address) is issue
