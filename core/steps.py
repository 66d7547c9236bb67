"""One step idiom: a step (one state, one screen) is a record, and a form is a list of them.

A `Step` names its state and says, as data, what it shows and what it accepts:

    Step(
        "market",
        text=N_("Which market do you order in?"),  # formatted with `values(turn)`, if given
        buttons=market_buttons,                     # (turn, values) -> keyboard rows
        on={StartMarket: chose_market},             # the action families it takes, a handler each
        validate=typed_market,                      # typed answer -> clean value | Problem(text)
        answer=chose_market,                        # what the clean value does
        help=N_("Tap Korea or Kazakhstan: ..."),
    )

The rare unusual screen keeps a hand-written `prompt`. `Steps` gathers a flow's steps (a state
appears once) and runs them: a tap of a family the step does not list is stale, a typed answer
goes through the validator. A `Form` is an ordered list of slots, each a step asking one
question; `linear` turns a list of states into the machine's `next` transitions, so the
machine stays data (transitions' add_ordered_transitions, declared rather than called).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any, ClassVar

from core.actions import Action, parse
from core.flow import Flow, Turn
from core.types import Button, Event, Kind, Outcome, Reply, go, invalid, stale

Keyboard = tuple[tuple[Button, ...], ...]
Values = Mapping[str, Any]
# A handler of one action family receives the parsed action (an instance of that family).
ActionHandler = Callable[[Turn, Any], Awaitable[Outcome]]


@dataclass(frozen=True, slots=True)
class Problem:
    """A validator's refusal: what was wrong, localized, to show the user."""

    text: str


# What a step expects: an N_() id, or (turn) -> translated text for a step whose screen has
# more than one face.
Help = str | Callable[[Turn], str]
# (turn, typed text) -> a clean value, or a Problem. The text is stripped; "" when the user
# sent something else (a photo, a sticker, a contact where none is asked).
Validator = Callable[[Turn, str], Any]


@dataclass(frozen=True, slots=True)
class Step:
    """One state of a flow: its screen and what it accepts."""

    state: str
    help: Help = ""  # what the step expects (/help, and after a misunderstanding)
    # The screen: `text` (an N_() id, formatted with `values`) and `buttons`, or a `prompt`.
    text: str = ""
    values: Callable[[Turn], Values | Awaitable[Values]] | None = None
    buttons: Callable[[Turn, Values], Keyboard] | None = None
    prompt: Callable[[Turn], Awaitable[list[Reply]]] | None = None
    # Ask for a contact with the transport's own control, and take a shared one as the answer.
    contact: bool = False
    # Accepted taps: action family -> handler.
    on: Mapping[type[Action], ActionHandler] = field(default_factory=dict)
    # Typed answers: `validate` cleans them (None: the text as typed), `answer` acts on them.
    validate: Validator | None = None
    answer: Callable[[Turn, Any], Awaitable[Outcome]] | None = None
    # A question typed here is the answer unless it ends with "?" (addresses, names).
    free_text: bool = False
    # It asks for a number (a quantity, a day, an amount): a typed number is the answer, never
    # the number of an option shown (core/options.py).
    number: bool = False
    # False: a screen that is stale once the moment has passed (an order just placed, a
    # yes/no about an order that may have changed since): never shown to a customer back
    # after a pause, who gets the menu instead (Flow.resumable).
    resumable: bool = True

    async def show(self, turn: Turn) -> list[Reply]:
        if self.prompt is not None:
            return await self.prompt(turn)
        values: Values = {}
        if self.values is not None:
            got = self.values(turn)
            values = await got if inspect.isawaitable(got) else got
        text = turn._(self.text)
        if self.values is not None:
            text = text.format(**values)
        keyboard = self.buttons(turn, values) if self.buttons is not None else ()
        if self.contact:
            return [Reply(text, keyboard, request_contact=True, language=turn.t.language)]
        return [Reply(text, keyboard)]

    def help_text(self, turn: Turn) -> str:
        return self.help(turn) if callable(self.help) else turn._(self.help)

    async def take(
        self, turn: Turn, event: Event, shared: Mapping[type[Action], ActionHandler]
    ) -> Outcome:
        if event.kind is Kind.ACTION:
            tapped = parse(event.action)  # None (stale or forged) is no family's
            handler = self.on.get(type(tapped)) or shared.get(type(tapped))
            return stale() if handler is None else await handler(turn, tapped)
        if self.answer is None:
            return invalid(self.help_text(turn))
        typed = event.kind is Kind.TEXT or (self.contact and event.kind is Kind.CONTACT)
        text = event.text.strip() if typed else ""
        value = self.validate(turn, text) if self.validate is not None else text
        if isinstance(value, Problem):
            return invalid(value.text)
        return await self.answer(turn, value)


