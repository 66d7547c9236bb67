"""The conversation engine: one event in, replies out, in one database transaction.

The path of one message (docs/architecture.md): record the delivery id (a repeat is a no-op),
load user and conversation, answer global commands and questions or hand the event to the
current flow, save the conversation with a version check, commit. A stale version (another
worker got there first) rolls everything back and the event is processed again from scratch;
so does a lost database connection, after a pause (storage/retry.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from core import commands as global_handlers
from core import options
from core.flow import HOME_FLOW, ONBOARDING_FLOW, RETURNING, Flow, Resources, Turn
from core.locks import KeyedLocks
from core.parsing import readable_text
from core.surface import Surface
from core.types import Event, Kind, Outcome, Reply
from storage.db import Database
from storage.repos import StaleConversation, Tx

log = logging.getLogger(__name__)

# Called in a turn's transaction with the turn's replies, before it commits.
CommitHook = Callable[[Tx, list[Reply]], Awaitable[None]]

MAX_ATTEMPTS = 5
MAX_SWITCHES = 4  # a flow entering a flow entering a flow...: a bug past this depth
# Steps /back can retrace. The trail lives in the conversation's slots, read and written with
# every message: unbounded, a long browse would make every later message slower.
MAX_TRAIL = 20
# Kinds whose text a person typed: screened for card numbers and passwords. A photo's caption
# and a command's name and arguments too (`/support my password is ...` would reach staff).
SCREENED = frozenset({Kind.TEXT, Kind.MEDIA, Kind.COMMAND})
# Commands that keep their meaning while a flow holds every input (a live support chat).
HOLD_BREAKERS = frozenset({"menu", "cancel"})
# Global commands that make sense before a language and market are chosen.
# A customer whose previous message is this old is back after a pause ("the next day"):
# screens that only made sense then (Flow.resumable) give way to the menu.
RETURN_AFTER = timedelta(hours=6)
# The conversation slot holding the time of the user's previous message (ISO).
SEEN = "_seen"
PRE_ONBOARDING = frozenset({"start", "lang", "help", "resume", "cancel"})


def utc_now() -> datetime:
    return datetime.now(UTC)


def typed_by_user(event: Event) -> str:
    """All the words a person typed: a command's name too ("/4111•1111•1111•1111" is one)."""
    return f"{event.command} {event.text}" if event.kind is Kind.COMMAND else event.text


def readable(event: Event) -> Event:
    """``event`` without lone surrogates in what the user typed or is called: they would fail
    at the first database write or transport call (core/parsing.py)."""
    fields = ("text", "command", "action", "display_name")
    cleaned = {name: readable_text(getattr(event, name)) for name in fields}
    if all(cleaned[name] == getattr(event, name) for name in fields):
        return event
    return replace(event, **cleaned)


