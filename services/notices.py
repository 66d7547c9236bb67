"""Messages to a customer outside their own conversation (order changes, staff replies).

Written to the outbox in the caller's transaction, in the customer's language, so that a
notice exists exactly when the change that caused it was committed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from core.i18n import Translator, translator
from storage.repos import Tx


async def tell_customer(
    tx: Tx,
    user_id: int,
    at: datetime,
    words: Callable[[Translator], str],
    *,
    dedup_key: str | None = None,
    **extra: Any,
) -> None:
    """Queue `words` (rendered in the user's language) for the user; nothing if they are gone."""
    user = await tx.users.get(user_id)
    if user is None:
        return
    text = words(translator(user.language or "en"))
    await tx.outbox.add("user", {**extra, "text": text}, at, user_id=user.id, dedup_key=dedup_key)
