"""Auto-order templates and their runs. A run is claimed by inserting its (template, period)
row: the unique key, not memory, is what makes each run happen once (services/lrp.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, bindparam, func, insert, or_, select, update

from storage.records import LrpLine, LrpRun, LrpTemplate
from storage.repos._base import Repo, ignoring_duplicates, on
from storage.schema import lrp_runs, lrp_templates

ACTIVE = "active"
# Fields a change may set (services/lrp.py); everything else moves with the runs.
CHANGEABLE = frozenset(
    {
        "status",
        "day",
        "lines",
        "address",
        "phone",
        "next_run",
        "next_period",
        "remind_on",
        "reminded_period",
        "skip_period",
        "last_period",
        "pending",
    }
)
# What a run writes back: every changeable field but the reminder's, which the reminder job
# sets on its own (a run must not undo it). Always all of them: one statement, one plan.
_ADVANCED = tuple(sorted(CHANGEABLE - {"reminded_period"}))
_CLAIM = ignoring_duplicates(lrp_runs, lrp_runs.c.id)
_INSERT = insert(lrp_templates).returning(lrp_templates.c.id)
_BY_ID = select(lrp_templates).where(lrp_templates.c.id == bindparam("id"))
# A run's advance of its template: built once (the run's hot path), every field set.
_ADVANCE = update(lrp_templates).where(
    lrp_templates.c.id == bindparam("where_id"),
    lrp_templates.c.next_run == bindparam("where_next_run"),
)
# The runs' batch query, built once: one built per batch left a compiled plan and a row type
# behind each time, young objects whose collections paused the chat (docs/performance.md).
# Every value comes from the parameters (the status too): a constant would be bound by
# SQLAlchemy on each batch, off the direct bind path (storage/compiled.py).
_DUE = (
    select(lrp_templates)
    .where(
        lrp_templates.c.status == bindparam("active"),
        lrp_templates.c.next_run <= bindparam("day"),
        lrp_templates.c.market == bindparam("market"),
    )
    .order_by(lrp_templates.c.next_run, lrp_templates.c.id)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))  # SQLite writes an OFFSET with any LIMIT: named, not a constant
)
_DUE_UNLOCKED = _DUE.with_for_update(skip_locked=True)
_SET_RUN_ORDER = (
    update(lrp_runs).where(lrp_runs.c.id == bindparam("where_id")).values(order_id=bindparam("oid"))
)


def _lines(raw: Any) -> list[LrpLine]:
    return [LrpLine(str(i["sku"]), str(i["name"]), int(i["quantity"])) for i in raw or []]


def lines_json(lines: list[LrpLine]) -> list[dict[str, Any]]:
    return [{"sku": x.sku, "name": x.name, "quantity": x.quantity} for x in lines]


def _template(row: Row[Any]) -> LrpTemplate:
    return LrpTemplate(
        id=row.id,
        user_id=row.user_id,
        market=row.market,
        currency=row.currency,
        status=row.status,
        day=row.day,
        lines=_lines(row.lines),
        address=row.address,
        phone=row.phone,
        next_run=row.next_run,
        next_period=row.next_period,
        remind_on=row.remind_on,
        reminded_period=row.reminded_period,
        skip_period=row.skip_period,
        last_period=row.last_period,
        pending=row.pending,
        created_at=row.created_at,
        recipient_name=row.recipient_name,
    )


class LrpRepo(Repo):
    async def create(self, template: LrpTemplate, at: datetime) -> LrpTemplate:
        values = {
            "user_id": template.user_id,
            "market": template.market,
            "currency": template.currency,
            "status": template.status,
            "day": template.day,
            "lines": lines_json(template.lines),
            "address": template.address,
            "phone": template.phone,
            "recipient_name": template.recipient_name,
            "next_run": template.next_run,
            "next_period": template.next_period,
            "remind_on": template.remind_on,
            "pending": template.pending,
            "created_at": at,
            "updated_at": at,
        }
        template.id = (await self.conn.execute(_INSERT, values)).scalar_one()
        template.created_at = at
        return template

    async def get(self, template_id: int) -> LrpTemplate | None:
        row = (await self.conn.execute(_BY_ID, {"id": template_id})).first()
        return _template(row) if row else None

    async def of_user(self, user_id: int, market: str | None = None) -> list[LrpTemplate]:
        """A customer's templates, cancelled ones left out, oldest first."""
        stmt = (
            select(lrp_templates)
            .where(lrp_templates.c.user_id == user_id, lrp_templates.c.status != "cancelled")
            .order_by(lrp_templates.c.id)
        )
        if market is not None:
            stmt = stmt.where(lrp_templates.c.market == market)
        return [_template(r) for r in (await self.conn.execute(stmt)).all()]

    async def listing(
        self, *, status: str | None = None, runs_on: date | None = None, limit: int = 50
    ) -> list[LrpTemplate]:
        """Templates for operators: by status, or active ones whose next run is on a day."""
        stmt = select(lrp_templates).order_by(lrp_templates.c.id).limit(limit)
        if status is not None:
            stmt = stmt.where(lrp_templates.c.status == status)
        if runs_on is not None:
            stmt = stmt.where(lrp_templates.c.status == ACTIVE, lrp_templates.c.next_run == runs_on)
        return [_template(r) for r in (await self.conn.execute(stmt)).all()]

    async def count_due(self, market: str, day: date) -> int:
        stmt = select(func.count()).where(
            lrp_templates.c.status == ACTIVE,
            lrp_templates.c.market == market,
            lrp_templates.c.next_run <= day,
        )
        return int((await self.conn.execute(stmt)).scalar_one())

    async def due(self, market: str, day: date, limit: int) -> list[LrpTemplate]:
        """Active templates of a market whose run is on or before `day` (the day's runs and
        any missed during downtime). On PostgreSQL rows another runner holds are skipped."""
        stmt = _DUE_UNLOCKED if self.conn.dialect.name == "postgresql" else _DUE
        values = {"day": day, "market": market, "limit": limit, "offset": 0, "active": ACTIVE}
        return [_template(r) for r in (await self.conn.execute(stmt, values)).all()]

    async def reminders_due(self, market: str, day: date, limit: int) -> list[LrpTemplate]:
        """Active templates whose reminder day has come and whose next run was not reminded."""
        stmt = (
            select(lrp_templates)
            .where(
                lrp_templates.c.status == ACTIVE,
                lrp_templates.c.remind_on <= day,
                lrp_templates.c.market == market,
                or_(
                    lrp_templates.c.reminded_period.is_(None),
                    lrp_templates.c.reminded_period != lrp_templates.c.next_period,
                ),
            )
            .order_by(lrp_templates.c.remind_on, lrp_templates.c.id)
            .limit(limit)
        )
        if self.conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        return [_template(r) for r in (await self.conn.execute(stmt)).all()]

    async def mark_reminded(self, template_id: int, period: str, at: datetime) -> bool:
        """Note that the reminder of `period` goes out; False when it went out before."""
        stmt = (
            update(lrp_templates)
            .where(
                lrp_templates.c.id == template_id,
                lrp_templates.c.next_period == period,
                or_(
                    lrp_templates.c.reminded_period.is_(None),
                    lrp_templates.c.reminded_period != period,
                ),
            )
            .values(reminded_period=period, updated_at=at)
        )
        return (await self.conn.execute(stmt)).rowcount == 1

    async def update(
        self,
        template_id: int,
        at: datetime,
        *,
        expected_next_run: date | None = None,
        **values: Any,
    ) -> bool:
        """Set fields of a template; with `expected_next_run`, only while its next run is
        still that day (a runner that advanced it first wins). False when nothing changed."""
        unknown = values.keys() - CHANGEABLE
        if unknown:
            raise ValueError(f"cannot set {sorted(unknown)}")
        if "lines" in values:
            values["lines"] = lines_json(values["lines"])
        stmt = update(lrp_templates).where(lrp_templates.c.id == template_id)
        if expected_next_run is not None:
            stmt = stmt.where(lrp_templates.c.next_run == expected_next_run)
        result = await self.conn.execute(stmt.values(**values, updated_at=at))
        return result.rowcount == 1

    async def advance(self, template: LrpTemplate, at: datetime, **values: Any) -> bool:
        """After a run: the template's fields with `values` applied, written only while its
        next run is still the one that ran (a runner that advanced it first wins)."""
        merged = {key: values.get(key, getattr(template, key)) for key in _ADVANCED}
        merged["lines"] = lines_json(merged["lines"])
        params = {
            **merged,
            "updated_at": at,
            "where_id": template.id,
            "where_next_run": template.next_run,
        }
        return (await self.conn.execute(_ADVANCE, params)).rowcount == 1

    async def claim_run(
        self, template_id: int, period: str, run_on: date, outcome: str, at: datetime
    ) -> int | None:
        """Record the run of (template, period); None when it exists (another runner, or an
        earlier pass, made it)."""
        values = {
            "template_id": template_id,
            "period": period,
            "run_on": run_on,
            "outcome": outcome,
            "created_at": at,
        }
        return (await self.conn.execute(on(self.conn, _CLAIM), values)).scalar_one_or_none()

    async def set_run_order(self, run_id: int, order_id: int) -> None:
        await self.conn.execute(_SET_RUN_ORDER, {"where_id": run_id, "oid": order_id})

    async def runs(self, template_id: int, limit: int = 12) -> list[LrpRun]:
        stmt = (
            select(lrp_runs)
            .where(lrp_runs.c.template_id == template_id)
            .order_by(lrp_runs.c.period.desc())
            .limit(limit)
        )
        return [
            LrpRun(r.template_id, r.period, r.run_on, r.outcome, r.order_id, r.created_at)
            for r in (await self.conn.execute(stmt)).all()
        ]

    async def count_runs(self, outcome: str | None = None) -> int:
        stmt = select(func.count()).select_from(lrp_runs)
        if outcome is not None:
            stmt = stmt.where(lrp_runs.c.outcome == outcome)
        return int((await self.conn.execute(stmt)).scalar_one())
