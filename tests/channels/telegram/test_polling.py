"""The real bot in long-polling mode against the fake Bot API, over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio

import pytest

from core.actions import MenuChoice
from core.commands import secret_refusal
from core.i18n import translator
from flows.quick_order.actions import Checkout, Confirm
from flows.start import StartLanguage, StartMarket
from tests.channels.telegram.conftest import STAFF, make_app
from tests.channels.telegram.fake_api import BOT_USERNAME, Call, FakeBotAPI

ALICE, BORIS = 1001, 1002


def button(call: Call, action: str) -> dict:
    found = [b for b in call.buttons if b.get("callback_data") == action]
    assert found, f"no button {action!r} in {call.buttons}"
    return found[0]


async def onboard(api: FakeBotAPI, chat: int) -> Call:
    """/start, English, Korea; the menu message."""
    api.say(chat, "/start")
    (picker,) = await api.wait_sent("sendMessage", chat)
    english = StartLanguage(code="en").pack()
    button(picker, english)
    message_id = picker.result["message_id"]
    api.tap(chat, message_id, english)
    (edit,) = await api.wait_sent("editMessageText", chat)
    # One reply with buttons, answering a tap: the picker turns into the market question.
    assert edit.params["message_id"] == message_id
    assert "Which market" in edit.text
    api.tap(chat, message_id, StartMarket(market="KR").pack())
    # "All set" has no buttons: joined to the menu after it, one message, edited in place.
    edits = await api.wait_sent("editMessageText", chat, count=2)
    assert edits[1].params["message_id"] == message_id
    assert "All set" in edits[1].text
    assert "What would you like to do?" in edits[1].text
    assert len(api.sent("sendMessage", chat)) == 1
    return edits[1]


async def test_onboarding_reaches_the_menu_through_buttons(polling, api: FakeBotAPI) -> None:
    menu = await onboard(api, ALICE)
    button(menu, MenuChoice("support").pack())
    assert len(api.sent("answerCallbackQuery")) == 2  # every tap answered
    commands = api.sent("setMyCommands")
    assert {c.params.get("language_code") for c in commands} >= {None, "ko", "ru"}


async def test_support_ticket_round_trip(polling, api: FakeBotAPI) -> None:
    menu = await onboard(api, ALICE)
    api.tap(ALICE, menu.result["message_id"], MenuChoice("support").pack())
    edits = await api.wait_sent("editMessageText", ALICE, count=3)
    assert "support request #1" in edits[-1].text

    # The staff desk: a topic for the ticket, with the summary card.
    (topic,) = await api.wait_sent("createForumTopic", STAFF)
    assert topic.params["name"].startswith("#1 KR Alice")
    thread = topic.result["message_thread_id"]
    (card,) = await api.wait_sent("sendMessage", STAFF)
    assert card.params["message_thread_id"] == thread
    assert "Support request #1: Alice" in card.text and "Market: KR" in card.text

    # The customer writes; staff see it in the topic.
    question = api.say(ALICE, "Where is my parcel?")
    relayed = await api.wait_sent("sendMessage", STAFF, count=2)
    assert relayed[-1].text == "Where is my parcel?"
    assert relayed[-1].params["message_thread_id"] == thread
    await api.wait_for(lambda: any("Sent to support" in t for t in api.texts(ALICE)))

    # Staff answer in the topic; the customer gets it.
    answer = api.say(STAFF, "Hello! We are checking.", user_id=9001, name="Mina", thread=thread)
    delivered = await api.wait_for(
        lambda: [c for c in api.sent("sendMessage", ALICE) if c.text.startswith("Support:")]
    )
    assert delivered[0].text == "Support: Hello! We are checking."

    # Edits follow both ways through the message-id map.
    api.edit(answer, "Hello! It ships tomorrow.")
    (edit,) = await api.wait_for(
        lambda: [c for c in api.sent("editMessageText", ALICE) if "tomorrow" in c.text]
    )
    assert edit.params["message_id"] == delivered[0].result["message_id"]
    assert edit.text == "Support: Hello! It ships tomorrow."
    api.edit(question, "Where is my parcel #2?")
    (staff_edit,) = await api.wait_sent("editMessageText", STAFF)
    assert staff_edit.params["message_id"] == relayed[-1].result["message_id"]
    assert staff_edit.text == "Where is my parcel #2?"

    # /close in the topic: staff and customer are told, the topic is closed.
    api.say(STAFF, f"/close@{BOT_USERNAME}", user_id=9001, name="Mina", thread=thread)
    await api.wait_sent("closeForumTopic", STAFF)
    assert any("closed by Mina" in t for t in api.texts(STAFF))
    await api.wait_for(lambda: any("Support request #1 is closed" in t for t in api.texts(ALICE)))


async def test_an_edit_that_adds_a_card_number_is_deleted_not_relayed(polling, api) -> None:
    await onboard(api, ALICE)
    api.say(ALICE, "/support a question")
    await api.wait_for(lambda: any("a question" in t for t in api.texts(STAFF)))
    question = api.say(ALICE, "Where is my parcel?")
    await api.wait_for(lambda: any(t == "Where is my parcel?" for t in api.texts(STAFF)))
    refusal = secret_refusal(translator("en")._)
    api.edit(question, "Where is my parcel? My card is 4111 1111 1111 1111")
    (deleted,) = await api.wait_sent("deleteMessage", ALICE)
    assert deleted.params["message_id"] == question["message_id"]
    await api.wait_for(lambda: refusal in api.texts(ALICE))
    await asyncio.sleep(0.1)
    assert api.sent("editMessageText", STAFF) == []  # staff's copy keeps the old words
    assert not any("4111" in t for t in api.texts(STAFF))


async def test_an_edit_outside_support_is_screened_too(polling, api) -> None:
    hello = api.say(BORIS, "hello", language="ru")
    await api.wait_sent("sendMessage", BORIS)
    api.edit(hello, "мой пароль: hunter2")
    (deleted,) = await api.wait_sent("deleteMessage", BORIS)
    assert deleted.params["message_id"] == hello["message_id"]
    refusal = secret_refusal(translator("ru")._)  # the app's language: none chosen yet
    assert refusal != secret_refusal(translator("en")._)
    await api.wait_for(lambda: refusal in api.texts(BORIS))


async def test_a_refused_delete_of_an_edit_still_warns(polling, api) -> None:
    hello = api.say(ALICE, "hello")
    await api.wait_sent("sendMessage", ALICE)
    api.fail("deleteMessage", 400, description="Bad Request: message can't be deleted")
    api.edit(hello, "card 4111111111111111")
    refusal = secret_refusal(translator("en")._)
    await api.wait_for(lambda: refusal in api.texts(ALICE))


async def test_staff_claim_and_a_deleted_topic_is_recreated(polling, api, db) -> None:
    await onboard(api, ALICE)
    api.say(ALICE, "/support my card was charged twice")
    (topic,) = await api.wait_sent("createForumTopic", STAFF)
    thread = topic.result["message_thread_id"]
    await api.wait_for(lambda: any("charged twice" in t for t in api.texts(STAFF)))

    api.say(STAFF, "/claim", user_id=9002, name="Joon", thread=thread)
    await api.wait_for(lambda: any("Joon is handling request #1" in t for t in api.texts(STAFF)))

    api.deleted_threads.add(thread)  # staff delete the topic
    api.say(ALICE, "Any news?")
    topics = await api.wait_sent("createForumTopic", STAFF, count=2)
    new_thread = topics[-1].result["message_thread_id"]
    relayed = await api.wait_for(
        lambda: [c for c in api.sent("sendMessage", STAFF) if c.text == "Any news?"]
    )
    assert relayed[0].params["message_thread_id"] == new_thread
    notes = [
        c for c in api.sent("sendMessage", STAFF) if c.params["message_thread_id"] == new_thread
    ]
    assert "was deleted" in notes[0].text and "Support request #1" in notes[1].text
    async with db.transaction() as tx:
        assert (await tx.tickets.get(1)).topic_id == new_thread


async def test_customer_photo_is_copied_into_the_topic(polling, api: FakeBotAPI) -> None:
    await onboard(api, ALICE)
    api.say(ALICE, "/support")
    (topic,) = await api.wait_sent("createForumTopic", STAFF)
    photo = [{"file_id": "PHOTO-1", "file_unique_id": "p1", "width": 90, "height": 90}]
    sent = api.say(ALICE, None, photo=photo, caption="the broken bottle")
    (copy,) = await api.wait_sent("copyMessage", STAFF)
    assert copy.params["from_chat_id"] == str(ALICE)
    assert int(copy.params["message_id"]) == sent["message_id"]
    assert copy.params["message_thread_id"] == topic.result["message_thread_id"]


async def test_flood_control_is_honoured_without_freezing_other_chats(polling, api) -> None:
    api.fail("sendMessage", 429, retry_after=1, chat_id=ALICE)
    api.say(ALICE, "/start")
    api.say(BORIS, "/start")
    (boris,) = await api.wait_sent("sendMessage", BORIS)
    (alice,) = await api.wait_sent("sendMessage", ALICE, timeout=4)
    refused = [c for c in api.calls if c.method == "sendMessage" and not c.ok]
    assert len(refused) == 1 and refused[0].chat_id == ALICE
    assert boris.at < alice.at  # Boris was not held up by Alice's pause
    assert alice.at - refused[0].at >= 0.95  # sent again only after retry_after
    await asyncio.sleep(0.2)
    assert len(api.sent("sendMessage", ALICE)) == 1  # delivered exactly once


async def test_server_error_is_retried_once_delivered(polling, api: FakeBotAPI) -> None:
    api.fail("sendMessage", 500, chat_id=ALICE)
    api.say(ALICE, "/start")
    await api.wait_sent("sendMessage", ALICE)
    await asyncio.sleep(0.2)
    assert len(api.sent("sendMessage", ALICE)) == 1


async def test_a_duplicate_update_changes_nothing(polling, api: FakeBotAPI) -> None:
    first = api.say(ALICE, "/start")
    api.push({"update_id": api.updates[-1]["update_id"], "message": first})
    await api.wait_sent("sendMessage", ALICE)
    await asyncio.sleep(0.3)
    assert len(api.sent("sendMessage", ALICE)) == 1


async def test_forged_button_gets_a_polite_answer(polling, api: FakeBotAPI) -> None:
    menu = await onboard(api, ALICE)
    api.tap(ALICE, menu.result["message_id"], "x" * 80)  # longer than Telegram allows
    api.tap(ALICE, menu.result["message_id"], "zz:nothing")
    # The explanation and the menu again, one message: the tapped one, edited.
    edits = await api.wait_sent("editMessageText", ALICE, count=4)
    for edit in edits[2:]:
        assert edit.params["message_id"] == menu.result["message_id"]
        assert "no longer valid" in edit.text and "What would you like to do?" in edit.text
    assert len(api.sent("answerCallbackQuery")) == 4


async def test_per_chat_order_is_kept(polling, api: FakeBotAPI) -> None:
    await onboard(api, ALICE)
    for text in ("/help", "/lang", "/menu"):
        api.say(ALICE, text)
    # /help: the help and the step again (one message); /lang: the picker; /menu: the menu.
    sent = await api.wait_sent("sendMessage", ALICE, count=4)
    tail = [c.text for c in sent[1:4]]
    assert "Commands that work at any step" in tail[0]
    assert "What would you like to do?" in tail[0]
    assert "Choose your language" in tail[1]
    assert "What would you like to do?" in tail[2]


async def test_other_groups_are_ignored(polling, api: FakeBotAPI) -> None:
    api.say(-100999, "/start", user_id=5)
    api.say(ALICE, "/start")
    await api.wait_sent("sendMessage", ALICE)
    assert not [c for c in api.calls if c.chat_id == -100999]


async def test_failing_update_gets_an_apology_and_the_bot_carries_on(
    polling, api: FakeBotAPI, monkeypatch
) -> None:
    engine = polling.engine
    original = engine.handle

    async def broken(event):
        if event.text == "boom":
            raise RuntimeError("a bug")
        return await original(event)

    monkeypatch.setattr(engine, "handle", broken)
    api.say(ALICE, "boom", language="ru")
    (sorry,) = await api.wait_sent("sendMessage", ALICE)
    assert "Извините" in sorry.text
    api.say(ALICE, "/start")
    await api.wait_sent("sendMessage", ALICE, count=2)


async def _at_the_phone_step(polling, api: FakeBotAPI) -> Call:
    """Alice ordered and gave her address: the bot's message asking for a phone number."""
    if "order" not in polling.engine.surface.flow_commands:
        pytest.skip("the quick order flow is not installed")
    await onboard(api, ALICE)
    api.say(ALICE, "/order lemon 1, wild orange 2")
    cart = await api.wait_for(
        lambda: [c for c in api.sent("sendMessage", ALICE) if c.buttons and "₩50,000" in c.text]
    )
    api.tap(ALICE, cart[-1].result["message_id"], Checkout().pack())
    await api.wait_for(lambda: any("Where should we deliver" in t for t in api.texts(ALICE)))
    api.say(ALICE, "Seoul, Seocho-gu, Gangnam-daero 369, 8F")
    (ask,) = await api.wait_for(
        lambda: [c for c in api.sent("sendMessage", ALICE) if "phone number" in c.text]
    )
    return ask


