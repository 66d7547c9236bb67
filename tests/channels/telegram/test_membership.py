"""Who may act as staff (membership.py): statuses, the cache's lifetime and bound, failures."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.exceptions import TelegramBadRequest, TelegramServerError
from aiogram.methods import GetChatMember, TelegramMethod
from pydantic import TypeAdapter

from bot.channels.telegram.membership import StaffMembers, may_write
from tests.channels.telegram.fake_api import FakeBotAPI

STAFF = -1001234567890
MEMBERS = TypeAdapter(GetChatMember.__returning__)
ADMIN_RIGHTS = (
    *("can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages"),
    *("can_manage_video_chats", "can_restrict_members", "can_promote_members"),
    *("can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories"),
    *("can_delete_stories", "can_send_welcome_messages"),
)


def member(user_id: int, status: str, **fields: Any) -> Any:
    return MEMBERS.validate_python({"status": status, "user": FakeBotAPI().user(user_id), **fields})


class Telegram:
    """getChatMember's answers by user id (an exception is raised); the calls made."""

    def __init__(self) -> None:
        self.answers: dict[int, Any] = {}
        self.asked: list[int] = []

    async def __call__(self, method: TelegramMethod[Any]) -> Any:
        assert isinstance(method, GetChatMember) and method.chat_id == STAFF
        self.asked.append(method.user_id)
        answer = self.answers.get(method.user_id, member(method.user_id, "member"))
        if isinstance(answer, Exception):
            raise answer
        return answer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_who_may_write() -> None:
    restricted = FakeBotAPI.restricted
    assert may_write(member(1, "creator", is_anonymous=False))
    assert may_write(member(1, "administrator", **dict.fromkeys(ADMIN_RIGHTS, False)))
    assert may_write(member(1, "member"))
    assert may_write(member(1, **restricted(can_send=True)))
    assert not may_write(member(1, **restricted(can_send=False)))
    assert not may_write(member(1, **restricted(can_send=True, is_member=False)))
    assert not may_write(member(1, "left"))
    assert not may_write(member(1, "kicked", until_date=0))


async def test_answers_are_kept_for_a_while() -> None:
    telegram, clock = Telegram(), Clock()
    telegram.answers[2] = member(2, "left")
    members = StaffMembers(telegram, STAFF, ttl=60, clock=clock)
    assert await members.check(1) is True
    assert await members.check(2) is False
    clock.now += 59
    assert await members.check(1) is True and await members.check(2) is False
    assert telegram.asked == [1, 2]
    clock.now += 1  # a minute has passed: asked again
    telegram.answers[1] = member(1, "kicked", until_date=0)
    assert await members.check(1) is False
    assert telegram.asked == [1, 2, 1]


async def test_an_anonymous_admin_is_never_asked_about() -> None:
    telegram = Telegram()
    assert await StaffMembers(telegram, STAFF).check(STAFF) is True  # the group's own id
    assert telegram.asked == []


async def test_the_cache_is_bounded_forgetting_the_least_recently_used() -> None:
    telegram = Telegram()
    members = StaffMembers(telegram, STAFF, size=2, clock=Clock())
    for user_id in (1, 2, 1, 3):  # 1 was used after 2: 2 goes when 3 comes
        await members.check(user_id)
    assert len(members) == 2
    await members.check(1)
    await members.check(2)
    assert telegram.asked == [1, 2, 3, 2]


async def test_failures(caplog: pytest.LogCaptureFixture) -> None:
    telegram = Telegram()
    method = GetChatMember(chat_id=STAFF, user_id=1)
    telegram.answers[1] = TelegramBadRequest(method, "Bad Request: user not found")
    telegram.answers[2] = TelegramServerError(method, "Internal Server Error")
    members = StaffMembers(telegram, STAFF, clock=Clock())
    assert await members.check(1, "a tap") is False  # Telegram knows no such member: cached
    assert "ignored a tap in the staff group from user 1" in caplog.text
    assert await members.check(2) is None  # no answer: not cached, asked again next time
    assert await members.check(2) is None
    assert await members.check(1) is False
    assert telegram.asked == [1, 2, 2]
