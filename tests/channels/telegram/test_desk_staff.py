"""Who acts as staff in the staff group, with the real bot against the fake Bot API: admins
posting anonymously (as the group), other bots and channels, and members checked with
getChatMember."""

from __future__ import annotations

from tests.channels.telegram.conftest import STAFF
from tests.channels.telegram.fake_api import BOT_USERNAME, FakeBotAPI
from tests.channels.telegram.test_polling import ALICE, onboard

CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}


async def open_request(api: FakeBotAPI) -> int:
    """Alice asks for support; the thread id of the request's topic."""
    await onboard(api, ALICE)
    api.say(ALICE, "/support where is my parcel?")
    (topic,) = await api.wait_sent("createForumTopic", STAFF)
    await api.wait_for(lambda: any("where is my parcel" in t for t in api.texts(STAFF)))
    return int(topic.result["message_thread_id"])


def support_texts(api: FakeBotAPI) -> list[str]:
    return [t for t in api.texts(ALICE) if t.startswith("Support:")]


async def test_an_anonymous_admin_answers_claims_and_closes(polling, api, db) -> None:
    thread = await open_request(api)
    api.say_as_group(STAFF, "We are on it.", thread=thread)
    await api.wait_for(lambda: support_texts(api))
    assert support_texts(api) == ["Support: We are on it."]
    async with db.transaction() as tx:
        assert (await tx.tickets.get(1)).claimed_by == "Staff"  # the group's title

    api.say_as_group(STAFF, "/claim", thread=thread)
    await api.wait_for(lambda: any("Staff is handling request #1" in t for t in api.texts(STAFF)))
    api.say_as_group(STAFF, f"/close@{BOT_USERNAME}", thread=thread)
    await api.wait_sent("closeForumTopic", STAFF)
    assert any("Request #1 was closed by Staff" in t for t in api.texts(STAFF))
    await api.wait_for(lambda: any("Support request #1 is closed" in t for t in api.texts(ALICE)))


async def test_other_bots_and_channels_are_not_staff(polling, api, db) -> None:
    thread = await open_request(api)
    api.say_as_bot(STAFF, "I am another bot", bot_id=4242, thread=thread)
    api.say_as_bot(STAFF, "/close", bot_id=4242, thread=thread)
    channel = {"id": -1009998887776, "type": "channel", "title": "Some channel"}
    as_channel = {"from": CHANNEL_BOT, "sender_chat": channel}
    api.say(STAFF, "posted as a channel", thread=thread, **as_channel)
    api.say(STAFF, "/claim", thread=thread, **as_channel)
    api.say(STAFF, "A real answer.", user_id=9001, name="Mina", thread=thread)  # same queue
    await api.wait_for(lambda: support_texts(api))
    assert support_texts(api) == ["Support: A real answer."]
    async with db.transaction() as tx:
        ticket = await tx.tickets.get(1)
    assert (ticket.status, ticket.claimed_by) == ("handling", "Mina")
    assert not any("closed by" in t or "is handling" in t for t in api.texts(STAFF))
