"""The recipient's name and the member number (issue 18, defect 4): asked in the checkout,
checked for the market, stored on the order and shown wherever the order is."""

from __future__ import annotations

from core.engine import Engine
from core.i18n import translator
from flows.quick_order.actions import Checkout, OpenOrder, ToOrders
from flows.quick_order.staff import order_card
from storage.db import Database
from tests.dialogue import Dialogue
from tests.quick_order.helpers import (
    FAR_FUTURE,
    PHONE,
    all_orders,
    confirm,
    fill_cart,
)

KR_ADDRESS = "서울특별시 서초구 강남대로 369, 8층"


async def at_the_recipient(engine: Engine, language: str) -> Dialogue:
    d = Dialogue(engine, "alice")
    await fill_cart(d, language, "KR", "lemon 2")
    await d.press(Checkout())
    await d.say(KR_ADDRESS)
    return await d.say(PHONE)


async def test_ko_recipient_and_member_number_reach_the_order_the_detail_and_staff(
    engine: Engine, db: Database
) -> None:
    d = await at_the_recipient(engine, "ko")
    d.expect("택배는 어느 분이 받으세요?", "한글이나 영문")
    await d.say("Иван Петров")
    d.expect("받는 분 이름을 한글이나 영문으로 입력해 주세요").expect_not("결제")
    await d.say("김민아 010")
    d.expect("받는 분의 이름만 입력해 주세요")
    await d.say("김민아")
    d.expect("결제")
    await d.tap("무통장 입금")
    d.expect("주문자 이름과 회원번호", "회원번호가 어떻게 되세요?").expect_buttons("건너뛰기")
    await d.say("12-34")
    d.expect("회원번호는 6~12자리 숫자예요")
    await d.say("1234-5678")
    d.expect("주문 내용을 확인해 주세요:", "받는 분: 김민아", "회원번호: 12345678")
    await confirm(d)
    d.expect("입금자명은 주문자 이름과 회원번호(12345678)로 해 주세요.", "받는 분: 김민아")
    [order] = await all_orders(db)
    assert (order.recipient_name, order.member_number) == ("김민아", "12345678")

    await d.press(ToOrders())
    await d.press(OpenOrder(order.id))
    d.expect(order.number, "받는 분: 김민아", "회원번호: 12345678")

    async with db.transaction() as tx:
        [staff] = await tx.outbox.due(FAR_FUTURE, channel="staff")
    card = order_card(translator("ko"), staff.payload)
    assert "받는 분: 김민아" in card.lines and "회원번호: 12345678" in card.lines


async def test_the_name_step_still_refuses_a_card_number(engine: Engine, db: Database) -> None:
    d = await at_the_recipient(engine, "en")
    await d.say("4111 1111 1111 1111")
    d.expect("never send a password or a card number").expect_not("How would you like to pay")
    await d.say("Kim Mina")
    d.expect("How would you like to pay?")
    async with db.transaction() as tx:
        user = await tx.users.find("test", "alice")
    assert user is not None and user.recipient_name == "Kim Mina"


async def test_ru_the_member_number_may_be_skipped_by_typing(engine: Engine, db: Database) -> None:
    d = Dialogue(engine, "alice")
    await fill_cart(d, "ru", "KR", "лимон 2")
    await d.press(Checkout())
    await d.say(KR_ADDRESS)
    await d.say(PHONE)
    await d.say("Kim Mina")
    await d.say("банковский перевод")
    d.expect("Какой у вас номер участника?")
    await d.say("пропустить")
    d.expect("Пожалуйста, проверьте заказ:", "Получатель: Kim Mina").expect_not("Номер участника")
    await confirm(d)
    d.expect("При переводе укажите имя заказчика и номер участника.")
    [order] = await all_orders(db)
    assert (order.recipient_name, order.member_number) == ("Kim Mina", "")
