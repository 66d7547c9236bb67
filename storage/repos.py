"""Repositories over one open transaction.

Each method is one or two statements; none commits. `Tx` groups them so that a flow sees
`tx.orders.create(...)` and never a connection or SQL.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Row,
    and_,
    bindparam,
    exists,
    func,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.compiled import DriverConnection
from storage.records import (
    Checklist,
    Conversation,
    Order,
    OrderLine,
    OutboxMessage,
    Ticket,
    TicketMessage,
    UnsentMessage,
    User,
)
from storage.schema import (
    conversations,
    inbox,
    migration_checklists,
    order_lines,
    orders,
    outbox,
    support_tickets,
    ticket_messages,
    users,
)

# What repositories execute on: the open transaction's driver connection (storage/sqlite.py,
# storage/postgres.py), or SQLAlchemy's own; both take the same Core statements.
Connection = AsyncConnection | DriverConnection


class StaleConversation(Exception):
    """Another worker saved this conversation first: reload and retry the whole event."""


def _ignoring_duplicates(table: Any, *returning: Any) -> dict[str, Any]:
    """An INSERT that skips a row whose unique key exists, per dialect name (see `_on`)."""
    return {
        "sqlite": sqlite.insert(table).on_conflict_do_nothing().returning(*returning),
        "postgresql": postgresql.insert(table).on_conflict_do_nothing().returning(*returning),
    }


def _on(conn: Connection, statements: dict[str, Any]) -> Any:
    """The statement of `statements` for this connection's database."""
    statement = statements.get(conn.dialect.name)
    if statement is None:
        raise NotImplementedError(f"unsupported database dialect: {conn.dialect.name}")
    return statement


# The statements of the message path (docs/performance.md), built once: constructing a Core
# statement (column comparisons, .values()) costs more than executing it, while SQLAlchemy
# caches the compiled form either way. Values travel as execution parameters; an INSERT or an
# UPDATE sets the columns named in them.
_INBOX_RECORD = _ignoring_duplicates(inbox)
_USER_INSERT = insert(users)
_USER_GET = select(users).where(users.c.id == bindparam("id"))
_USER_UPDATE = update(users).where(users.c.id == bindparam("where_id"))
_CONVERSATION_INSERT = _ignoring_duplicates(conversations)
_OUTBOX_ADD = _ignoring_duplicates(outbox)
_ORDER_INSERT = _ignoring_duplicates(orders, orders.c.id)
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
_USER_FIND = select(users).where(
    users.c.transport == bindparam("transport"), users.c.external_id == bindparam("external_id")
)
_CONVERSATION_COLUMNS = (
    conversations.c.flow,
    conversations.c.state,
    conversations.c.slots,
    conversations.c.version,
)
_CONVERSATION_LOAD = select(*_CONVERSATION_COLUMNS).where(
    conversations.c.user_id == bindparam("user_id")
)
# A user and their conversation in one statement (NULL conversation columns: none stored yet).
_USER_COLUMNS = (
    users.c.id,
    users.c.transport,
    users.c.external_id,
    users.c.language,
    users.c.market,
    users.c.display_name,
    users.c.phone,
    users.c.address,
)
_USER_WITH_CONVERSATION = (
    select(*_USER_COLUMNS, *_CONVERSATION_COLUMNS)
    .select_from(users.outerjoin(conversations, conversations.c.user_id == users.c.id))
    .where(
        users.c.transport == bindparam("transport"),
        users.c.external_id == bindparam("external_id"),
    )
)
# PostgreSQL: the delivery recorded and the user with their conversation read in one round
# trip, a data-modifying CTE (it runs once, whatever the query reads of it). The (SELECT 1)
# keeps a row when the user is unknown; its 1 is written in the SQL, not bound, so every value
# comes from the parameters (the direct bind path, storage/compiled.py). SQLite has no such
# CTE, nor a round trip to save.
_RECORDED = (
    postgresql.insert(inbox)
    .values(delivery_id=bindparam("delivery_id"), processed_at=bindparam("processed_at"))
    .on_conflict_do_nothing()
    .returning(inbox.c.delivery_id)
    .cte("recorded")
)
_ALWAYS_ONE_ROW = select(literal_column("1").label("one")).subquery("one")
_RECORD_AND_FIND = select(
    exists(select(_RECORDED.c.delivery_id)).label("recorded"),
    *_USER_COLUMNS,
    *_CONVERSATION_COLUMNS,
).select_from(
    _ALWAYS_ONE_ROW.outerjoin(
        users.outerjoin(conversations, conversations.c.user_id == users.c.id),
        and_(
            users.c.transport == bindparam("transport"),
            users.c.external_id == bindparam("external_id"),
        ),
    )
)
# SET takes the columns named in the parameters; the WHERE names must differ from them.
_CONVERSATION_SAVE = update(conversations).where(
    conversations.c.user_id == bindparam("where_user_id"),
    conversations.c.version == bindparam("where_version"),
)


