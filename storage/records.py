"""Plain values that repositories return: flows never see SQLAlchemy rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass(slots=True)
class User:
    id: int
    transport: str
    external_id: str
    language: str | None
    market: str | None
    display_name: str
    phone: str | None
    address: str | None
    recipient_name: str | None = None


@dataclass(slots=True)
class Conversation:
    user_id: int
    flow: str
    state: str
    slots: dict[str, Any]
    version: int  # 0: not stored yet

    @property
    def is_new(self) -> bool:
        return self.version == 0


@dataclass(frozen=True, slots=True)
class OrderLine:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal


@dataclass(slots=True)
class Order:
    id: int
    number: str
    user_id: int
    market: str
    currency: str
    status: str
    payment_method: str
    subtotal: Decimal
    shipping_fee: Decimal
    total: Decimal
    purchase_year: int
    purchase_month: int
    placed_at: datetime
    pay_by: datetime | None
    estimate_from: date | None
    estimate_to: date | None
    address: str
    phone: str
    lines: list[OrderLine] = field(default_factory=list)
    recipient_name: str = ""
    member_number: str = ""  # optional: "" when the customer skipped it
    updated_at: datetime | None = None  # the last change (status, estimate); None: a draft


@dataclass(slots=True)
class Ticket:
    id: int
    user_id: int
    status: str
    reason: str
    flow: str
    step: str
    summary: dict[str, Any]
    topic_id: int | None
    claimed_by: str | None
    hours_notice_on: date | None
    created_at: datetime


@dataclass(slots=True)
class TicketMessage:
    """One message of a ticket, with its copy's id on the other side (None: not relayed)."""

    id: int
    ticket_id: int
    direction: str  # "in": from the customer, "out": from staff
    text: str
    customer_message_id: int | None
    staff_message_id: int | None
    created_at: datetime


@dataclass(slots=True)
class Checklist:
    """A user's Kazakhstan move: the balance facts once given, and the steps done so far."""

    user_id: int
    ar_balance_usd: Decimal | None
    eligible: bool | None  # None: the balance was not given yet
    progress: dict[str, Any]  # "done": states finished, "after": after-move items ticked
    started_at: datetime
    updated_at: datetime


@dataclass(slots=True)
class OutboxMessage:
    id: int
    channel: str
    user_id: int | None
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True, slots=True)
class UnsentMessage:
    """Where an unsent outbox message stands: whose it is and when it is next due."""

    id: int
    user_id: int | None
    available_at: datetime


@dataclass(slots=True)
class LrpLine:
    """A product of an auto-order template: its SKU, the name when set up, the quantity."""

    sku: str
    name: str
    quantity: int


@dataclass(slots=True)
class LrpTemplate:
    """A monthly loyalty auto-order (R-KR-LRP-1..4)."""

    id: int
    user_id: int
    market: str
    currency: str
    status: str
    day: int
    lines: list[LrpLine]
    address: str
    phone: str
    next_run: date
    next_period: str
    remind_on: date
    reminded_period: str | None = None
    skip_period: str | None = None
    last_period: str | None = None
    pending: dict[str, Any] | None = None
    created_at: datetime | None = None
    recipient_name: str = ""  # "" in templates made before it was asked


@dataclass(frozen=True, slots=True)
class LrpRun:
    template_id: int
    period: str
    run_on: date
    outcome: str
    order_id: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ReturnLine:
    """A product being returned: its SKU and name, how many, and the price paid for one."""

    sku: str
    name: str
    quantity: int
    unit_price: Decimal


@dataclass(slots=True)
class ReturnRequest:
    """A return request (R-KR-RET-1..4) with its quote as quoted and staff's decision."""

    id: int
    number: str
    market: str
    user_id: int
    order_id: int | None
    order_number: str
    purchased_on: date
    delivered_on: date | None
    requested_on: date
    kind: str
    reason: str
    lines: list[ReturnLine]
    currency: str
    amount: Decimal
    eligible: bool
    fee_rate: Decimal
    fee: Decimal
    refund: Decimal
    quote_reason: str
    deadline: date | None
    handled_by: str
    status: str
    ticket_id: int | None = None
    decided_by: str | None = None
    reject_asked_by: str | None = None
    reject_reason: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
