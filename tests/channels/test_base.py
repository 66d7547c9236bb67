"""The channel contract's base: plain text with numbered options, typed answers matched against
the options last shown to that user, queued messages shown by a channel that cannot push."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.channels.base import Capabilities, Channel, Failure, PlainText, failure
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
    channel = Plain()
    menu = (Button("Order", "menu:quick_order"), Button("✓ English", "lang:en"))
    channel.remember(ALICE, menu)
    assert channel.typed(ALICE, "2").action == "lang:en"
    assert channel.typed(ALICE, " order ").action == "menu:quick_order"
    assert channel.typed(ALICE, "english").action == "lang:en"
    assert channel.typed(ALICE, "3") == Event(ALICE, Kind.TEXT, text="3")
    assert channel.typed(BORIS, "1").kind is Kind.TEXT  # Boris was shown nothing
    command = channel.typed(ALICE, "/Order lemon 2", "en")
    assert (command.kind, command.command, command.text) == (Kind.COMMAND, "order", "lemon 2")
    channel.remember(ALICE, ())  # a question without buttons: "1" is an answer now
    assert channel.typed(ALICE, "1").kind is Kind.TEXT


def test_the_options_of_the_user_seen_longest_ago_are_forgotten(monkeypatch) -> None:
    monkeypatch.setattr(Plain, "shown_capacity", 2)
    channel = Plain()
    users = [UserRef("plain", str(n)) for n in range(3)]
    for user in users:
        channel.remember(user, (Button("Yes", "yes"),))
    assert channel.typed(users[0], "1").kind is Kind.TEXT
    assert channel.typed(users[2], "1").action == "yes"


async def test_a_channel_without_push_shows_what_is_queued(db, clock) -> None:
    async with db.transaction() as tx:
        user = await tx.users.create("plain", "alice", "Alice", clock())
        await tx.outbox.add("user", {"text": "Your order shipped."}, clock(), user_id=user.id)
    shown: list[dict] = []
    await Plain.show_queued(db, ALICE, clock(), shown.append)
    await Plain.show_queued(db, ALICE, clock(), shown.append)
    await Plain.show_queued(db, BORIS, clock(), shown.append)  # unknown: nothing
    assert shown == [{"text": "Your order shipped."}]
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
