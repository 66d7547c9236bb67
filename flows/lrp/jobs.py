"""The auto-order's jobs: the monthly runs and the reminders (services/lrp_runs.py and
services/lrp_reminders.py do the work).

Both are safe on several workers at once and after downtime: a run is claimed by its
(template, period) row, a reminder by a guarded update of the template.
"""

from __future__ import annotations

import functools
import os
from datetime import datetime
from pathlib import Path

from core.flow import Resources
from core.i18n import Translator
from flows.lrp import texts
from flows.lrp.actions import RemindChange, RemindKeep, RemindSkip
from flows.shopping.catalog import Catalog, load_catalogs
from services import lrp_reminders, lrp_runs
from storage.db import Database
from storage.records import LrpTemplate


@functools.cache
def catalogs() -> dict[str, Catalog]:
    """The catalogues `orderbot lrp run` prices from: those the bot sells from
    (ORDERBOT_CATALOG_DIR). The job is given the process's own (`Resources`)."""
    folder = os.environ.get("ORDERBOT_CATALOG_DIR")
    return load_catalogs(Path(folder) if folder else None)


async def run_job(db: Database, now: datetime, resources: Resources) -> int:
    """The runs, priced from the catalogues the process sells from; a staff card for each
    order only where the process has a staff desk (none: nobody would take it)."""
    report = await lrp_runs.run_due(db, now, resources.catalogs, staff_desk=resources.staff_desk)
    return report.changed


def reminder(
    t: Translator, template: LrpTemplate, cutoff: datetime | None
) -> tuple[str, list[list[dict[str, str]]]]:
    """The reminder before a run: its date, until when it can change, three buttons."""
    run = t.day(template.next_run)
    if cutoff is None:
        text = t._(
            "Reminder: your auto-order #{id} runs on {run}. To change or skip it, tell us before "
            "the run day."
        ).format(id=template.id, run=run)
    else:
        text = t._(
            "Reminder: your auto-order #{id} runs on {run}. You can change or skip it until "
            "{cutoff}."
        ).format(id=template.id, run=run, cutoff=texts.zone_moment(t, template.market, cutoff))
    buttons = [
        RemindChange(template.id).button(t._("✏️ Change")),
        RemindSkip(template.id, template.next_period).button(t._("⏭ Skip this month")),
        RemindKeep(template.id).button(t._("👍 Keep it")),
    ]
    return text, [[{"label": b.label, "action": b.action} for b in buttons]]


async def remind_job(db: Database, now: datetime, _: Resources | None = None) -> int:
    return await lrp_reminders.remind_due(db, now, reminder)
