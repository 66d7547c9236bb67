"""The Telegram transport (aiogram 3): customers in private chats, staff in a forum group.

Modules: mapping (updates -> events), render (replies -> messages), sender (the rate-limited
outbound queue), serial (per-chat order), customer, desk (the staff support desk), outbox (the
delivery worker), commands (command menus), app (wiring, polling, webhook), cli (`orderbot
run`). See docs/telegram.md. Importing this package stays cheap: `TelegramApp`, `create_bot`
and `serve` load aiogram when first used.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TelegramApp", "create_bot", "serve"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from bot.channels.telegram import app

        return getattr(app, name)
    raise AttributeError(name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
