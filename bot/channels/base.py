"""The channel contract: what every transport implements, and what it gets for free.

A channel turns its native input into the neutral `Event` (`to_event`), the engine's replies
into its native output (`render`), and, where it can reach a user unprompted, delivers the
messages queued for them in the outbox (`deliver`). `Capabilities` says what it can do; a
capability it lacks degrades instead of failing:

- no buttons (`buttons == 0`): the base `render` prints the options as numbered lines, and
  `typed` marks a typed line as answering numbered options: the engine matches a typed number
  or label against the options last shown to that user (core/options.py, for every channel);
- no contact control (`contact`): `Reply.request_contact` is ignored, and the reply's own text
  (the flows word it as a question: "Which phone number should the courier call?") is
  answered by typing the number;
- no edit or delete: replies go out as new messages, a message to delete stays;
- no push (`push`): the outbox runner never claims this channel's messages; they stay queued
  and ride on the user's next answer (`show_queued`), as the terminal prints them, their
  buttons numbered after the answer's options and answered like them.

The process host (bot/app.py) hands the channels that push to the outbox runner
(bot/channels/outbox.py), which calls `deliver` for their users' rows and `failure` to tell a
failed delivery that may be retried from one that never will succeed. Rate limits are the
channel's own business: its `deliver` waits for them, or raises `RetryLater`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, ClassVar

from core import options
from core.actions import fits
from core.types import Button, Event, Kind, Reply, UserRef
from storage.db import Database
from storage.records import User

# Stores the payload being delivered again: it records how far a resumable delivery got.
Checkpoint = Callable[[], Awaitable[None]]
# Shows an outbox message (its payload, its buttons, the number its first button is shown with).
ShowQueued = Callable[[dict[str, Any], Sequence[Button], int], None]


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a channel can do with a message. The defaults describe a plain-text channel."""

    edit: bool = False  # edit a message it sent (a tapped menu turning into the next one)
    delete: bool = False  # delete the user's message (one that held a card number)
    contact: bool = False  # a control that shares the user's phone number
    push: bool = False  # send a message the user did not just ask for (outbox deliveries)
    buttons: int = 0  # buttons one message may carry; 0: numbered options instead
    text_limit: int | None = None  # characters in one message; None: no limit
    cards: bool = False  # rich cards (title, image, buttons) rather than text


class Failure(Enum):
    """How a failed delivery is treated by the outbox runner."""

    RETRY = "retry"  # postponed, with backoff, up to the runner's attempts
    PERMANENT = "permanent"  # it never will succeed (the user blocked us, a bad payload)
    MAYBE_SENT = "maybe sent"  # the message may have gone: never sent again


class RetryLater(Exception):
    """The channel is paused (flood control) for longer than the caller would wait."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"flood control: retry in {seconds:.0f} s")
        self.seconds = seconds


def failure(error: BaseException) -> Failure:
    """The channel-neutral part: a payload that cannot be read (a missing key, a bad value)
    never will be; anything else may pass on a later attempt."""
    return Failure.PERMANENT if isinstance(error, KeyError | ValueError) else Failure.RETRY


@dataclass(frozen=True, slots=True)
class PlainText:
    """The base rendering: the replies' text with their options as numbered lines."""

    text: str
    options: tuple[Button, ...] = ()


