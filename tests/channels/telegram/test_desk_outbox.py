"""The staff desk's outbox deliveries over HTTP against the fake Bot API: new-order cards in the
General topic, one topic per ticket when two workers race, chunks resumed after a failure, and
the staff group's rows kept in order behind a postponed one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal

import pytest

from bot.channels.outbox import OutboxRunner
from bot.channels.telegram.app import create_bot
from bot.channels.telegram.desk import StaffDesk
from bot.channels.telegram.sender import Sender
from core.i18n import translator
from core.surface import Surface
from flows.registry import default_flows
from tests.channels.telegram.conftest import FAST, STAFF, TOKEN
from tests.channels.telegram.fake_api import FakeBotAPI
from tests.quick_order.helpers import checkout, confirm, fill_cart

CARDS = Surface(default_flows()).staff_cards
ORDER = {
    "type": "order_placed",
    "order_id": 7,
    "number": "KR-2611-000007",
    "market": "KR",
    "payment_method": "card",
    "total": "50000.00",
    "currency": "KRW",
    "customer": "Alice",
}


@dataclass
class Worker:
    """One bot process's staff side: its own sender, desk and outbox runner."""

    sender: Sender
    desk: StaffDesk
    outbox: OutboxRunner


@pytest.fixture
async def workers(db, clock, api: FakeBotAPI) -> AsyncIterator[list[Worker]]:
    made: list[Worker] = []
    bots = []
    for _ in range(2):
        bot = create_bot(TOKEN, api.base_url, timeout=5)
        bots.append(bot)
        sender = Sender(bot, limits=FAST, backoff=0.01)
        desk = StaffDesk(db, sender, STAFF, clock=clock, cards=CARDS)
        made.append(Worker(sender, desk, OutboxRunner(db, clock, desk=desk)))
    yield made
    for worker, bot in zip(made, bots, strict=True):
        await worker.sender.close()
        await bot.session.close()


async def queue_staff(db, clock, *payloads: dict) -> None:
    async with db.transaction() as tx:
        for payload in payloads:
            await tx.outbox.add("staff", payload, clock())


async def open_ticket(db, clock) -> int:
    async with db.transaction() as tx:
        user = await tx.users.create("telegram", "1001", "Alice", clock())
        summary = {"customer": "Alice", "market": "KR", "language": "en", "transport": "telegram"}
        ticket = await tx.tickets.create(user.id, "asked", "menu", "menu", summary, clock())
        return ticket.id


async def unsent(db, clock) -> list:
    async with db.transaction() as tx:
        return await tx.outbox.due(clock().replace(year=2100), 100, channel="staff")


async def test_a_new_order_is_posted_in_the_general_topic(db, clock, api, workers) -> None:
    transfer_order = {**ORDER, "order_id": 8, "number": "KR-2611-000008"}
    await queue_staff(db, clock, ORDER, {**transfer_order, "payment_method": "bank_transfer"})
    assert await workers[0].outbox.run_once() == 2
    card, transfer = api.sent("sendMessage", STAFF)
    assert "message_thread_id" not in card.params  # General: no topic per order
    assert card.text.splitlines() == [
        "New order KR-2611-000007 (KR): Alice",
        "Total: ₩50,000 · Payment: Card",
        "Contact the customer to take the card payment, then run: "
        "orderbot orders paid KR-2611-000007",
        "Details and phone: orderbot orders show KR-2611-000007 · "
        "Cancel: orderbot orders cancel KR-2611-000007",
    ]
    assert "Payment: Bank transfer" in transfer.text
    assert "When the transfer arrives, run: orderbot orders paid KR-2611-000008" in transfer.text
    assert api.sent("createForumTopic") == [] and await unsent(db, clock) == []


@pytest.mark.parametrize("language", ["ko", "ru"])
async def test_the_order_card_speaks_the_staff_language(db, clock, api, language) -> None:
    bot = create_bot(TOKEN, api.base_url, timeout=5)
    sender = Sender(bot, limits=FAST)
    desk = StaffDesk(db, sender, STAFF, clock=clock, language=language, cards=CARDS)
    try:
        await queue_staff(db, clock, ORDER)
        await OutboxRunner(db, clock, desk=desk).run_once()
    finally:
        await sender.close()
        await bot.session.close()
    (card,) = api.sent("sendMessage", STAFF)
    t = translator(language)
    assert t.money(Decimal("50000"), "KRW") in card.text
    assert t._("Card") in card.text and t._("Card") != "Card"
    assert "orderbot orders paid KR-2611-000007" in card.text
    assert "New order" not in card.text and "Contact the customer" not in card.text


