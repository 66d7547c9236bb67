"""What a flow shows of itself outside its own conversation, declared as data on the flow.

A flow lists its slash commands, its main-menu entries, its scheduled jobs, the staff cards it
hands the desk and the staff decisions it takes, the questions it answers at any step and the
buttons that work from any message. `Surface` collects them from the flows an engine runs, and
every consumer reads them there: Telegram's command menus, /help, the main menu, the jobs loop,
the staff desk. Adding a flow therefore touches no consumer (docs/architecture.md).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from core.actions import Action, MenuChoice
from core.i18n import Translator
from core.types import Button
from storage.db import Database

if TYPE_CHECKING:
    from core.flow import Flow, Resources, Turn
    from core.types import Outcome

MARKETS = ("KR", "KZ")


@dataclass(frozen=True, slots=True)
class Command:
    """A slash command. `description` is an N_() message id: Telegram's command menu and /help
    show it translated. `args`: what the command hands the flow's `begin` before the typed
    text (/cart opens the order flow at its cart). `order`: position in the lists."""

    name: str
    description: str
    args: str = ""
    order: int = 50
    markets: tuple[str, ...] = MARKETS
    listed: bool = True  # False: works, but is not offered (/resume, for the terminal)


@dataclass(frozen=True, slots=True)
class MenuEntry:
    """A main-menu entry that opens its flow with `args`; shown in the listed markets."""

    label: str  # N_() message id
    args: str = ""
    markets: tuple[str, ...] = MARKETS
    order: int = 50


@dataclass(frozen=True, slots=True)
class MenuItem:
    """A menu entry bound to the flow that declared it."""

    flow: str
    entry: MenuEntry

    @property
    def label(self) -> str:
        return self.entry.label

    @property
    def choice(self) -> MenuChoice:
        """Its button's action."""
        return MenuChoice(self.flow, self.entry.args)

    @property
    def action(self) -> str:
        return self.choice.pack()


@dataclass(frozen=True, slots=True)
class Job:
    """Scheduled work, run by every worker's jobs loop every `every`: it must be safe to run
    on several workers at once and twice in a row. Returns how many rows it changed. It is
    given the process's `Resources`: the catalogues, and whether a staff desk exists (without
    one, nobody would ever take a staff notice off the outbox)."""

    name: str
    every: timedelta
    run: Callable[[Database, datetime, Resources], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class Topic:
    """A question a flow answers at any step ("how much is shipping?"): the first topic whose
    pattern matches the typed text answers, from policy. An answer that is an `Outcome` is
    carried out instead of said (a request for a person opens the support chat).

    `everywhere`: also at steps whose answer is any text (an address, a name), where other
    topics count only when the text ends with "?"; these are matched before the others."""

    name: str
    pattern: str
    answer: Callable[[Turn], str | Outcome]
    everywhere: bool = False
    compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "compiled", re.compile(self.pattern, re.IGNORECASE))

    def matches(self, text: str) -> bool:
        return self.compiled.search(text) is not None


@dataclass(frozen=True, slots=True)
class StaffCard:
    """What the staff desk shows for an outbox payload, whatever the channel: a title, lines
    of text and decision buttons (`Button` action tokens a staff action handles)."""

    title: str
    lines: tuple[str, ...] = ()
    buttons: tuple[tuple[Button, ...], ...] = ()

    @property
    def text(self) -> str:
        return "\n".join((self.title, *self.lines))


# (the desk's translator, the outbox payload) -> the card
CardRenderer = Callable[[Translator, Mapping[str, Any]], StaffCard]


@dataclass(frozen=True, slots=True)
class StaffDecision:
    """A staff member pressed a decision button: who, which token, when, and the transport's
    delivery id (a redelivered press changes nothing)."""

    token: str
    staff: str
    at: datetime
    delivery_id: str | None = None


