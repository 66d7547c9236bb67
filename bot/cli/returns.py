"""`orderbot returns ...`: operators list and show return requests and move them: approve,
reject with a reason, goods received, refunded (the customer is told through the outbox).

Each move is one guarded transaction (services/returns.py), as the staff desk's buttons are:
repeating a command, or running it after a button decided, reports where the request stands
and tells nobody anything twice.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from bot.cli.common import run_on_database
from services import returns
from storage.db import Database
from storage.records import ReturnRequest

OPERATOR = "operator"
MARKS = {
    "approve": returns.APPROVED,
    "reject": returns.REJECTED,
    "received": returns.RECEIVED,
    "refunded": returns.REFUNDED,
}


def register_returns(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "returns",
        help="return requests: list, show N, approve N, reject N --reason R, received N, "
        "refunded N",
    )
    parser.add_argument("action", choices=["list", "show", *MARKS])
    parser.add_argument("number", nargs="?", help="the request number, e.g. RT-KR-2612-000001")
    parser.add_argument("--status", choices=list(returns.STATUS_LABELS), help="list: only these")
    parser.add_argument("--reason", help="reject: why, as the customer will read it")
    parser.add_argument("--limit", type=int, default=50, help="list: how many (default 50)")
    parser.add_argument("--db", help="SQLite file or database URL (default: ORDERBOT_DATABASE_URL)")
    parser.add_argument("--now", help="the clock, ISO 8601 (default: the real time)")
    parser.set_defaults(run=_returns)


def _returns(args: argparse.Namespace) -> None:
    if args.action != "list" and not args.number:
        sys.exit(f"orderbot returns {args.action}: give the request NUMBER")
    if args.action == "reject" and not (args.reason or "").strip():
        sys.exit("orderbot returns reject: give the --reason the customer will read")

    async def work(db: Database, now: datetime) -> int:
        if args.action == "list":
            return await _list(db, args)
        request = await _find(db, args.number)
        if request is None:
            print(f"no return request {args.number}", file=sys.stderr)
            return 1
        if args.action == "show":
            _show(request)
            return 0
        return await _mark(db, request, MARKS[args.action], args.reason, now)

    run_on_database(args, work)


async def _find(db: Database, number: str) -> ReturnRequest | None:
    async with db.transaction() as tx:
        if number.isdigit():
            return await tx.returns.get(int(number))
        return await tx.returns.by_number(number.upper())


def _row(request: ReturnRequest) -> str:
    quote = (
        f"refund {request.refund} {request.currency} (fee {request.fee})"
        if request.eligible
        else f"not eligible ({request.quote_reason})"
    )
    return (
        f"{request.number}  {request.status:<9} order {request.order_number}  "
        f"{request.kind:<8} asked {request.requested_on}  {quote}"
    )


async def _list(db: Database, args: argparse.Namespace) -> int:
    async with db.transaction() as tx:
        found = await tx.returns.listing(status=args.status, limit=args.limit)
    for request in found:
        print(_row(request))
    if not found:
        print("no return requests")
    return 0


def _show(request: ReturnRequest) -> None:
    print(_row(request))
    print(f"  bought {request.purchased_on}, delivered {request.delivered_on or '-'}")
    for line in request.lines:
        print(f"  {line.sku or '-':<10} {line.name:<28} x{line.quantity} at {line.unit_price}")
    print(f"  amount {request.amount} {request.currency}, fee rate {request.fee_rate}")
    print(f"  reason: {request.reason}")
    if request.ticket_id:
        print(f"  support request #{request.ticket_id}")
    if request.decided_by:
        print(f"  decided by {request.decided_by}")
    if request.reject_reason:
        print(f"  rejected because: {request.reject_reason}")


async def _mark(
    db: Database, request: ReturnRequest, status: str, reason: str | None, now: datetime
) -> int:
    change = await returns.mark(db, request.id, status, OPERATOR, now, reason=reason)
    if change.made:
        print(f"{request.number}: {request.status} -> {status} (customer notified)")
        return 0
    current = change.request.status if change.request else "gone"
    if current == status:
        print(f"{request.number}: already {status}")
        return 0
    print(f"{request.number}: cannot mark {status}: it is {current}", file=sys.stderr)
    return 1
