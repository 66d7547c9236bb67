"""`orderbot lrp ...`: operators see auto-orders (list, show, what runs on a day), run a day by
hand (idempotent with the job: each (template, period) runs once), pause or cancel one.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime

import policy
from bot.cli.common import run_on_database, settings_for
from flows.lrp.jobs import catalogs
from services import lrp, lrp_runs
from storage.db import Database
from storage.records import LrpTemplate


def register_lrp(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "lrp", help="auto-orders: list, show ID, due DATE, run [--date DATE], pause ID, cancel ID"
    )
    parser.add_argument("action", choices=["list", "show", "due", "run", "pause", "cancel"])
    parser.add_argument("target", nargs="?", help="show/pause/cancel: the template id; due: DATE")
    parser.add_argument("--date", help="run: the local day to run as (YYYY-MM-DD; default today)")
    parser.add_argument("--status", choices=list(lrp.STATUSES), help="list: only these")
    parser.add_argument("--limit", type=int, default=50, help="list/due: how many (default 50)")
    parser.add_argument("--db", help="SQLite file or database URL (default: ORDERBOT_DATABASE_URL)")
    parser.add_argument("--now", help="the clock, ISO 8601 (default: the real time)")
    parser.set_defaults(run=_lrp)


def _lrp(args: argparse.Namespace) -> None:
    if args.action in ("show", "pause", "cancel", "due") and not args.target:
        sys.exit(f"orderbot lrp {args.action}: give the {'DATE' if args.action == 'due' else 'ID'}")
    run_on_database(args, lambda db, now: ACTIONS[args.action](db, args, now))


def _row(template: LrpTemplate) -> str:
    cutoff = lrp.cutoff(template.market, template.next_run)
    until = f"{policy.to_local(template.market, cutoff):%Y-%m-%d %H:%M}" if cutoff else "-"
    flags = " skip" if template.skip_period == template.next_period else ""
    flags += " pending" if template.pending else ""
    return (
        f"#{template.id:<6} {template.market} user {template.user_id:<6} {template.status:<9} "
        f"day {template.day:<2} next {template.next_run} (change until {until}){flags}"
    )


async def _list(db: Database, args: argparse.Namespace, now: datetime) -> int:
    async with db.transaction() as tx:
        found = await tx.lrp.listing(status=args.status, limit=args.limit)
    for template in found:
        print(_row(template))
    if not found:
        print("no auto-orders")
    return 0


async def _show(db: Database, args: argparse.Namespace, now: datetime) -> int:
    async with db.transaction() as tx:
        template = await tx.lrp.get(int(args.target)) if args.target.isdigit() else None
        runs = await tx.lrp.runs(template.id) if template else []
    if template is None:
        print(f"no auto-order {args.target}", file=sys.stderr)
        return 1
    print(_row(template))
    for line in template.lines:
        print(f"  {line.sku:<10} {line.name:<28} x{line.quantity}")
    print(f"  deliver to {template.address}, {template.phone}")
    if template.pending:
        print(f"  pending: {template.pending}")
    for run in runs:
        order = f" order id {run.order_id}" if run.order_id else ""
        print(f"  run {run.period} on {run.run_on}: {run.outcome}{order}")
    return 0


async def _due(db: Database, args: argparse.Namespace, now: datetime) -> int:
    day = date.fromisoformat(args.target)
    async with db.transaction() as tx:
        found = await tx.lrp.listing(runs_on=day, limit=args.limit)
    for template in found:
        print(_row(template))
    print(
        f"{len(found)} auto-order(s) run on {day}"
        + (" (list cut)" if len(found) == args.limit else "")
    )
    return 0


async def _run(db: Database, args: argparse.Namespace, now: datetime) -> int:
    # Orders are placed now; --date runs the templates due by that local day.
    day = date.fromisoformat(args.date) if args.date else None
    desk = settings_for(args).staff_chat_id is not None  # staff cards only where read
    report = await lrp_runs.run_due(db, now, catalogs(), day=day, staff_desk=desk)
    print(
        f"ordered {report.ordered}, skipped {report.skipped}, missed {report.missed}, "
        f"empty {report.empty}, already made {report.already}"
    )
    return 0


async def _status(db: Database, args: argparse.Namespace, now: datetime) -> int:
    status = lrp.PAUSED if args.action == "pause" else lrp.CANCELLED
    template = (
        await lrp.set_status(db, int(args.target), status, now) if args.target.isdigit() else None
    )
    if template is None:
        print(f"no auto-order {args.target}", file=sys.stderr)
        return 1
    print(f"#{template.id}: {template.status} (customer notified)")
    return 0


ACTIONS = {
    "list": _list,
    "show": _show,
    "due": _due,
    "run": _run,
    "pause": _status,
    "cancel": _status,
}
