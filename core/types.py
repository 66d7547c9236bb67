"""The values that cross the line between transports and the conversation core."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    COMMAND = "command"  # "/name args"
    TEXT = "text"  # free text typed by the user
    ACTION = "action"  # a button's action token
    CONTACT = "contact"  # a shared phone number (Telegram contact)
    MEDIA = "media"  # a photo or document (relayed to support, never interpreted)


@dataclass(frozen=True, slots=True)
class UserRef:
    transport: str  # "telegram", "terminal", ...
    external_id: str


@dataclass(frozen=True, slots=True)
class Event:
    user: UserRef
    kind: Kind
    text: str = ""  # free text, command arguments, or the shared phone number
    command: str = ""  # without the slash, lower case
    action: str = ""
    delivery_id: str | None = None  # None: the transport never redelivers
    message_id: int | None = None  # the transport's id of the user's message, if any
    display_name: str = ""
    language_hint: str | None = None  # the client's language (IETF tag), for /start
    attachment: dict[str, Any] | None = None  # MEDIA: {"type": "photo", "file_id": ...}
    at: datetime | None = None
    # The channel showed the options as numbered lines (plain text, `[n] Label`): a typed number
    # may pick one (core/options.py).
    numbered: bool = False

    @property
    def conversation_key(self) -> tuple[str, str]:
        return (self.user.transport, self.user.external_id)


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: str  # a token packed by core.actions (which holds it to Telegram's 64 bytes)


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a `Summary`: what ("Lemon", "Shipping") and its amount, money formatted."""

    what: str
    amount: str
    quantity: int = 0  # of a product line; 0: not a product line

    def to_json(self) -> list[Any]:
        return [self.what, self.amount, self.quantity]

    @classmethod
    def from_json(cls, data: list[Any]) -> Row:
        what, amount, quantity = data
        return cls(what, amount, quantity)


@dataclass(frozen=True, slots=True)
class Summary:
    """A cart or an order as rows and a total, beside a reply's text, for a channel that shows
    it as a table (Kakao's item card); the others show the text. Every field is already in the
    reader's language.

    `replaces` is the part of the reply's text (verbatim) that the summary says: a channel
    showing the summary shows `notes` in its place, which holds whatever of that part the rows
    and the total do not (a free-shipping hint), so that nothing is lost."""

    title: str
    rows: tuple[Row, ...]
    total: Row
    replaces: str
    notes: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "rows": [row.to_json() for row in self.rows],
            "total": self.total.to_json(),
            "replaces": self.replaces,
            "notes": self.notes,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Summary:
        return cls(
            data["title"],
            tuple(Row.from_json(row) for row in data["rows"]),
            Row.from_json(data["total"]),
            data["replaces"],
            data.get("notes", ""),
        )


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    # Ask the transport to delete the user's message that caused this reply (it held a secret).
    delete_source: bool = False
    # Ask a contact (phone number) with the transport's own control, where it has one.
    request_contact: bool = False
    # The language the reply is written in, for words a transport adds around it (the label of
    # its contact button). None: the transport looks the user's language up itself.
    language: str | None = None
    # The cart or order in the text as rows and a total, for a channel that can show a table.
    summary: Summary | None = None

    def options(self) -> list[Button]:
        return [button for row in self.buttons for button in row]

    def to_json(self) -> dict[str, Any]:
        """The reply as JSON values: a turn's replies are stored until sent (durable intake)."""
        data: dict[str, Any] = {"text": self.text}
        if self.buttons:
            data["buttons"] = [[[b.label, b.action] for b in row] for row in self.buttons]
        if self.delete_source:
            data["delete_source"] = True
        if self.request_contact:
            data["request_contact"] = True
        if self.language is not None:
            data["language"] = self.language
        if self.summary is not None:
            data["summary"] = self.summary.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reply:
        buttons = tuple(
            tuple(Button(label, action) for label, action in row) for row in data.get("buttons", ())
        )
        return cls(
            data["text"],
            buttons,
            delete_source=data.get("delete_source", False),
            request_contact=data.get("request_contact", False),
            language=data.get("language"),
            summary=Summary.from_json(data["summary"]) if "summary" in data else None,
        )


def rows(buttons: list[Button], per_row: int = 2) -> tuple[tuple[Button, ...], ...]:
    """Lay buttons out in rows of `per_row`."""
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))


@dataclass(slots=True)
class Outcome:
    """What a flow's handler decided. Built with the helpers below, read by the engine."""

    say: list[Reply] = field(default_factory=list)
    trigger: str | None = None  # fire this trigger of the flow's machine
    switch_to: str | None = None  # start another flow (its entry)
    switch_args: str = ""
    finished: bool = False  # the flow is over: back to the menu
    invalid: str | None = None  # a localized explanation of what was expected
    stale: bool = False  # an action this step does not know (an old button)
    prompt: bool = True  # ask the current (new) step's question after `say`


def go(trigger: str, *say: Reply) -> Outcome:
    return Outcome(say=list(say), trigger=trigger)


def stay(*say: Reply) -> Outcome:
    """Remain at this step and ask it again (after saying `say`)."""
    return Outcome(say=list(say))


def quiet(*say: Reply) -> Outcome:
    """Remain at this step, say `say` and nothing more."""
    return Outcome(say=list(say), prompt=False)


def invalid(explanation: str) -> Outcome:
    return Outcome(invalid=explanation)


def switch(flow: str, args: str = "", *say: Reply) -> Outcome:
    return Outcome(say=list(say), switch_to=flow, switch_args=args)


def finish(*say: Reply) -> Outcome:
    return Outcome(say=list(say), finished=True)


def stale() -> Outcome:
    return Outcome(stale=True)
