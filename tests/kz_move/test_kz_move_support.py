"""Support from inside the guide: a "Problem" thread that says which step, the request to delete
old LRP templates, and support hours (R-KZ-SUP-1)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.actions import MenuChoice
from core.engine import Engine
from flows.kz_move.actions import AskSupport
from storage.db import Database
from storage.schema import ticket_messages
from tests.conftest import Clock
from tests.kz_move.walk import customer, walk_to


async def open_ticket(db: Database, user: str = "alice"):
    async with db.transaction() as tx:
        found = await tx.users.find("test", user)
        assert found is not None
        ticket = await tx.tickets.open_for(found.id)
        assert ticket is not None
        query = select(ticket_messages.c.text).where(ticket_messages.c.ticket_id == ticket.id)
        return ticket, list((await tx.conn.execute(query)).scalars())


@pytest.mark.parametrize(("language", "problem"), [("en", "Problem"), ("ru", "Проблема")])
async def test_a_problem_at_step_3_opens_a_thread_naming_the_step(
    engine: Engine, db: Database, language: str, problem: str
) -> None:
    d = await walk_to(await customer(engine, language=language), "step3")
    await d.tap(problem)
    d.expect("/move", "kaz@doterra.com")
    ticket, _ = await open_ticket(db)
    assert (ticket.flow, ticket.step, ticket.reason) == ("kz_move", "step3", "problem")
    # Back from support, the guide still knows where the customer was.
    await d.say("/move")
    d.expect("3")


async def test_old_lrp_templates_are_deleted_through_support(engine: Engine, db: Database) -> None:
    d = await walk_to(await customer(engine), "after")
    await d.tap("Old LRP templates")
    await d.tap("Ask support to delete them")
    ticket, messages = await open_ticket(db)
    assert (ticket.flow, ticket.step) == ("kz_move", "after")
    assert "delete my LRP templates" in str(messages)


async def test_the_bot_s_own_order_flow_is_offered_only_when_it_exists(engine: Engine) -> None:
    d = await walk_to(await customer(engine), "after")
    await d.tap("products sold in Kazakhstan")
    d.expect("«Магазин»")
    assert (MenuChoice("quick_order").pack() in [b.action for b in d.buttons]) == (
        "quick_order" in engine.flows
    )


@pytest.mark.parametrize(
    ("now", "status"),
    [
        ("2026-11-28T12:00:00+05:00", "Support is closed now; it opens on Nov 30, 2026 11:00."),
        ("2026-11-27T18:59:00+05:00", "Support is open now."),
    ],
)
async def test_support_hours_and_when_it_opens(
    engine: Engine, clock: Clock, now: str, status: str
) -> None:
    clock.set(now)
    d = await customer(engine)
    await d.say("/move")
    await d.say("151")
    d.expect("Mon–Fri 11:00–19:00, Almaty time", "+7-727-312-10-19", "kaz@doterra.com", status)


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_without_a_staff_desk_the_contacts_are_said_once_after_problem(
    db: Database, clock: Clock, language: str
) -> None:
    """Issue 18, 10: the terminal (no staff desk) gave the contacts twice after "Problem"."""
    from core.flow import Resources
    from flows.registry import default_flows
    from flows.shopping.catalog import load_catalogs

    resources = Resources(catalogs=load_catalogs(), staff_desk=False)
    engine = Engine(db, default_flows(), resources=resources, clock=clock)
    d = await walk_to(await customer(engine, language=language), "step2")
    await d.press(AskSupport())
    d.expect("/move", "kaz@doterra.com")
    assert d.text.count("kaz@doterra.com") == 1, d.text
    assert d.text.count("+7-727-312-10-19") == 1, d.text
