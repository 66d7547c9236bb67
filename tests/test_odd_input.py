"""Typed text that once crashed a step: digits that are not ASCII ('²'), numbers too long for
int(), lone surrogates. Every step answers it plainly."""

from __future__ import annotations

import pytest

from core.engine import Engine
from flows.registry import default_flows
from storage.db import Database
from tests.dialogue import Dialogue
from tests.test_every_state import put_user_at

STATES = [(flow.name, state) for flow in default_flows() for state in flow.machine.states]
ODD_NUMBERS = ["²", "³", "1" * 5000, "9" * 4301, "٣", "१५", "⑮", "-5", "+5", "1e1", "15.0"]
SURROGATES = ["\udc80", "abc\udc80def", "lavender \udcff 2", "\ud800", "/support \udc80"]


@pytest.mark.parametrize("market", ["KR", "KZ"])
async def test_the_lrp_day_question_answers_odd_numbers_plainly(
    engine: Engine, db: Database, market: str
) -> None:
    d = Dialogue(engine, "eve")
    await d.onboard("en", market)
    for text in ODD_NUMBERS:
        await put_user_at(db, "eve", "info", "lrp_day", "en", market)
        await d.say(text)
        d.expect("day of the month as a number from 1 to 31")


async def test_the_lrp_day_question_takes_a_day_typed_in_full_width(
    engine: Engine, db: Database
) -> None:
    d = Dialogue(engine, "eve")
    await d.onboard("ko", "KR")
    await put_user_at(db, "eve", "info", "lrp_day", "ko", "KR")
    await d.say("１５")
    assert "1-31" not in d.text and d.replies


async def test_a_day_at_the_lrp_question_in_a_market_without_a_deadline_is_answered(
    engine: Engine, db: Database
) -> None:
    """KZ has no LRP change deadline (NotSpecifiedError): the question still gets an answer."""
    d = Dialogue(engine, "eve")
    await d.onboard("en", "KZ")
    await put_user_at(db, "eve", "info", "lrp_day", "en", "KZ")
    await d.say("15")
    d.expect("new LRP template")


@pytest.mark.parametrize(("flow", "state"), STATES)
async def test_every_state_answers_lone_surrogates(
    engine: Engine, db: Database, flow: str, state: str
) -> None:
    """Bytes that were not UTF-8 (read with surrogateescape) or a JSON escape give lone
    surrogates, which no database or transport can encode."""
    d = Dialogue(engine, "eve")
    await d.onboard("en", "KR")
    for market in ("KR", "KZ"):
        for text in SURROGATES:
            await put_user_at(db, "eve", flow, state, "en", market)
            await d.say(text)
            assert d.replies, f"{flow}/{state} said nothing to {text!r}"
            assert all(r.text.strip() for r in d.replies)