async def test_a_typed_phone_number_takes_the_contact_button_away(polling, api) -> None:
    await _at_the_phone_step(polling, api)
    api.say(ALICE, "010 9876 5432")
    (noted,) = await api.wait_for(
        lambda: [c for c in api.sent("sendMessage", ALICE) if "010-9876-5432" in c.text]
    )
    assert "Phone number for the courier" in noted.text
    assert noted.params["reply_markup"] == {"remove_keyboard": True}
    await api.wait_for(lambda: any("Who receives the parcel" in t for t in api.texts(ALICE)))


async def test_customer_orders_with_buttons_and_a_shared_contact(polling, api) -> None:
    ask = await _at_the_phone_step(polling, api)
    share = ask.params["reply_markup"]["keyboard"][0][0]
    assert share["request_contact"] is True and "Share my phone number" in share["text"]
    contact = {"phone_number": "+821012345678", "first_name": "Alice", "user_id": ALICE}
    api.say(ALICE, None, contact=contact)
    await api.wait_for(lambda: any("Who receives the parcel" in t for t in api.texts(ALICE)))
    api.say(ALICE, "Kim Mina")
    pay = await api.wait_for(
        lambda: [c for c in api.sent(chat_id=ALICE) if "How would you like to pay" in c.text]
    )
    bank = next(b for b in pay[-1].buttons if "bank" in b["callback_data"])
    api.tap(ALICE, pay[-1].result["message_id"], bank["callback_data"])
    await api.wait_for(
        lambda: [c for c in api.sent(chat_id=ALICE) if "What is your member number" in c.text]
    )
    api.say(ALICE, "12345678")
    summary = await api.wait_for(
        lambda: [c for c in api.sent(chat_id=ALICE) if "Please check your order" in c.text]
    )
    confirm = next(b for b in summary[-1].buttons if Confirm.parse(b["callback_data"]))
    api.tap(ALICE, summary[-1].result["message_id"], confirm["callback_data"])
    await api.wait_for(lambda: any("Your order is placed" in t for t in api.texts(ALICE)))


