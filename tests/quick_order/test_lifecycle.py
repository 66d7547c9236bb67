"""After confirmation: My orders, cancelling, expiry of unpaid transfers, staff marking
orders (the customer told through the outbox), and a restart in between."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from bot.cli import main
from core.actions import MenuChoice
from core.engine import Engine
from flows.quick_order.actions import CancelOrder, OpenOrder
from flows.registry import default_flows
from services.orders import expire_unpaid, mark
from storage.db import Database, sqlite_url
from storage.migrate import ensure_schema
from tests.conftest import Clock
from tests.dialogue import Dialogue
from tests.quick_order.helpers import all_orders, checkout, confirm, fill_cart, notices

NUMBER = "KR-2611-000001"


async def place(d: Dialogue, payment: str = "bank_transfer", items: str = "lemon 1, wild orange 2"):
    await fill_cart(d, "en", "KR", items)
    await checkout(d, payment)
    return await confirm(d)


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


async def test_my_orders_lists_and_opens_an_order(dialogue: Dialogue) -> None:
    await place(dialogue)
    await dialogue.say("/orders")
    dialogue.expect(
        "Your latest orders:",
        f"• {NUMBER} · Tue, Nov 24 · ₩50,000 · Awaiting payment",
        "Estimated delivery if paid now: Wed, Nov 25 – Fri, Nov 27",
    )
    await dialogue.tap(NUMBER)
    dialogue.expect(f"Order {NUMBER} · Awaiting payment", "• Lemon × 1 = ₩18,000", "Pay by")
    dialogue.expect_buttons("Cancel the order", "Order again", "My orders")


async def test_menu_my_orders_without_any(dialogue: Dialogue) -> None:
    await dialogue.onboard("en", "KR")
    await dialogue.press(MenuChoice("quick_order", "orders"))
    dialogue.expect("You have no orders yet.").expect_buttons("Browse products")


async def test_customer_cancels_an_unpaid_order(dialogue: Dialogue, db: Database) -> None:
    await place(dialogue)
    await dialogue.say("/orders")
    await dialogue.tap(NUMBER)
    await dialogue.tap("Cancel the order")
    dialogue.expect(f"Cancel order {NUMBER} (₩50,000)? This cannot be undone.")
    await dialogue.tap("Yes, cancel it")
    dialogue.expect(f"Order {NUMBER} is cancelled.", f"Order {NUMBER} · Cancelled")
    dialogue.expect_not("Pay by", "Estimated delivery")
    assert "Cancel the order" not in [b.label for b in dialogue.buttons]
    [order] = await all_orders(db)
    assert order.status == "cancelled"


async def test_a_paid_order_cannot_be_cancelled_by_the_customer(
    dialogue: Dialogue, db: Database, clock: Clock
) -> None:
    await place(dialogue)
    await dialogue.say("/orders")
    await dialogue.tap(NUMBER)
    await mark(db, NUMBER, "paid", clock.now)  # staff confirmed the deposit meanwhile
    await dialogue.tap("Cancel the order")
    dialogue.expect("no longer valid")
    await dialogue.press(CancelOrder())
    dialogue.expect("no longer valid", f"Order {NUMBER} · Paid")


async def test_someone_elses_order_is_never_shown(engine: Engine, db: Database) -> None:
    bob = Dialogue(engine, "bob")
    await place(bob)
    [bobs] = await all_orders(db, "bob")
    alice = Dialogue(engine, "alice")
    await alice.onboard("en", "KR")
    await alice.say("/orders")
    await alice.press(OpenOrder(bobs.id))  # a forged button: another customer's order
    alice.expect("no longer valid").expect_not(bobs.number)
    await alice.say(bobs.number)  # typed
    alice.expect_not("Lemon ×").expect("Tap an order to see it")


async def test_expiry_cancels_unpaid_transfers_and_tells_the_customer(
    dialogue: Dialogue, db: Database
) -> None:
    await place(dialogue)
    await place(dialogue, "card", "lemon 3")  # card orders have no deadline
    assert await expire_unpaid(db, at("2026-12-01T23:59:00+09:00")) == []
    expired = await expire_unpaid(db, at("2026-12-02T00:00:00+09:00"))
    assert [o.number for o in expired] == [NUMBER]
    assert await expire_unpaid(db, at("2026-12-03T00:00:00+09:00")) == []  # nothing twice
    [notice] = await notices(db)
    assert notice.payload["text"] == (
        f"Order {NUMBER} has been cancelled: the bank transfer did not arrive by "
        "Dec 1, 2026 23:59. You can order again any time with /order."
    )
    statuses = {o.number: o.status for o in await all_orders(db)}
    assert statuses == {NUMBER: "cancelled", "KR-2611-000002": "awaiting_payment"}
    await dialogue.say("/orders")
    dialogue.expect(f"{NUMBER} · Tue, Nov 24 · ₩50,000 · Cancelled")


async def test_staff_mark_paid_and_shipped_and_the_customer_is_told(
    dialogue: Dialogue, db: Database
) -> None:
    await place(dialogue)
    # Deposit confirmed Thursday 14:00, after the 13:00 cut-off: 2-4 business days.
    paid = await mark(db, NUMBER, "paid", at("2026-11-26T14:00:00+09:00"))
    assert (paid.before, paid.changed) == ("awaiting_payment", True)
    again = await mark(db, NUMBER, "paid", at("2026-11-26T14:05:00+09:00"))
    assert (again.before, again.changed) == ("paid", False)
    assert (await mark(db, NUMBER, "delivered", at("2026-11-27T09:00:00+09:00"))).changed is False
    assert (await mark(db, NUMBER, "shipped", at("2026-11-27T09:00:00+09:00"))).changed
    assert [n.payload["text"] for n in await notices(db)] == [
        f"Payment for order {NUMBER} is confirmed. Estimated delivery: Mon, Nov 30 – Wed, "
        "Dec 2 (the carrier may shift it).",
        f"Order {NUMBER} has been shipped. Estimated delivery: Mon, Nov 30 – Wed, Dec 2 (the "
        "carrier may shift it).",
    ]
    await dialogue.say("/orders")
    dialogue.expect(f"{NUMBER} · Tue, Nov 24 · ₩50,000 · Shipped", "Mon, Nov 30 – Wed, Dec 2")


async def test_reorder_puts_the_last_order_into_the_cart(dialogue: Dialogue) -> None:
    await place(dialogue)
    await dialogue.say("/reorder")
    dialogue.expect(f"Added from order {NUMBER}: Lemon × 1, Wild Orange × 2.", "Subtotal: ₩50,000")


async def test_reorder_without_orders(dialogue: Dialogue) -> None:
    await dialogue.onboard("en", "KR")
    await dialogue.say("/reorder")
    dialogue.expect("You have no earlier order to repeat.", "What would you like to order?")


async def test_confirmed_order_survives_a_restart(
    database_url: str, clock: Clock, resources
) -> None:
    first = Database(database_url)
    await ensure_schema(first, auto_upgrade=True)
    await place(Dialogue(Engine(first, default_flows(), resources=resources, clock=clock)))
    await first.dispose()

    second = Database(database_url)
    d = Dialogue(Engine(second, default_flows(), resources=resources, clock=clock))
    await d.say("/orders")
    d.expect(f"{NUMBER} · Tue, Nov 24 · ₩50,000 · Awaiting payment")
    await second.dispose()


def test_operator_cli(tmp_path, capsys, resources) -> None:
    path = tmp_path / "ops.db"

    async def seed() -> None:
        db = Database(sqlite_url(path))
        await ensure_schema(db, auto_upgrade=True)
        clock = Clock(at("2026-11-24T10:00:00+09:00"))
        await place(Dialogue(Engine(db, default_flows(), resources=resources, clock=clock)))
        await db.dispose()

    asyncio.run(seed())
    db_args = ["--db", str(path), "--now", "2026-11-26T10:00:00+09:00"]
    main(["orders", "list", *db_args])
    assert f"{NUMBER}  awaiting_payment" in capsys.readouterr().out
    main(["orders", "paid", NUMBER, *db_args])
    assert "awaiting_payment -> paid (customer notified)" in capsys.readouterr().out
    main(["orders", "paid", NUMBER, *db_args])
    assert f"{NUMBER}: already paid" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["orders", "delivered", NUMBER, *db_args])
    assert "cannot mark delivered: it is paid" in capsys.readouterr().err
    main(["orders", "show", NUMBER, *db_args])
    assert "KR-LEM15" in capsys.readouterr().out
    main(["orders", "expire", *db_args])
    assert "0 unpaid order(s) cancelled" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["orders", "shipped", "KR-0000-999999", *db_args])


@pytest.mark.parametrize(
    ("deposit", "window"),
    [
        ("2026-11-26T12:59:59+09:00", "11월 27일 (금) – 12월 1일 (화)"),
        # "오후 1시까지" (R-KR-SHIP-3): a deposit confirmed at 13:00:00 is still in time.
        ("2026-11-26T13:00:00+09:00", "11월 27일 (금) – 12월 1일 (화)"),
        ("2026-11-26T13:00:01+09:00", "11월 30일 (월) – 12월 2일 (수)"),
    ],
)
async def test_a_deposit_confirmed_at_one_pm_sharp_ships_in_one_to_three_days(
    dialogue: Dialogue, db: Database, deposit: str, window: str
) -> None:
    await fill_cart(dialogue, "ko", "KR", "lemon 1, wild orange 2")
    await checkout(dialogue, "bank_transfer")
    await confirm(dialogue)
    await mark(db, NUMBER, "paid", at(deposit))
    [notice] = await notices(db)
    assert window in notice.payload["text"], notice.payload["text"]
