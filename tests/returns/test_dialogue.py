"""Returns in conversation, in Korean, Russian and English (R-KR-RET-1..4): a member's return at
each fee tier and past the window, the boundary days (one, two and three calendar months after
the purchase are still the lower tier), a retail customer's 14 days (from a later delivery
too), an order typed by number or made elsewhere, KZ routed to support, one request per
confirmation, cancelling before the decision, and the ways in (menu, an order's Return button,
the deep link)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.actions import MenuChoice, ReturnOrder
from core.i18n import translator
from core.types import Event, Kind
from flows.quick_order.actions import OpenOrder
from flows.returns.actions import (
    CancelAsk,
    CancelYes,
    Elsewhere,
    Line,
    LinesDone,
    MyReturns,
    NotLater,
    OpenReturn,
    Submit,
    Who,
    Why,
)
from services import returns
from storage.db import Database
from tests.dialogue import Dialogue
from tests.returns.helpers import notices, paid_order, requests, staff_rows, submit, to_quote

LAVENDER = Decimal(35000)  # one lavender of the order: the goods returned in these tests
SAYS = {
    "en": {
        "possible": "This return is possible",
        "not_possible": "not possible",
        "before_bonuses": "before deducting bonuses",
        "recorded": "is recorded",
        "seller": "the member who sold",
        "kz": "no return terms for Kazakhstan",
        "ticket": "support request #1",
        "cancelled": "is cancelled",
    },
    "ko": {
        "possible": "반품할 수 있어요",
        "not_possible": "반품할 수 없어요",
        "before_bonuses": "보너스",
        "recorded": "접수되었어요",
        "seller": "판매한 회원",
        "kz": "카자흐스탄",
        "ticket": "고객센터 문의 #1",
        "cancelled": "취소되었어요",
    },
    "ru": {
        "possible": "Возврат возможен",
        "not_possible": "невозможен",
        "before_bonuses": "бонус",
        "recorded": "принята",
        "seller": "который продал",
        "kz": "для Казахстана",
        "ticket": "поддержку №1",
        "cancelled": "отменена",
    },
}


def won(language: str, amount: int | Decimal) -> str:
    return translator(language).money(Decimal(amount), "KRW")


async def quoted(
    d: Dialogue, db: Database, clock, language: str, bought: str, asked: str, **answers: str
) -> Dialogue:
    """A paid order bought on `bought`; on `asked`, one lavender of it quoted for return."""
    order = await paid_order(d, db, clock, language, bought)
    clock.set(f"{asked}T10:00:00+09:00")
    await d.say("/return")
    await d.tap(order.number)
    return await to_quote(d, **answers)


# The member's tiers (R-KR-RET-2): bought on Nov 10, 2026; months are calendar months.
MEMBER = [
    ("en", "2026-11-30", Decimal(0)),  # 20 days: no fee
    ("ko", "2026-12-25", Decimal("0.05")),  # 45 days: 5 %
    ("ru", "2027-01-24", Decimal("0.07")),  # 75 days: 7 %
    ("en", "2026-12-10", Decimal(0)),  # one month to the day: still no fee
    ("ru", "2026-12-11", Decimal("0.05")),  # the day after
    ("ko", "2027-01-10", Decimal("0.05")),  # two months to the day: still 5 %
    ("en", "2027-01-11", Decimal("0.07")),
    ("ru", "2027-02-10", Decimal("0.07")),  # three months to the day: the last day
]


@pytest.mark.parametrize(("language", "asked", "rate"), MEMBER)
async def test_a_member_return_is_quoted_by_the_time_since_purchase(
    dialogue: Dialogue, db: Database, clock, language: str, asked: str, rate: Decimal
) -> None:
    await quoted(dialogue, db, clock, language, "2026-11-10", asked)
    fee = LAVENDER * rate
    dialogue.expect(SAYS[language]["possible"], SAYS[language]["before_bonuses"])
    dialogue.expect(won(language, fee), won(language, LAVENDER - fee))
    dialogue.expect_buttons("✅")
    await submit(dialogue)
    dialogue.expect(SAYS[language]["recorded"], "RT-KR-")
    [request] = await requests(db)
    assert (request.status, request.eligible, request.fee_rate) == ("requested", True, rate)
    assert (request.fee, request.refund) == (fee, LAVENDER - fee)
    assert request.number.startswith(f"RT-KR-{asked[2:4]}{asked[5:7]}-")


@pytest.mark.parametrize(("language", "asked"), [("ko", "2027-02-18"), ("en", "2027-02-11")])
async def test_past_three_months_a_member_return_is_refused_and_support_offered(
    dialogue: Dialogue, db: Database, clock, language: str, asked: str
) -> None:
    await quoted(dialogue, db, clock, language, "2026-11-10", asked)  # 100 days; the day after
    dialogue.expect(SAYS[language]["not_possible"], translator(language).day(date(2027, 2, 10)))
    dialogue.expect_not("✅")
    await dialogue.tap("💬")
    assert await requests(db) == []
    [opened] = [r.payload for r in await staff_rows(db) if r.payload["type"] == "ticket_opened"]
    async with db.transaction() as tx:
        ticket = await tx.tickets.get(opened["ticket_id"])
    assert "KR-2611-000001" in ticket.summary["said"]


CONSUMER = [
    ("ko", "2026-11-20", None, True),  # 10 days
    ("ru", "2026-11-30", None, False),  # 20 days
    ("en", "2026-12-04", "2026-11-20", True),  # 24 days, but 14 after a late delivery
]


@pytest.mark.parametrize(("language", "asked", "delivered", "eligible"), CONSUMER)
async def test_a_retail_customer_has_14_days_from_purchase_or_a_later_delivery(
    dialogue: Dialogue,
    db: Database,
    clock,
    language: str,
    asked: str,
    delivered: str | None,
    eligible: bool,
) -> None:
    order = await paid_order(dialogue, db, clock, language, "2026-11-10")
    clock.set(f"{asked}T10:00:00+09:00")
    await dialogue.say("/return")
    await dialogue.tap(order.number)
    await dialogue.press(Line(0))
    await dialogue.press(LinesDone())
    await dialogue.press(Who("consumer"))
    dialogue.expect(SAYS[language]["seller"])  # R-KR-RET-1, said before the quote
    if delivered:
        await dialogue.say(delivered)
    else:
        await dialogue.press(NotLater())
    await dialogue.press(Why("changed_mind"))
    key = "possible" if eligible else "not_possible"
    dialogue.expect(SAYS[language][key])
    if eligible:
        dialogue.expect(won(language, 0), won(language, LAVENDER))
        await submit(dialogue)
        [request] = await requests(db)
        assert (request.kind, request.handled_by, request.fee) == ("consumer", "ipc", 0)
        assert str(request.delivered_on) == str(delivered)


async def test_an_order_number_typed_and_an_order_made_elsewhere(
    dialogue: Dialogue, db: Database, clock
) -> None:
    order = await paid_order(dialogue, db, clock, "en", "2026-11-10")
    clock.set("2026-11-25T10:00:00+09:00")
    await dialogue.say("/return")
    await dialogue.say(order.number.lower())
    dialogue.expect("which products").expect_buttons("Lavender (0/2)", "Lemon (0/1)")
    await dialogue.tap("All of them")
    dialogue.expect_buttons("Lavender (2/2)", "Lemon (1/1)")

    await dialogue.say("/return")
    await dialogue.press(Elsewhere())
    await dialogue.say("next week")
    dialogue.expect("order number and the purchase date")
    await dialogue.say("BC-778812 2026-10-10")
    await dialogue.say("Frankincense 15 ml × 1")
    await dialogue.say("about a lot")
    dialogue.expect("whole number")
    await dialogue.say("52,000원")
    await dialogue.press(Who("member"))
    await dialogue.press(NotLater())
    await dialogue.say("The bottle leaks")
    dialogue.expect("BC-778812", "Frankincense 15 ml", won("en", 2600), won("en", 49400))
    await submit(dialogue)
    [request] = await requests(db)
    assert (request.order_id, request.order_number, request.reason) == (
        None,
        "BC-778812",
        "The bottle leaks",
    )
    assert (str(request.purchased_on), request.amount, request.fee) == ("2026-10-10", 52000, 2600)


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_kz_records_the_request_and_routes_it_to_support(
    dialogue: Dialogue, db: Database, clock, language: str
) -> None:
    order = await paid_order(dialogue, db, clock, language, "2026-11-10", market="KZ")
    clock.set("2026-11-20T10:00:00+05:00")
    await dialogue.press(MenuChoice("returns"))
    await dialogue.tap(order.number)
    await to_quote(dialogue)
    dialogue.expect(SAYS[language]["kz"])
    await submit(dialogue)
    dialogue.expect(SAYS[language]["recorded"], "RT-KZ-2611-000001", SAYS[language]["ticket"])
    [request] = await requests(db)
    assert (request.quote_reason, request.handled_by, request.eligible) == (
        "not_specified",
        "support",
        False,
    )
    async with db.transaction() as tx:
        ticket = await tx.tickets.get(request.ticket_id)
    assert (ticket.status, ticket.reason) == ("waiting", "return")
    kinds = [row.payload["type"] for row in await staff_rows(db)]
    assert kinds[-2:] == ["ticket_opened", "return_requested"]


async def test_a_confirmation_makes_one_request_however_often_it_arrives(
    dialogue: Dialogue, db: Database, clock
) -> None:
    await quoted(dialogue, db, clock, "en", "2026-11-10", "2026-11-20")
    await submit(dialogue)
    await dialogue.redeliver()  # the transport's retry: same delivery id
    await dialogue.press(Submit())  # a second tap of the old button
    await dialogue.say("/return")
    [request] = await requests(db)
    assert request.number == "RT-KR-2611-000001"
    cards = [r for r in await staff_rows(db) if r.payload["type"] == "return_requested"]
    assert len(cards) == 1


@pytest.mark.parametrize("language", ["ko", "ru", "en"])
async def test_the_customer_cancels_before_the_decision(
    dialogue: Dialogue, db: Database, clock, language: str
) -> None:
    await quoted(dialogue, db, clock, language, "2026-11-10", "2026-11-20")
    await submit(dialogue)
    await dialogue.press(MyReturns())
    [request] = await requests(db)
    await dialogue.press(OpenReturn(request.id))
    await dialogue.press(CancelAsk())
    await dialogue.press(CancelYes())
    dialogue.expect(SAYS[language]["cancelled"])
    [request] = await requests(db)
    assert request.status == "cancelled"
    changed = [r.payload for r in await staff_rows(db) if r.payload["type"] == "return_changed"]
    assert [(p["status"], p["by"]) for p in changed] == [("cancelled", "customer")]
    # Decided meanwhile: staff's approval finds it cancelled, and the customer hears nothing.
    change = await returns.mark(db, request.id, returns.APPROVED, "Mina", clock())
    assert not change.made
    assert not [n for n in await notices(db) if request.number in n.payload["text"]]


async def test_a_decided_request_cannot_be_cancelled(
    dialogue: Dialogue, db: Database, clock
) -> None:
    await quoted(dialogue, db, clock, "en", "2026-11-10", "2026-11-20")
    await submit(dialogue)
    [request] = await requests(db)
    await dialogue.press(MyReturns())
    await dialogue.press(OpenReturn(request.id))
    await returns.mark(db, request.id, returns.APPROVED, "Mina", clock())
    await dialogue.press(CancelAsk())
    dialogue.expect("no longer valid")
    [request] = await requests(db)
    assert request.status == "approved"


async def test_an_orders_return_button_and_the_deep_link_open_that_order(
    dialogue: Dialogue, db: Database, clock
) -> None:
    order = await paid_order(dialogue, db, clock, "en", "2026-11-10")
    await dialogue.say("/orders")
    await dialogue.press(OpenOrder(order.id))
    dialogue.expect_buttons("↩️ Return")
    await dialogue.press(ReturnOrder(order.id))
    dialogue.expect(f"Order {order.number}: which products")

    await dialogue.say(f"/start return_{order.number}")
    await dialogue.tap("English")
    await dialogue.tap("Korea")
    dialogue.expect(f"Order {order.number}: which products")


async def test_photos_and_words_after_the_request_go_to_staff_in_its_thread(
    dialogue: Dialogue, db: Database, clock
) -> None:
    await quoted(dialogue, db, clock, "ko", "2026-11-10", "2026-11-20")
    await submit(dialogue)
    dialogue.expect("사진")
    photo = Event(
        dialogue.user,
        Kind.MEDIA,
        text="깨진 병",
        attachment={"type": "photo", "file_id": "photo-1", "chat_id": 1, "message_id": 7},
        delivery_id="alice-photo-1",
    )
    await dialogue.send(photo)
    dialogue.expect("RT-KR-2611-000001")
    await dialogue.say("상자도 찌그러졌어요")  # words for staff, after the request
    dialogue.expect("직원에게 전달했어요")
    [request] = await requests(db)
    relayed = [r.payload for r in await staff_rows(db) if r.payload["type"] == "customer_message"]
    assert [
        (p["ticket_id"], p["text"], (p["attachment"] or {}).get("file_id")) for p in relayed
    ] == [
        (request.ticket_id, "RT-KR-2611-000001: 깨진 병", "photo-1"),
        (request.ticket_id, "상자도 찌그러졌어요", None),
    ]


async def test_an_order_of_the_other_market_is_not_quoted_by_this_ones_rules(
    dialogue: Dialogue, db: Database, clock
) -> None:
    order = await paid_order(dialogue, db, clock, "en", "2026-11-10")
    await dialogue.onboard("en", "KZ")  # the customer now orders in Kazakhstan
    await dialogue.say("/return")
    dialogue.expect_not(order.number)
    await dialogue.say(order.number)
    dialogue.expect(f"could not find order {order.number}")
    await dialogue.press(ReturnOrder(order.id))  # the old order detail's button
    dialogue.expect(f"could not find order {order.number}")
