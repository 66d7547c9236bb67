"""The same journeys in Korean and Russian: what those customers read and tap."""

from __future__ import annotations

from datetime import datetime

from core.actions import MenuChoice
from core.engine import Engine
from services.orders import expire_unpaid, mark
from storage.db import Database
from tests.conftest import Clock
from tests.dialogue import Dialogue
from tests.quick_order.helpers import (
    all_orders,
    checkout,
    confirm,
    confirm_action,
    fill_cart,
    notices,
)

NUMBER = "KR-2611-000001"
NBSP = "\u00a0"  # Russian groups digits and separates the currency with no-break spaces
DEADLINE_RU = "1 дек. 2026\u202fг. в 23:59"  # Babel puts a narrow no-break space before "г."


def rub(amount: str, currency: str = "₩") -> str:
    """'50 000' -> '50 000 ₩' as Babel writes it for Russian."""
    return amount.replace(" ", NBSP) + NBSP + currency


# -- Korean --------------------------------------------------------------------------------
async def test_ko_exactly_50000_ships_free(dialogue: Dialogue) -> None:
    await fill_cart(dialogue, "ko", "KR", "레몬 1, 와일드 오렌지 2개")
    dialogue.expect(
        "장바구니에 담았어요: 레몬 × 1, 와일드 오렌지 × 2.",
        "🛒 장바구니 (3개):",
        "상품 금액: 50,000원",
        "배송비: 무료",
        "총 결제 금액: 50,000원",
    ).expect_buttons("주문하기", "더 담기", "장바구니 수정")


async def test_ko_below_50000_pays_the_fee(dialogue: Dialogue) -> None:
    await fill_cart(dialogue, "ko", "KR", "온가드")
    dialogue.expect(
        "상품 금액: 45,300원",
        "배송비: 4,500원 (4,700원 더 담으면 무료 배송이에요)",
        "총 결제 금액: 49,800원",
    )


async def test_ko_menu_path_and_quantity_check(dialogue: Dialogue) -> None:
    await dialogue.onboard("ko", "KR")
    await dialogue.press(MenuChoice("quick_order"))
    dialogue.expect("어떤 상품을 주문하시겠어요?").expect_buttons("싱글 오일", "블렌드 오일")
    await dialogue.tap("싱글 오일")
    await dialogue.tap("라벤더")
    dialogue.expect("라벤더 15 mL · 35,000원, 몇 개 주문할까요?")
    await dialogue.say("0")
    dialogue.expect("숫자를 누르거나 1에서 99 사이의 수량을 입력해 주세요.")
    await dialogue.tap("2")
    dialogue.expect("장바구니에 담았어요: 라벤더 × 2.", "총 결제 금액: 70,000원")


async def test_ko_bank_transfer_on_the_closing_day(
    dialogue: Dialogue, clock: Clock, db: Database
) -> None:
    clock.set("2026-11-30T10:00:00+09:00")  # Monday, November's last business day
    await fill_cart(dialogue, "ko", "KR", "레몬 1, 와일드 오렌지 2")
    await checkout(dialogue, "bank_transfer")
    dialogue.expect(
        "주문 내용을 확인해 주세요:",
        "결제 방법: 무통장 입금",
        "구입 월: 2026년 11월",
        "2026년 11월 30일 23:59까지 입금해 주세요. 그때까지 입금되지 않으면 주문이 자동으로 "
        "취소돼요.",
        "월 마감일에 접수된 주문은 그달의 마지막 날까지 입금해야 해요.",
    ).expect_buttons("주문 확정", "배송지 변경", "결제 방법 변경")
    await confirm(dialogue)
    dialogue.expect(
        "✅ 감사해요! 주문이 접수되었어요.",
        "주문 KR-2611-000001 · 결제 대기",
        "다음 계좌로 50,000원을 입금해 주세요: SAMPLE-000-000000-00-000 (예시용 임시 값이며",
        "입금자명은 주문자 이름과 회원번호로 해 주세요.",
    ).expect_buttons("주문 내역", "더 주문하기", "메뉴")
    [order] = await all_orders(db)
    assert (
        order.pay_by is not None and order.pay_by.isoformat() == "2026-11-30T14:59:59.999999+00:00"
    )


async def test_ko_double_tap_shows_the_same_order(dialogue: Dialogue, db: Database) -> None:
    await fill_cart(dialogue, "ko", "KR", "레몬 3")
    await checkout(dialogue, "card")
    dialogue.expect("이 채팅에서는 카드 결제를 받지 않아요.")
    tap = confirm_action(dialogue)
    await dialogue.press(tap)
    await dialogue.press(tap)
    dialogue.expect("이미 접수된 주문이에요. 주문 내용을 다시 보여 드릴게요.", NUMBER)
    assert len(await all_orders(db)) == 1


async def test_ko_staff_marks_paid_and_shipped(dialogue: Dialogue, db: Database) -> None:
    await fill_cart(dialogue, "ko", "KR", "레몬 3")
    await checkout(dialogue, "bank_transfer")
    await confirm(dialogue)
    await mark(db, NUMBER, "paid", datetime.fromisoformat("2026-11-25T09:00:00+09:00"))
    await mark(db, NUMBER, "shipped", datetime.fromisoformat("2026-11-25T16:00:00+09:00"))
    assert [n.payload["text"] for n in await notices(db)] == [
        f"{NUMBER} 주문의 결제가 확인되었어요. 예상 도착일: 11월 26일 (목) – 11월 30일 (월) "
        "(택배사 사정에 따라 달라질 수 있어요).",
        f"{NUMBER} 주문이 발송되었어요. 예상 도착일: 11월 26일 (목) – 11월 30일 (월) "
        "(택배사 사정에 따라 달라질 수 있어요).",
    ]
    await dialogue.say("/orders")
    dialogue.expect("최근 주문 내역:", f"• {NUMBER} · 11월 24일 (화) · 54,000원 · 발송됨")