async def test_two_workers_creating_a_topic_keep_one(db, clock, api, workers) -> None:
    ticket_id = await open_ticket(db, clock)
    async with db.transaction() as tx:  # both workers read the ticket before either stores
        stale = [await tx.tickets.get(ticket_id), await tx.tickets.get(ticket_id)]
    first = await workers[0].desk.topics.post(stale[0], workers[0].desk.topics.text_methods("one"))
    second = await workers[1].desk.topics.post(stale[1], workers[1].desk.topics.text_methods("two"))
    assert first is not None and second is not None
    kept, extra = (c.result["message_thread_id"] for c in api.sent("createForumTopic", STAFF))
    (deleted,) = api.sent("deleteForumTopic", STAFF)
    assert deleted.params["message_thread_id"] == extra
    card, *messages = api.sent("sendMessage", STAFF)  # the winner's new topic starts with it
    assert card.text.startswith("Support request #") and card.params["message_thread_id"] == kept
    assert [(m.text, m.params["message_thread_id"]) for m in messages] == [
        ("one", kept),
        ("two", kept),
    ]
    async with db.transaction() as tx:
        assert (await tx.tickets.get(ticket_id)).topic_id == kept
    assert stale[1].topic_id == kept


async def test_an_extra_topic_that_cannot_be_deleted_is_closed(db, clock, api, workers) -> None:
    ticket_id = await open_ticket(db, clock)
    async with db.transaction() as tx:
        stale = [await tx.tickets.get(ticket_id), await tx.tickets.get(ticket_id)]
    api.fail("deleteForumTopic", 400, description="Bad Request: not enough rights")
    await workers[0].desk.topics.post(stale[0], workers[0].desk.topics.text_methods("one"))
    await workers[1].desk.topics.post(stale[1], workers[1].desk.topics.text_methods("two"))
    extra = api.sent("createForumTopic", STAFF)[1].result["message_thread_id"]
    (closed,) = api.sent("closeForumTopic", STAFF)
    assert closed.params["message_thread_id"] == extra


async def test_a_long_staff_message_resumes_after_its_last_chunk(db, clock, api, workers) -> None:
    ticket_id = await open_ticket(db, clock)
    text = "\n".join(f"part {n} " + "x" * 3000 for n in (1, 2, 3))
    async with db.transaction() as tx:
        row_id = await tx.tickets.add_message(ticket_id, "in", text, clock(), customer_message_id=5)
    payload = {"type": "customer_message", "ticket_id": ticket_id, "text": text, "row_id": row_id}
    await queue_staff(db, clock, payload)
    api.fail("sendMessage", 500, chat_id=STAFF, after=2, times=4)  # card, 1st chunk, then fails
    work = workers[0].outbox
    assert await work.run_once() == 1
    (row,) = await unsent(db, clock)
    assert row.payload["chunks_sent"] == 1
    clock.advance(seconds=6)
    assert await work.run_once() == 1
    (topic,) = api.sent("createForumTopic", STAFF)
    card, *chunks = api.sent("sendMessage", STAFF)  # the new topic starts with the card, once
    assert card.text.startswith("Support request #")
    assert [c.text[:6] for c in chunks] == ["part 1", "part 2", "part 3"]  # each exactly once
    assert {c.params["message_thread_id"] for c in chunks} == {topic.result["message_thread_id"]}
    first_id = chunks[0].result["message_id"]
    async with db.transaction() as tx:  # staff edits find the first chunk
        found = await tx.tickets.find_message(ticket_id, staff_message_id=first_id)
    assert found is not None and found.id == row_id
    assert await unsent(db, clock) == []


async def test_staff_rows_wait_behind_a_postponed_one(db, clock, api, workers) -> None:
    later = {**ORDER, "order_id": 8, "number": "KR-2611-000008"}
    await queue_staff(db, clock, ORDER, later)
    api.fail("sendMessage", 429, retry_after=120, chat_id=STAFF)  # longer than the worker waits
    work = workers[0].outbox
    await work.run_once()
    await asyncio.sleep(0.1)
    assert api.sent("sendMessage", STAFF) == []
    assert len([c for c in api.calls if c.method == "sendMessage"]) == 1  # the 2nd not tried
    first, second = await unsent(db, clock)
    assert first.attempts == 1 and second.attempts == 0
    # Another worker with no flood pause of its own still does not send the second first.
    clock.advance(seconds=30)
    assert await workers[1].outbox.run_once() == 0
    assert api.sent("sendMessage", STAFF) == []
    clock.advance(seconds=100)
    await workers[1].outbox.run_once()
    assert [c.text.splitlines()[0] for c in api.sent("sendMessage", STAFF)] == [
        "New order KR-2611-000007 (KR): Alice",
        "New order KR-2611-000008 (KR): Alice",
    ]


