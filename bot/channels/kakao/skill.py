"""One skill call: the user's turn, their pending notices and the answer, within the budget.

The turn runs in the engine with a commit hook, so that in the turn's own transaction the
notices waiting for this user are claimed and marked sent, the answer is rendered in front of
them, and text that did not fit is queued for the next message: the answer exists exactly
when the turn commits, and a notice is shown exactly once.

Kakao waits 5 seconds. A turn not done within the budget (3.5 s by default), unless its
answer is rendered and only its commit is under way (that gets `COMMIT_GRACE` more), is
answered "one moment, send any message to see the result" at once and goes on; its answer is
then queued as a notice for the user's next message (in the turn's transaction when the hook
sees it is late, else just after, in place of the part that did not fit), never processed
twice. An error inside a turn is answered with HTTP 200 and
an apology in the user's language (Kakao shows its own error bubble otherwise), logged with a
reference the user is not shown and the log keeps. User keys are logged hashed.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.channels.base import notice_buttons
from bot.channels.kakao import limits, mapping
from bot.channels.kakao.channel import KakaoChannel
from bot.channels.kakao.render import Rendered, chunks
from core import options
from core.engine import Engine
from core.i18n import DEFAULT_LANGUAGE, N_, Translator, translator
from core.types import Button, Reply
from storage.repos import Tx

log = logging.getLogger(__name__)

APOLOGY = N_("Sorry, something went wrong on our side. Please send your message again.")
ONE_MOMENT = N_(
    "One moment, please: this is taking longer than usual. Send any message to see the result."
)
MORE = N_("(continued with your next message)")
# Kakao waits 5 s: past the budget, a turn whose answer is rendered and whose commit is under
# way gets this much more before "one moment" (its answer is nearly there).
COMMIT_GRACE = 1.0
LANGUAGES_KEPT = 10_000
LOOKUP_SECONDS = 0.5  # reading the user's language for an apology: the database may be away


@dataclass(slots=True)
class _Turn:
    """What a turn's commit hook leaves for the request (or for the late keeper)."""

    late: bool = False  # the budget passed: the answer goes to the outbox
    kept: bool = False  # it went there in the turn's transaction
    rendered: Rendered | None = None  # set in the turn's transaction, before its commit
    # The answer as text, notices first: what is kept when it committed too late to be sent
    # (an item card's rows are in no text bubble)
    text: str = ""
    user_id: int | None = None


def notice_of(payload: dict[str, Any]) -> Reply:
    """An outbox message as shown in front of an answer: its text and its buttons."""
    return Reply(str(payload.get("text") or ""), notice_buttons(payload))


