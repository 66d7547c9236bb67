"""The durable intake's rows and chat leases (bot/channels/intake.py says how they are used)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.repos._base import Repo, ignoring_duplicates, on
from storage.schema import inbox, intake, intake_leases

RECEIVED, ANSWERED = "received", "answered"


@dataclass(frozen=True, slots=True)
class IntakeRow:
    id: int
    chat: str
    payload: dict[str, Any]
    state: str
    replies: dict[str, Any] | None


def _take_lease(dialect: Any) -> Any:
    """Insert the chat's lease, or take it over when it lapsed or is ours already; returns the
    chat only when we hold it afterwards."""
    stmt = dialect.insert(intake_leases).values(
        chat=bindparam("chat"), owner=bindparam("owner"), until=bindparam("until")
    )
    return stmt.on_conflict_do_update(
        index_elements=[intake_leases.c.chat],
        set_={"owner": stmt.excluded.owner, "until": stmt.excluded.until},
        where=(intake_leases.c.until < bindparam("now"))
        | (intake_leases.c.owner == stmt.excluded.owner),
    ).returning(intake_leases.c.chat)


def _record_and_add() -> Any:
    """PostgreSQL: the delivery id recorded and the update stored only when it was new, in one
    round trip (a data-modifying CTE, as `Tx.open_turn` does). SQLite runs the two statements,
    which cost no round trip there."""
    recorded = (
        postgresql.insert(inbox)
        .values(delivery_id=bindparam("delivery_id"), processed_at=bindparam("received_at"))
        .on_conflict_do_nothing()
        .returning(inbox.c.delivery_id)
        .cte("recorded")
    )
    columns = ["channel", "update_key", "chat", "payload", "received_at", "state"]
    values = select(*(bindparam(name, type_=intake.c[name].type) for name in columns)).where(
        exists(select(recorded.c.delivery_id))
    )
    return (
        postgresql.insert(intake)
        .from_select(columns, values)
        .on_conflict_do_nothing()
        .returning(intake.c.id)
    )


# On the message path: built once (storage/repos/__init__.py says why).
_ADD = ignoring_duplicates(intake, intake.c.id)
_RECORD = ignoring_duplicates(inbox)
_RECORD_AND_ADD = _record_and_add()
_TAKE_LEASE = {"sqlite": _take_lease(sqlite), "postgresql": _take_lease(postgresql)}
_EARLIER = intake.alias("earlier")
# A turn's answer lands only while its row is still to do and no earlier row of the chat is:
# that is what keeps a chat in order when its updates reached different workers. Every value
# comes from the parameters (the states too): a constant would be bound by SQLAlchemy and take
# the statement off the direct bind path (storage/compiled.py), doubling its cost.
_ANSWER = (
    update(intake)
    .where(
        intake.c.id == bindparam("row_id"),
        intake.c.state == bindparam("received"),
        ~exists(
            select(_EARLIER.c.id).where(
                _EARLIER.c.chat == bindparam("chat_key"),
                _EARLIER.c.state == bindparam("received"),
                _EARLIER.c.id < bindparam("row_id"),
            )
        ),
    )
    .values(state=bindparam("answered"), replies=bindparam("answer"))
)
_ROW_COLUMNS = (intake.c.id, intake.c.chat, intake.c.payload, intake.c.state, intake.c.replies)


class IntakeRepo(Repo):
    async def add(
        self,
        channel: str,
        update_key: str,
        delivery_id: str,
        chat: str,
        payload: dict[str, Any],
        at: datetime,
    ) -> int | None:
        """Store a received update and record its delivery id (in `inbox`, which keeps it after
        the row is gone); its row id, or None when the delivery was recorded before (a
        redelivery, or the retry of a commit that landed unseen: it is or was processed)."""
        values = {
            "channel": channel,
            "update_key": update_key,
            "delivery_id": delivery_id,
            "chat": chat,
            "payload": payload,
            "received_at": at,
            "state": RECEIVED,
        }
        if self.conn.dialect.name == "postgresql":
            return (await self.conn.execute(_RECORD_AND_ADD, values)).scalar_one_or_none()
        recorded = {"delivery_id": delivery_id, "processed_at": at}
        if (await self.conn.execute(on(self.conn, _RECORD), recorded)).rowcount != 1:
            return None
        return (await self.conn.execute(on(self.conn, _ADD), values)).scalar_one_or_none()

    async def take_lease(self, chat: str, owner: str, until: datetime, now: datetime) -> bool:
        """Hold `chat` until `until`: True when it was free, lapsed, or ours."""
        params = {"chat": chat, "owner": owner, "until": until, "now": now}
        return (await self.conn.execute(on(self.conn, _TAKE_LEASE), params)).first() is not None

    async def answer(self, row_id: int, chat: str, replies: dict[str, Any] | None) -> bool:
        """Mark a row's turn done with the replies still to send; False when the row was done
        already or an earlier row of its chat is still to do (nothing is changed then)."""
        params = {
            "row_id": row_id,
            "chat_key": chat,
            "answer": replies,
            "received": RECEIVED,
            "answered": ANSWERED,
        }
        return (await self.conn.execute(_ANSWER, params)).rowcount == 1

    async def find(self, row_id: int) -> IntakeRow | None:
        """A row; None once it is finished."""
        stmt = select(*_ROW_COLUMNS).where(intake.c.id == row_id)
        r = (await self.conn.execute(stmt)).first()
        return None if r is None else IntakeRow(r.id, r.chat, dict(r.payload), r.state, r.replies)

    async def backlog(self, chat: str, before: int | None = None) -> list[IntakeRow]:
        """The chat's rows not finished yet (to process, or answered with replies to send),
        those before row `before` when it is given."""
        stmt = select(*_ROW_COLUMNS).where(intake.c.chat == chat).order_by(intake.c.id)
        if before is not None:
            stmt = stmt.where(intake.c.id < before)
        rows = (await self.conn.execute(stmt)).all()
        return [IntakeRow(r.id, r.chat, dict(r.payload), r.state, r.replies) for r in rows]

    async def unowned_chats(self, now: datetime, limit: int = 100) -> list[str]:
        """Chats with rows to finish whose lease lapsed or was never taken."""
        held = exists(
            select(intake_leases.c.chat).where(
                and_(intake_leases.c.chat == intake.c.chat, intake_leases.c.until >= now)
            )
        )
        stmt = select(intake.c.chat).where(~held).group_by(intake.c.chat).limit(limit)
        return list((await self.conn.execute(stmt)).scalars().all())

    async def finish(self, row_ids: Iterable[int]) -> None:
        """Forget rows whose turn is done and whose replies were sent."""
        ids = list(row_ids)
        if ids:
            await self.conn.execute(delete(intake).where(intake.c.id.in_(ids)))

    async def renew(self, chats: Iterable[str], owner: str, until: datetime) -> set[str]:
        """Hold `chats` until `until`; those still ours (another worker may have taken a chat
        whose lease lapsed)."""
        names = list(chats)
        if not names:
            return set()
        stmt = (
            update(intake_leases)
            .where(intake_leases.c.owner == owner, intake_leases.c.chat.in_(names))
            .values(until=until)
            .returning(intake_leases.c.chat)
        )
        return set((await self.conn.execute(stmt)).scalars().all())

    async def release(self, chats: Iterable[str] | None, owner: str) -> None:
        """Give up our leases of `chats` (None: all of ours)."""
        stmt = delete(intake_leases).where(intake_leases.c.owner == owner)
        if chats is not None:
            names = list(chats)
            if not names:
                return
            stmt = stmt.where(intake_leases.c.chat.in_(names))
        await self.conn.execute(stmt)

    async def drop_lapsed(self, now: datetime) -> None:
        """Forget lapsed leases of chats with nothing left (a dead worker's idle chats)."""
        rows_left = exists(select(intake.c.id).where(intake.c.chat == intake_leases.c.chat))
        await self.conn.execute(
            delete(intake_leases).where(intake_leases.c.until < now, ~rows_left)
        )

    async def pending(self) -> int:
        """Rows not finished (received, or answered and not yet sent)."""
        return (await self.conn.execute(select(func.count()).select_from(intake))).scalar_one()
