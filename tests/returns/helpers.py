"""Shared steps of the return tests: a paid order bought on a given day, the request stored."""

from __future__ import annotations

from datetime import UTC, datetime

from flows.returns.actions import Line, LinesDone, NotLater, Submit, Who, Why
from services import orders
from storage.db import Database
from storage.records import Order, OutboxMessage, ReturnRequest
from tests.dialogue import Dialogue
from tests.quick_order.helpers import checkout, confirm

FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


async def paid_order(
    d: Dialogue, db: Database, clock, language: str, bought: str, market: str = "KR"
) -> Order:
    """Onboard, order lavender 2 and lemon 1 by card on `bought` (local noon), paid."""
    zone = "+09:00" if market == "KR" else "+05:00"
    clock.set(f"{bought}T12:00:00{zone}")
    await d.onboard(language, market)
    await d.say("/order lavender 2, lemon")
    await checkout(d, "card", **({} if market == "KR" else KZ_CONTACT))
    await confirm(d)
    async with db.transaction() as tx:
        user = await tx.users.find(d.user.transport, d.user.external_id)
        assert user is not None
        [order] = await tx.orders.recent(user.id, 5)
    await orders.mark(db, order.number, orders.PAID, clock())
    return order


KZ_CONTACT = {
    "address": "Алматы, проспект Абая 10, кв. 5",
    "phone": "+7 701 123 45 67",
    "recipient": "Иванова Анна",
}


async def to_quote(
    d: Dialogue, kind: str = "member", delivered: str | None = None, reason: str = "damaged"
) -> Dialogue:
    """From the lines on screen: all of them, who, the delivery, the reason: the quote."""
    await d.press(Line(0))  # one lavender
    await d.press(LinesDone())
    await d.press(Who(kind))  # type: ignore[arg-type]
    if delivered is None:
        await d.press(NotLater())
    else:
        await d.say(delivered)
    return await d.press(Why(reason))  # type: ignore[arg-type]


async def submit(d: Dialogue) -> Dialogue:
    return await d.press(Submit())


async def requests(db: Database, user: str = "alice") -> list[ReturnRequest]:
    async with db.transaction() as tx:
        found = await tx.users.find("test", user)
        assert found is not None
        return await tx.returns.of_user(found.id, 50)


async def staff_rows(db: Database) -> list[OutboxMessage]:
    async with db.transaction() as tx:
        return await tx.outbox.due(FAR_FUTURE, 500, channel="staff")


async def notices(db: Database, user: str = "alice") -> list[OutboxMessage]:
    async with db.transaction() as tx:
        found = await tx.users.find("test", user)
        assert found is not None
        return await tx.outbox.due(FAR_FUTURE, 500, channel="user", user_id=found.id)
