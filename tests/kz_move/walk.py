"""Helpers for the kz_move tests: a KZ customer and a walk to any state of the guide."""

from __future__ import annotations

from sqlalchemy import select

from core.actions import Action
from core.engine import Engine
from flows.kz_move import CHAIN
from flows.kz_move.actions import Card, Done
from storage.db import Database
from storage.records import Checklist
from storage.schema import metadata
from tests.dialogue import Dialogue

# What a customer answers (types, or taps) at each state of the chain to move on.
ANSWERS: dict[str, str | Action] = {
    "balance": "100",
    "form_name": "Әлия Қасымова",
    "form_address": "Алматы, ул. Жібек жолы 50, кв. 5",
    "form_phone": "+7 701 123 45 67",
    "form_card": Card("KZ"),
}


async def customer(engine: Engine, name: str = "alice", language: str = "en") -> Dialogue:
    d = Dialogue(engine, name)
    await d.onboard(language, "KZ")
    return d


async def answer(d: Dialogue, given: str | Action) -> Dialogue:
    """Type text, or press a button (in any language)."""
    if isinstance(given, Action):
        return await d.press(given)
    return await d.say(given)


async def walk_to(d: Dialogue, state: str) -> Dialogue:
    """From a fresh /move, answer every state of the chain before `state`."""
    await d.say("/move")
    for passed in CHAIN[: CHAIN.index(state)]:
        await answer(d, ANSWERS.get(passed, Done()))
    return d


async def checklist(db: Database, user: str = "alice") -> Checklist | None:
    async with db.transaction() as tx:
        found = await tx.users.find("test", user)
        assert found is not None
        return await tx.checklists.get(found.id)


async def everything_stored(db: Database) -> str:
    """Every row of every table, as text: to show what was (not) kept."""
    async with db.transaction() as tx:
        dumps = [
            str((await tx.conn.execute(select(table))).all()) for table in metadata.sorted_tables
        ]
    return "\n".join(dumps)
