"""Scheduled jobs: each runs when due, failures are contained, stop is prompt."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.jobs import run_forever, run_once
from core.flow import Resources
from core.surface import Job
from services.housekeeping import prune_inbox, prune_outbox
from storage.db import Database
from tests.flaky import fast_retries, refuse_connections


async def test_prune_forgets_only_old_delivery_ids(db: Database, clock) -> None:
    async with db.transaction() as tx:
        await tx.inbox.record("old", clock.now - timedelta(days=8))
        await tx.inbox.record("new", clock.now - timedelta(days=1))
    assert await prune_inbox(db, clock.now) == 1
    async with db.transaction() as tx:
        assert not await tx.inbox.record("new", clock.now)
        assert await tx.inbox.record("old", clock.now)


async def test_a_failing_job_does_not_stop_the_others(db: Database, clock) -> None:
    async def broken(db, now, resources):
        raise RuntimeError("boom")

    async def fine(db, now, resources):
        return 3

    jobs = (Job("broken", timedelta(minutes=1), broken), Job("fine", timedelta(minutes=1), fine))
    assert await run_once(db, clock.now, jobs, Resources()) == {"broken": -1, "fine": 3}


async def test_run_forever_runs_due_jobs_and_stops(db: Database, clock) -> None:
    runs: list[object] = []

    async def record(db, now, resources):
        runs.append(now)
        return 0

    stop = asyncio.Event()
    jobs = (Job("record", timedelta(minutes=1), record),)
    task = asyncio.create_task(run_forever(db, clock, stop, jobs, Resources(), tick=0.01))
    await asyncio.sleep(0.05)
    assert len(runs) == 1  # not due again until the clock moves a minute
    clock.advance(minutes=1)
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 1)
    assert len(runs) == 2


def test_jobs_command_runs_each_job_once(tmp_path, capsys) -> None:
    from bot.cli import main

    main(["jobs", "--db", str(tmp_path / "j.db"), "--now", "2026-12-08T10:00"])
    out = capsys.readouterr().out
    assert "expire_unpaid_orders: 0" in out
    assert "prune_inbox: 0" in out
    assert "prune_outbox: 0" in out


async def test_pruning_works_in_batches_and_keeps_unsent_messages(
    db: Database, clock, monkeypatch
) -> None:
    from services import housekeeping as jobs

    monkeypatch.setattr(jobs, "PRUNE_BATCH", 2)
    old = clock.now - timedelta(days=40)
    async with db.transaction() as tx:
        for n in range(5):
            await tx.inbox.record(f"old-{n}", old)
            await tx.outbox.add("staff", {"n": n}, old)
        for message in await tx.outbox.due(clock.now, 3):
            await tx.outbox.mark_sent(message.id, old)
    assert await jobs.prune_inbox(db, clock.now) == 5
    assert await jobs.prune_outbox(db, clock.now) == 3
    async with db.transaction() as tx:
        assert len(await tx.outbox.due(clock.now)) == 2  # the unsent ones are kept


async def test_a_job_waits_out_a_lost_database_connection(db: Database, clock, monkeypatch) -> None:
    fast_retries(db)
    async with db.transaction() as tx:
        await tx.inbox.record("old", clock.now - timedelta(days=8))
    refused = refuse_connections(monkeypatch, db, 2)
    jobs = (Job("prune_inbox", timedelta(hours=1), prune_inbox),)
    assert await run_once(db, clock.now, jobs, Resources()) == {"prune_inbox": 1}
    assert refused == [0]


async def test_a_job_the_database_stays_away_from_waits_for_its_next_turn(
    db: Database, clock, monkeypatch, caplog
) -> None:
    fast_retries(db, within=0.01)
    refuse_connections(monkeypatch, db, 10**6)
    jobs = (
        Job("prune_inbox", timedelta(hours=1), prune_inbox),
        Job("prune_outbox", timedelta(hours=6), prune_outbox),
    )
    done = await run_once(db, clock.now, jobs, Resources())
    assert done == {"prune_inbox": -1, "prune_outbox": -1}
    # No traceback per job: the outage is logged once, and the first job that gave up.
    assert "job prune_inbox failed" not in caplog.text
    assert [r.levelname for r in caplog.records] == ["WARNING", "ERROR"]
