"""The process host: settings -> database (schema checked) -> resources -> engine, and the
`Host` that runs the channels of a process with the outbox runner and the jobs loop."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from bot.channels.base import Channel, StaffSide
from bot.channels.outbox import OutboxRunner
from bot.jobs import all_jobs, run_forever
from bot.settings import Settings
from core.engine import Engine, utc_now
from core.flow import Resources
from core.surface import Job
from flows.registry import default_flows
from flows.shopping.catalog import load_catalogs
from storage.db import Database
from storage.migrate import ensure_schema

log = logging.getLogger(__name__)


def load_resources(settings: Settings, *, staff_desk: bool) -> Resources:
    return Resources(catalogs=load_catalogs(settings.catalog_dir), staff_desk=staff_desk)


async def build_engine(
    settings: Settings,
    *,
    staff_desk: bool,
    clock: Callable[[], datetime] = utc_now,
) -> Engine:
    db = Database(settings.database_url, retry_within=settings.database_retry_seconds)
    await ensure_schema(db, auto_upgrade=settings.auto_migrate)
    return Engine(
        db, default_flows(), resources=load_resources(settings, staff_desk=staff_desk), clock=clock
    )


# Young objects a collection waits for (CPython's default: 700). See `tune_gc`.
GC_YOUNG_THRESHOLD = 50_000


def tune_gc() -> None:
    """Call once start-up is done (engine, catalogues, translators, aiogram loaded).

    Everything alive now lives as long as the process: `gc.freeze()` moves it out of the
    collector's sight, so a full collection no longer walks it (one took 150-270 ms here, a
    p99 spike under load). Collections of young objects then run every 50,000 allocations
    instead of 700: a message allocates thousands of objects, nearly all freed by reference
    counting, so the default collected several times per message for little (docs/performance.md).
    Only reference cycles wait longer to be freed; frozen objects are still freed by reference
    counting when dropped.
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, max(middle, 20), max(old, 20))


class ChannelApp(Protocol):
    """A channel as a process runs it (TelegramApp, say): its input loop, and what the host
    wires to it."""

    @property
    def channel(self) -> Channel:
        """The customers' side: the outbox runner delivers their messages through it."""

    @property
    def desk(self) -> StaffSide | None:
        """The staff desk this channel hosts, if any: the runner delivers staff rows to it."""

    @property
    def started(self) -> asyncio.Event:
        """Set once the channel can send: the host starts the outbox runner and the jobs."""

    def set_outbox_wake(self, wake: Callable[[], None]) -> None:
        """Call `wake` after a turn that may have queued outbox messages."""

    async def serve(self) -> None:
        """Take input until `stop`, then finish what was taken; raise when it cannot run."""

    def stop(self) -> None: ...

    async def close(self) -> None:
        """Release connections (the outbox runner, which sends through them, has ended)."""


class Host:
    """One process: whichever channels run in it, the outbox runner delivering for them, and
    the jobs loop. A process with any set of channels runs the jobs (a Kakao-only worker still
    runs the LRP monthly job); every worker runs them, as they claim their rows safely.

    `run` serves the channels until `stop` (or SIGINT / SIGTERM, or a channel ending), then
    shuts down in order: the channels stop taking input and finish what they took, the outbox
    runner and the jobs are cancelled (rows being sent come back when their lease ends), and
    the channels are closed. A channel's error (a refused token) is raised after that."""

    def __init__(
        self,
        engine: Engine,
        apps: Sequence[ChannelApp],
        *,
        outbox_poll: float = 1.0,
        jobs: tuple[Job, ...] | None = None,
    ) -> None:
        self.engine = engine
        self.apps = list(apps)
        desks = [app.desk for app in self.apps if app.desk is not None]
        if len(desks) > 1:
            raise ValueError("one staff desk per process: its rows are one ordered group")
        self.outbox = OutboxRunner(
            engine.db,
            engine.clock,
            channels=[app.channel for app in self.apps],
            desk=desks[0] if desks else None,
            poll=outbox_poll,
        )
        for app in self.apps:
            app.set_outbox_wake(self.outbox.wake)
        self.jobs = all_jobs(engine.surface) if jobs is None else jobs
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self, *, handle_signals: bool = True) -> None:
        loop = asyncio.get_running_loop()
        if handle_signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, self.stop)
        serving = [asyncio.ensure_future(app.serve()) for app in self.apps]
        background: list[asyncio.Task[Any]] = []
        try:
            if await self._until(self._started(), serving):
                background = [
                    asyncio.create_task(self.outbox.run()),
                    asyncio.create_task(
                        run_forever(
                            self.engine.db,
                            self.engine.clock,
                            self._stop,
                            self.jobs,
                            self.engine.resources,
                        )
                    ),
                ]
                for task in background:
                    task.add_done_callback(_log_failure)
                await self._until(self._stop.wait(), serving)
        finally:
            if handle_signals:
                for sig in (signal.SIGINT, signal.SIGTERM):
                    loop.remove_signal_handler(sig)
            for app in self.apps:
                app.stop()
            ended = await asyncio.gather(*serving, return_exceptions=True)
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            for app in self.apps:
                await app.close()
        for error in ended:
            if isinstance(error, BaseException):
                raise error

    async def _started(self) -> None:
        for app in self.apps:
            await app.started.wait()

    async def _until(self, waiting: Awaitable[Any], serving: list[asyncio.Future[None]]) -> bool:
        """Wait for `waiting`, or for a channel to stop serving first (False)."""
        task = asyncio.ensure_future(waiting)
        try:
            await asyncio.wait({task, *serving}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not task.done():
                task.cancel()
        return task.done() and not task.cancelled()


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("background task failed: %r", error)