def _conversation(user_id: int, row: Any) -> Conversation:
    """From (flow, state, slots, version) as read."""
    flow, state, stored, version = row
    return Conversation(user_id, flow, state, dict(stored), version)


class _Repo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn


class InboxRepo(_Repo):
    async def record(self, delivery_id: str, at: datetime) -> bool:
        """Remember a delivery id; False when it was already processed (a redelivery)."""
        result = await self.conn.execute(
            _on(self.conn, _INBOX_RECORD), {"delivery_id": delivery_id, "processed_at": at}
        )
        return result.rowcount == 1

    async def prune(self, before: datetime, limit: int = 5000) -> int:
        """Forget up to `limit` ids processed before `before` (callers loop, one short
        transaction per batch, so a large backlog never holds the writer for long)."""
        oldest = (
            select(inbox.c.delivery_id)
            .where(inbox.c.processed_at < before)
            .order_by(inbox.c.processed_at)
            .limit(limit)
        )
        result = await self.conn.execute(inbox.delete().where(inbox.c.delivery_id.in_(oldest)))
        return result.rowcount


def _user(row: Row[Any]) -> User:
    return User(
        id=row.id,
        transport=row.transport,
        external_id=row.external_id,
        language=row.language,
        market=row.market,
        display_name=row.display_name,
        phone=row.phone,
        address=row.address,
    )


def _user_and_conversation(row: Any) -> tuple[User, Conversation | None]:
    """From a row that ends with _USER_COLUMNS then _CONVERSATION_COLUMNS."""
    user = _user(row)
    if row.flow is None:  # flow is NOT NULL: the outer join found no conversation
        return user, None
    return user, _conversation(user.id, row[-len(_CONVERSATION_COLUMNS) :])


class UserRepo(_Repo):
    async def find(self, transport: str, external_id: str) -> User | None:
        params = {"transport": transport, "external_id": external_id}
        row = (await self.conn.execute(_USER_FIND, params)).first()
        return _user(row) if row else None

    async def find_with_conversation(
        self, transport: str, external_id: str
    ) -> tuple[User, Conversation | None] | None:
        """A user and their stored conversation (None: none stored yet) in one statement;
        None when the user is unknown."""
        params = {"transport": transport, "external_id": external_id}
        row = (await self.conn.execute(_USER_WITH_CONVERSATION, params)).first()
        return _user_and_conversation(row) if row is not None else None

    async def get(self, user_id: int) -> User | None:
        row = (await self.conn.execute(_USER_GET, {"id": user_id})).first()
        return _user(row) if row else None

    async def create(
        self, transport: str, external_id: str, display_name: str, at: datetime
    ) -> User:
        values = {
            "transport": transport,
            "external_id": external_id,
            "display_name": display_name[:128],
            "created_at": at,
        }
        result = await self.conn.execute(_USER_INSERT, values)
        user_id = result.inserted_primary_key[0]
        return User(user_id, transport, external_id, None, None, display_name[:128], None, None)

    async def update(self, user: User, **changes: Any) -> None:
        """Change profile fields (language, market, phone, address, display_name)."""
        await self.conn.execute(_USER_UPDATE, {**changes, "where_id": user.id})
        for key, value in changes.items():
            setattr(user, key, value)


