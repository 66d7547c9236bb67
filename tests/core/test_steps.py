"""The step idiom: screens as records, the families a step accepts, forms built into states."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import pytest

from core.actions import Action
from core.engine import Engine
from core.flow import Turn
from core.parsing import typed_whole_number
from core.steps import (
    Form,
    Keyboard,
    Problem,
    Step,
    StepFlow,
    Steps,
    Values,
    linear,
)
from core.surface import Command
from core.types import Event, Kind, Outcome, Reply, go, rows
from flows.registry import default_flows
from storage.db import Database
from tests.dialogue import Dialogue


class Adopt(Action, prefix="test:adopt"):
    kind: Literal["cat", "dog"]


class Rename(Action, prefix="test:rename"):
    pass


def _kinds(turn: Turn, values: Values) -> Keyboard:
    return rows([Adopt(kind="cat").button("Cat"), Adopt(kind="dog").button("Dog")])


async def _chose(turn: Turn, tapped: Adopt) -> Outcome:
    turn.data["kind"] = tapped.kind
    return go("chose")


def _name(turn: Turn, text: str) -> str | Problem:
    return text.title() if text.isalpha() else Problem("Letters only, please.")


def _age(turn: Turn, text: str) -> int | Problem:
    age = typed_whole_number(text, 0, 30)
    return Problem("An age from 0 to 30, please.") if age is None else age


async def _summary(turn: Turn) -> list[Reply]:
    data = turn.data
    return [Reply(f"{data['name']} the {data['kind']}, {data['age']} years old.")]


async def _rename(turn: Turn, tapped: Rename) -> Outcome:
    return go("rename")


FORM = Form(
    Step("name", text="What is its name?", validate=_name, help="Type its name.", free_text=True),
    Step(
        "age",
        text="How old is {name}?",
        values=lambda turn: {"name": turn.data["name"]},
        validate=_age,
        help="Type its age.",
    ),
)


class Pets(StepFlow):
    name = "pets"
    steps = Steps(
        Step("kind", text="Cat or dog?", buttons=_kinds, on={Adopt: _chose}, help="Tap one."),
        *FORM.slots,
        Step("done", prompt=_summary, on={Rename: _rename}, help="That is all."),
    )
    states: ClassVar = steps.states
    transitions: ClassVar = [
        {"trigger": "chose", "source": "kind", "dest": "name"},
        *linear([*FORM.states, "done"]),
        {"trigger": "rename", "source": "done", "dest": "name"},
    ]
    initial = "kind"
    free_text_states = steps.free_text
    commands = (Command("pet", "Adopt a pet"),)


@pytest.fixture
def pets(db: Database, clock: Any, resources: Any) -> Engine:
    return Engine(db, [*default_flows(), Pets()], resources=resources, clock=clock)


async def test_a_form_asks_its_slots_in_order_and_keeps_clean_values(pets: Engine) -> None:
    d = Dialogue(pets, "alice")
    await d.onboard("en", "KR")
    await d.say("/pet")
    d.expect("Cat or dog?").expect_buttons("Cat", "Dog")
    await d.tap("Dog")
    d.expect("What is its name?")
    await d.say("rex 2")
    d.expect("Letters only, please.", "What is its name?")
    await d.say("rex")
    d.expect("How old is Rex?")  # the question formats the getter's values
    for wrong in ("²", "٣", "1e3", "+3", "31"):
        await d.say(wrong)
        d.expect("An age from 0 to 30, please.")
    await d.say("3")
    d.expect("Rex the dog, 3 years old.")


async def test_a_blank_answer_to_a_slot_gets_its_help(pets: Engine) -> None:
    d = Dialogue(pets, "alice")
    await d.onboard("en", "KR")
    await d.say("/pet")
    await d.tap("Cat")
    photo = Event(d.user, Kind.MEDIA, delivery_id="pets-photo", attachment={"type": "photo"})
    await d.send(photo)
    d.expect("Type its name.", "What is its name?")


async def test_a_step_takes_only_the_families_it_lists(pets: Engine) -> None:
    d = Dialogue(pets, "alice")
    await d.onboard("en", "KR")
    await d.say("/pet")
    await d.send(d.action_event(Rename().pack()))  # a family of this flow, another step's
    d.expect("no longer valid", "Cat or dog?")
    await d.send(d.action_event("test:adopt:hamster"))  # forged
    d.expect("no longer valid", "Cat or dog?")
    await d.say("a dog")  # no typed answers at this step: its help
    d.expect("Tap one.", "Cat or dog?")
    await d.send(d.action_event(Adopt(kind="cat").pack()))
    d.expect("What is its name?")


def test_steps_refuse_a_state_twice_and_a_machine_they_do_not_cover() -> None:
    with pytest.raises(ValueError, match="two steps"):
        Steps(Step("a"), Step("a"))

    class Partial(Pets):
        name = "partial"
        states: ClassVar = [*Pets.states, "extra"]

    with pytest.raises(ValueError, match="differ"):
        Partial()


def test_form_slots_need_a_validator_and_build_linear_transitions() -> None:
    with pytest.raises(ValueError, match="validator"):
        Form(Step("x", text="?"))
    assert FORM.states == ["name", "age"]
    assert FORM.transitions() == [{"trigger": "next", "source": "name", "dest": "age"}]
    assert linear(["a", "b", "c"], "go") == [
        {"trigger": "go", "source": "a", "dest": "b"},
        {"trigger": "go", "source": "b", "dest": "c"},
    ]
    assert Pets.steps.free_text == frozenset({"name"})