class Engine:
    def __init__(
        self,
        db: Database,
        flows: Iterable[Flow],
        *,
        resources: Resources | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.db = db
        self.surface = Surface(flows, global_handlers.GLOBAL_COMMANDS)
        self.flows = self.surface.flows
        missing = {HOME_FLOW, ONBOARDING_FLOW} - self.flows.keys()
        if missing:
            raise ValueError(f"the engine needs the flows {sorted(missing)}")
        self.resources = resources or Resources()
        self.clock = clock
        self.locks = KeyedLocks()

    async def handle(self, event: Event, *, on_commit: CommitHook | None = None) -> list[Reply]:
        """Process one event exactly once; events of one user run one at a time.

        A lost or refused database connection runs the event again on a new one, for a
        bounded time (storage/retry.py); past it `DatabaseUnavailable` is raised: the event
        can be kept and handled later (its delivery id makes that safe). `on_commit` runs in
        the turn's transaction with its replies, last: the channel's intake stores them there,
        so a turn is marked done exactly when its effects commit (bot/channels/intake.py); it
        raises to roll back a turn that committed before, which makes an event without a
        delivery id exactly-once too."""
        event = readable(event)
        async with self.locks.hold(event.conversation_key):
            return await self.db.with_retries(lambda: self._attempts(event, on_commit), "a turn")

    async def _attempts(self, event: Event, on_commit: CommitHook | None) -> list[Reply]:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                async with self.db.transaction() as tx:
                    replies = await self._process(tx, event)
                    if on_commit is not None:
                        await on_commit(tx, replies)
                    return replies
            except (StaleConversation, IntegrityError) as conflict:
                # Another worker committed first; everything we did is rolled back.
                if attempt == MAX_ATTEMPTS:
                    raise
                log.info("retrying %s (attempt %d): %s", event.delivery_id, attempt, conflict)
        raise AssertionError("unreachable")

    async def _process(self, tx: Tx, event: Event) -> list[Reply]:
        now = self.clock()
        # The delivery recorded, the user and their conversation read: one round trip on
        # PostgreSQL (docs/performance.md).
        fresh, found = await tx.open_turn(
            event.delivery_id, now, event.user.transport, event.user.external_id
        )
        if not fresh:
            return []
        if found is None:
            user = await tx.users.create(
                event.user.transport, event.user.external_id, event.display_name, now
            )
            conv = None
        else:
            user, conv = found
        if conv is None:
            conv = tx.conversations.fresh(user.id, ONBOARDING_FLOW, "language")
        turn = Turn(tx, user, conv, event, now, self.resources, self.surface)
        replies = await self.dispatch(turn)
        conv.slots[SEEN] = now.isoformat()
        await tx.conversations.save(conv, now)
        return replies

    async def dispatch(self, turn: Turn) -> list[Reply]:
        replies = await self.route(turn)
        # What a typed answer of the next message may name (core/options.py).
        options.remember(turn.conv.slots, replies)
        return replies

    async def route(self, turn: Turn) -> list[Reply]:
        event = turn.event
        flow = self.flows.get(turn.conv.flow)
        if flow is None or turn.conv.state not in flow.machine.states:
            # A flow or step removed by a deployment: start from the menu, never crash.
            return await self.enter(turn, HOME_FLOW)
        if event.kind in SCREENED and global_handlers.holds_secret(typed_by_user(event)):
            return await self.apply(turn, flow, global_handlers.refuse_secret(turn))
        holding = await flow.holds(turn)
        if event.kind is Kind.COMMAND:
            if holding and event.command not in HOLD_BREAKERS:
                return await self.apply(turn, flow, await flow.handle(turn, event))
            return await self.command(turn, flow)
        if holding:
            return await self.apply(turn, flow, await flow.handle(turn, event))
        if turn.conv.flow != ONBOARDING_FLOW and not self.onboarded(turn):
            return await self.enter(turn, ONBOARDING_FLOW)
        if event.kind is not Kind.ACTION and self.back_after_pause(turn, flow):
            return await self.enter(turn, HOME_FLOW, RETURNING + turn.conv.slots[SEEN])
        if event.kind is Kind.TEXT:
            event = turn.event = self.typed_option(turn, flow)
        if event.kind is Kind.ACTION:
            outcome = await global_handlers.action(turn, flow, self.surface)
            if outcome is not None:
                return await self.apply(turn, flow, outcome)
        if event.kind is Kind.TEXT and flow.answers_questions:
            asked = self.may_be_question(flow, turn)
            answer = global_handlers.answer_question(turn, self.surface, asked=asked)
            if answer is not None:
                return await self.apply(turn, flow, answer)
        return await self.apply(turn, flow, await flow.handle(turn, event))

    @staticmethod
    def typed_option(turn: Turn, flow: Flow) -> Event:
        """Typed text that names one of the options last shown, as that option's tap; a number
        only where the options were numbered and the step takes no number itself."""
        event = turn.event
        by_number = event.numbered and not flow.takes_number(turn)
        shown = options.shown_in(turn.conv.slots)
        action = options.pick(event.text, shown, by_number=by_number)
        if action is None:
            return event
        return replace(event, kind=Kind.ACTION, action=action, text="")

    @staticmethod
    def back_after_pause(turn: Turn, flow: Flow) -> bool:
        """A customer writing after RETURN_AFTER to a step that is stale by now."""
        seen = turn.conv.slots.get(SEEN)
        if not isinstance(seen, str) or flow.resumable(turn):
            return False
        try:
            return turn.now - datetime.fromisoformat(seen) >= RETURN_AFTER
        except ValueError:  # a slot written by hand or by an older build
            return False

    @staticmethod
    def onboarded(turn: Turn) -> bool:
        return bool(turn.user.language and turn.user.market)

    @staticmethod
    def may_be_question(flow: Flow, turn: Turn) -> bool:
        if not flow.answers_questions:
            return False
        if turn.conv.state not in flow.free_text_states:
            return True
        return turn.event.text.rstrip().endswith(("?", "？"))

    async def command(self, turn: Turn, flow: Flow) -> list[Reply]:
        name = turn.event.command
        handler = global_handlers.COMMANDS.get(name)
        if handler is not None and not self.onboarded(turn) and name not in PRE_ONBOARDING:
            return await self.enter(turn, ONBOARDING_FLOW)
        if handler is not None:
            return await handler(self, turn, flow)
        if name in self.surface.flow_commands:
            if not self.onboarded(turn):
                return await self.enter(turn, ONBOARDING_FLOW)
            target, declared = self.surface.flow_commands[name]
            return await self.enter(turn, target, f"{declared.args} {turn.event.text}".strip())
        return await self.apply(turn, flow, global_handlers.unknown_command(turn))

    async def enter(self, turn: Turn, name: str, args: str = "", depth: int = 0) -> list[Reply]:
        """Start flow `name` afresh at its first step."""
        if depth > MAX_SWITCHES:
            raise RuntimeError(f"flows keep switching (last: {name})")
        flow = self.flows.get(name) or self.flows[HOME_FLOW]
        for key in (flow.name, "_fails", "_trail"):
            turn.conv.slots.pop(key, None)
        turn.conv.flow, turn.conv.state = flow.name, flow.initial
        return await self.apply(turn, flow, await flow.begin(turn, args), depth + 1)

    async def apply(self, turn: Turn, flow: Flow, outcome: Outcome, depth: int = 0) -> list[Reply]:
        """Carry out a flow's decision and collect what the user is told."""
        replies = list(outcome.say)
        if outcome.stale or outcome.invalid is not None:
            replies.append(global_handlers.misunderstood(turn, flow, outcome))
        else:
            turn.conv.slots.pop("_fails", None)
        if outcome.switch_to is not None:
            return replies + await self.enter(turn, outcome.switch_to, outcome.switch_args, depth)
        if outcome.finished:
            return replies + await self.enter(turn, HOME_FLOW, "", depth)
        if outcome.trigger is not None:
            before = turn.conv.state
            flow.fire(turn, outcome.trigger)
            if turn.conv.state != before:  # remembered for /back
                trail = turn.conv.slots.setdefault("_trail", [])
                trail.append(before)
                del trail[:-MAX_TRAIL]
        if outcome.prompt:
            replies.extend(await flow.prompt(turn))
        return replies