class ConversationRepo(_Repo):
    async def load(self, user_id: int, default_flow: str, default_state: str) -> Conversation:
        # Off the hot path (the engine loads with UserRepo.find_with_conversation): SQLAlchemy.
        row = (await self.conn.execute(_CONVERSATION_LOAD, {"user_id": user_id})).first()
        if row is None:
            return self.fresh(user_id, default_flow, default_state)
        return _conversation(user_id, row)

    @staticmethod
    def fresh(user_id: int, flow: str, state: str) -> Conversation:
        """A conversation not stored yet (version 0: `save` inserts it)."""
        return Conversation(user_id, flow, state, {}, 0)

    async def save(self, conv: Conversation, at: datetime) -> None:
        """Write with optimistic concurrency: the stored version must be the one we loaded."""
        values = {"flow": conv.flow, "state": conv.state, "slots": conv.slots, "updated_at": at}
        if conv.is_new:
            values.update(user_id=conv.user_id, version=1)
            result = await self.conn.execute(_on(self.conn, _CONVERSATION_INSERT), values)
        else:
            values.update(
                version=conv.version + 1, where_user_id=conv.user_id, where_version=conv.version
            )
            result = await self.conn.execute(_CONVERSATION_SAVE, values)
        if result.rowcount != 1:
            raise StaleConversation(conv.user_id)
        conv.version += 1

    async def count(self) -> int:
        return (
            await self.conn.execute(select(func.count()).select_from(conversations))
        ).scalar_one()


class OutboxRepo(_Repo):
    async def add(
        self,
        channel: str,
        payload: dict[str, Any],
        at: datetime,
        *,
        user_id: int | None = None,
        dedup_key: str | None = None,
    ) -> bool:
        """Queue a message; False when `dedup_key` was queued before (it is not queued twice)."""
        values = {
            "channel": channel,
            "user_id": user_id,
            "payload": payload,
            "dedup_key": dedup_key,
            "created_at": at,
            "available_at": at,
            "attempts": 0,
        }
        return (await self.conn.execute(_on(self.conn, _OUTBOX_ADD), values)).rowcount == 1

    async def due(
        self,
        now: datetime,
        limit: int = 50,
        *,
        channel: str | None = None,
        user_id: int | None = None,
        transport: str | None = None,
    ) -> list[OutboxMessage]:
        """Claim due messages. On PostgreSQL rows locked by another worker are skipped.
        `transport`: only messages for users of that transport (its worker delivers them)."""
        stmt = (
            select(
                outbox.c.id, outbox.c.channel, outbox.c.user_id, outbox.c.payload, outbox.c.attempts
            )
            .where(outbox.c.sent_at.is_(None), outbox.c.available_at <= now)
            .order_by(outbox.c.id)
            .limit(limit)
        )
        if channel is not None:
            stmt = stmt.where(outbox.c.channel == channel)
        if user_id is not None:
            stmt = stmt.where(outbox.c.user_id == user_id)
        if transport is not None:
            of_transport = select(users.c.id).where(users.c.transport == transport)
            stmt = stmt.where(outbox.c.user_id.in_(of_transport))
        if self.conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = (await self.conn.execute(stmt)).all()
        return [
            OutboxMessage(r.id, r.channel, r.user_id, dict(r.payload), r.attempts) for r in rows
        ]

    async def prune_sent(self, before: datetime, limit: int = 5000) -> int:
        """Delete up to `limit` messages sent before `before`; unsent ones are never touched."""
        oldest = (
            select(outbox.c.id)
            .where(outbox.c.sent_at.is_not(None), outbox.c.sent_at < before)
            .order_by(outbox.c.id)
            .limit(limit)
        )
        result = await self.conn.execute(outbox.delete().where(outbox.c.id.in_(oldest)))
        return result.rowcount

    async def mark_sent(self, message_id: int, at: datetime) -> None:
        await self.conn.execute(update(outbox).where(outbox.c.id == message_id).values(sent_at=at))

    async def lease(self, message_ids: list[int], until: datetime) -> None:
        """Hide claimed messages from other workers until `until` (their delivery's lease)."""
        if message_ids:
            await self.conn.execute(
                update(outbox).where(outbox.c.id.in_(message_ids)).values(available_at=until)
            )

    async def postpone(self, message_id: int, until: datetime, error: str) -> None:
        await self.conn.execute(
            update(outbox)
            .where(outbox.c.id == message_id)
            .values(available_at=until, attempts=outbox.c.attempts + 1, last_error=error[:2000])
        )

    async def unsent_upto(
        self, last_id: int, *, channel: str, user_ids: list[int] | None = None
    ) -> list[UnsentMessage]:
        """The unsent messages of `channel` (of these users) with an id up to `last_id`, by id:
        what must go out before a claimed message of a chat."""
        stmt = (
            select(outbox.c.id, outbox.c.user_id, outbox.c.available_at)
            .where(outbox.c.sent_at.is_(None), outbox.c.channel == channel, outbox.c.id <= last_id)
            .order_by(outbox.c.id)
        )
        if user_ids is not None:
            stmt = stmt.where(outbox.c.user_id.in_(user_ids))
        rows = (await self.conn.execute(stmt)).all()
        return [UnsentMessage(r.id, r.user_id, r.available_at) for r in rows]

    async def renew(
        self, message_ids: list[int], held_until: datetime, until: datetime
    ) -> set[int]:
        """Extend a lease: the ids still unsent and still leased until `held_until` (so not
        taken over by another worker after the lease ended) now wait until `until`."""
        if not message_ids:
            return set()
        stmt = (
            update(outbox)
            .where(
                outbox.c.id.in_(message_ids),
                outbox.c.sent_at.is_(None),
                outbox.c.available_at == held_until,
            )
            .values(available_at=until)
            .returning(outbox.c.id)
        )
        return set((await self.conn.execute(stmt)).scalars().all())

    async def save_payload(self, message_id: int, payload: dict[str, Any]) -> None:
        """Store a message's payload again (the worker's progress through its chunks)."""
        await self.conn.execute(
            update(outbox).where(outbox.c.id == message_id).values(payload=payload)
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
    )


