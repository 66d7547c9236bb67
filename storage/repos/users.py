"""Users: who writes, on which transport, and their profile."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, insert, or_, select, update

from storage.records import Conversation, User
from storage.repos._base import Repo
from storage.repos.conversations import CONVERSATION_COLUMNS, conversation_from
from storage.schema import conversations, users

# On the message path: built once (storage/repos/__init__.py says why).
_USER_INSERT = insert(users)
_USER_GET = select(users).where(users.c.id == bindparam("id"))
_USER_UPDATE = update(users).where(users.c.id == bindparam("where_id"))
# Only when it changed: the message path writes nothing when the key is the one stored.
_LINK_KEY = (
    update(users)
    .where(
        users.c.transport == bindparam("of_transport"),
        users.c.external_id == bindparam("of_external_id"),
        or_(users.c.linked_key.is_(None), users.c.linked_key != bindparam("key")),
    )
    .values(linked_key=bindparam("key"))
)
_USER_FIND = select(users).where(
    users.c.transport == bindparam("transport"), users.c.external_id == bindparam("external_id")
)
# What a user is read from where their conversation is read with them (here and Tx.open_turn).
USER_COLUMNS = (
    users.c.id,
    users.c.transport,
    users.c.external_id,
    users.c.language,
    users.c.market,
    users.c.display_name,
    users.c.phone,
    users.c.address,
    users.c.recipient_name,
)
# A user and their conversation in one statement (NULL conversation columns: none stored yet).
_USER_WITH_CONVERSATION = (
    select(*USER_COLUMNS, *CONVERSATION_COLUMNS)
    .select_from(users.outerjoin(conversations, conversations.c.user_id == users.c.id))
    .where(
        users.c.transport == bindparam("transport"),
        users.c.external_id == bindparam("external_id"),
    )
)


def user_from(row: Row[Any]) -> User:
    return User(
        id=row.id,
        transport=row.transport,
        external_id=row.external_id,
        language=row.language,
        market=row.market,
        display_name=row.display_name,
        phone=row.phone,
        address=row.address,
        recipient_name=row.recipient_name,
    )


def user_and_conversation(row: Any) -> tuple[User, Conversation | None]:
    """From a row that ends with USER_COLUMNS then CONVERSATION_COLUMNS."""
    user = user_from(row)
    if row.flow is None:  # flow is NOT NULL: the outer join found no conversation
        return user, None
    return user, conversation_from(user.id, row[-len(CONVERSATION_COLUMNS) :])


class UserRepo(Repo):
    async def find(self, transport: str, external_id: str) -> User | None:
        params = {"transport": transport, "external_id": external_id}
        row = (await self.conn.execute(_USER_FIND, params)).first()
        return user_from(row) if row else None

    async def find_with_conversation(
        self, transport: str, external_id: str
    ) -> tuple[User, Conversation | None] | None:
        """A user and their stored conversation (None: none stored yet) in one statement;
        None when the user is unknown."""
        params = {"transport": transport, "external_id": external_id}
        row = (await self.conn.execute(_USER_WITH_CONVERSATION, params)).first()
        return user_and_conversation(row) if row is not None else None

    async def get(self, user_id: int) -> User | None:
        row = (await self.conn.execute(_USER_GET, {"id": user_id})).first()
        return user_from(row) if row else None

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
        """Change profile fields (language, market, phone, address, recipient_name,
        display_name)."""
        await self.conn.execute(_USER_UPDATE, {**changes, "where_id": user.id})
        for key, value in changes.items():
            setattr(user, key, value)

    async def link_key(self, transport: str, external_id: str, key: str) -> None:
        """Keep a second key of the transport's for the user (`users.linked_key`)."""
        params = {"of_transport": transport, "of_external_id": external_id, "key": key[:128]}
        await self.conn.execute(_LINK_KEY, params)

    async def linked_key(self, user_id: int) -> str | None:
        row = (
            await self.conn.execute(select(users.c.linked_key).where(users.c.id == user_id))
        ).first()
        return row.linked_key if row is not None else None
