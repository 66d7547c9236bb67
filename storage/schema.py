"""Table definitions: the one place the database schema is described.

SQLAlchemy Core tables rather than ORM classes: the hot path (one transaction per message) runs a
handful of small statements, and Core keeps each of them a single round trip with no identity-map
bookkeeping. Alembic migrations under `storage/migrations` are the source of truth for existing
databases; this metadata must always match the newest migration (a test checks).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend.

    SQLite keeps no zone, so a naive value read back would silently shift by the server's
    offset; refusing naive input keeps policy functions (which refuse naive time) honest.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: pass an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


MONEY = Numeric(14, 2)
# SQLite has no BIGINT autoincrement; Telegram ids and message ids do exceed 32 bits.
ID = BigInteger().with_variant(Integer, "sqlite")

users = Table(
    "users",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("transport", String(16), nullable=False),
    Column("external_id", String(128), nullable=False),
    Column("language", String(8)),
    Column("market", String(2)),
    Column("display_name", String(128), nullable=False, default=""),
    Column("phone", String(32)),
    Column("address", Text),
    # The recipient named at the last checkout, offered again next time.
    Column("recipient_name", String(128)),
    Column("created_at", UtcDateTime(), nullable=False),
    # A second key of the transport's for this user (Kakao's plusfriendUserKey): read only to
    # re-link them or reach them unprompted, never on the message path.
    Column("linked_key", String(128)),
    UniqueConstraint("transport", "external_id"),
)

conversations = Table(
    "conversations",
    metadata,
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("flow", String(32), nullable=False),
    Column("state", String(64), nullable=False),
    Column("slots", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# Delivery ids already processed: a repeat of one is a no-op (exactly-once effects).
inbox = Table(
    "inbox",
    metadata,
    Column("delivery_id", String(96), primary_key=True),
    Column("processed_at", UtcDateTime(), nullable=False),
    # For pruning old ids without scanning the table.
    Index(None, "processed_at"),
)

# Durable intake (bot/channels/intake.py): every update a channel accepted, written before the
# transport is told it arrived, until its turn is done and its replies sent. `chat` is the
# channel's ordering key; rows of one chat are processed in `id` order. A turn that commits
# sets `state` to answered and keeps its `replies` until they are sent (after a crash they are
# sent again, never lost).
intake = Table(
    "intake",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("channel", String(16), nullable=False),
    Column("update_key", String(64), nullable=False),
    Column("chat", String(96), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("state", String(10), nullable=False),  # received, answered
    Column("replies", JSON),
    UniqueConstraint("channel", "update_key"),
    Index(None, "chat", "id"),
    # Never reuse a deleted row's id (SQLite would, for the highest): a late turn holding an
    # old receipt must never answer another update.
    sqlite_autoincrement=True,
)

# Which worker processes a chat's intake now: held while it has work, renewed, released when
# idle; a lease past `until` (its worker died) may be taken by any worker.
intake_leases = Table(
    "intake_leases",
    metadata,
    Column("chat", String(96), primary_key=True),
    Column("owner", String(64), nullable=False),
    Column("until", UtcDateTime(), nullable=False),
)

# Messages for someone other than the sender of the current event (staff threads, order
# notifications), written in the same transaction as the change that caused them.
outbox = Table(
    "outbox",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("dedup_key", String(128), unique=True),
    Column("channel", String(16), nullable=False),
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE")),
    Column("payload", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("available_at", UtcDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("sent_at", UtcDateTime()),
    Column("last_error", Text),
    Index(None, "sent_at", "available_at"),
)

orders = Table(
    "orders",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("number", String(32), unique=True),
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    # One order per checkout, however often the confirm button arrives.
    Column("idempotency_key", String(96), nullable=False, unique=True),
    Column("market", String(2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(24), nullable=False),
    Column("payment_method", String(24), nullable=False),
    Column("subtotal", MONEY, nullable=False),
    Column("shipping_fee", MONEY, nullable=False),
    Column("total", MONEY, nullable=False),
    Column("purchase_year", Integer, nullable=False),
    Column("purchase_month", Integer, nullable=False),
    Column("placed_at", UtcDateTime(), nullable=False),
    Column("pay_by", UtcDateTime()),
    Column("estimate_from", Date),
    Column("estimate_to", Date),
    Column("address", Text, nullable=False, default=""),
    Column("phone", String(32), nullable=False, default=""),
    # Who receives the parcel, and the member number a bank transfer is deposited under
    # (R-KR-PAY-3); empty in orders placed before they were asked.
    Column("recipient_name", String(128), nullable=False, default=""),
    Column("member_number", String(32), nullable=False, default=""),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index(None, "user_id", "id"),
    Index(None, "status", "pay_by"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("order_id", ID, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("sku", String(32), nullable=False),
    Column("name", String(128), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", MONEY, nullable=False),
    Column("line_total", MONEY, nullable=False),
    Index(None, "order_id"),
)

# Progress through the move to the Kazakhstan market (R-KZ-MIG-1..8), kept apart from the
# conversation so that it survives /cancel, other flows and days of absence.
migration_checklists = Table(
    "migration_checklists",
    metadata,
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("ar_balance_usd", MONEY),
    Column("eligible", Integer),
    Column("progress", JSON, nullable=False),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

support_tickets = Table(
    "support_tickets",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", String(32), nullable=False),
    Column("flow", String(32), nullable=False, default=""),
    Column("step", String(64), nullable=False, default=""),
    Column("summary", JSON, nullable=False),
    Column("topic_id", ID),
    Column("claimed_by", String(128)),
    Column("hours_notice_on", Date),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index(None, "user_id", "status"),
    Index(None, "topic_id"),
)

# Every message relayed through a ticket, with the ids on both sides, so that edits can follow.
ticket_messages = Table(
    "ticket_messages",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("ticket_id", ID, ForeignKey("support_tickets.id", ondelete="CASCADE"), nullable=False),
    Column("direction", String(8), nullable=False),
    Column("customer_message_id", ID),
    Column("staff_message_id", ID),
    Column("text", Text, nullable=False, default=""),
    Column("created_at", UtcDateTime(), nullable=False),
    Index(None, "ticket_id", "customer_message_id"),
    Index(None, "ticket_id", "staff_message_id"),
)

# The monthly loyalty auto-order (R-KR-LRP-1..4): a template per customer and market, with the
# next run and its reminder day kept beside it so that the jobs find due rows by index.
lrp_templates = Table(
    "lrp_templates",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("market", String(2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(16), nullable=False),  # active, paused, cancelled
    Column("day", Integer, nullable=False),  # 1..31; 29-31 fall on a short month's last day
    Column("lines", JSON, nullable=False),  # [{"sku", "name", "quantity"}]
    Column("address", Text, nullable=False),
    Column("phone", String(32), nullable=False),
    Column("recipient_name", String(128), nullable=False, default=""),
    Column("next_run", Date, nullable=False),
    Column("next_period", String(7), nullable=False),  # "2026-12": the month of next_run
    Column("remind_on", Date, nullable=False),
    Column("reminded_period", String(7)),  # the period whose reminder was sent
    Column("skip_period", String(7)),  # a period the customer skipped
    Column("last_period", String(7)),  # the period of the latest run
    # A change received after a run's cut-off, for a later run (R-KR-LRP-3): the fields it
    # sets and "applies", the first run it is for.
    Column("pending", JSON),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index(None, "status", "next_run"),
    Index(None, "status", "remind_on"),
    Index(None, "user_id"),
)

# One row per (template, period) whatever happened to it (an order, a skip, a run missed
# during downtime): the unique key is what makes a run happen once, however many workers race.
lrp_runs = Table(
    "lrp_runs",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("template_id", ID, ForeignKey("lrp_templates.id", ondelete="CASCADE"), nullable=False),
    Column("period", String(7), nullable=False),
    Column("run_on", Date, nullable=False),
    Column("outcome", String(16), nullable=False),  # ordered, skipped, missed, empty
    Column("order_id", ID, ForeignKey("orders.id", ondelete="SET NULL")),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("template_id", "period"),
)

# A return request (R-KR-RET-1..4): what the customer returns, the quote as it was quoted, and
# where staff's decision stands. Its number (RT-KR-2612-000123) is a sequence per market and
# month: the unique key, not memory, is what keeps two requests from sharing one.
return_requests = Table(
    "return_requests",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("market", String(2), nullable=False),
    Column("period", String(4), nullable=False),  # "2612": the local year and month, yymm
    Column("seq", Integer, nullable=False),
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("order_id", ID, ForeignKey("orders.id", ondelete="SET NULL")),
    Column("order_number", String(64), nullable=False),  # ours, or one made elsewhere
    Column("purchased_on", Date, nullable=False),
    Column("delivered_on", Date),  # only when later than the purchase
    Column("requested_on", Date, nullable=False),
    Column("kind", String(16), nullable=False),  # member, consumer
    Column("reason", Text, nullable=False),
    Column("lines", JSON, nullable=False),  # [{"sku", "name", "quantity", "unit_price"}]
    Column("currency", String(3), nullable=False),
    Column("amount", MONEY, nullable=False),
    # The quote as quoted (policy.return_quote), kept even if the rules change later.
    Column("eligible", Boolean, nullable=False),
    Column("fee_rate", Numeric(5, 4), nullable=False),
    Column("fee", MONEY, nullable=False),
    Column("refund", MONEY, nullable=False),
    Column("quote_reason", String(32), nullable=False),
    Column("deadline", Date),
    Column("handled_by", String(16), nullable=False),
    # requested -> approved | rejected | cancelled; approved -> received -> refunded
    Column("status", String(16), nullable=False),
    Column("ticket_id", ID, ForeignKey("support_tickets.id", ondelete="SET NULL")),
    Column("decided_by", String(128)),
    Column("reject_asked_by", String(128)),  # an agent pressed Reject: their next words say why
    Column("reject_reason", Text),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("market", "period", "seq"),
    Index(None, "user_id", "id"),
    Index(None, "status", "id"),
    Index(None, "ticket_id"),
)
