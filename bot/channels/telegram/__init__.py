"""The Telegram transport (aiogram 3): customers in private chats, staff in a forum group.

Modules: channel (the channel contract: updates -> events, replies -> messages, outbox
deliveries), mapping (updates -> events), render (replies -> messages), customer (private
chats: the turn and its replies), desk (the staff desk: payloads, staff messages and commands),
topics (the staff group's topics and resumable posts), sender (the rate-limited outbound queue),
errors (which failures are retried, maybe sent, permanent), serial (per-chat order), commands
(command menus), webhook (the webhook server), app (wiring, polling; run by the process host,
bot/app.py). See docs/telegram.md. Importing this package stays cheap: `TelegramApp` and
`create_bot` load aiogram when first used.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TelegramApp", "create_bot"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        # aiogram takes seconds to import: loaded when the bot is first used, not by this package.
        from bot.channels.telegram import app

        return getattr(app, name)
    raise AttributeError(name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
