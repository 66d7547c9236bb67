"""An aiogram session without a network, and synthetic Telegram updates.

`OfflineSession.make_request` does everything a real session does after the HTTP round trip:
it builds the JSON answer Telegram would send, then decodes and validates it through aiogram's
own `check_response`. Only the socket is missing. Both the floor and orderbot use it.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageReplyMarkup,
    EditMessageText,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import InlineKeyboardMarkup

BOT_ID = 4242
BOT_TOKEN = f"{BOT_ID}:AAbenchbenchbenchbenchbenchbenchben"
_BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "orderbot", "username": "orderbot"}


class OfflineSession(BaseSession):
    """Answers every Bot API call with a successful result; remembers what each chat was sent.

    `inbox[chat_id]` holds the buttons (callback data) and text of the last message sent to that
    chat, which is what a simulated customer reads before tapping. A customer pops its entry when
    it is done, so the bench itself keeps no per-chat memory.
    """

    def __init__(self) -> None:
        super().__init__()
        self.calls: dict[str, int] = {}
        self.inbox: dict[int, tuple[str, list[str]]] = {}
        self._message_ids = itertools.count(1_000_000)

    async def close(self) -> None:
        return None

    async def make_request(
        self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None
    ) -> Any:
        name = type(method).__name__
        self.calls[name] = self.calls.get(name, 0) + 1
        result: Any = True
        if isinstance(method, SendMessage | EditMessageText | EditMessageReplyMarkup):
            chat_id = int(method.chat_id) if method.chat_id is not None else 0
            text = getattr(method, "text", "") or ""
            markup = method.reply_markup
            actions = (
                [b.callback_data or "" for row in markup.inline_keyboard for b in row]
                if isinstance(markup, InlineKeyboardMarkup)
                else []
            )
            if isinstance(method, SendMessage) or actions:
                self.inbox[chat_id] = (text, actions)
            result = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": _BOT_USER,
                "text": text or "-",
            }
        elif isinstance(method, AnswerCallbackQuery | DeleteMessage):
            result = True
        content = json.dumps({"ok": True, "result": result})
        return self.check_response(bot, method, 200, content).result

    async def stream_content(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover
        raise NotImplementedError
        yield b""


class Updates:
    """Raw update dicts as Telegram sends them (the JSON a webhook or getUpdates receives)."""

    def __init__(self, first_id: int = 1) -> None:
        self._ids = itertools.count(first_id)
        self._msg_ids = itertools.count(1)

    def _user(self, chat_id: int) -> dict[str, Any]:
        return {
            "id": chat_id,
            "is_bot": False,
            "first_name": f"Customer {chat_id}",
            "language_code": "en",
        }

    def message(self, chat_id: int, text: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._msg_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": f"Customer {chat_id}"},
            "from": self._user(chat_id),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": next(self._ids), "message": message}

    def callback(self, chat_id: int, data: str, text: str = "…") -> dict[str, Any]:
        update_id = next(self._ids)
        return {
            "update_id": update_id,
            "callback_query": {
                "id": str(update_id),
                "from": self._user(chat_id),
                "chat_instance": str(chat_id),
                "data": data,
                "message": {
                    "message_id": next(self._msg_ids),
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private"},
                    "from": _BOT_USER,
                    "text": text[:100] or "-",
                },
            },
        }
