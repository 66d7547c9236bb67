"""A customer back after a pause (issue 18, defect 5): a finished step is not shown again, and
the menu says what is new since (order status)."""

from __future__ import annotations

from datetime import datetime

from core.engine import Engine
from services.orders import DELIVERED, PAID, SHIPPED, expire_unpaid, mark
from storage.db import Database
from tests.conftest import Clock
from tests.dialogue import Dialogue
from tests.quick_order.helpers import all_orders, checkout, confirm, fill_cart

PLACED = "Thank you! Your order is placed."


async def place_order(d: Dialogue, language: str = "en") -> None:
    await fill_cart(d, language, "KR", "lemon 3")
    await checkout(d, "bank_transfer")
    await confirm(d)


async def test_the_next_day_a_delivered_order_is_news_not_a_thank_you_again(
    dialogue: Dialogue, db: Database, clock: Clock
) -> None:
    await place_order(dialogue)
    dialogue.expect(PLACED)
    (order,) = await all_orders(db)
    for status in (PAID, SHIPPED, DELIVERED):
        clock.advance(hours=8)
        await mark(db, order.number, status, clock.now)
    clock.advance(days=1)
    await dialogue.say("hello")
    dialogue.expect(
        "Welcome back!", f"📦 {order.number}: Delivered", "What would you like to do?"
    ).expect_not(PLACED, "couldn't find")


async def test_ko_after_an_automatic_expiry_no_cancel_question_comes_back(
    engine: Engine, db: Database, clock: Clock
) -> None:
    d = Dialogue(engine, "mina")
    await place_order(d, "ko")
    await d.say("/orders")
    await d.tap("KR-")
    await d.tap("주문 취소")
    d.expect_buttons("유지")  # "No, keep it"
    (order,) = await all_orders(db, "mina")
    await expire_unpaid(db, datetime.fromisoformat("2026-12-02T09:00:00+09:00"))
    clock.set("2026-12-02T10:00:00+09:00")
    await d.say("안녕하세요")
    d.expect("다시 찾아 주셔서 반가워요!", f"📦 {order.number}: 취소됨").expect_not("유지")
    assert all("유지" not in b.label for b in d.buttons)


async def test_within_the_same_visit_the_placed_step_still_takes_an_order(
    dialogue: Dialogue, clock: Clock
) -> None:
    await place_order(dialogue)
    clock.advance(minutes=10)
    await dialogue.say("lemon 2")
    dialogue.expect("Added to your cart: Lemon × 2.")
