"""The process host: the jobs and the outbox runner run whichever channels run, and a process
shuts down in order (input drained, background work cancelled, channels closed)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from bot.app import Host
from bot.channels.base import Capabilities, Channel, Checkpoint
from core.surface import Job
from core.types import Event
from storage.records import User


class Pushing(Channel):
    """A channel that can reach its users unprompted (no Telegram involved)."""

    transport = "pushing"
    capabilities = Capabilities(push=True)

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    def to_event(self, raw: Any) -> Event | None:
        return None

    async def deliver(self, user: User, payload: dict[str, Any], checkpoint: Checkpoint) -> None:
        self.sent.append(f"{user.external_id}: {payload['text']}")


class Plain(Pushing):
    transport = "plain"
    capabilities = Capabilities()


class App:
    """A channel as the host runs it: serves until stopped, records what happens to it."""

    def __init__(self, channel: Channel, *, fail: Exception | None = None) -> None:
        self.channel = channel
        self.desk = None
        self.started = asyncio.Event()
        self.wake: Any = None
        self.fail = fail
        self.log: list[str] = []
        self._stop = asyncio.Event()

    def set_outbox_wake(self, wake: Any) -> None:
        self.wake = wake

    async def serve(self) -> None:
        if self.fail is not None:
            raise self.fail
        self.started.set()
        await self._stop.wait()
        self.log.append("drained")

    def stop(self) -> None:
        self._stop.set()

    async def close(self) -> None:
        self.log.append("closed")


async def queue(db, clock, transport: str, text: str) -> None:
    async with db.transaction() as tx:
        user = await tx.users.create(transport, "u1", "U", clock())
        await tx.outbox.add("user", {"text": text}, clock(), user_id=user.id)


async def until(condition: Any, timeout: float = 2.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_any_channel_gets_the_jobs_and_its_outbox(engine, db, clock) -> None:
    runs: list[object] = []

    async def record(db, now, resources) -> int:
        runs.append(now)
        return 0

    pushing, plain = App(Pushing()), App(Plain())
    await queue(db, clock, "pushing", "Your order shipped.")
    await queue(db, clock, "plain", "Your order shipped.")
    jobs = (Job("record", timedelta(minutes=1), record),)
    host = Host(engine, [pushing, plain], outbox_poll=0.01, jobs=jobs)
    assert pushing.wake == host.outbox.wake  # wired: the channel wakes the runner
    task = asyncio.create_task(host.run(handle_signals=False))
    await until(lambda: runs and pushing.channel.sent)
    host.stop()
    await asyncio.wait_for(task, 2)
    assert pushing.channel.sent == ["u1: Your order shipped."]
    assert plain.channel.sent == []  # cannot push: the row stays queued for its next answer
    async with db.transaction() as tx:
        (left,) = await tx.outbox.due(clock() + timedelta(days=1), channel="user")
    assert left.payload == {"text": "Your order shipped."}
    assert pushing.log == plain.log == ["drained", "closed"]


async def test_a_channel_stopping_stops_the_process(engine) -> None:
    app = App(Pushing())
    host = Host(engine, [app], jobs=())
    task = asyncio.create_task(host.run(handle_signals=False))
    await until(lambda: app.started.is_set())
    app.stop()  # a signal handled by the channel, say
    await asyncio.wait_for(task, 2)
    assert app.log == ["drained", "closed"]


async def test_a_channel_that_cannot_run_is_closed_and_its_error_raised(engine) -> None:
    ran: list[object] = []

    async def record(db, now, resources) -> int:
        ran.append(now)
        return 0

    app = App(Pushing(), fail=RuntimeError("token refused"))
    host = Host(engine, [app], jobs=(Job("record", timedelta(minutes=1), record),))
    with pytest.raises(RuntimeError, match="token refused"):
        await asyncio.wait_for(host.run(handle_signals=False), 2)
    assert app.log == ["closed"] and ran == []  # nothing started before it could send


def test_one_staff_desk_per_process(engine) -> None:
    first, second = App(Pushing()), App(Plain())
    first.desk = second.desk = object()  # type: ignore[assignment]
    with pytest.raises(ValueError, match="one staff desk"):
        Host(engine, [first, second])