class OrderRepo(_Repo):
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
            "updated_at": at,
        }
        result = await self.conn.execute(_on(self.conn, _ORDER_INSERT), values)
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


def _ticket(row: Row[Any]) -> Ticket:
    return Ticket(
        id=row.id,
        user_id=row.user_id,
        status=row.status,
        reason=row.reason,
        flow=row.flow,
        step=row.step,
        summary=dict(row.summary),
        topic_id=row.topic_id,
        claimed_by=row.claimed_by,
        hours_notice_on=row.hours_notice_on,
        created_at=row.created_at,
    )


def _ticket_message(row: Row[Any]) -> TicketMessage:
    return TicketMessage(
        id=row.id,
        ticket_id=row.ticket_id,
        direction=row.direction,
        text=row.text,
        customer_message_id=row.customer_message_id,
        staff_message_id=row.staff_message_id,
        created_at=row.created_at,
    )


OPEN_TICKET_STATUSES = ("waiting", "handling")


class TicketRepo(_Repo):
    async def open_for(self, user_id: int) -> Ticket | None:
        row = (
            await self.conn.execute(
                select(support_tickets)
                .where(
                    support_tickets.c.user_id == user_id,
                    support_tickets.c.status.in_(OPEN_TICKET_STATUSES),
                )
                .order_by(support_tickets.c.id.desc())
                .limit(1)
            )
        ).first()
        return _ticket(row) if row else None

    async def create(
        self, user_id: int, reason: str, flow: str, step: str, summary: dict[str, Any], at: datetime
    ) -> Ticket:
        result = await self.conn.execute(
            insert(support_tickets).values(
                user_id=user_id,
                status="waiting",
                reason=reason,
                flow=flow,
                step=step,
                summary=summary,
                created_at=at,
                updated_at=at,
            )
        )
        ticket_id = result.inserted_primary_key[0]
        return Ticket(
            ticket_id, user_id, "waiting", reason, flow, step, summary, None, None, None, at
        )

    async def get(self, ticket_id: int) -> Ticket | None:
        row = (
            await self.conn.execute(
                select(support_tickets).where(support_tickets.c.id == ticket_id)
            )
        ).first()
        return _ticket(row) if row else None

    async def by_topic(self, topic_id: int) -> Ticket | None:
        row = (
            await self.conn.execute(
                select(support_tickets)
                .where(support_tickets.c.topic_id == topic_id)
                .order_by(support_tickets.c.id.desc())
                .limit(1)
            )
        ).first()
        return _ticket(row) if row else None

    async def update(self, ticket: Ticket, at: datetime, **changes: Any) -> None:
        await self.conn.execute(
            update(support_tickets)
            .where(support_tickets.c.id == ticket.id)
            .values(updated_at=at, **changes)
        )
        for key, value in changes.items():
            setattr(ticket, key, value)

    async def add_message(
        self,
        ticket_id: int,
        direction: str,
        text: str,
        at: datetime,
        *,
        customer_message_id: int | None = None,
        staff_message_id: int | None = None,
    ) -> int:
        result = await self.conn.execute(
            insert(ticket_messages).values(
                ticket_id=ticket_id,
                direction=direction,
                text=text,
                customer_message_id=customer_message_id,
                staff_message_id=staff_message_id,
                created_at=at,
            )
        )
        return result.inserted_primary_key[0]

    async def link_message(self, message_row_id: int, **ids: int) -> None:
        await self.conn.execute(
            update(ticket_messages).where(ticket_messages.c.id == message_row_id).values(**ids)
        )

    async def find_message(self, ticket_id: int, **ids: int) -> TicketMessage | None:
        """The ticket's message with this customer_message_id or staff_message_id (one)."""
        ((column, value),) = ids.items()
        row = (
            await self.conn.execute(
                select(ticket_messages).where(
                    ticket_messages.c.ticket_id == ticket_id, ticket_messages.c[column] == value
                )
            )
        ).first()
        return _ticket_message(row) if row else None

    async def claim_topic(
        self, ticket_id: int, topic_id: int, at: datetime, *, replacing: int | None = None
    ) -> bool:
        """Store the ticket's forum topic unless another worker stored one first: only while
        the ticket has none (or still has `replacing`, a deleted topic). False: lost the race."""
        column = support_tickets.c.topic_id
        current = column.is_(None) if replacing is None else column == replacing
        result = await self.conn.execute(
            update(support_tickets)
            .where(support_tickets.c.id == ticket_id, current)
            .values(topic_id=topic_id, updated_at=at)
        )
        return result.rowcount == 1


