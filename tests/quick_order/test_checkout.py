"""Checkout: address and phone kept for next time, payment rules, the summary, one order per
confirmation however often it arrives."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from core.engine import Engine
from flows.quick_order.actions import Pay, ToPayment
from flows.registry import default_flows
from storage.db import Database
from tests.conftest import BACKENDS, Clock
from tests.dialogue import Dialogue
from tests.quick_order.helpers import (
    ADDRESS,
    FAR_FUTURE,
    RECIPIENT,
    all_orders,
    checkout,
    confirm,
    confirm_action,
    fill_cart,
)


async def test_bank_transfer_order_from_cart_to_confirmation(dialogue: Dialogue, db) -> None:
    await fill_cart(dialogue, "en", "KR", "lemon 1, wild orange 2")
    await dialogue.tap("Checkout")
    dialogue.expect("Where should we deliver?").expect_not("saved address")
    await dialogue.say(ADDRESS)
    dialogue.expect("Which phone number should the courier call?")
    assert dialogue.replies[-1].request_contact
    await dialogue.say("010-1234-5678")
    dialogue.expect("Who receives the parcel?", "Hangul or Latin letters")
    await dialogue.say("Kim  Mina")
    dialogue.expect("How would you like to pay?").expect_buttons("Card", "Bank transfer")
    await dialogue.tap("Bank transfer")
    dialogue.expect("orderer's name and member number", "What is your member number?")
    dialogue.expect_buttons("Skip")
    await dialogue.say("1234 5678")
    dialogue.expect(
        "Please check your order:",
        "Total: ₩50,000",
        "Payment: Bank transfer",
        f"Deliver to: {ADDRESS}",
        "Recipient: Kim Mina",
        "Phone: 010-1234-5678",
        "Member number: 12345678",
        "Purchase month: November 2026",
        # Tuesday 10:00 in Seoul, before the 13:00 cut-off: 1-3 business days (R-KR-SHIP-3).
        "Estimated delivery if paid now: Wed, Nov 25 – Fri, Nov 27",
        "Pay by Dec 1, 2026 23:59",
    ).expect_buttons("Confirm the order", "Edit cart", "Change the address")
    await dialogue.tap("Confirm the order")
    dialogue.expect(
        "Thank you! Your order is placed.",
        "Order KR-2611-000001 · Awaiting payment",
        "Please transfer ₩50,000 to: SAMPLE-000-000000-00-000 (a SAMPLE placeholder",
        "Deposit under the orderer's name and member number (12345678).",
        "Pay by Dec 1, 2026 23:59; an order still unpaid then is cancelled automatically.",
        "processed one after another",
    ).expect_buttons("My orders", "Order more", "Menu")
    [order] = await all_orders(db)
    assert (order.status, order.payment_method, str(order.total)) == (
        "awaiting_payment",
        "bank_transfer",
        "50000.00",
    )
    assert (order.purchase_year, order.purchase_month) == (2026, 11)
    assert (
        order.pay_by is not None and order.pay_by.isoformat() == "2026-12-01T14:59:59.999999+00:00"
    )
    assert [(line.sku, line.quantity) for line in order.lines] == [("KR-LEM15", 1), ("KR-WOR15", 2)]
    assert (order.recipient_name, order.member_number) == ("Kim Mina", "12345678")


async def test_order_below_50000_pays_the_fee(dialogue: Dialogue, db) -> None:
    await fill_cart(dialogue, "en", "KR", "on guard")
    await checkout(dialogue, "card")
    dialogue.expect("Shipping: ₩4,500", "Total: ₩49,800", "a staff member will contact you")
    await confirm(dialogue)
    dialogue.expect("Total: ₩49,800").expect_not("more for free shipping", "Please transfer")
    [order] = await all_orders(db)
    assert (str(order.shipping_fee), str(order.total), order.pay_by) == (
        "4500.00",
        "49800.00",
        None,
    )


async def test_closing_day_bank_transfer_is_due_that_evening(
    dialogue: Dialogue, clock: Clock
) -> None:
    clock.set("2026-11-30T14:00:00+09:00")  # Monday, November's last business day
    await fill_cart(dialogue, "en", "KR", "lemon 3")
    await checkout(dialogue, "bank_transfer")
    dialogue.expect(
        "Purchase month: November 2026",
        "Pay by Nov 30, 2026 23:59",
        "Orders placed on the month's closing day must be paid by the last day of the month.",
        # After the 13:00 cut-off: 2-4 business days.
        "Wed, Dec 2 – Fri, Dec 4",
    )


async def test_weekend_after_closing_counts_for_next_month(
    dialogue: Dialogue, clock: Clock
) -> None:
    clock.set("2026-10-31T11:00:00+09:00")  # Saturday; October closed on Friday the 30th
    await fill_cart(dialogue, "en", "KR", "lemon 3")
    await checkout(dialogue, "bank_transfer")
    dialogue.expect("Purchase month: November 2026", "Pay by Nov 7, 2026 23:59")
    dialogue.expect_not("closing day")


async def test_card_order_of_300000_notes_certificate(dialogue: Dialogue) -> None:
    await fill_cart(dialogue, "en", "KR", "frankincense 4")
    await checkout(dialogue, "card")
    dialogue.expect("Total: ₩392,000", "Card payments of ₩300,000 or more need certificate")


async def test_cash_is_for_the_business_center(dialogue: Dialogue) -> None:
    await fill_cart(dialogue, "en", "KR", "lemon 3")
    await dialogue.tap("Checkout")
    await dialogue.say(ADDRESS)
    await dialogue.say("010-1234-5678")
    await dialogue.say(RECIPIENT)
    await dialogue.say("cash")
    dialogue.expect("Cash is accepted only at the business center (서울시 서초구 강남대로 369")
    dialogue.expect("How would you like to pay?")
    await dialogue.say("by bank transfer please")
    dialogue.expect("What is your member number?")
    await dialogue.tap("Skip")
    dialogue.expect("Please check your order:", "Payment: Bank transfer").expect_not(
        "Member number:"
    )


async def test_phone_must_reach_a_courier_in_the_market(dialogue: Dialogue) -> None:
    await fill_cart(dialogue, "en", "KR", "lemon 3")
    await dialogue.tap("Checkout")
    await dialogue.say("hi")
    dialogue.expect("Please type the full delivery address")
    await dialogue.say(ADDRESS)
    for wrong in ("12345", "call me", "+7 701 123 45 67"):
        await dialogue.say(wrong)
        dialogue.expect("Please send a phone number in Korea, e.g. 010-1234-5678.")
    dialogue.expect("This is not a Korean number")
    await dialogue.say("+82 10 1234 5678")
    dialogue.expect("Who receives the parcel?")


async def test_address_phone_and_recipient_are_offered_next_time(
    dialogue: Dialogue, db: Database
) -> None:
    await fill_cart(dialogue, "en", "KR", "lemon 3")
    await checkout(dialogue, "card")
    await confirm(dialogue)
    async with db.transaction() as tx:
        user = await tx.users.find("test", "alice")
    assert user is not None
    assert (user.address, user.phone, user.recipient_name) == (ADDRESS, "+821012345678", RECIPIENT)
    await dialogue.say("/order lemon 3")
    await dialogue.tap("Checkout")
    dialogue.expect(f"Or use your saved address: {ADDRESS}")
    await dialogue.tap("Use the saved address")
    dialogue.expect_buttons("Use 010-1234-5678")
    await dialogue.tap("Use 010-1234-5678")
    dialogue.expect("Who receives the parcel?").expect_buttons(RECIPIENT)
    await dialogue.tap(RECIPIENT)
    dialogue.expect("How would you like to pay?")


async def test_double_tapped_confirm_makes_one_order(dialogue: Dialogue, db: Database) -> None:
    await fill_cart(dialogue, "en", "KR", "lemon 3")
    await checkout(dialogue, "bank_transfer")
    tap = confirm_action(dialogue)
    await dialogue.press(tap)
    dialogue.expect("Order KR-2611-000001")
    placed = dialogue.replies[-1].text  # rendered from the order as it was just written
    await dialogue.press(tap)  # a second tap: a new delivery id
    dialogue.expect("This order has already been placed; here it is again.", "KR-2611-000001")
    assert dialogue.replies[-1].text == placed  # the same, read back from the database
    assert len(await all_orders(db)) == 1


async def test_redelivered_confirm_makes_one_order(dialogue: Dialogue, db: Database) -> None:
    await fill_cart(dialogue, "en", "KR", "lemon 3")
    await checkout(dialogue, "bank_transfer")
    await confirm(dialogue)
    dialogue.expect("Order KR-2611-000001")
    await dialogue.redeliver()
    assert dialogue.replies == []
    assert len(await all_orders(db)) == 1


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
async def test_two_workers_given_both_taps_make_one_order(
    db: Database, clock: Clock, resources
) -> None:
    workers = [Engine(db, default_flows(), resources=resources, clock=clock) for _ in range(2)]
    d = Dialogue(workers[0], "alice")
    await fill_cart(d, "en", "KR", "lemon 3")
    await checkout(d, "bank_transfer")
    tap = confirm_action(d)
    answers = await asyncio.gather(
        *(worker.handle(d.action_event(tap.pack())) for worker in workers)
    )
    assert all(any("KR-2611-000001" in r.text for r in replies) for replies in answers)
    assert len(await all_orders(db)) == 1


async def test_confirm_shown_before_a_cart_change_is_stale(dialogue: Dialogue, db) -> None:
    await fill_cart(dialogue, "en", "KR", "lemon 3")
    await checkout(dialogue, "card")
    old = confirm_action(dialogue)
    await dialogue.tap("Edit cart")
    await dialogue.say("lemon 1")
    await dialogue.press(old)
    dialogue.expect("no longer valid")
    assert await all_orders(db) == []


async def test_checkout_with_an_empty_cart_shows_the_cart(dialogue: Dialogue) -> None:
    await dialogue.onboard("en", "KR")
    await dialogue.say("/checkout")
    dialogue.expect("Your cart is empty.")


async def test_kazakhstan_orders_in_tenge_by_card(engine: Engine, db: Database) -> None:
    d = Dialogue(engine, "aigerim")
    await fill_cart(d, "en", "KZ", "lemon 2")
    d.expect(
        "Subtotal: KZT\u00a015,000",
        "Shipping: KZT\u00a02,000",
        "This shipping fee is a sample figure, not confirmed by the company",
    ).expect_not("free shipping")
    await d.tap("Checkout")
    await d.say("Almaty, Abaya 10, apt 5")
    await d.say("+7 916 123 45 67")
    d.expect("This is a Russian number; the courier needs a working Kazakhstan number.")
    await d.say("8 701 123 45 67")
    d.expect("Who receives the parcel?", "in Cyrillic")
    await d.say("Aigerim Bekova")
    d.expect("In Kazakhstan the recipient's name is written in Cyrillic")
    await d.say("Айгерим Бекова")
    d.expect("How would you like to pay?", "Kyrgyzstan, Armenia or Belarus")
    assert [b.label for b in d.buttons] == ["💳 Card", "⬅ Back to the cart"]
    await d.say("bank transfer")
    d.expect("Bank transfer is not available here.")
    await d.tap("Card")
    # R-KZ-MIG-6: 1-10 days from the Almaty warehouse.
    d.expect("Total: KZT\u00a017,000", "Phone: +7 701 123 45 67", "Wed, Nov 25 – Fri, Dec 4")
    d.expect("Recipient: Айгерим Бекова")
    d.expect_not("Purchase month")
    await confirm(d)
    d.expect("Order KZ-2611-000001 · Awaiting payment")
    [order] = await all_orders(db, "aigerim")
    assert (order.currency, order.phone) == ("KZT", "+77011234567")


async def test_an_old_confirm_keeps_the_cart_filled_since(dialogue: Dialogue, db: Database) -> None:
    await fill_cart(dialogue, "en", "KR", "lemon 3")
    await checkout(dialogue, "bank_transfer")
    old = confirm_action(dialogue)
    await dialogue.press(old)
    await dialogue.say("/order lavender 1")
    await checkout(dialogue, "bank_transfer")
    await dialogue.press(old)  # the first order's button, tapped again
    dialogue.expect("KR-2611-000001")
    await dialogue.say("/cart")
    dialogue.expect("Lavender")
    assert len(await all_orders(db)) == 1


async def test_a_confirm_shown_for_other_details_is_stale(dialogue: Dialogue, db: Database) -> None:
    await fill_cart(dialogue, "en", "KR", "lemon 3")
    await checkout(dialogue, "bank_transfer")
    for_bank_transfer = confirm_action(dialogue)
    await dialogue.press(ToPayment())
    await dialogue.press(Pay("card"))
    await dialogue.press(for_bank_transfer)
    dialogue.expect("no longer valid")
    assert await all_orders(db) == []
    await confirm(dialogue)
    (order,) = await all_orders(db)
    assert order.payment_method == "card"


async def test_staff_hear_of_each_new_order_once(dialogue: Dialogue, db: Database) -> None:
    await fill_cart(dialogue, "en", "KR", "lemon 3")
    await checkout(dialogue, "card")
    tap = confirm_action(dialogue)
    await dialogue.press(tap)
    await dialogue.press(tap)
    async with db.transaction() as tx:
        staff = await tx.outbox.due(FAR_FUTURE, channel="staff")
    placed = [m.payload for m in staff if m.payload["type"] == "order_placed"]
    assert len(placed) == 1
    assert placed[0]["number"] == "KR-2611-000001"
    assert placed[0]["payment_method"] == "card"
    assert placed[0]["total"] == "54000"


async def test_without_a_staff_desk_no_staff_notice_is_queued(
    db: Database, clock: Clock, resources
) -> None:
    """No staff chat (or the terminal): nothing would ever deliver or prune the notice."""
    alone = replace(resources, staff_desk=False)
    dialogue = Dialogue(Engine(db, default_flows(), resources=alone, clock=clock), "alice")
    await fill_cart(dialogue, "en", "KR", "lemon 3")
    await checkout(dialogue, "card")
    await confirm(dialogue)
    dialogue.expect("Order KR-2611-000001")
    async with db.transaction() as tx:
        assert await tx.outbox.due(FAR_FUTURE, channel="staff") == []


async def test_a_bank_transfer_due_in_minutes_is_warned_and_a_card_suggested(
    dialogue: Dialogue, clock: Clock
) -> None:
    """Issue 18, 6: at 23:50 on the year's closing day the transfer was due at 23:59."""
    clock.set("2026-12-31T23:50:00+09:00")  # Thursday, December's last business day
    await fill_cart(dialogue, "en", "KR", "lemon 1, wild orange 2")
    await checkout(dialogue, "bank_transfer")
    dialogue.expect("Pay by Dec 31, 2026 23:59", "⚠️", "9 minutes", "card")
    await dialogue.tap("Change the payment")
    await dialogue.press(Pay("card"))
    dialogue.expect_not("⚠️")


async def test_a_bank_transfer_with_days_to_go_is_not_warned(
    dialogue: Dialogue, clock: Clock
) -> None:
    clock.set("2026-12-31T10:00:00+09:00")  # the closing day too, with the day ahead
    await fill_cart(dialogue, "en", "KR", "lemon 1, wild orange 2")
    await checkout(dialogue, "bank_transfer")
    dialogue.expect("Pay by Dec 31, 2026 23:59").expect_not("⚠️")
