"""Orders and their lines; a number per market and purchase month, an idempotency key per
checkout."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, bindparam, insert, select, update

from storage.records import Order, OrderLine
from storage.repos._base import Repo, ignoring_duplicates, on
from storage.schema import order_lines, orders

# On the message path (checkout): built once (storage/repos/__init__.py says why).
_ORDER_INSERT = ignoring_duplicates(orders, orders.c.id)
_ORDER_UPDATE = update(orders).where(orders.c.id == bindparam("where_id"))
_ORDER_LINES_INSERT = insert(order_lines)
_ORDER_BY = {
    column.key: select(orders).where(column == bindparam("value"))
    for column in (orders.c.id, orders.c.idempotency_key, orders.c.number)
}
_ORDER_LINES = (
    select(order_lines)
    .where(order_lines.c.order_id == bindparam("order_id"))
    .order_by(order_lines.c.id)
)


def _order(row: Row[Any], lines: list[OrderLine]) -> Order:
    return Order(
        id=row.id,
        number=row.number,
        user_id=row.user_id,
        market=row.market,
        currency=row.currency,
        status=row.status,
        payment_method=row.payment_method,
        subtotal=Decimal(row.subtotal),
        shipping_fee=Decimal(row.shipping_fee),
        total=Decimal(row.total),
        purchase_year=row.purchase_year,
        purchase_month=row.purchase_month,
        placed_at=row.placed_at,
        pay_by=row.pay_by,
        estimate_from=row.estimate_from,
        estimate_to=row.estimate_to,
        address=row.address,
        phone=row.phone,
        lines=lines,
        recipient_name=row.recipient_name,
        member_number=row.member_number,
        updated_at=row.updated_at,
    )


class OrderRepo(Repo):
    async def create(self, order: Order, idempotency_key: str, at: datetime) -> tuple[Order, bool]:
        """Insert an order with its lines; (existing order, False) when the key was used before."""
        values = {
            "user_id": order.user_id,
            "idempotency_key": idempotency_key,
            "market": order.market,
            "currency": order.currency,
            "status": order.status,
            "payment_method": order.payment_method,
            "subtotal": order.subtotal,
            "shipping_fee": order.shipping_fee,
            "total": order.total,
            "purchase_year": order.purchase_year,
            "purchase_month": order.purchase_month,
            "placed_at": order.placed_at,
            "pay_by": order.pay_by,
            "estimate_from": order.estimate_from,
            "estimate_to": order.estimate_to,
            "address": order.address,
            "phone": order.phone,
            "recipient_name": order.recipient_name,
            "member_number": order.member_number,
            "updated_at": at,
        }
        result = await self.conn.execute(on(self.conn, _ORDER_INSERT), values)
        new_id = result.scalar_one_or_none()
        if new_id is None:
            existing = await self.by_key(idempotency_key)
            assert existing is not None
            return existing, False
        # The purchase month (local, R-KR-ORD-1), not the UTC month of placed_at.
        number = (
            f"{order.market}-{order.purchase_year % 100:02d}{order.purchase_month:02d}-{new_id:06d}"
        )
        await self.conn.execute(_ORDER_UPDATE, {"number": number, "where_id": new_id})
        if order.lines:
            await self.conn.execute(
                _ORDER_LINES_INSERT,
                [
                    {
                        "order_id": new_id,
                        "sku": line.sku,
                        "name": line.name,
                        "quantity": line.quantity,
                        "unit_price": line.unit_price,
                        "line_total": line.line_total,
                    }
                    for line in order.lines
                ],
            )
        order.id, order.number = new_id, number
        return order, True

    async def _lines(self, order_id: int) -> list[OrderLine]:
        rows = (await self.conn.execute(_ORDER_LINES, {"order_id": order_id})).all()
        return [
            OrderLine(r.sku, r.name, r.quantity, Decimal(r.unit_price), Decimal(r.line_total))
            for r in rows
        ]

    async def _one(self, column: str, value: Any) -> Order | None:
        row = (await self.conn.execute(_ORDER_BY[column], {"value": value})).first()
        return _order(row, await self._lines(row.id)) if row else None

    async def by_key(self, idempotency_key: str) -> Order | None:
        return await self._one("idempotency_key", idempotency_key)

    async def get(self, order_id: int) -> Order | None:
        return await self._one("id", order_id)

    async def by_number(self, number: str) -> Order | None:
        return await self._one("number", number)

    async def recent(self, user_id: int, limit: int = 5) -> list[Order]:
        rows = (
            await self.conn.execute(
                select(orders)
                .where(orders.c.user_id == user_id)
                .order_by(orders.c.id.desc())
                .limit(limit)
            )
        ).all()
        return [_order(r, await self._lines(r.id)) for r in rows]

    async def set_status(
        self, order_id: int, status: str, at: datetime, *, expected: str | None = None
    ) -> bool:
        """Move an order to `status`; with `expected`, only from that status (False otherwise)."""
        stmt = update(orders).where(orders.c.id == order_id).values(status=status, updated_at=at)
        if expected is not None:
            stmt = stmt.where(orders.c.status == expected)
        return (await self.conn.execute(stmt)).rowcount == 1

    async def set_estimate(self, order_id: int, first: date, last: date, at: datetime) -> None:
        """Store a new delivery estimate (recomputed when a payment is confirmed)."""
        await self.conn.execute(
            update(orders)
            .where(orders.c.id == order_id)
            .values(estimate_from=first, estimate_to=last, updated_at=at)
        )

    async def latest(self, limit: int = 20, status: str | None = None) -> list[Order]:
        """The newest orders of all customers, optionally in one status (for operators)."""
        stmt = select(orders).order_by(orders.c.id.desc()).limit(limit)
        if status is not None:
            stmt = stmt.where(orders.c.status == status)
        rows = (await self.conn.execute(stmt)).all()
        return [_order(r, await self._lines(r.id)) for r in rows]

    async def unpaid_past_deadline(self, now: datetime, limit: int = 100) -> list[Order]:
        stmt = (
            select(orders)
            .where(orders.c.status == "awaiting_payment", orders.c.pay_by < now)
            .order_by(orders.c.id)
            .limit(limit)
        )
        if self.conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = (await self.conn.execute(stmt)).all()
        return [_order(r, await self._lines(r.id)) for r in rows]