# -- Russian -------------------------------------------------------------------------------
async def test_ru_ambiguous_name_and_cart_edits(engine: Engine) -> None:
    d = Dialogue(engine, "olga")
    await fill_cart(d, "ru", "KR", "ла 2, лемон")  # "лемон": a typo of Лимон
    d.expect("Вот что удалось понять:", "✅ Лимон × 1", "Какой товар вы имели в виду под «ла»?")
    d.expect_buttons(f"Лаванда 15 мл · {rub('35 000')}", "Ладан", "Ничего из этого")
    await d.tap("Лаванда")
    d.expect("Добавлено в корзину: Лимон × 1, Лаванда × 2.", "🛒 Ваша корзина (3 товара):")
    d.expect(f"Товары на сумму: {rub('88 000')}", "Доставка: бесплатно")
    await d.tap("Изменить корзину")
    d.expect("Какой товар вы хотите изменить?")
    await d.tap("Лаванда × 2")
    await d.say("100")
    d.expect("Нажмите на число или введите количество от 0 до 99 (0 удаляет товар).")
    await d.say("0")
    d.expect("Лаванда: товар удалён из корзины.", "🛒 Ваша корзина (1 товар):")
    d.expect(f"Доставка: {rub('4 500')} (добавьте товаров ещё на {rub('32 000')}")
    await d.say("лимон 4")
    d.expect("🛒 Ваша корзина (5 товаров):")
    await d.tap("Изменить корзину")
    await d.tap("Очистить корзину")
    d.expect("Корзина очищена.", "Корзина пуста.")


async def test_ru_customer_cancels_an_unpaid_order(dialogue: Dialogue, db: Database) -> None:
    await fill_cart(dialogue, "ru", "KR", "лимон 1, дикий апельсин 2")
    await checkout(dialogue, "bank_transfer")
    dialogue.expect(f"Оплатите до {DEADLINE_RU}")
    await confirm(dialogue)
    dialogue.expect("✅ Спасибо! Ваш заказ оформлен.", "При переводе укажите имя заказчика")
    await dialogue.tap("Мои заказы")
    dialogue.expect("Ваши последние заказы:", f"{NUMBER} · вт, 24 нояб. · {rub('50 000')}")
    await dialogue.tap(NUMBER)
    await dialogue.tap("Отменить заказ")
    dialogue.expect(f"Отменить заказ {NUMBER} ({rub('50 000')})? Это действие нельзя")
    await dialogue.tap("Да, отменить")
    dialogue.expect(f"Заказ {NUMBER} отменён.", f"Заказ {NUMBER} · Отменён")
    [order] = await all_orders(db)
    assert order.status == "cancelled"


async def test_ru_expiry_notice_is_in_russian(dialogue: Dialogue, db: Database) -> None:
    await fill_cart(dialogue, "ru", "KR", "лимон 3")
    await checkout(dialogue, "bank_transfer")
    await confirm(dialogue)
    await expire_unpaid(db, datetime.fromisoformat("2026-12-02T09:00:00+09:00"))
    [notice] = await notices(db)
    assert notice.payload["text"] == (
        f"Заказ {NUMBER} отменён: перевод не поступил до {DEADLINE_RU}. Вы можете снова "
        "сделать заказ в любое время командой /order."
    )


async def test_ru_kazakhstan_order(engine: Engine, db: Database) -> None:
    d = Dialogue(engine, "aigerim")
    await fill_cart(d, "ru", "KZ", "лаванда 2")
    d.expect(
        f"Товары на сумму: {rub('29 000', '₸')}",
        f"Доставка: {rub('2 000', '₸')}",
        "Эта стоимость доставки — пример, не подтверждённый компанией",
    )
    await d.tap("Оформить заказ")
    d.expect("Куда доставить заказ?")
    await d.say("Алматы, ул. Абая 10, кв. 5")
    d.expect("Нужен действующий казахстанский номер")
    await d.say("+7 916 123 45 67")
    d.expect("Это российский номер, а курьеру нужен действующий казахстанский номер.")
    await d.say("8 701 123 45 67")
    d.expect("Кто получит посылку?", "кириллицей")
    await d.say("Aigerim Bekova")  # issue 18, defect 4: Latin letters are refused
    d.expect("В Казахстане имя получателя пишется кириллицей").expect_not("оплатить")
    await d.say("Бекова Айгерім")
    d.expect("Как вы хотите оплатить заказ?", "Кыргызстана, Армении или Беларуси")
    await d.say("переводом")
    d.expect("Способ оплаты «Банковский перевод» здесь недоступен.")
    await d.say("картой")
    d.expect("Пожалуйста, проверьте заказ:", "Ориентировочная доставка при оплате сейчас: ср, 25")
    d.expect("Получатель: Бекова Айгерім")
    await confirm(d)
    d.expect("Заказ KZ-2611-000001 · Ожидает оплаты", "с вами свяжется сотрудник")
    [order] = await all_orders(db, "aigerim")
    assert (order.currency, str(order.total)) == ("KZT", "31000.00")
    assert order.recipient_name == "Бекова Айгерім"
