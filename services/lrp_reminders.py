"""The reminders before an auto-order's run: `remind_due` queues each due reminder once per
(template, period), unless the run is skipped or past its change deadline; the text and
buttons are the flow's (`Compose`). Templates and their dates are services/lrp.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import policy
from core.i18n import Translator, translator
from services.lrp import (
    MARKETS,
    cutoff,
    locked,
)
from storage.db import Database
from storage.records import LrpTemplate

# -- reminders -------------------------------------------------------------------------------
# (the customer's translator, the template, its cut-off or None) -> (text, button rows)
Compose = Callable[
    [Translator, LrpTemplate, datetime | None], tuple[str, list[list[dict[str, str]]]]
]


async def remind_due(
    db: Database,
    now: datetime,
    compose: Compose,
    *,
    markets: Sequence[str] = MARKETS,
    batch: int = 200,
) -> int:
    """Queue each due reminder once per (template, period): the guarded mark is the claim."""
    sent = 0
    for market in markets:
        today = policy.local_date(market, now)
        while True:
            async with db.transaction() as tx:
                due = await tx.lrp.reminders_due(market, today, batch)
                for template in due:
                    if not await tx.lrp.mark_reminded(template.id, template.next_period, now):
                        continue
                    # Nothing to remind of: a skipped run, or too late to change it anyway.
                    if template.skip_period == template.next_period or locked(
                        market, template.next_run, now
                    ):
                        continue
                    user = await tx.users.get(template.user_id)
                    if user is None:
                        continue
                    t = translator(user.language or "en")
                    text, buttons = compose(t, template, cutoff(market, template.next_run))
                    await tx.outbox.add(
                        "user",
                        {"text": text, "buttons": buttons, "lrp_template": template.id},
                        now,
                        user_id=user.id,
                        dedup_key=f"lrp-remind-{template.id}-{template.next_period}",
                    )
                    sent += 1
            if not due:
                break
    return sent
