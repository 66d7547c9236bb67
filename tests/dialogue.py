"""A readable way to write conversation tests against the real engine and storage.

d = Dialogue(engine, "alice")
await d.say("/start")
d.expect("Choose your language")
await d.tap("English")
d.expect("Which market").expect_buttons("Korea", "Kazakhstan")
"""

from __future__ import annotations

import itertools
from dataclasses import replace

from core.actions import Action
from core.engine import Engine
from core.types import Button, Event, Kind, Reply, UserRef
from flows.start import StartLanguage, StartMarket

_deliveries = itertools.count(1)


class Dialogue:
    def __init__(
        self,
        engine: Engine,
        user: str = "alice",
        *,
        transport: str = "test",
        language_hint: str | None = None,
    ) -> None:
        self.engine = engine
        self.user = UserRef(transport, user)
        self.language_hint = language_hint
        self.replies: list[Reply] = []
        self.last_event: Event | None = None

    # -- sending ---------------------------------------------------------------------------
    def event_for(self, text: str) -> Event:
        delivery = f"{self.user.external_id}-{next(_deliveries)}"
        if text.startswith("/"):
            name, _, args = text[1:].partition(" ")
            return Event(
                self.user,
                Kind.COMMAND,
                text=args.strip(),
                command=name.lower(),
                delivery_id=delivery,
                language_hint=self.language_hint,
            )
        return Event(
            self.user, Kind.TEXT, text=text, delivery_id=delivery, language_hint=self.language_hint
        )

    async def send(self, event: Event) -> Dialogue:
        self.last_event = event
        self.replies = await self.engine.handle(event)
        return self

    async def say(self, text: str) -> Dialogue:
        """Type a line: text, or a /command."""
        return await self.send(self.event_for(text))

    async def tap(self, label: str) -> Dialogue:
        """Tap the button whose label contains `label` (case-insensitive) in the last replies."""
        return await self.send(self.action_event(self.button(label).action))

    async def press(self, action: Action) -> Dialogue:
        """Tap a button of `action`'s (shown or not: an old message's, another step's)."""
        return await self.send(self.action_event(action.pack()))

    def action_event(self, action: str) -> Event:
        return Event(
            self.user,
            Kind.ACTION,
            action=action,
            delivery_id=f"{self.user.external_id}-{next(_deliveries)}",
        )

    async def redeliver(self) -> Dialogue:
        """Send the last event again, with the same delivery id (a transport's retry)."""
        assert self.last_event is not None
        return await self.send(replace(self.last_event))

    # -- reading ---------------------------------------------------------------------------
    @property
    def text(self) -> str:
        return "\n".join(reply.text for reply in self.replies)

    @property
    def buttons(self) -> list[Button]:
        return [button for reply in self.replies for button in reply.options()]

    def button(self, label: str) -> Button:
        folded = label.casefold()
        matches = [b for b in self.buttons if folded in b.label.casefold()]
        assert matches, (
            f"no button like {label!r}; buttons: {[b.label for b in self.buttons]}\n{self.text}"
        )
        return matches[0]

    def expect(self, *fragments: str) -> Dialogue:
        for fragment in fragments:
            assert fragment.casefold() in self.text.casefold(), (
                f"{fragment!r} not in reply:\n{self.text}"
            )
        return self

    def expect_not(self, *fragments: str) -> Dialogue:
        for fragment in fragments:
            assert fragment.casefold() not in self.text.casefold(), (
                f"{fragment!r} in reply:\n{self.text}"
            )
        return self

    def expect_buttons(self, *labels: str) -> Dialogue:
        for label in labels:
            self.button(label)
        return self

    # -- shortcuts -------------------------------------------------------------------------
    async def onboard(self, language: str = "en", market: str = "KR") -> Dialogue:
        """/start, pick the language and the market: ends at the main menu."""
        await self.say("/start")
        await self.press(StartLanguage(code=language))
        await self.press(StartMarket(market=market))
        return self
