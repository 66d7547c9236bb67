"""Return requests. A request's number is the next of its market and month, claimed by its
(market, period, seq) unique key: two requests racing for one number cannot both insert, and
the loser's turn runs again (the engine retries on a unique-key conflict).

Every status change is `move`: an UPDATE guarded by the statuses that move may start from
(`MOVES`), which says whether this transaction made it, so a double press or two agents decide
once (services/returns.py tells the customer only when it did).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, func, insert, select, update

from storage.records import ReturnLine, ReturnRequest
from storage.repos._base import Repo
from storage.schema import return_requests

REQUESTED = "requested"
APPROVED = "approved"
REJECTED = "rejected"
RECEIVED = "received"
REFUNDED = "refunded"
CANCELLED = "cancelled"
# The statuses each move starts from.
MOVES: dict[str, tuple[str, ...]] = {
    APPROVED: (REQUESTED,),
    REJECTED: (REQUESTED,),
    CANCELLED: (REQUESTED,),
    RECEIVED: (APPROVED,),
    REFUNDED: (RECEIVED,),
}
_T = return_requests.c


def lines_json(lines: list[ReturnLine]) -> list[dict[str, Any]]:
    return [
        {"sku": x.sku, "name": x.name, "quantity": x.quantity, "unit_price": str(x.unit_price)}
        for x in lines
    ]


def _lines(raw: Any) -> list[ReturnLine]:
    return [
        ReturnLine(str(i["sku"]), str(i["name"]), int(i["quantity"]), Decimal(str(i["unit_price"])))
        for i in raw or []
    ]


def _request(row: Row[Any]) -> ReturnRequest:
    return ReturnRequest(
        id=row.id,
        number=row.number,
        market=row.market,
        user_id=row.user_id,
        order_id=row.order_id,
        order_number=row.order_number,
        purchased_on=row.purchased_on,
        delivered_on=row.delivered_on,
        requested_on=row.requested_on,
        kind=row.kind,
        reason=row.reason,
        lines=_lines(row.lines),
        currency=row.currency,
        amount=row.amount,
        eligible=row.eligible,
        fee_rate=row.fee_rate,
        fee=row.fee,
        refund=row.refund,
        quote_reason=row.quote_reason,
        deadline=row.deadline,
        handled_by=row.handled_by,
        status=row.status,
        ticket_id=row.ticket_id,
        decided_by=row.decided_by,
        reject_asked_by=row.reject_asked_by,
        reject_reason=row.reject_reason,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class ReturnRepo(Repo):
    async def create(self, request: ReturnRequest, period: str, at: datetime) -> ReturnRequest:
        """Store the request under the next number of its market and `period` ("2612")."""
        last = select(func.max(_T.seq)).where(_T.market == request.market, _T.period == period)
        seq = ((await self.conn.execute(last)).scalar_one_or_none() or 0) + 1
        request.number = f"RT-{request.market}-{period}-{seq:06d}"
        values = {
            "number": request.number,
            "market": request.market,
            "period": period,
            "seq": seq,
            "user_id": request.user_id,
            "order_id": request.order_id,
            "order_number": request.order_number,
            "purchased_on": request.purchased_on,
            "delivered_on": request.delivered_on,
            "requested_on": request.requested_on,
            "kind": request.kind,
            "reason": request.reason,
            "lines": lines_json(request.lines),
            "currency": request.currency,
            "amount": request.amount,
            "eligible": request.eligible,
            "fee_rate": request.fee_rate,
            "fee": request.fee,
            "refund": request.refund,
            "quote_reason": request.quote_reason,
            "deadline": request.deadline,
            "handled_by": request.handled_by,
            "status": request.status,
            "ticket_id": request.ticket_id,
            "created_at": at,
            "updated_at": at,
        }
        inserted = await self.conn.execute(insert(return_requests).returning(_T.id), values)
        request.id = inserted.scalar_one()
        request.created_at = request.updated_at = at
        return request

    async def get(self, request_id: int) -> ReturnRequest | None:
        row = (await self.conn.execute(select(return_requests).where(_T.id == request_id))).first()
        return _request(row) if row else None

    async def by_number(self, number: str) -> ReturnRequest | None:
        stmt = select(return_requests).where(_T.number == number)
        row = (await self.conn.execute(stmt)).first()
        return _request(row) if row else None

    async def of_user(self, user_id: int, limit: int = 10) -> list[ReturnRequest]:
        """A customer's latest requests, newest first."""
        stmt = (
            select(return_requests).where(_T.user_id == user_id).order_by(_T.id.desc()).limit(limit)
        )
        return [_request(r) for r in (await self.conn.execute(stmt)).all()]

    async def listing(self, *, status: str | None = None, limit: int = 50) -> list[ReturnRequest]:
        """Requests for operators, newest first."""
        stmt = select(return_requests).order_by(_T.id.desc()).limit(limit)
        if status is not None:
            stmt = stmt.where(_T.status == status)
        return [_request(r) for r in (await self.conn.execute(stmt)).all()]

    async def awaiting_reason(self, ticket_id: int) -> ReturnRequest | None:
        """The undecided request of a ticket whose reject is waiting for the agent's reason."""
        stmt = (
            select(return_requests)
            .where(
                _T.ticket_id == ticket_id,
                _T.status == REQUESTED,
                _T.reject_asked_by.is_not(None),
            )
            .order_by(_T.id)
            .limit(1)
        )
        row = (await self.conn.execute(stmt)).first()
        return _request(row) if row else None

    async def move(self, request: ReturnRequest, status: str, at: datetime, **fields: Any) -> bool:
        """Set `status` (and `fields`) if the stored status may move there; whether it did."""
        stmt = (
            update(return_requests)
            .where(_T.id == request.id, _T.status.in_(MOVES[status]))
            .values(status=status, updated_at=at, **fields)
        )
        if (await self.conn.execute(stmt)).rowcount != 1:
            return False
        request.status = status
        for name, value in fields.items():
            setattr(request, name, value)
        return True

    async def ask_reason(self, request: ReturnRequest, staff: str, at: datetime) -> bool:
        """Mark an undecided request as waiting for `staff`'s reason to reject it."""
        stmt = (
            update(return_requests)
            .where(_T.id == request.id, _T.status == REQUESTED)
            .values(reject_asked_by=staff, updated_at=at)
        )
        return (await self.conn.execute(stmt)).rowcount == 1
