"""Shared steps of the quick-order conversation tests."""

from __future__ import annotations

from datetime import UTC, datetime

from flows.quick_order.actions import Checkout, Confirm, Pay, SkipMember
from services.orders import BANK_TRANSFER
from storage.db import Database
from storage.records import Order, OutboxMessage
from tests.dialogue import Dialogue

ADDRESS = "Seoul, Seocho-gu, Gangnam-daero 369, 8F"
PHONE = "010-1234-5678"
RECIPIENT = "김민아"
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)  # every queued message is due by then


async def fill_cart(d: Dialogue, language: str, market: str, order: str) -> Dialogue:
    await d.onboard(language, market)
    return await d.say(f"/order {order}")


async def checkout(
    d: Dialogue,
    payment: str,
    *,
    address: str = ADDRESS,
    phone: str = PHONE,
    recipient: str = RECIPIENT,
    member: str | None = None,
) -> Dialogue:
    """From a cart on screen to the summary: address, phone, recipient, payment (a button's
    action), and for a bank transfer the member number (None: skipped)."""
    await d.press(Checkout())
    await d.say(address)
    await d.say(phone)
    await d.say(recipient)
    await d.press(Pay(payment))
    if payment != BANK_TRANSFER:
        return d
    return await (d.say(member) if member is not None else d.press(SkipMember()))


async def confirm(d: Dialogue) -> Dialogue:
    return await d.press(confirm_action(d))


def confirm_action(d: Dialogue) -> Confirm:
    """The Confirm button on screen."""
    return next(found for b in d.buttons if (found := Confirm.parse(b.action)) is not None)


async def all_orders(db: Database, user: str = "alice") -> list[Order]:
    async with db.transaction() as tx:
        found = await tx.users.find("test", user)
        assert found is not None
        return await tx.orders.recent(found.id, 50)


async def notices(db: Database, user: str = "alice") -> list[OutboxMessage]:
    """Messages queued for the customer (delivered later by the transport's outbox worker)."""
    async with db.transaction() as tx:
        found = await tx.users.find("test", user)
        assert found is not None
        return await tx.outbox.due(FAR_FUTURE, channel="user", user_id=found.id)
