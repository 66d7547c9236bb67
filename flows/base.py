"""What every flow is: a state machine declared as data, plus handlers for its steps.

One `transitions.Machine` is built per flow class, with no model attached; each message fires
an event on a light `_Cursor` that carries the conversation's state string. Building a machine
per conversation would cost ~370 us and ~20 KB each (see docs/performance.md).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from transitions import Machine, MachineError

from flows.types import Event, Outcome, Reply, stay

if TYPE_CHECKING:
    from flows.context import Turn


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
    # Slash commands that open this flow: command -> arguments passed to `begin` before the
    # command's own text (so /cart can open the order flow at its cart).
    commands: ClassVar[dict[str, str]] = {}

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
