"""Per-chat order for incoming updates: one chat's updates one at a time, chats concurrently.

Updates are submitted in the order they arrive (the polling loop awaits each submission, which
returns at once; a webhook request returns after it). Each chat with work has a FIFO queue and
one task draining it; the task ends and the entry is removed when the queue is empty, so the
table holds busy chats only. `max_pending` bounds the work held in memory: past it, `submit`
waits, which slows the polling loop (or the webhook answer) instead of growing without end.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class ChatQueues:
    def __init__(
        self, *, max_pending: int = 1000, on_idle: Callable[[Hashable], None] | None = None
    ) -> None:
        self.max_pending = max_pending
        self.on_idle = on_idle  # told when a chat's queue ran empty (its lease may go)
        self._queues: dict[Hashable, deque[Job]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending = 0
        self._room = asyncio.Event()
        self._room.set()

    def __len__(self) -> int:
        """Chats with queued or running work."""
        return len(self._queues)

    def busy(self, key: Hashable) -> bool:
        return key in self._queues

    @property
    def pending(self) -> int:
        return self._pending

    async def submit(self, key: Hashable, job: Job) -> None:
        """Queue `job` behind the chat's earlier ones (waits while too much is pending)."""
        await self.room()
        self.put(key, job)

    async def room(self) -> None:
        """Wait while `max_pending` jobs or more are queued."""
        while self._pending >= self.max_pending:
            self._room.clear()
            await self._room.wait()

    def put(self, key: Hashable, job: Job) -> None:
        """Queue `job` behind the chat's earlier ones now, whatever is pending (the caller
        waited for `room` before taking on the work)."""
        self._pending += 1
        queue = self._queues.get(key)
        if queue is not None:
            queue.append(job)
            return
        queue = self._queues[key] = deque([job])
        task = asyncio.create_task(self._drain(key, queue))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain(self, key: Hashable, queue: deque[Job]) -> None:
        try:
            while queue:
                try:
                    await queue[0]()
                except Exception:  # a job handles its own errors; this is the last resort
                    log.exception("update job for chat %s failed", key)
                finally:
                    queue.popleft()
                    self._pending -= 1
                    self._room.set()
        finally:
            if self._queues.get(key) is queue:
                del self._queues[key]
                if self.on_idle is not None:
                    self.on_idle(key)
            self._pending -= len(queue)
            queue.clear()
            self._room.set()

    async def join(self, timeout: float) -> bool:
        """Wait for queued work to finish; False when some was still running at `timeout`."""
        if not self._tasks:
            return True
        _, running = await asyncio.wait(set(self._tasks), timeout=timeout)
        return not running

    async def close(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
