"""Per-chat order for incoming updates, chats in parallel, no unbounded table."""

from __future__ import annotations

import asyncio

from bot.channels.serial import ChatQueues


async def test_one_chat_in_order_chats_concurrently_table_empties() -> None:
    queues = ChatQueues()
    log: list[str] = []
    gate = asyncio.Event()

    def job(chat: str, n: int, wait: bool = False):
        async def run() -> None:
            if wait:
                await gate.wait()
            log.append(f"{chat}{n}")

        return run

    await queues.submit("a", job("a", 1, wait=True))  # a1 blocks chat a only
    await queues.submit("a", job("a", 2))
    await queues.submit("b", job("b", 1))
    await asyncio.sleep(0.01)
    assert log == ["b1"] and len(queues) == 1
    gate.set()
    assert await queues.join(1)
    assert log == ["b1", "a1", "a2"]
    assert len(queues) == 0 and queues.pending == 0


async def test_a_failing_job_does_not_stop_the_chat() -> None:
    queues = ChatQueues()
    done: list[int] = []

    async def boom() -> None:
        raise RuntimeError("bad update")

    async def fine() -> None:
        done.append(1)

    await queues.submit(1, boom)
    await queues.submit(1, fine)
    assert await queues.join(1)
    assert done == [1]


async def test_submit_waits_when_too_much_is_pending() -> None:
    queues = ChatQueues(max_pending=2)
    gate = asyncio.Event()

    async def slow() -> None:
        await gate.wait()

    await queues.submit(1, slow)
    await queues.submit(2, slow)
    third = asyncio.create_task(queues.submit(3, slow))
    await asyncio.sleep(0.01)
    assert not third.done()
    gate.set()
    await asyncio.wait_for(third, 1)
    assert await queues.join(1)