class Skill:
    def __init__(
        self,
        engine: Engine,
        channel: KakaoChannel,
        *,
        budget: float = 3.5,
        strict: bool = False,
        wake_outbox: Callable[[], None] = lambda: None,
    ) -> None:
        self.engine = engine
        self.channel = channel
        self.budget = budget
        self.commit_grace = COMMIT_GRACE
        self.strict = strict  # tests: a response over the limits raises
        self.wake_outbox = wake_outbox
        self._late: set[asyncio.Task[Any]] = set()  # late turns still running
        # The language of users seen lately, for the words said when a turn did not answer:
        # the database may be busy with that very turn.
        self._languages: OrderedDict[str, str] = OrderedDict()

    async def answer(self, inbound: mapping.Inbound) -> dict[str, Any]:
        """The response to one skill call (always a valid one)."""
        event = mapping.to_event(inbound)
        state = _Turn()

        async def on_commit(tx: Tx, replies: list[Reply]) -> None:
            await self._commit(tx, inbound, state, replies)

        log.debug("kakao %s from %s", inbound.trigger or "input", mapping.hashed(inbound.user_key))
        task = asyncio.ensure_future(self.engine.handle(event, on_commit=on_commit))
        done, _ = await asyncio.wait({task}, timeout=self.budget)
        if not done and state.rendered is not None:
            done, _ = await asyncio.wait({task}, timeout=self.commit_grace)
        if not done:
            state.late = True
            self._late.add(task)
            task.add_done_callback(lambda finished: self._finished_late(finished, state))
            return await self._words(inbound, ONE_MOMENT, look_up=False)
        try:
            task.result()
        except Exception:
            reference = secrets.token_hex(4)
            log.exception(
                "kakao turn failed (ref %s, user %s)", reference, mapping.hashed(inbound.user_key)
            )
            return await self._words(inbound, APOLOGY)
        self.wake_outbox()
        assert state.rendered is not None
        return self.checked(state.rendered.response)

    async def _commit(
        self, tx: Tx, inbound: mapping.Inbound, state: _Turn, replies: list[Reply]
    ) -> None:
        now = self.engine.clock()
        user = await tx.users.find(mapping.TRANSPORT, inbound.user.external_id)
        assert user is not None, "the engine has created the user"
        state.user_id = user.id
        if inbound.linked_key:
            await tx.users.link_key(mapping.TRANSPORT, inbound.user.external_id, inbound.linked_key)
        if state.late:
            await self._keep(tx, user.id, now, "\n\n".join(reply.text for reply in replies))
            state.kept = True
            return
        notices = await tx.outbox.pending_for(user.id, now)
        for notice in notices:
            await tx.outbox.mark_sent(notice.id, now)
        language = user.language or self._hinted(inbound)
        self._remember(inbound.user.external_id, language)
        t = translator(language)
        shown = [notice_of(notice.payload) for notice in notices]
        await self._also_shown(tx, inbound, [b for notice in shown for b in notice.options()], now)
        state.rendered = self.channel.render(replies, notices=shown, more=t._(MORE))
        state.text = "\n\n".join(reply.text for reply in [*shown, *replies])
        if state.rendered.rest:
            await self._keep(tx, user.id, now, state.rendered.rest)

    @staticmethod
    async def _also_shown(
        tx: Tx, inbound: mapping.Inbound, buttons: list[Button], now: datetime
    ) -> None:
        """A notice's buttons join the options the user may answer by typing (core/options.py),
        after the answer's own, as they are shown."""
        if not buttons:
            return
        found = await tx.users.find_with_conversation(mapping.TRANSPORT, inbound.user.external_id)
        if found is None or found[1] is None:
            return
        conv = found[1]
        options.also_shown(conv.slots, buttons)
        await tx.conversations.save(conv, now)

    @staticmethod
    async def _keep(tx: Tx, user_id: int, now: datetime, text: str) -> None:
        """Queue `text` for the user's next message."""
        if text.strip():
            await tx.outbox.add("user", {"text": text}, now, user_id=user_id)

    def _finished_late(self, task: asyncio.Task[Any], state: _Turn) -> None:
        self._late.discard(task)
        error = asyncio.CancelledError() if task.cancelled() else task.exception()
        if error is not None:
            log.error("kakao late turn failed: nothing was saved", exc_info=error)
            return
        if not state.kept and state.rendered is not None and state.user_id is not None:
            # Committed just as the budget ran out: its answer (notices included) is kept now.
            keeper = asyncio.ensure_future(self._keep_late(state.user_id, state))
            self._late.add(keeper)
            keeper.add_done_callback(self._late.discard)
        self.wake_outbox()

    async def _keep_late(self, user_id: int, state: _Turn) -> None:
        """The whole answer, in place of the part that did not fit, which the turn kept."""
        assert state.rendered is not None
        now = self.engine.clock()
        async with self.engine.db.transaction() as tx:
            if state.rendered.rest:
                for notice in await tx.outbox.pending_for(user_id, now):
                    if notice.payload.get("text") == state.rendered.rest:
                        await tx.outbox.mark_sent(notice.id, now)
            await self._keep(tx, user_id, now, state.text)

    async def drain(self) -> None:
        """Wait for the late turns still running (stopping)."""
        while self._late:
            await asyncio.gather(*list(self._late), return_exceptions=True)

    async def _words(
        self, inbound: mapping.Inbound, message: str, *, look_up: bool = True
    ) -> dict[str, Any]:
        t = await self._translator(inbound, look_up=look_up)
        return self.checked(
            {"version": "2.0", "template": {"outputs": [{"simpleText": {"text": t._(message)}}]}}
        )

    def _remember(self, key: str, language: str) -> None:
        self._languages[key] = language
        self._languages.move_to_end(key)
        while len(self._languages) > LANGUAGES_KEPT:
            self._languages.popitem(last=False)

    async def _translator(self, inbound: mapping.Inbound, *, look_up: bool) -> Translator:
        """The user's language as last seen, else (`look_up`) as stored, read briefly since the
        database may be what failed, else the payload's hint."""
        key = inbound.user.external_id
        language = self._languages.get(key)
        if language is None and look_up:
            try:
                async with asyncio.timeout(LOOKUP_SECONDS):
                    async with self.engine.db.transaction() as tx:
                        found = await tx.users.find(mapping.TRANSPORT, key)
                language = found.language if found is not None else None
            except Exception as error:
                log.warning("kakao: could not read a user's language: %r", error)
        return translator(language or self._hinted(inbound))

    @staticmethod
    def _hinted(inbound: mapping.Inbound) -> str:
        return mapping.language_hint(inbound.lang) or DEFAULT_LANGUAGE

    def checked(self, response: dict[str, Any]) -> dict[str, Any]:
        """`response` if it keeps Kakao's limits; else (a bug) raised in tests, and in
        production logged and replaced by its first text, cut to a bubble."""
        found = limits.problems(response)
        if not found:
            return response
        if self.strict:
            raise limits.LimitsBroken("; ".join(found))
        log.error("kakao response over the limits, sent as plain text: %s", "; ".join(found))
        outputs = response.get("template", {}).get("outputs") or [{}]
        text = str(outputs[0].get("simpleText", {}).get("text") or "…")
        return {
            "version": "2.0",
            "template": {"outputs": [{"simpleText": {"text": (chunks(text) or ["…"])[0]}}]},
        }
