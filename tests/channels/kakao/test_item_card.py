"""A cart or an order as Kakao's item card, where every field keeps its limits; else text.

The replies are the engine's own (the same ones Telegram and the terminal show as text), so
the card's figures are compared with the text's."""

from __future__ import annotations

from typing import Any

import pytest

from bot.channels.kakao import limits
from bot.channels.kakao.channel import KakaoChannel
from core.engine import Engine
from core.types import Reply
from tests.channels.kakao.test_every_state_limits import NOTICE
from tests.dialogue import Dialogue

CHANNEL = KakaoChannel(block_id="fake-block-fallback")


async def cart(engine: Engine, language: str, products: str) -> list[Reply]:
    """The replies to a Korean customer who puts `products` in the quick order's cart."""
    d = Dialogue(engine, "mina")
    await d.onboard(language, "KR")
    await d.say(f"/order {products}")
    return d.replies


def outputs(replies: list[Reply], notices: tuple[Reply, ...] = ()) -> list[dict[str, Any]]:
    rendered = CHANNEL.render(replies, notices=notices, more="(more)")
    limits.check(rendered.response)
    assert not rendered.rest
    return rendered.response["template"]["outputs"]


def cards(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [output["itemCard"] for output in found if "itemCard" in output]


def bubbles(found: list[dict[str, Any]]) -> str:
    return "\n\n".join(output["simpleText"]["text"] for output in found if "simpleText" in output)


async def test_two_lemons_in_korean_are_an_item_card_with_the_texts_figures(
    engine: Engine,
) -> None:
    replies = await cart(engine, "ko", "레몬 2")
    text = "\n".join(reply.text for reply in replies)  # what Telegram shows
    # R-KR-SHIP-1: ₩36,000 is below ₩50,000, so the ₩4,500 fee applies.
    for figure in ("레몬 15 mL × 2 = 36,000원", "배송비: 4,500원", "총 결제 금액: 40,500원"):
        assert figure in text
    found = outputs(replies)
    [card] = cards(found)
    assert card["head"] == {"title": "🛒 장바구니 (2개)"}
    assert card["itemList"] == [
        {"title": "레몬 ×2", "description": "36,000원"},
        {"title": "배송비", "description": "4,500원"},
    ]
    assert card["itemListSummary"] == {"title": "합계", "description": "40,500원"}
    assert card["itemListAlignment"] == "right"
    # The card stands in for the cart's lines; the rest of the answer stays text, in order.
    assert found.index({"itemCard": card}) == 1
    shown = bubbles(found)
    assert "장바구니에 담았어요" in shown  # the reply before the cart
    assert "14,000원 더 담으면 무료 배송이에요." in shown  # what the card does not say
    assert "레몬 15 mL × 2" not in shown  # not said twice


async def test_a_name_too_long_for_a_row_leaves_the_cart_as_text_with_nothing_lost(
    engine: Engine,
) -> None:
    replies = await cart(engine, "ko", "와일드 오렌지 2")  # 7 characters: a row's title has 6
    assert any(reply.summary is not None for reply in replies)
    found = outputs(replies)
    assert not cards(found)
    shown = bubbles(found)
    for reply in replies:
        assert reply.text.strip() in shown


async def test_a_longer_korean_name_takes_the_quantity_into_the_description(
    engine: Engine,
) -> None:
    [card] = cards(outputs(await cart(engine, "ko", "레몬 2, 페퍼민트 1")))
    # "페퍼민트 ×1" has 7 characters: every product row says its quantity on the right.
    assert card["itemList"] == [
        {"title": "레몬", "description": "×2 · 36,000원"},
        {"title": "페퍼민트", "description": "×1 · 33,000원"},
        {"title": "상품 금액", "description": "69,000원"},
        {"title": "배송비", "description": "무료"},
    ]
    assert card["itemListSummary"] == {"title": "합계", "description": "69,000원"}


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_english_and_russian_carts_stay_text(engine: Engine, language: str) -> None:
    # "Shipping" and "Доставка" have 8 characters: no row of the card can say them.
    replies = await cart(engine, language, "lemon 2")
    found = outputs(replies)
    assert not cards(found)
    assert all(reply.text.strip() in bubbles(found) for reply in replies)


async def test_with_a_notice_the_card_and_the_whole_answer_keep_three_outputs(
    engine: Engine,
) -> None:
    replies = await cart(engine, "ko", "레몬 2")
    short = Reply("고객센터: 오늘 발송돼요.")
    found = outputs(replies, (short,))
    assert len(found) == 3 and "itemCard" in found[1]
    assert bubbles(found).startswith("고객센터: 오늘 발송돼요.")
    # A notice that needs the three bubbles itself: the answer is text, kept for later.
    rendered = CHANNEL.render(replies, notices=(NOTICE, NOTICE), more="(more)")
    limits.check(rendered.response)
    assert not cards(rendered.response["template"]["outputs"])
    assert "레몬 15 mL × 2 = 36,000원" in bubbles(rendered.response["template"]["outputs"]) + (
        rendered.rest
    )


async def test_the_order_review_and_the_placed_order_are_item_cards_in_their_text(
    engine: Engine,
) -> None:
    d = Dialogue(engine, "mina")
    await d.onboard("ko", "KR")
    await d.say("/order 레몬 2")
    await d.tap("주문하기")
    for answer in ("서울시 서초구 강남대로 369, 8층", "010-1234-5678", "김민아"):
        await d.say(answer)
    await d.tap("무통장 입금")
    await d.tap("건너뛰기")  # no member number
    review = outputs(d.replies)
    rows = [
        {"title": "레몬 ×2", "description": "36,000원"},
        {"title": "배송비", "description": "4,500원"},
    ]
    assert [card["itemList"] for card in cards(review)] == [rows]
    assert bubbles(review).startswith("주문 내용을 확인해 주세요")  # above the card
    assert "무료 배송" in bubbles(review) and "배송지: 서울시 서초구" in bubbles(review)  # below
    await d.tap("주문 확정")
    placed = outputs(d.replies)
    [card] = cards(placed)
    assert card["head"] == {"title": "주문 KR-2611-000001"}
    assert (card["itemList"], card["itemListSummary"]["description"]) == (rows, "40,500원")
    shown = bubbles(placed)
    assert "감사해요! 주문이 접수되었어요." in shown and "40,500원을 입금해 주세요" in shown
    assert "무료 배송" not in shown  # a placed order's fee is as charged
