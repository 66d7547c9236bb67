"""The Telegram channel's side of the contract: what it can do, and updates -> events."""

from __future__ import annotations

from aiogram.exceptions import TelegramForbiddenError, TelegramNetworkError, TelegramServerError
from aiogram.methods import SendMessage
from aiogram.types import Update

from bot.channels.base import Failure, RetryLater
from bot.channels.telegram.channel import TelegramChannel
from core.types import Kind
from tests.channels.telegram.fake_api import FakeBotAPI

STAFF = -1001234567890


def channel() -> TelegramChannel:
    made = TelegramChannel(sender=None)  # type: ignore[arg-type]
    made.username = "orderbot_test_bot"
    return made


def update(update_id: int, **content: object) -> Update:
    return Update.model_validate({"update_id": update_id, **content})


def test_what_telegram_can_do() -> None:
    can = TelegramChannel.capabilities
    assert can.push and can.edit and can.delete and can.contact
    assert can.buttons > 0 and can.text_limit == 4096 and not can.cards
    assert TelegramChannel.transport == "telegram"


def test_a_private_message_or_tap_is_an_event() -> None:
    api = FakeBotAPI()
    said = channel().to_event(update(7, message=api.message(1001, "/order@orderbot_test_bot x")))
    assert said is not None and (said.kind, said.command, said.text) == (Kind.COMMAND, "order", "x")
    assert said.delivery_id == "tg:7" and said.user.external_id == "1001"
    tapped = channel().to_event(update(8, callback_query=api.callback(1001, 5, "nav:menu")))
    assert tapped is not None and (tapped.kind, tapped.action) == (Kind.ACTION, "nav:menu")
    assert tapped.delivery_id == "tg:8" and tapped.user.external_id == "1001"


def test_anything_else_is_not_a_customers_turn() -> None:
    api = FakeBotAPI()
    in_group = api.message(STAFF, "hello", user_id=9001, thread=3)
    assert channel().to_event(update(1, message=in_group)) is None
    assert channel().to_event(update(2, edited_message=api.message(1001, "edited"))) is None
    assert channel().to_event(update(3, message=api.message(1001, new_chat_title="x"))) is None


def test_failures_are_classified_for_the_runner() -> None:
    send = SendMessage(chat_id=1001, text="x")
    timeout = TelegramNetworkError(send, "Request timeout error")
    timeout.__cause__ = TimeoutError()
    assert channel().failure(timeout) is Failure.MAYBE_SENT
    assert channel().failure(TelegramForbiddenError(send, "blocked")) is Failure.PERMANENT
    assert channel().failure(KeyError("text")) is Failure.PERMANENT
    assert channel().failure(TelegramServerError(send, "Bad Gateway")) is Failure.RETRY
    assert RetryLater(3).seconds == 3
