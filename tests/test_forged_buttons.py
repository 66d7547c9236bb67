"""Forged, stale and malformed button data, at every state of every flow: "this button is no
longer valid" and the step again, never a crash (nor an overflowing query)."""

from __future__ import annotations

import pytest

from core.actions import parse
from core.engine import Engine
from flows.kz_move.actions import Card, Done
from flows.quick_order.actions import OpenOrder, Qty
from flows.registry import default_flows
from storage.db import Database
from tests.dialogue import Dialogue
from tests.test_every_state import put_user_at

STATES = [(flow.name, state) for flow in default_flows() for state in flow.machine.states]
FORGED = [
    "qo:o:99999999999999999999",  # past any bigint
    "qo:o:²",  # str.isdigit() says yes, int() raises
    "qo:o:-1",
    "qo:q:0003",
    "qo:q:\ud800",  # a lone surrogate: not UTF-8 at all
    "qo:confirm:abc",
    "qo:pay:cash",
    "kzm:card:XYZ",
    "kzm:item:" + "x" * 60,
    "menu:support:give me a refund now",
    "lang:xx",
    "start:lang:de",
    "sup:close:now",
    "nav:menu:1",
    "zz:gone:1",
]
# Well-formed, but no menu entry of ours: refused where menu entries are handled.
REFUSED = ["menu:nowhere", "menu:support:kz_move"]
# Well-formed buttons of some flow, out of place in most states.
OUT_OF_PLACE = [OpenOrder(1).pack(), Qty(n=3).pack(), Card("KZ").pack(), Done().pack()]


@pytest.mark.parametrize(("flow", "state"), STATES)
async def test_forged_buttons_are_stale_at_every_state(
    engine: Engine, db: Database, flow: str, state: str
) -> None:
    d = Dialogue(engine, "mallory")
    await d.onboard("en", "KR")
    for token in [*FORGED, *REFUSED]:
        assert (parse(token) is None) == (token in FORGED)
        await put_user_at(db, "mallory", flow, state, "en", "KR")
        await d.send(d.action_event(token))
        d.expect("This button is no longer valid")
        assert d.replies[-1].text.strip()


@pytest.mark.parametrize(("flow", "state"), STATES)
async def test_buttons_of_other_steps_never_crash(
    engine: Engine, db: Database, flow: str, state: str
) -> None:
    d = Dialogue(engine, "mallory")
    await d.onboard("en", "KZ")
    for token in OUT_OF_PLACE:
        await put_user_at(db, "mallory", flow, state, "en", "KZ")
        await d.send(d.action_event(token))
        assert d.replies and all(reply.text.strip() for reply in d.replies)
