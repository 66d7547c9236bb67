"""Every state of every flow answers /help, /cancel, /back, garbage and a stale button; every
button it shows is one the action codec packed and parses back."""

from __future__ import annotations

import pytest

from core.actions import parse
from core.engine import Engine
from flows.registry import default_flows
from storage.db import Database
from tests.dialogue import Dialogue

STATES = [(flow.name, state) for flow in default_flows() for state in flow.machine.states]
INPUTS = [
    "/help",
    "/cancel",
    "/back",
    "/menu",
    "/lang",
    "asdf qwerty",
    "",
    "🙂" * 50,
    "x" * 5000,
    "'; DROP TABLE users; --",
    "/start",
    "?",
    "123456789012345678901234567890",
]


async def put_user_at(
    db: Database, user: str, flow: str, state: str, language: str, market: str
) -> None:
    async with db.transaction() as tx:
        found = await tx.users.find("test", user)
        assert found is not None
        await tx.users.update(found, language=language, market=market)
        conv = await tx.conversations.load(found.id, flow, state)
        conv.flow, conv.state = flow, state
        await tx.conversations.save(conv, conv_time())


def conv_time():
    from datetime import UTC, datetime

    return datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(("flow", "state"), STATES)
@pytest.mark.parametrize(("language", "market"), [("en", "KR"), ("ru", "KZ"), ("ko", "KR")])
async def test_state_answers_everything(
    engine: Engine, db: Database, flow: str, state: str, language: str, market: str
) -> None:
    d = Dialogue(engine, "eve")
    await d.onboard(language, market)
    for text in [*INPUTS, "stale-button"]:
        await put_user_at(db, "eve", flow, state, language, market)
        if text == "stale-button":
            await d.send(d.action_event("zz:gone:1"))
        elif text:
            await d.say(text)
        else:
            continue
        assert d.replies, f"{flow}/{state} said nothing to {text[:20]!r}"
        assert all(r.text.strip() for r in d.replies)
        unparsed = [b.action for b in d.buttons if parse(b.action) is None]
        assert not unparsed, f"{flow}/{state}: buttons the codec did not pack: {unparsed}"
