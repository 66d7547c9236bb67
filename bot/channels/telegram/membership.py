"""Who is staff: a member of the staff group who may write there, as Telegram says.

Being able to post in the staff group is not proof enough (a group made public, an invite link
shared too widely, a discussion group where anyone may comment). Before the desk acts on a staff
message, command, edit or decision button, it asks Telegram (`getChatMember`) whether the
author is the group's creator, an administrator, a member, or a restricted member who may
still send messages. Left, kicked, and restricted without the right to send are not staff. An
admin posting anonymously writes as the group itself (`mapping.staff_author` gives the group's
id) and counts as an administrator: there is nothing to ask.

A non-member's message, command, edit or tap is ignored, and logged. When Telegram does not
answer, the desk says so in the topic (`UNCHECKED`; a tap gets it as its answer).

Answers are cached per user for `ttl` seconds, for at most `size` users (the least recently
used are forgotten first), so a busy desk asks once a minute per staff member, not once per
message. A "no" is cached like a "yes"; a check Telegram did not answer (after the sender's
retries) is not cached, and `check` returns None.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
)
from aiogram.methods import GetChatMember, TelegramMethod
from aiogram.types import ChatMemberRestricted, Message

from core.i18n import N_

log = logging.getLogger(__name__)

WRITERS = (ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER)
UNCHECKED = N_(
    "Telegram did not confirm that you are a member of this group, so nothing was done. "
    "Please try again in a moment."
)


def staff_name(message: Message) -> str:
    """The name a staff member acts under: theirs, or the group's for an anonymous admin."""
    if message.sender_chat is not None:  # an anonymous admin posts as the group
        return (message.sender_chat.title or "admin")[:128]
    user = message.from_user
    if user is None:
        return "staff"
    name = user.full_name + (f" @{user.username}" if user.username else "")
    return name[:128]


def may_write(member: Any) -> bool:
    """Whether a ChatMember (getChatMember's answer) is in the group and may send messages."""
    if isinstance(member, ChatMemberRestricted):
        return member.is_member and member.can_send_messages
    return member.status in WRITERS


class StaffMembers:
    def __init__(
        self,
        call: Callable[[TelegramMethod[Any]], Awaitable[Any]],
        chat_id: int,
        *,
        ttl: float = 60.0,
        size: int = 1000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.call = call  # Sender.call: retried, outside the group's message queue
        self.chat_id = chat_id
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self._known: OrderedDict[int, tuple[float, bool]] = OrderedDict()  # id -> (until, staff)

    def __len__(self) -> int:
        return len(self._known)

    async def check(self, author: int, what: str = "a message") -> bool | None:
        """Whether `author` (a user id, or the group's own id for an anonymous admin) may act
        as staff; None when Telegram did not answer. A "no" is logged (`what` was ignored)."""
        staff = await self._lookup(author)
        if staff is False:
            log.warning("ignored %s in the staff group from user %s: not staff", what, author)
        return staff

    async def _lookup(self, author: int) -> bool | None:
        if author == self.chat_id:
            return True
        now = self.clock()
        known = self._known.get(author)
        if known is not None and now < known[0]:
            self._known.move_to_end(author)
            return known[1]
        try:
            member = await self.call(GetChatMember(chat_id=self.chat_id, user_id=author))
        except (TelegramBadRequest, TelegramForbiddenError) as error:
            log.info("user %s is not a member of the staff group: %s", author, error)
            staff = False  # "user not found" and the like: no member Telegram knows of
        except (TelegramAPIError, ClientDecodeError) as error:
            log.warning("could not check that user %s is in the staff group: %s", author, error)
            return None
        else:
            staff = may_write(member)
        self._known[author] = (now + self.ttl, staff)
        self._known.move_to_end(author)
        while len(self._known) > self.size:
            self._known.popitem(last=False)
        return staff
