"""The terminal transport: the same conversations as Telegram, on stdin and stdout.

Buttons print as `[1] Label`; the user answers with the number, the label, or a command.
Messages queued for this user in the outbox (support replies, order notices) print as they
come due.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TextIO

import policy
from core.engine import Engine
from core.types import Button, Event, Kind, Reply, UserRef

log = logging.getLogger(__name__)
TRANSPORT = "terminal"
# Untranslated on purpose: it must work even when translation itself is what failed.
APOLOGY = "Sorry, something went wrong on our side; nothing was saved. Please try again."
QUIT = {"/quit", "/exit"}


def to_event(line: str, user: UserRef, options: list[Button], language: str | None) -> Event:
    """Map one typed line to an event: a command, a chosen option, or free text."""
    text = line.strip()
    if text.startswith("/"):
        name, _, args = text[1:].partition(" ")
        return Event(
            user, Kind.COMMAND, text=args.strip(), command=name.lower(), language_hint=language
        )
    chosen = _chosen_option(text, options)
    if chosen is not None:
        return Event(user, Kind.ACTION, action=chosen.action, language_hint=language)
    return Event(user, Kind.TEXT, text=text, language_hint=language)


def _chosen_option(text: str, options: list[Button]) -> Button | None:
    if text.isdigit() and 1 <= int(text) <= len(options):
        return options[int(text) - 1]
    folded = text.casefold()
    return next((b for b in options if folded and b.label.casefold().lstrip("✓ ") == folded), None)


def render(replies: list[Reply], out: TextIO) -> list[Button]:
    """Print replies; return the options the next line may pick by number."""
    options: list[Button] = []
    for reply in replies:
        out.write(reply.text.rstrip() + "\n")
        for button in reply.options():
            options.append(button)
            out.write(f"  [{len(options)}] {button.label}\n")
        out.write("\n")
    out.flush()
    return options


class TerminalChat:
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
        self.engine = engine
        self.user = UserRef(TRANSPORT, user)
        self.language, self.market = language, market
        self.clock = clock
        self.stdin, self.stdout = stdin, stdout
        self.options: list[Button] = []

    async def run(self) -> None:
        new = await self._is_new()
        await self._apply_preferences()
        command = "start" if new else "resume"
        if self.language and self.market:
            command = "menu"  # both preset: nothing to ask at onboarding
        # The shell's locale suggests the language, as a Telegram client's language does.
        hint = self.language or os.environ.get("LC_ALL") or os.environ.get("LANG")
        first = Event(self.user, Kind.COMMAND, command=command, language_hint=hint)
        await self._print_notifications()  # what arrived while the user was away
        self.options = render(await self.engine.handle(first), self.stdout)
        while True:
            line = await asyncio.to_thread(self.stdin.readline)
            if not line or line.strip().lower() in QUIT:
                break
            if not line.strip():
                continue
            if not self.stdin.isatty():
                self.stdout.write(f"> {line.strip()}\n")
            event = to_event(line, self.user, self.options, self.language)
            try:
                replies = await self.engine.handle(event)
            except Exception:
                # One bad turn must not end the chat: nothing was committed for it.
                log.exception("failed to handle %r", policy.mask_secrets(line[:80]))
                replies = [Reply(APOLOGY)]
            # Numbers pick from the latest reply only: after a question without buttons, "1"
            # is an answer (an amount, a quantity), never an option from an older message.
            self.options = render(replies, self.stdout)
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
        now = self.clock()
        async with self.engine.db.transaction() as tx:
            user = await tx.users.find(self.user.transport, self.user.external_id)
            if user is None:
                return
            for message in await tx.outbox.due(now, channel="user", user_id=user.id):
                self.stdout.write("🔔 " + message.payload.get("text", "") + "\n\n")
                await tx.outbox.mark_sent(message.id, now)
        self.stdout.flush()