# (the database, the decision, the desk's translator) -> a short answer for the staff member
StaffAction = Callable[[Database, StaffDecision, Translator], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class StaffNote:
    """Words a staff member wrote in a ticket's thread, before the desk relays them."""

    ticket_id: int
    text: str
    staff: str
    at: datetime
    delivery_id: str | None = None


# Words a flow asked staff for in a ticket's thread (a reject's reason): (the database, the
# words, the desk's translator) -> the desk's answer in the thread when the flow took them
# (they then do not go to the customer as a staff reply), else None.
StaffListener = Callable[[Database, StaffNote, Translator], Awaitable["str | None"]]
# A button that works from any message, by family: (the turn) -> the outcome
GlobalAction = Callable[["Turn"], Awaitable["Outcome | None"]]


class Surface:
    """Everything the flows declare, collected once for the engine and the channels."""

    def __init__(self, flows: Iterable[Flow], global_commands: Iterable[Command] = ()) -> None:
        self.flows: dict[str, Flow] = {}
        for flow in flows:
            if flow.name in self.flows:
                raise ValueError(f"two flows are named {flow.name!r}")
            self.flows[flow.name] = flow
        self.global_commands = tuple(global_commands)
        self.flow_commands: dict[str, tuple[str, Command]] = {}
        for flow in self.flows.values():
            for command in flow.commands:
                self._unique(command.name, self.flow_commands)
                self.flow_commands[command.name] = (flow.name, command)
        names = {command.name for command in self.global_commands}
        if clash := names & self.flow_commands.keys():
            raise ValueError(f"flow commands shadow global ones: {sorted(clash)}")
        self.commands: tuple[Command, ...] = tuple(
            sorted(
                (*self.global_commands, *(c for _, c in self.flow_commands.values())),
                key=lambda command: command.order,
            )
        )
        self.topics: tuple[Topic, ...] = tuple(t for f in self.flows.values() for t in f.topics)
        self.jobs: tuple[Job, ...] = tuple(job for f in self.flows.values() for job in f.jobs)
        self._unique_all((job.name for job in self.jobs), "job")
        self.staff_cards: dict[str, CardRenderer] = self._merged("staff_cards", "staff card")
        self.staff_actions: dict[str, StaffAction] = self._merged("staff_actions", "staff action")
        self.staff_words: tuple[StaffListener, ...] = tuple(
            listener for f in self.flows.values() for listener in f.staff_words
        )
        self.global_actions: dict[type[Action], GlobalAction] = {}
        for flow in self.flows.values():
            for family, handler in flow.global_actions().items():
                if family in self.global_actions:
                    raise ValueError(f"two flows declare the global button {family.__name__}")
                self.global_actions[family] = handler
        self._menu: tuple[MenuItem, ...] = tuple(
            sorted(
                (MenuItem(f.name, entry) for f in self.flows.values() for entry in f.menu),
                key=lambda item: item.entry.order,
            )
        )
        self.menu_actions = frozenset(item.action for item in self._menu)

    def menu(self, market: str) -> list[MenuItem]:
        """The main menu's entries for a market, in order."""
        return [item for item in self._menu if market in item.entry.markets]

    def commands_for(self, market: str | None) -> list[Command]:
        """Every command, in order; those of one market only when `market` is given."""
        return [c for c in self.commands if market is None or market in c.markets]

    def answer(self, turn: Turn, text: str, *, asked: bool = True) -> str | Outcome | None:
        """The answer to a question typed at any step, or None when no topic matches. Not
        `asked` (free text that does not end with "?"): only the topics asked `everywhere`."""
        first = [topic for topic in self.topics if topic.everywhere]
        rest = [topic for topic in self.topics if not topic.everywhere] if asked else []
        topic = next((topic for topic in (*first, *rest) if topic.matches(text)), None)
        return topic.answer(turn) if topic is not None else None

    def _merged(self, attribute: str, what: str) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for flow in self.flows.values():
            for key, value in getattr(flow, attribute).items():
                self._unique(key, merged, what)
                merged[key] = value
        return merged

    @staticmethod
    def _unique(key: str, seen: Mapping[str, Any], what: str = "command") -> None:
        if key in seen:
            raise ValueError(f"two flows declare the {what} {key!r}")

    @staticmethod
    def _unique_all(keys: Iterable[str], what: str) -> None:
        seen: dict[str, None] = {}
        for key in keys:
            Surface._unique(key, seen, what)
            seen[key] = None
