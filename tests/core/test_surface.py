"""A flow declares its own surface: one registry line gives it a command, a menu entry, a line
in /help and Telegram's command menus, a job and a staff card, with no other module touched."""

from __future__ import annotations

from datetime import timedelta
from types import MappingProxyType
from typing import ClassVar

import pytest

from bot.channels.telegram.commands import customer_commands
from bot.jobs import all_jobs, run_once
from core.engine import Engine
from core.flow import Flow, Turn
from core.surface import Command, Job, MenuEntry, StaffCard, Surface, Topic
from core.types import Event, Outcome, Reply, finish
from flows import registry
from tests.dialogue import Dialogue

RUNS: list[object] = []


async def feed_the_toy(db, now, resources) -> int:
    RUNS.append(now)
    return 1


class Toy(Flow):
    name = "toy"
    states: ClassVar = ["playing"]
    transitions: ClassVar = []
    initial = "playing"
    commands = (Command("toy", "Play with the toy", order=25),)
    menu = (MenuEntry("🧸 Toy", order=15),)
    jobs = (Job("feed_the_toy", timedelta(minutes=5), feed_the_toy),)
    topics = (Topic("toy", r"\btoys?\b", lambda turn: "Toys are in aisle 3."),)
    staff_cards = MappingProxyType(
        {"toy_broken": lambda t, payload: StaffCard("Broken toy", (str(payload["what"]),))}
    )

    async def prompt(self, turn: Turn) -> list[Reply]:
        return [Reply("Squeak! Say anything.")]

    async def handle(self, turn: Turn, event: Event) -> Outcome:
        return finish(Reply(f"The toy heard {len(event.text)} letters."))


@pytest.fixture
def toy_engine(db, clock, resources, monkeypatch) -> Engine:
    monkeypatch.setattr(registry, "FLOWS", [*registry.FLOWS, Toy])  # the one registry line
    return Engine(db, registry.default_flows(), resources=resources, clock=clock)


async def test_the_command_the_menu_entry_and_help(toy_engine: Engine) -> None:
    d = await Dialogue(toy_engine, "tom").onboard()
    d.expect_buttons("🛒 Order", "🧸 Toy")
    labels = [button.label for button in d.buttons]
    assert labels.index("🧸 Toy") == labels.index("🛒 Order") + 1  # its declared order
    await d.tap("Toy")
    d.expect("Squeak!")
    await d.say("hello")
    d.expect("The toy heard 5 letters.", "What would you like to do?")
    await d.say("/toy")
    d.expect("Squeak!")
    await d.say("/help")
    d.expect("/toy: Play with the toy", "/order: Order products", "/support: Talk to a person")


async def test_its_question_topic_is_answered_at_any_step(toy_engine: Engine) -> None:
    d = await Dialogue(toy_engine, "tina").onboard()
    await d.say("/order")
    await d.say("where are the toys?")
    d.expect("Toys are in aisle 3.")


async def test_telegram_lists_its_command_in_every_language(toy_engine: Engine) -> None:
    calls = customer_commands(toy_engine.surface.commands)
    assert {call.language_code for call in calls} == {None, "ko", "ru"}
    for call in calls:
        names = [command.command for command in call.commands]
        assert names.index("toy") == names.index("reorder") + 1  # order 25 follows 24
        assert "resume" not in names  # declared unlisted


async def test_the_jobs_loop_runs_its_job(toy_engine: Engine, clock) -> None:
    jobs = all_jobs(toy_engine.surface)
    assert [job.name for job in jobs] == [
        "expire_unpaid_orders",
        "lrp_runs",
        "lrp_reminders",
        "feed_the_toy",
        "prune_inbox",
        "prune_outbox",
    ]
    done = await run_once(toy_engine.db, clock.now, jobs, toy_engine.resources)
    assert done["feed_the_toy"] == 1 and RUNS[-1] == clock.now


def test_the_desk_gets_its_card(toy_engine: Engine) -> None:
    card = toy_engine.surface.staff_cards["toy_broken"](None, {"what": "a wheel"})  # type: ignore[arg-type]
    assert card.text == "Broken toy\na wheel"
    assert "order_placed" in toy_engine.surface.staff_cards


def test_two_flows_cannot_claim_one_command() -> None:
    class Copycat(Toy):
        name = "copycat"

    with pytest.raises(ValueError, match="command 'toy'"):
        Surface([Toy(), Copycat()])