class Steps:
    """A flow's steps, one per state, in order. `shared` families are taken at every step."""

    def __init__(
        self, *steps: Step, shared: Mapping[type[Action], ActionHandler] | None = None
    ) -> None:
        self._steps: dict[str, Step] = {}
        for step in steps:
            if step.state in self._steps:
                raise ValueError(f"two steps for the state {step.state!r}")
            self._steps[step.state] = step
        self.shared: Mapping[type[Action], ActionHandler] = shared or {}

    @property
    def states(self) -> list[str]:
        return list(self._steps)

    @property
    def free_text(self) -> frozenset[str]:
        return frozenset(state for state, step in self._steps.items() if step.free_text)

    def __getitem__(self, state: str) -> Step:
        return self._steps[state]

    def __contains__(self, state: object) -> bool:
        return state in self._steps

    def __iter__(self) -> Iterator[Step]:
        return iter(self._steps.values())

    async def prompt(self, turn: Turn) -> list[Reply]:
        return await self[turn.conv.state].show(turn)

    async def handle(self, turn: Turn, event: Event) -> Outcome:
        return await self[turn.conv.state].take(turn, event, self.shared)

    def help(self, turn: Turn) -> str:
        return self[turn.conv.state].help_text(turn)


class StepFlow(Flow):
    """A flow whose states are its `steps`: asking, answering and help come from the records."""

    steps: ClassVar[Steps]

    def __init__(self) -> None:
        super().__init__()
        if set(self.machine.states) != set(self.steps.states):
            raise ValueError(f"{self.name}: the machine's states and the steps differ")

    async def prompt(self, turn: Turn) -> list[Reply]:
        return await self.steps.prompt(turn)

    async def handle(self, turn: Turn, event: Event) -> Outcome:
        return await self.steps.handle(turn, event)

    def takes(self, turn: Turn, tapped: Action) -> bool:
        return type(tapped) in self.steps[turn.conv.state].on

    def takes_number(self, turn: Turn) -> bool:
        return self.steps[turn.conv.state].number

    def resumable(self, turn: Turn) -> bool:
        return self.steps[turn.conv.state].resumable

    def help(self, turn: Turn) -> str:
        return self.steps.help(turn)


# -- forms -----------------------------------------------------------------------------------


def linear(states: Sequence[str], trigger: str = "next") -> list[dict[str, Any]]:
    """Transitions that walk `states` in order, one `trigger` each step."""
    return [{"trigger": trigger, "source": a, "dest": b} for a, b in pairwise(states)]


class Form:
    """Slots asked in order, one state each: per slot a question and a validator.

    A slot is a `Step` with `text` (the question) and `validate`. An empty answer (nothing
    typed, a photo) asks again with the slot's help. Without an `answer` of its own, a slot
    keeps the clean value in the flow's data under its state's name and moves on with
    `trigger`; `linear(form.states)` (or a longer chain holding them) declares those moves.
    """

    def __init__(self, *slots: Step, trigger: str = "next") -> None:
        self.trigger = trigger
        self.slots = tuple(self._slot(slot) for slot in slots)

    @property
    def states(self) -> list[str]:
        return [slot.state for slot in self.slots]

    def transitions(self) -> list[dict[str, Any]]:
        return linear(self.states, self.trigger)

    def _slot(self, slot: Step) -> Step:
        if slot.validate is None:
            raise ValueError(f"form slot {slot.state!r} needs a validator")
        validate = slot.validate

        def required(turn: Turn, text: str) -> Any:
            return validate(turn, text) if text else Problem(slot.help_text(turn))

        async def keep(turn: Turn, value: Any) -> Outcome:
            turn.data[slot.state] = value
            return go(self.trigger)

        return replace(slot, validate=required, answer=slot.answer or keep)
