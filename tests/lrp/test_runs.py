"""The monthly runs and reminders on SQLite and PostgreSQL: exactly one order and at least one
notice per (template, period) when two runners race, when the process dies between the order
and its notice, and when the job runs three days late; paused and skipped templates make
none; reminders go out once (services/lrp.py, R-KR-LRP-1..4)."""

from __future__ import annotations

import asyncio
import contextvars
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from bot.jobs import run_once
from core.flow import Resources
from flows.lrp import Lrp
from flows.lrp.jobs import catalogs, remind_job, reminder
from services import lrp, lrp_reminders, lrp_runs
from storage.db import Database
from storage.schema import lrp_runs as lrp_runs_table
from tests.conftest import BACKENDS
from tests.lrp.helpers import ADDRESS, FAR_FUTURE, lines, notices, orders_of, templates

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


def kst(text: str) -> datetime:
    return datetime.fromisoformat(text + "+09:00")


async def customer(db: Database, name: str = "alice", language: str = "en") -> int:
    async with db.transaction() as tx:
        user = await tx.users.create("test", name, name, kst("2026-11-01T10:00:00"))
        await tx.users.update(user, language=language, market="KR")
        return user.id


async def template(db: Database, uid: int, day: int, now: datetime, **fields) -> int:
    async with db.transaction() as tx:
        made = await lrp.create(
            tx,
            uid,
            "KR",
            lines(("KR-LAV15", 2), ("KR-LEM15", 1)),
            day,
            ADDRESS,
            "+821012345678",
            now,
            recipient_name="김민지",
        )
        if fields:
            await lrp.change(tx, made, now, **fields)
        return made.id


async def run(db: Database, now: datetime) -> lrp_runs.RunReport:
    return await lrp_runs.run_due(db, now, catalogs())


async def test_a_run_makes_one_normal_order_and_a_notice(db: Database) -> None:
    uid = await customer(db)
    await template(db, uid, 28, kst("2026-12-01T10:00:00"))
    report = await run(db, kst("2026-12-28T00:10:00"))
    assert report.ordered == 1
    [order] = await orders_of(db)
    assert order.number.startswith("KR-2612-") and order.payment_method == "card"
    assert (order.purchase_year, order.purchase_month) == (2026, 12)
    assert order.total == 88000 and order.estimate_from is not None
    assert order.recipient_name == "김민지", "the template's recipient receives the run's order"
    [notice] = await notices(db)
    assert order.number in notice.payload["text"] and "₩88,000" in notice.payload["text"]
    [after] = await templates(db)
    assert after.next_run == date(2027, 1, 28) and after.last_period == "2026-12"
    assert (await run(db, kst("2026-12-28T23:00:00"))).changed == 0


@pytest.mark.parametrize("desk", [True, False])
async def test_the_job_queues_a_staff_card_only_where_a_staff_desk_exists(
    db: Database, desk: bool
) -> None:
    """Without a staff desk (no staff chat configured) nothing would ever take a staff card off
    the outbox: the run's order and the customer's notice are made, no card is queued."""
    uid = await customer(db)
    await template(db, uid, 28, kst("2026-12-01T10:00:00"))
    runs = next(job for job in Lrp.jobs if job.name == "lrp_runs")
    resources = Resources(catalogs=catalogs(), staff_desk=desk)
    assert await run_once(db, kst("2026-12-28T00:10:00"), (runs,), resources) == {"lrp_runs": 1}
    [order] = await orders_of(db)
    [notice] = await notices(db)
    assert order.number in notice.payload["text"]
    async with db.transaction() as tx:
        cards = await tx.outbox.due(FAR_FUTURE, channel="staff")
    assert [card.payload["type"] for card in cards] == (["lrp_order_placed"] if desk else [])


async def test_two_runners_at_once_make_one_order_per_template(
    db: Database, database_url: str
) -> None:
    uid = await customer(db)
    for _ in range(3):
        await template(db, uid, 28, kst("2026-12-01T10:00:00"))
    other = Database(database_url)
    try:
        first, second = await asyncio.gather(
            lrp_runs.run_due(db, kst("2026-12-28T01:00:00"), catalogs(), batch=1),
            lrp_runs.run_due(other, kst("2026-12-28T01:00:00"), catalogs(), batch=1),
        )
    finally:
        await other.dispose()
    assert first.ordered + second.ordered == 3
    assert len(await orders_of(db)) == 3
    assert len(await notices(db)) == 3