class Channel(ABC):
    """A transport the customers talk through. See the module docstring."""

    transport: ClassVar[str]  # `UserRef.transport` of this channel's users
    capabilities: ClassVar[Capabilities] = Capabilities()

    @abstractmethod
    def to_event(self, raw: Any) -> Event | None:
        """The channel's native input as an event; None for input that is not a user's turn
        (a service message, another chat)."""

    def render(self, replies: Sequence[Reply]) -> Any:
        """The replies in the channel's native form. The base: `PlainText`, each reply's text
        followed by its buttons as `  [n] Label` lines, numbered across the replies, and a
        blank line; a channel overrides this with what it can do better."""
        parts: list[str] = []
        options: list[Button] = []
        for reply in replies:
            parts.append(reply.text.rstrip() + "\n")
            parts.append(numbered(reply.options(), len(options) + 1))
            options.extend(reply.options())
            parts.append("\n")
        return PlainText("".join(parts), tuple(options))

    async def deliver(
        self, user: User, payload: dict[str, Any], checkpoint: Checkpoint
    ) -> int | None:
        """Send an outbox message to `user` unprompted (channels with `push` only); the id of
        the first message sent, when the channel has ids (the runner links a support relay's
        copy to it, so edits can follow). A delivery sent as several messages records its
        progress in `payload` and stores it with `checkpoint`, so a retry resumes after the
        last part delivered. Raises on failure (`failure` says what the runner does)."""
        raise NotImplementedError(f"the {self.transport} channel cannot push messages")

    def failure(self, error: BaseException) -> Failure:
        """How the runner treats a delivery that raised `error` (a channel adds its own)."""
        return failure(error)

    # -- channels without button data ------------------------------------------------------
    def typed(self, user: UserRef, line: str, language: str | None = None) -> Event:
        """A typed line as an event: a command, or text. The engine reads text that names an
        option last shown (its number, as `render` numbered them, or its label) as that
        option's tap (core/options.py), the same for every channel."""
        text = line.strip()
        if text.startswith("/"):
            name, _, args = text[1:].partition(" ")
            return Event(
                user, Kind.COMMAND, text=args.strip(), command=name.lower(), language_hint=language
            )
        return Event(user, Kind.TEXT, text=text, language_hint=language, numbered=True)

    # -- channels without push -------------------------------------------------------------
    @staticmethod
    async def show_queued(db: Database, user: UserRef, now: datetime, show: ShowQueued) -> None:
        """Hand each outbox message due for `user` to `show`, then mark it sent, in one
        transaction: what a channel without push shows with its next answer (after it).

        A message's buttons (an auto-order reminder's) join the options last shown, numbered
        after them: `show` gets them and the number of the first, and the next typed line
        names one by its number or label as a tap would (core/options.py)."""
        async with db.transaction() as tx:
            found = await tx.users.find_with_conversation(user.transport, user.external_id)
            if found is None:
                return
            user_row, conv = found
            slots = conv.slots if conv is not None else {}  # none stored: no turn taken yet
            remembered = False
            for message in await tx.outbox.due(now, channel="user", user_id=user_row.id):
                buttons = [b for row in notice_buttons(message.payload) for b in row]
                first = options.also_shown(slots, buttons) if buttons else 1
                show(message.payload, buttons, first)
                remembered = remembered or bool(buttons)
                await tx.outbox.mark_sent(message.id, now)
            if conv is not None and remembered:
                await tx.conversations.save(conv, now)


def numbered(buttons: Sequence[Button], first: int = 1) -> str:
    """Options as the plain rendering shows them: `  [n] Label` lines, from number `first`."""
    return "".join(f"  [{n}] {button.label}\n" for n, button in enumerate(buttons, first))


def notice_buttons(payload: dict[str, Any]) -> tuple[tuple[Button, ...], ...]:
    """The buttons an outbox message carries (`[[{"label", "action"}, ...], ...]`); a row or
    button that is not of that shape, or a token that does not fit, is left out rather than
    failing the message."""
    rows = payload.get("buttons")
    if not isinstance(rows, list):
        return ()
    kept = []
    for row in rows:
        if not isinstance(row, list):
            continue
        buttons = tuple(
            Button(str(b["label"]), b["action"])
            for b in row
            if isinstance(b, dict) and b.get("label") and fits(b.get("action"))
        )
        if buttons:
            kept.append(buttons)
    return tuple(kept)


class StaffSide(ABC):
    """Where the outbox's staff rows go (one channel's staff group): what the runner needs."""

    @property
    @abstractmethod
    def rate(self) -> tuple[float, float]:
        """(messages, per seconds) the staff side may send: sizes the runner's staff batch."""

    @abstractmethod
    async def deliver(self, payload: dict[str, Any], checkpoint: Checkpoint) -> None:
        """Carry out one staff row (see `Channel.deliver` for `checkpoint`); raises on failure."""

    def failure(self, error: BaseException) -> Failure:
        return failure(error)