async def test_staff_media_notes_and_closed_tickets(polling, api: FakeBotAPI) -> None:
    await onboard(api, ALICE)
    api.say(ALICE, "/support")
    (topic,) = await api.wait_sent("createForumTopic", STAFF)
    thread = topic.result["message_thread_id"]
    api.say(STAFF, "// she called yesterday too", user_id=9001, name="Mina", thread=thread)
    photo = [{"file_id": "LABEL", "file_unique_id": "l", "width": 9, "height": 9}]
    staff = {"user_id": 9001, "name": "Mina", "thread": thread}
    shot = api.say(STAFF, None, photo=photo, caption="Your label", **staff)
    (copy,) = await api.wait_sent("copyMessage", ALICE)
    assert copy.params["from_chat_id"] == str(STAFF)
    assert int(copy.params["message_id"]) == shot["message_id"]
    assert copy.params["caption"] == "Support: Your label"
    assert not any("called yesterday" in t for t in api.texts(ALICE))  # the note stayed
    api.say(STAFF, "/close", user_id=9001, name="Mina", thread=thread)
    await api.wait_sent("closeForumTopic", STAFF)
    api.say(STAFF, "one more thing", user_id=9001, name="Mina", thread=thread)
    await api.wait_for(lambda: any("was not sent to the customer" in t for t in api.texts(STAFF)))


