"""`orderbot orders ...`: operators list and show orders, mark them paid, shipped, delivered
or cancelled (the customer is told through the outbox), and run the unpaid-order expiry job.

Each mark is one guarded transaction (flows/orders.py), so repeating a command is harmless:
the second run reports "already paid" and tells nobody anything twice.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime

import policy
from bot.cli.common import run_on_database
from services import orders
from storage.db import Database
from storage.records import Order

MARKS = {
    "paid": orders.PAID,
    "shipped": orders.SHIPPED,
    "delivered": orders.DELIVERED,
    "cancel": orders.CANCELLED,
}


def register_orders(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "orders", help="orders: list, show, mark paid/shipped/delivered/cancel, expire unpaid"
    )
    parser.add_argument("action", choices=["list", "show", *MARKS, "expire"])
    parser.add_argument("number", nargs="?", help="the order number, e.g. KR-2611-000001")
    parser.add_argument("--status", choices=list(orders.STATUS_LABELS), help="list: only these")
    parser.add_argument("--limit", type=int, default=20, help="list: how many (default 20)")
    parser.add_argument("--db", help="SQLite file or database URL (default: ORDERBOT_DATABASE_URL)")
    parser.add_argument("--now", help="the clock, ISO 8601 (default: the real time)")
    parser.set_defaults(run=_orders)


def _orders(args: argparse.Namespace) -> None:
    if args.action in ("show", *MARKS) and not args.number:
        sys.exit(f"orderbot orders {args.action}: give the order NUMBER")
    run_on_database(args, lambda db, now: ACTIONS.get(args.action, _mark)(db, args, now))


def _local(order: Order, moment: datetime) -> str:
    return f"{policy.to_local(order.market, moment):%Y-%m-%d %H:%M %Z}"


def _row(order: Order) -> str:
    pay_by = f"  pay by {_local(order, order.pay_by)}" if order.pay_by else ""
    return (
        f"{order.number}  {order.status:<16} {order.payment_method:<13} "
        f"{order.total:>12,.0f} {order.currency}  placed {_local(order, order.placed_at)}{pay_by}"
    )


async def _list(db: Database, args: argparse.Namespace, now: datetime) -> int:
    async with db.transaction() as tx:
        found = await tx.orders.latest(args.limit, args.status)
    for order in found:
        print(_row(order))
    if not found:
        print("no orders")
    return 0


async def _show(db: Database, args: argparse.Namespace, now: datetime) -> int:
    async with db.transaction() as tx:
        order = await tx.orders.by_number(args.number)
    if order is None:
        print(f"no order {args.number}", file=sys.stderr)
        return 1
    print(_row(order))
    for line in order.lines:
        print(f"  {line.sku:<10} {line.name:<28} x{line.quantity:<3} {line.line_total:>12,.0f}")
    print(
        f"  shipping {order.shipping_fee:,.0f}, purchase month {order.purchase_year}-"
        f"{order.purchase_month:02d}, estimate {order.estimate_from} - {order.estimate_to}"
    )
    print(f"  deliver to {order.recipient_name or '?'}, {order.address}, {order.phone}")
    if order.member_number:
        print(f"  member number {order.member_number}")
    return 0


async def _mark(db: Database, args: argparse.Namespace, now: datetime) -> int:
    status = MARKS[args.action]
    change = await orders.mark(db, args.number, status, now)
    if change.order is None:
        print(f"no order {args.number}", file=sys.stderr)
        return 1
    if change.changed:
        print(f"{args.number}: {change.before} -> {status} (customer notified)")
        return 0
    if change.before == status:
        print(f"{args.number}: already {status}")
        return 0
    print(f"{args.number}: cannot mark {status}: it is {change.before}", file=sys.stderr)
    return 1


async def _expire(db: Database, args: argparse.Namespace, now: datetime) -> int:
    expired = await orders.expire_unpaid(db, now)
    for order in expired:
        print(f"{order.number}: cancelled, unpaid since {_local(order, order.pay_by or now)}")
    print(f"{len(expired)} unpaid order(s) cancelled")
    return 0


Action = Callable[[Database, argparse.Namespace, datetime], Awaitable[int]]
ACTIONS: dict[str, Action] = {"list": _list, "show": _show, "expire": _expire}