def _checklist(row: Row[Any]) -> Checklist:
    return Checklist(
        user_id=row.user_id,
        ar_balance_usd=row.ar_balance_usd,
        eligible=None if row.eligible is None else bool(row.eligible),
        progress=dict(row.progress),
        started_at=row.started_at,
        updated_at=row.updated_at,
    )


class ChecklistRepo(_Repo):
    async def get(self, user_id: int) -> Checklist | None:
        row = (
            await self.conn.execute(
                select(migration_checklists).where(migration_checklists.c.user_id == user_id)
            )
        ).first()
        return _checklist(row) if row else None

    async def save(
        self,
        user_id: int,
        at: datetime,
        *,
        progress: dict[str, Any],
        ar_balance_usd: Decimal | None = None,
        eligible: bool | None = None,
    ) -> None:
        values: dict[str, Any] = {"progress": progress, "updated_at": at}
        if ar_balance_usd is not None:
            values["ar_balance_usd"] = ar_balance_usd
        if eligible is not None:
            values["eligible"] = int(eligible)
        changed = await self.conn.execute(
            update(migration_checklists)
            .where(migration_checklists.c.user_id == user_id)
            .values(**values)
        )
        if changed.rowcount == 0:
            await self.conn.execute(
                insert(migration_checklists).values(user_id=user_id, started_at=at, **values)
            )

    async def delete(self, user_id: int) -> None:
        await self.conn.execute(
            migration_checklists.delete().where(migration_checklists.c.user_id == user_id)
        )


class Tx:
    """The repositories of one open transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.inbox = InboxRepo(conn)
        self.users = UserRepo(conn)
        self.conversations = ConversationRepo(conn)
        self.outbox = OutboxRepo(conn)
        self.orders = OrderRepo(conn)
        self.tickets = TicketRepo(conn)
        self.checklists = ChecklistRepo(conn)

    async def open_turn(
        self, delivery_id: str | None, at: datetime, transport: str, external_id: str
    ) -> tuple[bool, tuple[User, Conversation | None] | None]:
        """The start of every message: record its delivery id, then read the user and their
        conversation. (False, None) when the delivery was processed before (a redelivery);
        else True and what `UserRepo.find_with_conversation` returns."""
        if delivery_id is not None and self.conn.dialect.name == "postgresql":
            params = {
                "delivery_id": delivery_id,
                "processed_at": at,
                "transport": transport,
                "external_id": external_id,
            }
            row = (await self.conn.execute(_RECORD_AND_FIND, params)).one()
            if not row.recorded:
                return False, None
            return True, _user_and_conversation(row) if row.id is not None else None
        if delivery_id is not None and not await self.inbox.record(delivery_id, at):
            return False, None
        return True, await self.users.find_with_conversation(transport, external_id)


__all__ = ["OPEN_TICKET_STATUSES", "StaleConversation", "Tx"]