@pytest.mark.parametrize("worker", ["this", "another"])
async def test_a_run_gives_way_to_a_chat_turn_waiting_for_sqlite(
    db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch, worker: str
) -> None:
    """A chat turn that finds the write lock held by a run's batch (in its own worker or in
    another one) gets it after the run in progress, not after the whole batch."""
    if not db.is_sqlite:
        pytest.skip("SQLite: one writer at a time")
    uid = await customer(db)
    for _ in range(30):
        await template(db, uid, 28, kst("2026-12-01T10:00:00"))
    chat = db if worker == "this" else Database(database_url)
    runs_before_the_turn: list[int] = []

    async def turn() -> None:
        async with chat.transaction() as tx:
            made = await tx.conn.execute(select(func.count()).select_from(lrp_runs_table))
            runs_before_the_turn.append(made.scalar_one())

    turns: list[asyncio.Task[None]] = []

    def a_customer_writes(_: object) -> None:
        if not turns:  # during the first run; a turn of its own, outside the run's transaction
            turns.append(asyncio.create_task(turn(), context=contextvars.Context()))

    monkeypatch.setattr(lrp_runs, "_after_order", a_customer_writes)
    try:
        report = await lrp_runs.run_due(db, kst("2026-12-28T01:00:00"), catalogs(), batch=30)
        await asyncio.gather(*turns)
    finally:
        if chat is not db:
            await chat.dispose()
    assert report.ordered == 30
    assert runs_before_the_turn[0] < 5  # not 30: the batch ended for the turn


async def test_a_crash_between_the_order_and_its_notice_leaves_neither(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    uid = await customer(db)
    await template(db, uid, 28, kst("2026-12-01T10:00:00"))

    def crash(template) -> None:
        raise SystemExit("the process dies here")

    monkeypatch.setattr(lrp_runs, "_after_order", crash)
    with pytest.raises(SystemExit):
        await run(db, kst("2026-12-28T09:00:00"))
    assert await orders_of(db) == [] and await notices(db) == []
    monkeypatch.setattr(lrp_runs, "_after_order", None)
    assert (await run(db, kst("2026-12-28T09:05:00"))).ordered == 1
    assert len(await orders_of(db)) == 1 and len(await notices(db)) == 1


async def test_a_job_three_days_late_catches_up_once(db: Database) -> None:
    uid = await customer(db)
    await template(db, uid, 28, kst("2026-12-01T10:00:00"))
    assert (await run(db, kst("2026-12-27T23:00:00"))).changed == 0  # the day before: nothing
    report = await run(db, kst("2026-12-31T09:00:00"))  # down from the 28th to the 31st
    assert report.ordered == 1
    assert (await run(db, kst("2026-12-31T09:05:00"))).changed == 0
    assert len(await orders_of(db)) == 1 and len(await notices(db)) == 1


async def test_a_month_of_downtime_records_the_older_run_as_missed(db: Database) -> None:
    uid = await customer(db)
    await template(db, uid, 5, kst("2026-11-10T10:00:00"))  # first run Dec 5
    report = await run(db, kst("2027-01-06T09:00:00"))  # Dec 5 and Jan 5 both passed
    assert (report.missed, report.ordered) == (1, 1)
    assert len(await orders_of(db)) == 1
    assert len(await notices(db)) == 2  # the missed run is told too, never silent


async def test_paused_and_skipped_templates_make_no_order(db: Database) -> None:
    uid = await customer(db)
    now = kst("2026-12-01T10:00:00")
    await template(db, uid, 28, now, status=lrp.PAUSED)
    skipped = await template(db, uid, 28, now)
    async with db.transaction() as tx:
        found = await tx.lrp.get(skipped)
        assert found is not None
        assert await lrp.skip(tx, found, now) == date(2026, 12, 28)
    report = await run(db, kst("2026-12-28T09:00:00"))
    assert (report.ordered, report.skipped) == (0, 1)
    assert await orders_of(db) == []
    async with db.transaction() as tx:
        found = await tx.lrp.get(skipped)
    assert found is not None and found.next_run == date(2027, 1, 28) and found.skip_period is None


async def test_reminders_go_out_once_per_period(db: Database, database_url: str) -> None:
    uid = await customer(db)
    await template(db, uid, 28, kst("2026-12-01T10:00:00"))
    # Run Mon Dec 28 (Dec 25 a holiday): cut-off Tue Dec 22, reminder a business day before.
    assert await remind_job(db, kst("2026-12-20T10:00:00")) == 0
    other = Database(database_url)
    try:
        sent = await asyncio.gather(
            remind_job(db, kst("2026-12-21T10:00:00")),
            lrp_reminders.remind_due(other, kst("2026-12-21T10:00:00"), reminder),
        )
    finally:
        await other.dispose()
    assert sum(sent) == 1
    assert await remind_job(db, kst("2026-12-22T10:00:00")) == 0
    [message] = await notices(db)
    assert "Dec 28" in message.payload["text"] and "Dec 22, 2026 23:59" in message.payload["text"]
    labels = [button["label"] for row in message.payload["buttons"] for button in row]
    assert labels == ["✏️ Change", "⏭ Skip this month", "👍 Keep it"]
