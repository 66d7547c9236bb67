"""Each user's conversation: flow, state, slots, and the version that guards every save."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update

from storage.records import Conversation
from storage.repos._base import Repo, ignoring_duplicates, on
from storage.schema import conversations


class StaleConversation(Exception):
    """Another worker saved this conversation first: reload and retry the whole event."""


# On the message path: built once (storage/repos/__init__.py says why).
_CONVERSATION_INSERT = ignoring_duplicates(conversations)
# What a conversation is read from, here and where a user is read with theirs (users.py).
CONVERSATION_COLUMNS = (
    conversations.c.flow,
    conversations.c.state,
    conversations.c.slots,
    conversations.c.version,
)
_CONVERSATION_LOAD = select(*CONVERSATION_COLUMNS).where(
    conversations.c.user_id == bindparam("user_id")
)
# SET takes the columns named in the parameters; the WHERE names must differ from them.
_CONVERSATION_SAVE = update(conversations).where(
    conversations.c.user_id == bindparam("where_user_id"),
    conversations.c.version == bindparam("where_version"),
)


def conversation_from(user_id: int, row: Any) -> Conversation:
    """From (flow, state, slots, version) as read."""
    flow, state, stored, version = row
    return Conversation(user_id, flow, state, dict(stored), version)


class ConversationRepo(Repo):
    async def load(self, user_id: int, default_flow: str, default_state: str) -> Conversation:
        # Off the hot path (the engine loads with UserRepo.find_with_conversation): SQLAlchemy.
        row = (await self.conn.execute(_CONVERSATION_LOAD, {"user_id": user_id})).first()
        if row is None:
            return self.fresh(user_id, default_flow, default_state)
        return conversation_from(user_id, row)

    @staticmethod
    def fresh(user_id: int, flow: str, state: str) -> Conversation:
        """A conversation not stored yet (version 0: `save` inserts it)."""
        return Conversation(user_id, flow, state, {}, 0)

    async def save(self, conv: Conversation, at: datetime) -> None:
        """Write with optimistic concurrency: the stored version must be the one we loaded."""
        values = {"flow": conv.flow, "state": conv.state, "slots": conv.slots, "updated_at": at}
        if conv.is_new:
            values.update(user_id=conv.user_id, version=1)
            result = await self.conn.execute(on(self.conn, _CONVERSATION_INSERT), values)
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
