"""Repositories over one open transaction, one module per aggregate.

Each method is one or two statements; none commits; each returns records (storage/records.py),
never a database row. `Tx` groups them so that a flow sees `tx.orders.create(...)` and never a
connection or SQL.

The statements of the message path (docs/performance.md) are module constants, built once:
constructing a Core statement (column comparisons, .values()) costs more than executing it,
while SQLAlchemy caches the compiled form either way, and storage/compiled.py finds a constant's
plan by its identity. Values travel as execution parameters; an INSERT or an UPDATE sets the
columns named in them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, bindparam, exists, literal_column, select
from sqlalchemy.dialects import postgresql

from storage.records import Conversation, User
from storage.repos._base import Connection
from storage.repos.checklists import ChecklistRepo
from storage.repos.conversations import CONVERSATION_COLUMNS, ConversationRepo, StaleConversation
from storage.repos.inbox import InboxRepo
from storage.repos.intake import IntakeRepo
from storage.repos.lrp import LrpRepo
from storage.repos.orders import OrderRepo
from storage.repos.outbox import OutboxRepo
from storage.repos.returns import ReturnRepo
from storage.repos.tickets import OPEN_TICKET_STATUSES, TicketRepo
from storage.repos.users import USER_COLUMNS, UserRepo, user_and_conversation
from storage.schema import conversations, inbox, users

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
    *USER_COLUMNS,
    *CONVERSATION_COLUMNS,
).select_from(
    _ALWAYS_ONE_ROW.outerjoin(
        users.outerjoin(conversations, conversations.c.user_id == users.c.id),
        and_(
            users.c.transport == bindparam("transport"),
            users.c.external_id == bindparam("external_id"),
        ),
    )
)


class Tx:
    """The repositories of one open transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.inbox = InboxRepo(conn)
        self.intake = IntakeRepo(conn)
        self.users = UserRepo(conn)
        self.conversations = ConversationRepo(conn)
        self.outbox = OutboxRepo(conn)
        self.orders = OrderRepo(conn)
        self.tickets = TicketRepo(conn)
        self.checklists = ChecklistRepo(conn)
        self.lrp = LrpRepo(conn)
        self.returns = ReturnRepo(conn)

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
            return True, user_and_conversation(row) if row.id is not None else None
        if delivery_id is not None and not await self.inbox.record(delivery_id, at):
            return False, None
        return True, await self.users.find_with_conversation(transport, external_id)


__all__ = ["OPEN_TICKET_STATUSES", "StaleConversation", "Tx"]
