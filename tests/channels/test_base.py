"""The channel contract's base: plain text with numbered options, typed answers matched against
the options last shown to that user, queued messages shown by a channel that cannot push."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from bot.channels.base import Capabilities, Channel, Failure, PlainText, failure
from core import options
from core.types import Button, Event, Kind, Reply, UserRef, rows

ALICE, BORIS = UserRef("plain", "alice"), UserRef("plain", "boris")


class Plain(Channel):
    transport = "plain"

    def to_event(self, raw: str) -> Event:
        return self.typed(ALICE, raw)


def test_options_are_numbered_across_replies() -> None:
    replies = [
        Reply("Added.\n"),
        Reply("Your cart", rows([Button("Checkout", "qo:checkout"), Button("Menu", "nav:menu")])),
        Reply("Or", rows([Button("✓ English", "lang:en")])),
    ]
    rendered = Plain().render(replies)
    assert rendered == PlainText(
        "Added.\n\nYour cart\n  [1] Checkout\n  [2] Menu\n\nOr\n  [3] ✓ English\n\n",
        tuple(b for r in replies for b in r.options()),
    )


def test_a_contact_request_degrades_to_the_typed_question() -> None:
    ask = Reply("Which phone number?", request_contact=True)
    assert Plain().render([ask]).text == "Which phone number?\n\n"
    assert not Plain.capabilities.contact and not Plain.capabilities.push


def test_typed_numbers_and_labels_pick_the_options_last_shown_to_that_user() -> None:
    """The channel marks a typed line as answering numbered options; the engine matches it
    against the options it last showed that user (core/options.py), for every channel."""
    channel = Plain()
    menu = [("Order", "menu:quick_order"), ("✓ English", "lang:en")]
    typed = channel.typed(ALICE, " 2 ")
    assert typed == Event(ALICE, Kind.TEXT, text="2", numbered=True)
    assert options.pick(typed.text, menu, by_number=typed.numbered) == "lang:en"
    assert options.pick(" order ", menu, by_number=True) == "menu:quick_order"
    assert options.pick("english", menu, by_number=True) == "lang:en"
    assert options.pick("3", menu, by_number=True) is None
    assert options.pick("1", [], by_number=True) is None  # Boris was shown nothing
    command = channel.typed(ALICE, "/Order lemon 2", "en")
    assert (command.kind, command.command, command.text) == (Kind.COMMAND, "order", "lemon 2")
    slots: dict = {}
    options.remember(slots, [Reply("Menu", rows([Button(*option) for option in menu]))])
    assert options.shown_in(slots) == menu
    options.remember(slots, [Reply("How many?")])  # a question without buttons: "1" answers it
    assert options.pick("1", options.shown_in(slots), by_number=True) is None


async def test_a_channel_without_push_shows_what_is_queued(db, clock) -> None:
    async with db.transaction() as tx:
        user = await tx.users.create("plain", "alice", "Alice", clock())
        await tx.outbox.add("user", {"text": "Your order shipped."}, clock(), user_id=user.id)
    shown: list[tuple] = []

    def show(payload: dict, buttons: Sequence[Button], first: int) -> None:
        shown.append((payload, list(buttons), first))

    await Plain.show_queued(db, ALICE, clock(), show)
    await Plain.show_queued(db, ALICE, clock(), show)
    await Plain.show_queued(db, BORIS, clock(), show)  # unknown: nothing
    assert shown == [({"text": "Your order shipped."}, [], 1)]
    async with db.transaction() as tx:
        assert await tx.outbox.due(clock() + timedelta(days=1)) == []


async def test_a_channel_without_push_cannot_deliver() -> None:
    with pytest.raises(NotImplementedError):
        await Plain().deliver(None, {}, None)  # type: ignore[arg-type]


def test_what_the_runner_does_with_a_failure() -> None:
    assert failure(KeyError("text")) is Failure.PERMANENT
    assert failure(ValueError("bad")) is Failure.PERMANENT
    assert failure(ConnectionError()) is Failure.RETRY
    assert Capabilities().buttons == 0
