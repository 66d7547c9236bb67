"""A small Bot API server for tests: records every call, serves queued updates, fails on demand.

It speaks just enough of https://core.telegram.org/bots/api for orderbot: getMe, getUpdates
(long polling on queued updates), sendMessage, editMessageText, editMessageReplyMarkup,
editMessageCaption, answerCallbackQuery, deleteMessage, setMyCommands, setWebhook,
deleteWebhook, createForumTopic, closeForumTopic, deleteForumTopic, copyMessage, sendPhoto,
sendDocument, getChatMember. Chats with a positive id are private chats; negative ids are forum
supergroups. Everyone is a member of every group unless `members` says otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = 777000
BOT_USERNAME = "orderbot_test_bot"
# Telegram's stand-in author for an admin posting as the group itself.
GROUP_ANONYMOUS_BOT = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
# A restricted member's rights (getChatMember): each one True or False.
RESTRICTED_RIGHTS = (
    *("can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos"),
    *("can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls"),
    *("can_send_other_messages", "can_add_web_page_previews", "can_react_to_messages"),
    *("can_edit_tag", "can_change_info", "can_invite_users", "can_pin_messages"),
    "can_manage_topics",
)
# Kept as strings (everything else is JSON-decoded, as aiogram encodes it).
RAW_FIELDS = {
    *("text", "caption", "name", "secret_token", "url", "callback_query_id"),
    *("photo", "document", "from_chat_id", "chat_id"),
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    ok: bool = True
    result: Any = None
    at: float = field(default_factory=time.monotonic)

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [button for row in rows for button in row]


@dataclass
class Fault:
    method: str
    status: int
    description: str
    retry_after: int | None = None
    chat_id: int | None = None
    times: int = 1
    after: int = 0  # matching calls that succeed before the fault applies
    raw: str | None = None  # an unreadable answer (a proxy's page): the call may have been done
    performed: bool = False  # with `raw`: the call was carried out all the same


class FakeBotAPI:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self.deleted_threads: set[int] = set()
        # user id -> their ChatMember in every group, without "user" ("member" when absent)
        self.members: dict[int, dict[str, Any]] = {}
        self.webhook: dict[str, Any] | None = None
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(
            lambda: itertools.count(100)
        )
        self._thread_ids = itertools.count(5000)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.base_url = ""

    # -- server ------------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self.base_url

    async def close(self) -> None:
        self._closing = True  # long polls in progress return at once
        await self._notify()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        form = await request.post()
        params = {key: self._value(key, value) for key, value in form.items()}
        fault = self._fault(method, params)
        if fault is not None and fault.raw is not None:  # an ambiguous failure
            handler = getattr(self, "_" + method)
            result = handler(params) if fault.performed else None
            await self._record(Call(method, params, ok=fault.performed, result=result))
            return web.Response(text=fault.raw, status=fault.status, content_type="text/html")
        if fault is not None:
            await self._record(Call(method, params, ok=False))
            body: dict[str, Any] = {
                "ok": False,
                "error_code": fault.status,
                "description": fault.description,
            }
            if fault.retry_after is not None:
                body["parameters"] = {"retry_after": fault.retry_after}
            return web.json_response(body, status=fault.status)
        if method.lower() == "getupdates":
            result: Any = await self._get_updates(params)
        else:
            handler = getattr(self, "_" + method, None)
            if handler is None:
                return web.json_response(
                    {"ok": False, "error_code": 404, "description": "Not Found: method"}, status=404
                )
            try:
                result = handler(params)
            except BadRequest as error:
                await self._record(Call(method, params, ok=False))
                return web.json_response(
                    {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"},
                    status=400,
                )
        await self._record(Call(method, params, result=result))
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _value(key: str, value: Any) -> Any:
        if not isinstance(value, str) or key in RAW_FIELDS:
            return value
        try:
            return json.loads(value)
        except ValueError:
            return value

    def _fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        for fault in self.faults:
            if fault.method != method or fault.times <= 0:
                continue
            if fault.chat_id is not None and str(fault.chat_id) != str(params.get("chat_id")):
                continue
            if fault.after > 0:
                fault.after -= 1
                continue
            fault.times -= 1
            return fault
        return None

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        async with self._changed:
            self._changed.notify_all()

    # -- what tests do -----------------------------------------------------------------------
    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (an update_id is given unless it has one)."""
        update.setdefault("update_id", next(self._update_ids))
        self.updates.append(update)
        asyncio.get_running_loop().create_task(self._notify())
        return update

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def fail(
        self,
        method: str,
        status: int = 429,
        *,
        retry_after: int | None = None,
        chat_id: int | None = None,
        times: int = 1,
        description: str | None = None,
        after: int = 0,
        raw: str | None = None,
        performed: bool = False,
    ) -> None:
        """Fail the next `times` calls of `method` (to `chat_id`), after `after` succeed: a Bot
        API error, or with `raw` an unreadable answer after which the call may have been done
        (`performed`: it was), which the bot must not repeat."""
        text = description or (
            f"Too Many Requests: retry after {retry_after}"
            if status == 429
            else "Internal Server Error"
        )
        self.faults.append(
            Fault(method, status, text, retry_after, chat_id, times, after, raw, performed)
        )

    def sent(self, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        """Successful calls, optionally of one method and to one chat."""
        return [
            call
            for call in self.calls
            if call.ok
            and (method is None or call.method == method)
            and (chat_id is None or call.chat_id == chat_id)
        ]

    def texts(self, chat_id: int) -> list[str]:
        return [call.text for call in self.sent(chat_id=chat_id) if call.text]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until `predicate()` is truthy; its value."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not (value := predicate()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out; calls: {self.summary()}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)
            return value

    async def wait_sent(
        self, method: str, chat_id: int | None = None, count: int = 1, timeout: float = 5.0
    ) -> list[Call]:
        return await self.wait_for(
            lambda: (calls := self.sent(method, chat_id)) and len(calls) >= count and calls,
            timeout,
        )

    def summary(self) -> list[str]:
        return [
            f"{c.method}({c.params.get('chat_id')}){'' if c.ok else ' FAILED'}: {c.text[:40]!r}"
            for c in self.calls
            if c.method != "getUpdates"
        ]

    # -- update builders ---------------------------------------------------------------------
    def user(self, user_id: int, name: str = "Alice", language: str = "en") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": name, "language_code": language}

    def chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Alice"}
        return {"id": chat_id, "type": "supergroup", "title": "Staff", "is_forum": True}

    def message(
        self,
        chat_id: int,
        text: str | None = None,
        *,
        user_id: int | None = None,
        name: str = "Alice",
        language: str = "en",
        thread: int | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        """A message from a person (user_id defaults to the private chat's id); `content` may
        replace its author (`from`, `sender_chat`)."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids[chat_id]),
            "date": int(time.time()),
            "chat": self.chat(chat_id),
            "from": self.user(user_id or chat_id, name, language),
            **content,
        }
        if text is not None:
            message["text"] = text
        if thread is not None:
            message["message_thread_id"] = thread
            message["is_topic_message"] = True
        return message

    def say_as_group(
        self, chat_id: int, text: str | None = None, *, thread: int | None = None, **content: Any
    ) -> dict[str, Any]:
        """Push a message from an admin posting anonymously, as the group itself."""
        author = {"from": GROUP_ANONYMOUS_BOT, "sender_chat": self.chat(chat_id)}
        return self.say(chat_id, text, thread=thread, **author, **content)

    def say_as_bot(
        self, chat_id: int, text: str | None = None, *, bot_id: int, thread: int | None = None
    ) -> dict[str, Any]:
        """Push a message from another bot in the group."""
        author = {"id": bot_id, "is_bot": True, "first_name": "Helper", "username": "helper_bot"}
        return self.say(chat_id, text, thread=thread, **{"from": author})

    @staticmethod
    def restricted(*, can_send: bool, is_member: bool = True) -> dict[str, Any]:
        """A restricted member's ChatMember (for `members`): may send everything, or nothing."""
        rights = dict.fromkeys(RESTRICTED_RIGHTS, can_send)
        return {"status": "restricted", "is_member": is_member, "until_date": 0, **rights}

    def say(self, chat_id: int, text: str | None = None, **kwargs: Any) -> dict[str, Any]:
        """Push a message update; the message."""
        message = self.message(chat_id, text, **kwargs)
        self.push({"message": message})
        return message

    def edit(self, message: dict[str, Any], text: str) -> None:
        edited = {**message, "text": text, "edit_date": int(time.time())}
        self.push({"edited_message": edited})

    def tap(self, chat_id: int, message_id: int, data: str, user_id: int | None = None) -> None:
        self.push({"callback_query": self.callback(chat_id, message_id, data, user_id)})

    def callback(
        self, chat_id: int, message_id: int, data: str, user_id: int | None = None
    ) -> dict[str, Any]:
        return {
            "id": f"cb{next(self._update_ids)}",
            "from": self.user(user_id or chat_id),
            "chat_instance": "1",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": self.chat(chat_id),
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Orderbot"},
                "text": "...",
            },
        }

    # -- methods -----------------------------------------------------------------------------
    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates and timeout:
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(self.updates) or self._closing), timeout
                    )
        return list(self.updates[:100])

    def _getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Orderbot",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _new_message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        thread = params.get("message_thread_id")
        if thread is not None and int(thread) in self.deleted_threads:
            raise BadRequest("message thread not found")
        message: dict[str, Any] = {
            "message_id": next(self._message_ids[chat_id]),
            "date": int(time.time()),
            "chat": self.chat(chat_id),
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Orderbot"},
            **content,
        }
        if thread is not None:
            message["message_thread_id"] = int(thread)
            message["is_topic_message"] = True
        if isinstance(params.get("reply_markup"), dict) and "inline_keyboard" in params.get(
            "reply_markup", {}
        ):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._new_message(params, text=params["text"])

    def _sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        size = {"file_id": params["photo"], "file_unique_id": "u", "width": 1, "height": 1}
        return self._new_message(params, photo=[size])

    def _sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        document = {"file_id": params["document"], "file_unique_id": "u"}
        return self._new_message(params, document=document)

    def _copyMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"message_id": self._new_message(params)["message_id"]}

    def _editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._new_message(params, text=params["text"])
        message["message_id"] = int(params["message_id"])
        return message

    def _editMessageCaption(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._new_message(params, caption=params.get("caption", ""))
        message["message_id"] = int(params["message_id"])
        return message

    def _editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._new_message(params, text="...")
        message["message_id"] = int(params["message_id"])
        return message

    def _createForumTopic(self, params: dict[str, Any]) -> dict[str, Any]:
        thread = next(self._thread_ids)
        return {"message_thread_id": thread, "name": params["name"], "icon_color": 7322096}

    def _getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = int(params["user_id"])
        member = self.members.get(user_id, {"status": "member"})
        return {**member, "user": self.user(user_id)}

    def _setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = params
        return True

    def _deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    def _answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    def _deleteMessage(self, params: dict[str, Any]) -> bool:
        return True

    def _setMyCommands(self, params: dict[str, Any]) -> bool:
        return True

    def _closeForumTopic(self, params: dict[str, Any]) -> bool:
        return True

    def _deleteForumTopic(self, params: dict[str, Any]) -> bool:
        self.deleted_threads.add(int(params["message_thread_id"]))
        return True


class BadRequest(Exception):
    pass
