"""Support tickets and the messages relayed between a customer and the staff desk.

A ticket's status changes only through `TicketRepo.move`, a guarded UPDATE: it changes the row
only if the status the row has *now*, in the database, may make that move (`MOVES`), and says
whether it did. Two workers that both read the ticket as open cannot both close it, and a
claim or a staff reply that comes after a close finds the ticket closed and changes nothing
(on PostgreSQL the second UPDATE waits for the first's row lock, then checks the status again).
The caller tells the customer or the staff desk only when its move was made.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, insert, select, update

from storage.records import Ticket, TicketMessage
from storage.repos._base import Repo
from storage.schema import support_tickets, ticket_messages

OPEN_TICKET_STATUSES = ("waiting", "handling")
# The legal moves, as the statuses each status may be reached from. A ticket is opened
# "waiting" (for staff); a staff reply or /claim makes it "handling" (again, for a later reply
# or another staff member's claim); staff or the customer close it from either. "closed" is
# final: the customer's next message opens a new ticket.
MOVES: dict[str, tuple[str, ...]] = {
    "handling": OPEN_TICKET_STATUSES,
    "closed": OPEN_TICKET_STATUSES,
}


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


class TicketRepo(Repo):
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

    async def move(
        self,
        ticket: Ticket,
        status: str,
        at: datetime,
        *,
        claimed_by: str | None = None,
        unless_claimed: bool = False,
    ) -> bool:
        """Move the ticket to `status` if its current status allows it (`MOVES`); False, and
        nothing changed, when it does not (closed meanwhile, by another worker). `claimed_by`:
        the staff member who now has it; with `unless_claimed`, only if no one had it yet.
        On success `ticket` holds the stored status and claimant."""
        values: dict[str, Any] = {"status": status, "updated_at": at}
        if claimed_by is not None and unless_claimed:
            values["claimed_by"] = func.coalesce(support_tickets.c.claimed_by, claimed_by)
        elif claimed_by is not None:
            values["claimed_by"] = claimed_by
        row = (
            await self.conn.execute(
                update(support_tickets)
                .where(
                    support_tickets.c.id == ticket.id,
                    support_tickets.c.status.in_(MOVES[status]),
                )
                .values(**values)
                .returning(support_tickets.c.status, support_tickets.c.claimed_by)
            )
        ).first()
        if row is None:
            return False
        ticket.status, ticket.claimed_by = row.status, row.claimed_by
        return True

    async def update(self, ticket: Ticket, at: datetime, **changes: Any) -> None:
        """Change columns other than the status (that is `move`'s, guarded)."""
        if "status" in changes:
            raise ValueError("a ticket's status changes only through TicketRepo.move")
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
