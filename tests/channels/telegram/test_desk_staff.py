"""Who acts as staff in the staff group, with the real bot against the fake Bot API: admins
posting anonymously (as the group), other bots and channels, and members checked with
getChatMember (cached for a while) before their messages, commands and buttons count.

The test clock stands still, and the outbox runner puts a customer's row back for a second
while an earlier one of theirs is being sent: each answer is awaited before the next one."""

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
    assert api.sent("getChatMember") == []  # an anonymous admin is an admin: nothing to ask


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


async def answer(api: FakeBotAPI, thread: int, text: str, user_id: int, name: str) -> None:
    """A staff member answers in the topic; returns once the customer has it."""
    api.say(STAFF, text, user_id=user_id, name=name, thread=thread)
    await api.wait_for(lambda: f"Support: {text}" in support_texts(api))


async def test_only_members_who_may_post_act_as_staff(polling, api, db) -> None:
    thread = await open_request(api)
    outsiders = {
        9100: {"status": "left"},
        9101: {"status": "kicked", "until_date": 0},
        9102: api.restricted(can_send=False),
        9103: api.restricted(can_send=True, is_member=False),
    }
    api.members.update(outsiders)
    for user_id in outsiders:
        api.say(STAFF, f"outsider {user_id} here", user_id=user_id, name="Eve", thread=thread)
        api.say(STAFF, "/claim", user_id=user_id, name="Eve", thread=thread)
    api.say(STAFF, "/close", user_id=9100, name="Eve", thread=thread)
    api.members[9104] = api.restricted(can_send=True)  # restricted, yet may write
    await answer(api, thread, "A restricted member's answer.", 9104, "Oleg")
    await answer(api, thread, "A member's answer.", 9001, "Mina")
    assert support_texts(api) == [
        "Support: A restricted member's answer.",
        "Support: A member's answer.",
    ]
    async with db.transaction() as tx:
        ticket = await tx.tickets.get(1)
    assert (ticket.status, ticket.claimed_by) == ("handling", "Oleg")
    assert not any("Eve" in t or "closed by" in t for t in api.texts(STAFF))
    asked = api.sent("getChatMember")
    assert {call.params["chat_id"] for call in asked} == {str(STAFF)}
    assert sorted(call.params["user_id"] for call in asked) == [9001, *outsiders, 9104]


async def test_membership_is_asked_once_per_user_for_a_while(polling, api) -> None:
    thread = await open_request(api)
    for n in range(3):
        await answer(api, thread, f"answer {n}", 9001, "Mina")
    api.say(STAFF, "/claim", user_id=9001, name="Mina", thread=thread)
    await api.wait_for(lambda: any("Mina is handling" in t for t in api.texts(STAFF)))
    assert [call.params["user_id"] for call in api.sent("getChatMember")] == [9001]


async def test_an_unanswered_membership_check_says_so(polling, api) -> None:
    thread = await open_request(api)
    api.fail("getChatMember", 500, times=4)  # every attempt of the first check
    api.say(STAFF, "Are you there?", user_id=9001, name="Mina", thread=thread)
    await api.wait_for(lambda: any("nothing was done" in t for t in api.texts(STAFF)))
    assert support_texts(api) == []
    await answer(api, thread, "Are you there?", 9001, "Mina")  # sent again: checked again


async def test_a_decision_button_needs_a_member(polling, api) -> None:
    decided: list[str] = []

    async def approve(db, decision, t) -> str:
        decided.append(decision.staff)
        return "Approved."

    polling.desk.actions = {"ret": approve}
    api.members[9100] = {"status": "left"}
    api.tap(STAFF, 50, "ret:approve:7", user_id=9100)
    api.tap(STAFF, 50, "ret:approve:7", user_id=9001)
    answers = await api.wait_sent("answerCallbackQuery", count=2)
    assert [a.params.get("text") for a in answers] == ["This button is not available.", "Approved."]
    assert decided == ["Alice"]  # the member's name


async def test_an_edit_counts_only_while_its_author_is_staff(polling, api) -> None:
    polling.desk.members.ttl = 0  # ask every time
    thread = await open_request(api)
    said = api.say(STAFF, "It ships today.", user_id=9001, name="Mina", thread=thread)
    await api.wait_for(lambda: "Support: It ships today." in support_texts(api))
    api.members[9001] = {"status": "kicked", "until_date": 0}
    api.edit(said, "It never ships.")
    await api.wait_sent("getChatMember", count=2)  # answered: kicked
    del api.members[9001]
    api.edit(said, "It ships tomorrow.")
    edits = await api.wait_for(
        lambda: [c.text for c in api.sent("editMessageText", ALICE) if "ships" in c.text]
    )
    assert edits == ["Support: It ships tomorrow."]
    assert len(api.sent("getChatMember")) == 3
