"""Telegram updates -> engine events."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message

from bot.channels.telegram.mapping import (
    STALE_ACTION,
    action_event,
    message_event,
    parse_command,
    staff_author,
    valid_action,
)
from core.types import Kind
from tests.channels.telegram.fake_api import GROUP_ANONYMOUS_BOT, FakeBotAPI

BOT = "orderbot_test_bot"


def message(**fields) -> Message:
    return Message.model_validate(FakeBotAPI().message(1001, **fields))


def test_commands_with_bot_name_and_arguments() -> None:
    assert parse_command("/start", BOT) == ("start", "")
    assert parse_command("/Order@orderbot_test_bot lemon 1, wild orange 2", BOT) == (
        "order",
        "lemon 1, wild orange 2",
    )
    assert parse_command("/order\nlemon 2", BOT) == ("order", "lemon 2")
    assert parse_command("/start@other_bot", BOT) is None
    assert parse_command("/ not a command", BOT) is None
    assert parse_command("hello /start", BOT) is None


def test_deep_link_payload_becomes_the_start_text() -> None:
    event = message_event(message(text="/start return_KR-2611-000001"), 7, BOT)
    assert event is not None
    assert (event.kind, event.command, event.text) == (
        Kind.COMMAND,
        "start",
        "return_KR-2611-000001",
    )
    assert event.delivery_id == "tg:7" and event.user.external_id == "1001"
    assert event.language_hint == "en" and event.display_name == "Alice"


def test_text_contact_and_media() -> None:
    text = message_event(message(text="how much is shipping?"), 1, BOT)
    assert text is not None and text.kind is Kind.TEXT
    own = {"phone_number": "+821012345678", "first_name": "A", "user_id": 1001}
    contact = message_event(message(contact=own), 2, BOT)
    assert contact is not None and (contact.kind, contact.text) == (Kind.CONTACT, "+821012345678")
    other = message_event(message(contact={**own, "user_id": 5}), 3, BOT)
    assert other is not None and other.kind is Kind.TEXT  # someone else's card: just a number
    photo = [
        {"file_id": "small", "file_unique_id": "s", "width": 1, "height": 1},
        {"file_id": "big", "file_unique_id": "b", "width": 9, "height": 9},
    ]
    media = message_event(message(photo=photo, caption="broken"), 4, BOT)
    assert media is not None and media.kind is Kind.MEDIA and media.text == "broken"
    expected = {"type": "photo", "file_id": "big", "chat_id": 1001, "message_id": media.message_id}
    assert media.attachment == expected
    document = {"file_id": "doc", "file_unique_id": "d", "file_name": "receipt.pdf"}
    doc = message_event(message(document=document), 5, BOT)
    assert doc is not None and doc.attachment and doc.attachment["file_name"] == "receipt.pdf"


def test_service_messages_are_not_events() -> None:
    assert message_event(message(new_chat_title="x"), 1, BOT) is None


def test_callback_data_is_checked_for_shape() -> None:
    assert valid_action("qo:add:KR-LAV15") and valid_action("x" * 64)
    assert not valid_action("x" * 65)
    assert not valid_action("") and not valid_action(None)
    assert not valid_action("has space") and not valid_action("ctl\x00")
    assert not valid_action("lone\ud800")  # not UTF-8: never reaches .encode() unguarded
    raw = FakeBotAPI().callback(1001, 55, "\x01forged")
    event = action_event(CallbackQuery.model_validate(raw), 1001, 9)
    assert event.kind is Kind.ACTION and event.action == STALE_ACTION
    good = action_event(
        CallbackQuery.model_validate(FakeBotAPI().callback(1001, 55, "nav:menu")), 1001, 10
    )
    assert good.action == "nav:menu" and good.delivery_id == "tg:10"


def test_who_wrote_in_the_staff_group() -> None:
    fake, staff = FakeBotAPI(), -1001234567890

    def posted(**fields) -> Message:
        return Message.model_validate(fake.message(staff, "hi", thread=5, **fields))

    assert staff_author(posted(user_id=9001), staff) == 9001
    anonymous = {"from": GROUP_ANONYMOUS_BOT, "sender_chat": fake.chat(staff)}
    assert staff_author(posted(**anonymous), staff) == staff  # an admin, as the group
    bot = {"id": 4242, "is_bot": True, "first_name": "Helper"}
    assert staff_author(posted(**{"from": bot}), staff) is None
    channel = {"id": -1009998887776, "type": "channel", "title": "A channel"}
    assert staff_author(posted(**{"from": bot, "sender_chat": channel}), staff) is None