async def test_an_order_confirmed_in_the_chat_reaches_the_desk(
    dialogue, db, clock, api, workers
) -> None:
    await fill_cart(dialogue, "en", "KR", "lemon 3")
    await checkout(dialogue, "card")
    await confirm(dialogue)
    await workers[0].outbox.run_once()
    (card,) = api.sent("sendMessage", STAFF)
    assert "message_thread_id" not in card.params
    assert card.text.startswith("New order KR-2611-000001 (KR): ")
    assert "Total: ₩54,000 · Payment: Card" in card.text
    assert "orderbot orders paid KR-2611-000001" in card.text


def relay(ticket_id: int, row_id: int, text: str) -> dict:
    return {"type": "customer_message", "ticket_id": ticket_id, "text": text, "row_id": row_id}


async def customer_said(db, clock, ticket_id: int, text: str) -> int:
    async with db.transaction() as tx:
        return await tx.tickets.add_message(ticket_id, "in", text, clock(), customer_message_id=5)


async def test_a_staff_chunk_that_may_have_gone_is_skipped_not_the_rest(
    db, clock, api, workers
) -> None:
    ticket_id = await open_ticket(db, clock)
    text = "\n".join(f"part {n} " + "x" * 3000 for n in (1, 2, 3))
    row_id = await customer_said(db, clock, ticket_id, text)
    await queue_staff(db, clock, relay(ticket_id, row_id, text))
    # Card and first chunk go; the second is carried out but its answer is unreadable.
    api.fail(
        "sendMessage", 502, chat_id=STAFF, after=2, raw="<html>Bad Gateway</html>", performed=True
    )
    work = workers[0].outbox
    assert await work.run_once() == 1
    card, *chunks = api.sent("sendMessage", STAFF)
    assert card.text.startswith("Support request #")
    assert [c.text[:6] for c in chunks] == ["part 1", "part 2", "part 3"]  # each exactly once
    clock.advance(hours=1)
    assert await work.run_once() == 0 and await unsent(db, clock) == []
    assert len(api.sent("sendMessage", STAFF)) == 4


async def test_a_topic_created_after_a_lost_ticket_opened_starts_with_the_card(
    db, clock, api, workers
) -> None:
    ticket_id = await open_ticket(db, clock)
    row_id = await customer_said(db, clock, ticket_id, "Where is my parcel?")
    opened = {"type": "ticket_opened", "ticket_id": ticket_id}
    await queue_staff(db, clock, opened, relay(ticket_id, row_id, "Where is my parcel?"))
    api.fail("createForumTopic", 502, raw="<html>Bad Gateway</html>")  # maybe created: given up
    work = workers[0].outbox
    assert await work.run_once() == 2
    (topic,) = api.sent("createForumTopic", STAFF)
    thread = topic.result["message_thread_id"]
    card, message = api.sent("sendMessage", STAFF)
    assert card.text.startswith(f"Support request #{ticket_id}: Alice")
    assert message.text == "Where is my parcel?"
    assert {card.params["message_thread_id"], message.params["message_thread_id"]} == {thread}
    assert await unsent(db, clock) == []


async def test_a_card_that_failed_is_posted_on_the_retry(db, clock, api, workers) -> None:
    ticket_id = await open_ticket(db, clock)
    row_id = await customer_said(db, clock, ticket_id, "Hello?")
    await queue_staff(db, clock, relay(ticket_id, row_id, "Hello?"))  # no topic yet
    api.fail("sendMessage", 500, chat_id=STAFF, times=4)  # the card fails after the topic
    work = workers[0].outbox
    assert await work.run_once() == 1
    (row,) = await unsent(db, clock)
    assert row.payload["card_owed"] is True
    clock.advance(seconds=6)
    assert await work.run_once() == 1
    assert len(api.sent("createForumTopic", STAFF)) == 1
    card, message = api.sent("sendMessage", STAFF)
    assert card.text.startswith("Support request #") and message.text == "Hello?"
    async with db.transaction() as tx:  # staff edits find the message, not the card
        found = await tx.tickets.find_message(
            ticket_id, staff_message_id=message.result["message_id"]
        )
    assert found is not None and found.id == row_id
