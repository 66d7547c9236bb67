"""Shared steps of the auto-order tests: a customer with a template, the runs' results."""

from __future__ import annotations

from datetime import UTC, datetime

from flows.lrp.actions import CardOk, Create
from flows.shopping.actions import Checkout
from storage.db import Database
from storage.records import LrpLine, LrpTemplate, Order, OutboxMessage
from tests.dialogue import Dialogue

ADDRESS = "Seoul, Seocho-gu, Gangnam-daero 369, 8F"
PHONE = "010-1234-5678"
RECIPIENT = "김민아"
KZ_ADDRESS = "Алматы, проспект Абая 10, кв. 5"
KZ_PHONE = "+7 701 123 45 67"
KZ_RECIPIENT = "Иванова Анна"
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


async def set_up(
    d: Dialogue,
    products: str,
    day: str,
    *,
    address: str = ADDRESS,
    phone: str = PHONE,
    recipient: str = RECIPIENT,
) -> Dialogue:
    """/lrp from the menu to the summary: products typed, the day, address, phone, recipient,
    card."""
    await d.say("/lrp")
    await d.say(products)
    await d.press(Checkout())
    await d.say(day)
    await d.say(address)
    await d.say(phone)
    await d.say(recipient)
    return await d.press(CardOk())


async def create(d: Dialogue) -> Dialogue:
    return await d.press(Create())


async def user_id(db: Database, user: str = "alice") -> int:
    async with db.transaction() as tx:
        found = await tx.users.find("test", user)
        assert found is not None
        return found.id


async def templates(db: Database, user: str = "alice") -> list[LrpTemplate]:
    uid = await user_id(db, user)
    async with db.transaction() as tx:
        return await tx.lrp.of_user(uid)


async def orders_of(db: Database, user: str = "alice") -> list[Order]:
    uid = await user_id(db, user)
    async with db.transaction() as tx:
        return await tx.orders.recent(uid, 100)


async def notices(db: Database, user: str = "alice") -> list[OutboxMessage]:
    uid = await user_id(db, user)
    async with db.transaction() as tx:
        return await tx.outbox.due(FAR_FUTURE, 500, channel="user", user_id=uid)


def lines(*items: tuple[str, int]) -> list[LrpLine]:
    return [LrpLine(sku, sku, quantity) for sku, quantity in items]
