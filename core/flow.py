"""What every flow is (a state machine declared as data, plus handlers for its steps) and the
`Turn` it handles one event with.

One `transitions.Machine` is built per flow class, with no model attached; each message fires
an event on a light `_Cursor` that carries the conversation's state string. Building a machine
per conversation would cost ~370 us and ~20 KB each (see docs/performance.md).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from transitions import Machine, MachineError

from core.actions import Action
from core.i18n import Translator, translator
from core.surface import (
    CardRenderer,
    Command,
    GlobalAction,
    Job,
    MenuEntry,
    StaffAction,
    StaffListener,
    Surface,
    Topic,
)
from core.types import Event, Outcome, Reply, stay
from storage.records import Conversation, User
from storage.repos import Tx

# Roles the engine needs filled, by flow name: where a finished flow returns, where a new
# user starts, who takes a customer to a person.
HOME_FLOW = "menu"
ONBOARDING_FLOW = "start"
HUMAN_FLOW = "support"
# The home flow's entry for a customer back after a pause (RETURN_AFTER): RETURNING + the time
# of their previous message (ISO), so that it can say what is new since.
RETURNING = "returning:"


@dataclass(slots=True)
class _Cursor:
    """The model a machine moves: only a state and the turn, for conditions to read."""

    state: str
    turn: Any = None


class Flow(ABC):
    """A conversation flow. Subclasses declare `name`, `states`, `transitions`, `initial`.

    `transitions` entries are `transitions` dicts; a `conditions` callable receives the
    `EventData`, whose `model.turn` is the current `Turn`.
    """

    name: ClassVar[str]
    states: ClassVar[list[str]]
    transitions: ClassVar[list[dict[str, Any]]]
    initial: ClassVar[str]
    # Steps whose answer is free text (an address, a name): a question typed there is taken
    # as the answer unless it ends with a question mark.
    free_text_states: ClassVar[frozenset[str]] = frozenset()
    # False where every message is meant for a person (the support chat): a question there is
    # relayed, not answered by the bot.
    answers_questions: ClassVar[bool] = True
    # Its surface (core/surface.py): what it shows outside its own conversation.
    commands: ClassVar[tuple[Command, ...]] = ()
    menu: ClassVar[tuple[MenuEntry, ...]] = ()
    jobs: ClassVar[tuple[Job, ...]] = ()
    topics: ClassVar[tuple[Topic, ...]] = ()
    staff_cards: ClassVar[Mapping[str, CardRenderer]] = {}
    staff_actions: ClassVar[Mapping[str, StaffAction]] = {}
    staff_words: ClassVar[tuple[StaffListener, ...]] = ()

    def __init__(self) -> None:
        self.machine = Machine(
            model=None,
            states=self.states,
            transitions=self.transitions,
            initial=self.initial,
            auto_transitions=False,
            send_event=True,
            name=self.name,
        )

    def fire(self, turn: Turn, trigger: str) -> bool:
        """Move the conversation along `trigger`; False when a condition held it back."""
        cursor = _Cursor(turn.conv.state, turn)
        try:
            moved = self.machine.events[trigger].trigger(cursor)
        except (KeyError, MachineError) as error:
            raise FlowError(
                f"{self.name}: no trigger {trigger!r} from {turn.conv.state!r}"
            ) from error
        turn.conv.state = cursor.state
        return bool(moved)

    async def begin(self, turn: Turn, args: str) -> Outcome:
        """Entering the flow (from the menu or its command); `args` is the command's text."""
        return stay()

    @abstractmethod
    async def prompt(self, turn: Turn) -> list[Reply]:
        """Ask the question of the current step (`turn.conv.state`)."""

    @abstractmethod
    async def handle(self, turn: Turn, event: Event) -> Outcome:
        """Interpret the user's answer at the current step."""

    def global_actions(self) -> Mapping[type[Action], GlobalAction]:
        """Buttons of this flow that work from any message, by family (the menu's entries
        stay tappable in an old message)."""
        return {}

    def takes_number(self, turn: Turn) -> bool:
        """True when the current step takes a typed number as its answer (a quantity, a day,
        an amount): there a typed "6" is six, never the sixth option shown."""
        return False

    def resumable(self, turn: Turn) -> bool:
        """False when the current step makes no sense to a customer back after a pause (an
        order just placed, a yes/no about an order that may have changed since): they get the
        menu instead of it."""
        return True

    def takes(self, turn: Turn, tapped: Action) -> bool:
        """True when the current step answers this family itself, so that a button meaning
        something everywhere (a language) means this step's answer here."""
        return False

    async def cancel(self, turn: Turn) -> list[Reply]:
        """/cancel at any step of this flow; the engine then shows the menu."""
        return [Reply(turn._("Cancelled."))]

    async def holds(self, turn: Turn) -> bool:
        """True while this flow takes every input itself (a live support chat): only /menu
        and /cancel keep their global meaning."""
        return False

    def help(self, turn: Turn) -> str:
        """What the current step expects, for /help and after a misunderstanding."""
        return turn._("Answer the question above, tap one of the buttons, or send /menu.")

    def mermaid(self) -> str:
        """The machine as a Mermaid state diagram (docs/flows/*.md are generated from this)."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial}"]
        for trigger, event in self.machine.events.items():
            for source, transitions in event.transitions.items():
                lines.extend(
                    f"    {source} --> {transition.dest or source}: {trigger}"
                    for transition in transitions
                )
        return "\n".join(lines) + "\n"


class FlowError(RuntimeError):
    """A flow asked for a move its machine does not allow: a bug, never the user's fault."""


@dataclass(frozen=True, slots=True)
class Resources:
    """Read-only data loaded once at start-up and shared by every turn."""

    catalogs: Mapping[str, Any] = field(default_factory=dict)
    # Shown where a flow offers a human (R-KR-ORD-6, R-KZ-SUP-1); None: no staff desk.
    staff_desk: bool = True


@dataclass(slots=True)
class Turn:
    tx: Tx
    user: User
    conv: Conversation
    event: Event
    now: datetime
    resources: Resources
    surface: Surface
    t: Translator = field(init=False)
    # Objects a handler hands to the prompt that follows in the same turn (the order it has
    # just placed), so that the prompt need not read them back. Never stored: a later turn
    # finds only what `data` keeps.
    fresh: dict[str, Any] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.t = translator(self.user.language or "en")

    def _(self, message: str) -> str:
        return self.t._(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.t.ngettext(singular, plural, n)

    @property
    def market(self) -> str:
        return self.user.market or "KR"

    @property
    def data(self) -> dict[str, Any]:
        """The current flow's own slots (cleared when the flow is entered afresh)."""
        return self.conv.slots.setdefault(self.conv.flow, {})

    def slots_of(self, flow: str) -> dict[str, Any]:
        return self.conv.slots.setdefault(flow, {})

    @property
    def flows(self) -> Mapping[str, Flow]:
        return self.surface.flows

    def set_language(self, language: str) -> None:
        self.user.language = language
        self.t = translator(language)
