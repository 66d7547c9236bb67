"""The terminal transport: the same conversations as Telegram, on stdin and stdout.

A plain channel (bot/channels/base.py): buttons print as `[1] Label` (the base rendering), and
the user answers with the number, the label, or a command. It cannot push: messages queued for
this user in the outbox (support replies, order notices) print after the next answer, their
buttons (an auto-order reminder's) numbered after its options, and answered the same way.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TextIO

import policy
from bot.channels.base import Channel, PlainText, numbered
from core.engine import Engine
from core.types import Button, Event, Kind, Reply, UserRef

log = logging.getLogger(__name__)
# Untranslated on purpose: it must work even when translation itself is what failed.
APOLOGY = "Sorry, something went wrong on our side; nothing was saved. Please try again."
QUIT = {"/quit", "/exit"}


class TerminalChat(Channel):
    transport = "terminal"

    def __init__(
        self,
        engine: Engine,
        user: str,
        *,
        language: str | None,
        market: str | None,
        clock: Callable[[], datetime],
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
    ) -> None:
        super().__init__()
        self.engine = engine
        self.user = UserRef(self.transport, user)
        self.language, self.market = language, market
        self.clock = clock
        self.stdin, self.stdout = stdin, stdout

    def to_event(self, raw: str) -> Event:
        """One typed line: a command, one of the options shown last, or free text."""
        return self.typed(self.user, raw, self.language)

    def show(self, replies: list[Reply]) -> None:
        """Print the replies; their options are what the next line may pick by number."""
        rendered: PlainText = self.render(replies)
        self.stdout.write(rendered.text)
        self.stdout.flush()

    async def run(self) -> None:
        new = await self._is_new()
        await self._apply_preferences()
        command = "start" if new else "resume"
        if self.language and self.market:
            command = "menu"  # both preset: nothing to ask at onboarding
        # The shell's locale suggests the language, as a Telegram client's language does.
        hint = self.language or os.environ.get("LC_ALL") or os.environ.get("LANG")
        first = Event(self.user, Kind.COMMAND, command=command, language_hint=hint)
        self.show(await self.engine.handle(first))
        await self._print_notifications()  # what arrived while the user was away
        while True:
            line = await asyncio.to_thread(self.stdin.readline)
            if not line or line.strip().lower() in QUIT:
                break
            if not line.strip():
                continue
            if not self.stdin.isatty():
                self.stdout.write(f"> {line.strip()}\n")
            event = self.to_event(line)
            try:
                replies = await self.engine.handle(event)
            except Exception:
                # One bad turn must not end the chat: nothing was committed for it.
                log.exception("failed to handle %r", policy.mask_secrets(line[:80]))
                replies = [Reply(APOLOGY)]
            # Numbers pick from the latest replies only: after a question without buttons, "1"
            # is an answer (an amount, a quantity), never an option from an older message.
            self.show(replies)
            await self._print_notifications()

    async def _is_new(self) -> bool:
        async with self.engine.db.transaction() as tx:
            return await tx.users.find(self.user.transport, self.user.external_id) is None

    async def _apply_preferences(self) -> None:
        """--lang and --market preset the profile, so onboarding can be skipped."""
        if not (self.language or self.market):
            return
        now = self.clock()
        async with self.engine.db.transaction() as tx:
            user = await tx.users.find(self.user.transport, self.user.external_id)
            if user is None:
                user = await tx.users.create(
                    self.user.transport, self.user.external_id, self.user.external_id, now
                )
            changes = {
                key: value
                for key, value in (("language", self.language), ("market", self.market))
                if value
            }
            await tx.users.update(user, **changes)

    async def _print_notifications(self) -> None:
        await self.show_queued(self.engine.db, self.user, self.clock(), self._notify)
        self.stdout.flush()

    def _notify(self, payload: dict[str, Any], buttons: Sequence[Button], first: int) -> None:
        """A queued message, its buttons numbered after the options printed before it."""
        self.stdout.write("🔔 " + payload.get("text", "") + "\n" + numbered(buttons, first) + "\n")
