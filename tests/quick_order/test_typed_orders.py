"""Typed quick orders keep everything typed (issue 18, defect 3): several items with or
without commas, counters and number words, spelling variants and transliterations, and what
was not understood said item by item before anything goes into the cart."""

from __future__ import annotations

import pytest

from core.engine import Engine
from tests.dialogue import Dialogue
from tests.quick_order.helpers import fill_cart


@pytest.mark.parametrize(
    ("language", "typed", "added"),
    [
        ("en", "orange lemon", "Added to your cart: Wild Orange × 1, Lemon × 1."),
        ("en", "wild orange 2 lemon 1", "Added to your cart: Wild Orange × 2, Lemon × 1."),
        ("en", "lavender two", "Added to your cart: Lavender × 2."),
        ("ko", "라벤더 2개 레몬 1개", "장바구니에 담았어요: 라벤더 × 2, 레몬 × 1."),
        ("ko", "레몬 두개", "장바구니에 담았어요: 레몬 × 2."),
        ("ko", "라벤다 2", "장바구니에 담았어요: 라벤더 × 2."),
        ("ko", "민트", "장바구니에 담았어요: 페퍼민트 × 1."),
        ("ru", "дип блю", "Добавлено в корзину: Крем Deep Blue × 1."),
        ("ru", "лаванда две лимон 3 шт", "Добавлено в корзину: Лаванда × 2, Лимон × 3."),
    ],
)
async def test_the_whole_typed_order_goes_into_the_cart(
    engine: Engine, language: str, typed: str, added: str
) -> None:
    d = Dialogue(engine, "mina")
    await fill_cart(d, language, "KR", typed)
    d.expect(added)


async def test_ko_what_was_not_understood_is_said_before_anything_is_added(
    engine: Engine,
) -> None:
    d = Dialogue(engine, "mina")
    await fill_cart(d, "ko", "KR", "라벤더 2개 유니콘 1개")
    d.expect("✅ 라벤더 × 2", "❌").expect_not("장바구니에 담았어요")
    await d.say("/help")  # describes this screen, not the choice among several products
    d.expect("“이해한 상품 담기”", "주문 내용을 다시 입력").expect_not("해당 없음")
    await d.tap("✅")
    d.expect("장바구니에 담았어요: 라벤더 × 2.")


async def test_help_on_the_unclear_order_screen_describes_it(engine: Engine) -> None:
    d = Dialogue(engine, "mina")
    await fill_cart(d, "en", "KR", "lavender 2 unicorn 1")
    d.expect("Nothing is in your cart yet")
    await d.say("/help")
    d.expect("Add what I understood", "type the whole order again")
    d.expect_not("Tap the product you meant")
    await d.say("lavender 2 lemon 1")
    d.expect("Added to your cart: Lavender × 2, Lemon × 1.")


async def test_a_number_word_answers_the_quantity_question(dialogue: Dialogue) -> None:
    await dialogue.onboard("en", "KR")
    await dialogue.say("/order")
    await dialogue.tap("Single oils")
    await dialogue.tap("Lemon")
    await dialogue.say("three")
    dialogue.expect("Added to your cart: Lemon × 3.")
