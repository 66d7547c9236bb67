"""The staff desk's core (services/tickets.py Desk) as the Telegram desk uses it: exactly-once
staff actions, the edit map, the hours notice on later messages."""

from __future__ import annotations

from services.tickets import Desk
from tests.dialogue import Dialogue


async def open_ticket(dialogue: Dialogue, db) -> int:
    await dialogue.onboard("en", "KR")
    await dialogue.say("/support the parcel is late")
    async with db.transaction() as tx:
        user = await tx.users.find("test", "alice")
        ticket = await tx.tickets.open_for(user.id)
        return ticket.id


async def outbox(db, clock, channel: str) -> list[dict]:
    async with db.transaction() as tx:
        return [m.payload for m in await tx.outbox.due(clock(), 100, channel=channel)]


async def test_staff_reply_is_exactly_once_and_prefixed(dialogue, db, clock) -> None:
    ticket = await open_ticket(dialogue, db)
    desk = Desk(db)
    for _ in range(2):  # Telegram redelivers the same update
        assert await desk.staff_reply(
            ticket, "Mina", "On its way", 501, clock(), delivery_id="tg:9"
        )
    notices = [p for p in await outbox(db, clock, "user") if "row_id" in p]
    assert [p["text"] for p in notices] == ["Support: On its way"]


async def test_claim_and_close_tell_staff_once(dialogue, db, clock) -> None:
    ticket = await open_ticket(dialogue, db)
    desk = Desk(db)
    assert await desk.claim(ticket, "Joon", clock(), delivery_id="tg:1") is not None
    assert await desk.claim(ticket, "Joon", clock(), delivery_id="tg:1") is not None
    assert await desk.close(ticket, "Joon", clock(), delivery_id="tg:2") is not None
    assert await desk.close(ticket, "Joon", clock(), delivery_id="tg:3") is None  # closed
    types = [p["type"] for p in await outbox(db, clock, "staff")]
    assert types.count("ticket_claimed") == 1 and types.count("ticket_closed") == 1


async def test_edit_map_both_ways(dialogue, db, clock) -> None:
    ticket = await open_ticket(dialogue, db)
    desk = Desk(db)
    await desk.staff_reply(ticket, "Mina", "Hello", 501, clock())
    async with db.transaction() as tx:
        await tx.tickets.update(await tx.tickets.get(ticket), clock(), topic_id=77)
        out = await tx.tickets.find_message(ticket, staff_message_id=501)
        await tx.tickets.link_message(out.id, customer_message_id=900)
        inbound = await tx.tickets.add_message(ticket, "in", "hi", clock(), customer_message_id=12)
        await tx.tickets.link_message(inbound, staff_message_id=601)
    relay = await desk.staff_edit(ticket, 501, "Hello again")
    assert relay is not None and (relay.chat, relay.message_id) == ("alice", 900)
    assert relay.text == "Support: Hello again"
    back = await desk.customer_edit("test", "alice", 12, "hi, order 5")
    assert back is not None and (back.topic_id, back.message_id) == (77, 601)
    # An edit that now holds a card number is not relayed.
    assert await desk.customer_edit("test", "alice", 12, "card 4111 1111 1111 1111") is None


async def test_hours_notice_on_later_messages_once_a_day(dialogue, db, clock) -> None:
    clock.set("2026-11-29T11:00:00+09:00")  # Sunday in Seoul: support closed
    await dialogue.onboard("en", "KR")
    await dialogue.say("/support")
    dialogue.expect("Support is closed right now")
    await dialogue.say("hello?")
    dialogue.expect("Sent to support").expect_not("Support is closed")
    clock.set("2026-11-30T07:00:00+09:00")  # Monday before opening: a new day
    await dialogue.say("anyone?")
    dialogue.expect("Sent to support", "Support is closed right now")
