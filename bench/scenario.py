"""Simulated customers: each reads the buttons it was last sent and taps or types the next step.

A script is a list of steps: `say(text)` types a line or a /command; `tap(prefix, ...)` taps the
first button whose callback data starts with one of the prefixes (the real token the bot sent,
e.g. a product's `qo:add:<sku>`). A tap with no such button is counted as a miss and the
first prefix is sent anyway (a stale button), so a broken script shows up in the results.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.offline import OfflineSession, Updates


@dataclass(frozen=True, slots=True)
class Step:
    kind: str  # "say" | "tap"
    value: tuple[str, ...]


def say(text: str) -> Step:
    return Step("say", (text,))


def tap(*prefixes: str) -> Step:
    return Step("tap", prefixes)


def onboarding(language: str, market: str) -> list[Step]:
    return [say("/start"), tap(f"start:lang:{language}"), tap(f"start:market:{market}")]


def info_conversation(index: int) -> list[Step]:
    """Menu, information and help: used while no ordering flow is registered."""
    language = ("en", "ko", "ru")[index % 3]
    market = "KZ" if index % 4 == 3 else "KR"
    return [
        *onboarding(language, market),
        tap("menu:info:lrp", "menu:info"),
        tap("nav:menu"),
        say("how much is shipping?"),
        say("/help"),
        say("/menu"),
    ]


# Filled in by bench.run against the registered flows (see `script_for`).
ScriptFactory = Callable[[int], list[Step]]


@dataclass(slots=True)
class Counters:
    updates: int = 0
    misses: int = 0


Send = Callable[[dict[str, Any]], Awaitable[None]]


async def play(
    chat_id: int,
    steps: Sequence[Step],
    updates: Updates,
    session: OfflineSession,
    send: Send,
    counters: Counters,
    record: list[dict[str, Any]] | None = None,
    think: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Run one customer's conversation, one update at a time (a person waits for the reply)."""
    try:
        for step in steps:
            if think is not None:
                await think()
            if step.kind == "say":
                raw = updates.message(chat_id, step.value[0])
            else:
                text, actions = session.inbox.get(chat_id, ("", []))
                chosen = next((a for p in step.value for a in actions if a.startswith(p)), None)
                if chosen is None:
                    counters.misses += 1
                    chosen = step.value[0]
                raw = updates.callback(chat_id, chosen, text)
            if record is not None:
                record.append(raw)
            await send(raw)
            counters.updates += 1
    finally:
        session.inbox.pop(chat_id, None)
