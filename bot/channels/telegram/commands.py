"""The command menus Telegram shows: per language for customers, and /claim /close for staff."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.methods import SetMyCommands
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat

from core.i18n import N_, translator

# In menu order; a command shows only when the engine knows it (a flow may not be installed).
CUSTOMER_COMMANDS: dict[str, str] = {
    "menu": N_("Main menu"),
    "order": N_("Order products"),
    "cart": N_("Your cart"),
    "checkout": N_("Check out your cart"),
    "orders": N_("Your orders"),
    "reorder": N_("Order again"),
    "move": N_("Move your account to Kazakhstan"),
    "support": N_("Talk to a person"),
    "lang": N_("Change the language"),
    "help": N_("What I can do"),
    "back": N_("Back one step"),
    "cancel": N_("Stop what we are doing"),
    "start": N_("Start over: language and market"),
}
STAFF_COMMANDS: dict[str, str] = {
    "claim": N_("Take this request"),
    "close": N_("Close this request"),
}
# Telegram shows the default list (English) to everyone whose app language has no list.
LANGUAGE_CODES = ("ko", "ru")


def customer_commands(known: Iterable[str]) -> list[SetMyCommands]:
    """setMyCommands calls for private chats: the default (English), then ko and ru."""
    names = [name for name in CUSTOMER_COMMANDS if name in set(known)]
    calls = []
    for language in (None, *LANGUAGE_CODES):
        t = translator(language or "en")
        commands = [BotCommand(command=n, description=t._(CUSTOMER_COMMANDS[n])) for n in names]
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
