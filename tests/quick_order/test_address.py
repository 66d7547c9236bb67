"""The delivery address must look like one for the market (issue 18, defect 4): any five
characters were taken ("hello", "I want to return my order", "반품하고 싶어요")."""

from __future__ import annotations

import pytest

from core.engine import Engine
from flows.quick_order.actions import Checkout
from tests.dialogue import Dialogue
from tests.quick_order.helpers import fill_cart


async def at_the_address(engine: Engine, language: str, market: str) -> Dialogue:
    d = Dialogue(engine, "mina")
    await fill_cart(d, language, market, "lemon 2")
    return await d.press(Checkout())


@pytest.mark.parametrize("typed", ["hello", "I want to return my order"])
async def test_words_that_are_no_address_are_explained_in_english(
    engine: Engine, typed: str
) -> None:
    d = await at_the_address(engine, "en", "KR")
    await d.say(typed)
    d.expect("does not look like a delivery address in Korea", "city and district")
    d.expect_not("Which phone number")
    await d.say("서울 강남구 역삼동 123-4")  # a lot address
    d.expect("Which phone number should the courier call?")


async def test_ko_a_request_is_no_address_and_a_road_name_without_number_is_told(
    engine: Engine,
) -> None:
    d = await at_the_address(engine, "ko", "KR")
    await d.say("반품하고 싶어요")
    d.expect("한국 배송지 주소").expect_not("어느 번호로 연락")
    await d.say("서울 서초구")
    d.expect("도로명과 건물 번호")
    await d.say("서울특별시 서초구 강남대로 369, 8층")
    d.expect("어느 번호로 연락하면 될까요?")


async def test_ru_kz_needs_the_city_and_the_street(engine: Engine) -> None:
    d = await at_the_address(engine, "ru", "KZ")
    await d.say("ул. Абая 10")
    d.expect("с города")
    await d.say("Алматы")
    d.expect("улицу и номер дома")
    await d.say("Алматы, ул. Абая 10, кв. 5")
    d.expect("+7 701 123 45 67")
