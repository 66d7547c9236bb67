"""The command menus Telegram shows: per language for customers, and /claim /close for staff.

The customers' list is whatever the flows and the global commands declare (core/surface.py),
in their order: a new flow's command appears here without an edit.
"""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.methods import SetMyCommands
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat

from core.i18n import N_, translator
from core.surface import Command

STAFF_COMMANDS: dict[str, str] = {
    "claim": N_("Take this request"),
    "close": N_("Close this request"),
}
# Telegram shows the default list (English) to everyone whose app language has no list.
LANGUAGE_CODES = ("ko", "ru")


def customer_commands(declared: Iterable[Command]) -> list[SetMyCommands]:
    """setMyCommands calls for private chats: the default (English), then ko and ru."""
    listed = [command for command in declared if command.listed]
    calls = []
    for language in (None, *LANGUAGE_CODES):
        t = translator(language or "en")
        commands = [BotCommand(command=c.name, description=t._(c.description)) for c in listed]
        calls.append(
            SetMyCommands(
                commands=commands, scope=BotCommandScopeAllPrivateChats(), language_code=language
            )
        )
    return calls


def staff_commands(chat_id: int, language: str) -> SetMyCommands:
    t = translator(language)
    return SetMyCommands(
        commands=[
            BotCommand(command=name, description=t._(text)) for name, text in STAFF_COMMANDS.items()
        ],
        scope=BotCommandScopeChat(chat_id=chat_id),
    )