async def test_a_secret_is_deleted_from_the_chat(polling, api: FakeBotAPI) -> None:
    await onboard(api, ALICE)
    secret = api.say(ALICE, "my card is 4111 1111 1111 1111")
    (deleted,) = await api.wait_sent("deleteMessage", ALICE)
    assert int(deleted.params["message_id"]) == secret["message_id"]
    await api.wait_for(lambda: any("never send a password" in t for t in api.texts(ALICE)))


async def test_a_label_typed_without_its_emoji_is_the_tap(polling, api: FakeBotAPI) -> None:
    """Typed text at a step with buttons is matched like the terminal's (core/options.py)."""
    await onboard(api, ALICE)
    api.say(ALICE, "/order lemon 1")
    await api.wait_for(
        lambda: any("✅ Checkout" in str(c.buttons) for c in api.sent(chat_id=ALICE))
    )
    api.say(ALICE, "checkout")
    await api.wait_for(lambda: any("Where should we deliver" in t for t in api.texts(ALICE)))
    assert not any("couldn't find" in t for t in api.texts(ALICE))


async def test_a_stop_while_telegram_is_unreachable_at_start_ends_serving(engine, api) -> None:
    """SIGTERM before getMe ever answered: the bot stops instead of retrying for ever."""
    api.fail("getMe", status=500, times=10_000)
    app = make_app(engine, api)
    serving = asyncio.create_task(app.serve())
    await api.wait_for(lambda: [call for call in api.calls if call.method == "getMe"])
    app.stop()
    await asyncio.wait_for(serving, 5)
    await app.close()
    assert not api.sent("getUpdates")
