"""A return request at the staff desk, with the real bot against the fake Bot API: its card in
the customer's topic with Approve and Reject, the decision told to the customer once, a reject
asking for its reason in the topic, only staff deciding, and a double press deciding once."""

from __future__ import annotations

from core.engine import Engine
from flows.returns.actions import StaffMove
from storage.db import Database
from tests.channels.telegram.conftest import STAFF
from tests.channels.telegram.fake_api import Call, FakeBotAPI
from tests.channels.telegram.test_polling import ALICE
from tests.dialogue import Dialogue
from tests.returns.helpers import paid_order, submit, to_quote

NUMBER = "RT-KR-2611-000001"


async def requested(engine: Engine, db: Database, clock, api: FakeBotAPI) -> Call:
    """Alice (on Telegram) asks to return a lavender; the card posted in her topic."""
    d = Dialogue(engine, str(ALICE), transport="telegram")
    order = await paid_order(d, db, clock, "en", "2026-11-10")
    clock.set("2026-11-20T10:00:00+09:00")
    await d.say("/return")
    await d.tap(order.number)
    await to_quote(d)
    await submit(d)
    (topic,) = await api.wait_sent("createForumTopic", STAFF)
    thread = topic.result["message_thread_id"]
    cards = await api.wait_for(
        lambda: [c for c in api.sent("sendMessage", STAFF) if NUMBER in c.text]
    )
    assert cards[0].params["message_thread_id"] == thread  # her thread, not the General topic
    return cards[0]


def told(api: FakeBotAPI, words: str) -> list[str]:
    return [t for t in api.texts(ALICE) if words in t]


async def answers(api: FakeBotAPI, count: int) -> list[str]:
    calls = await api.wait_sent("answerCallbackQuery", count=count)
    return [call.params.get("text") for call in calls]


async def test_the_card_comes_to_the_customers_topic_and_approve_tells_her_once(
    polling, api, engine, db, clock
) -> None:
    card = await requested(engine, db, clock, api)
    assert "Return request RT-KR-2611-000001 (KR)" in card.text
    assert "Lavender × 1" in card.text and "refund estimate ₩35,000" in card.text
    assert [b["callback_data"] for b in card.buttons] == [
        StaffMove(1, "approve").pack(),
        StaffMove(1, "reject").pack(),
    ]
    message_id = card.result["message_id"]
    api.tap(STAFF, message_id, StaffMove(1, "approve").pack(), user_id=9001)
    api.tap(STAFF, message_id, StaffMove(1, "approve").pack(), user_id=9002)  # a second agent
    api.tap(STAFF, message_id, StaffMove(1, "reject").pack(), user_id=9001)  # too late
    assert await answers(api, 3) == [
        "Done: the customer is told.",
        f"Already done: return request {NUMBER} is approved.",
        f"Already done: return request {NUMBER} is approved.",
    ]
    await api.wait_for(lambda: told(api, "is approved"))
    step = await api.wait_for(
        lambda: [c for c in api.sent("sendMessage", STAFF) if "was approved by" in c.text]
    )
    assert [b["callback_data"] for b in step[0].buttons] == [StaffMove(1, "received").pack()]
    async with db.transaction() as tx:
        request = await tx.returns.get(1)
    assert (request.status, request.decided_by) == ("approved", "Alice")
    assert len(told(api, "is approved")) == 1
    assert "강남대로 369" in told(api, "is approved")[0]  # where to send the goods


async def test_a_reject_asks_for_the_reason_in_the_topic(polling, api, engine, db, clock) -> None:
    card = await requested(engine, db, clock, api)
    thread = card.params["message_thread_id"]
    api.tap(STAFF, card.result["message_id"], StaffMove(1, "reject").pack(), user_id=9001)
    assert await answers(api, 1) == ["Write the reason in this topic."]
    await api.wait_for(lambda: any("write the reason for rejecting" in t for t in api.texts(STAFF)))
    api.say(STAFF, "The seal is broken.", user_id=9001, name="Mina", thread=thread)
    await api.wait_for(lambda: told(api, "was not approved"))
    assert "Reason: The seal is broken." in told(api, "was not approved")[0]
    await api.wait_for(lambda: any("customer is told the reason" in t for t in api.texts(STAFF)))
    # The reason went with the decision, not as a support reply; later words are replies again.
    assert told(api, "Support: The seal is broken.") == []
    api.say(STAFF, "Sorry about that.", user_id=9001, name="Mina", thread=thread)
    await api.wait_for(lambda: told(api, "Support: Sorry about that."))
    assert len(told(api, "was not approved")) == 1


async def test_only_staff_decide(polling, api, engine, db, clock) -> None:
    card = await requested(engine, db, clock, api)
    api.members[9100] = {"status": "left"}
    api.tap(STAFF, card.result["message_id"], StaffMove(1, "approve").pack(), user_id=9100)
    api.tap(ALICE, card.result["message_id"], StaffMove(1, "approve").pack())  # the customer
    assert "This button is not available." in await answers(api, 2)
    await api.wait_for(lambda: told(api, "no longer valid"))  # her chat: an old button
    async with db.transaction() as tx:
        assert (await tx.returns.get(1)).status == "requested"
    assert told(api, "is approved") == []
