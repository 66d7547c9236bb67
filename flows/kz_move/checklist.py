"""The walk-through's shape and the customer's progress along it: where /move resumes.

The walk is one chain of states: the AR balance check, the letter's steps from kz.toml with
the check of the form details right before the step that has the customer fill in the form,
then the checklist for after the move. Progress lives in the customer's
`migration_checklists` row, not in conversation slots, so /move resumes at the first
unfinished state after days or a restart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import policy
from core.flow import Turn
from core.i18n import N_
from core.types import Outcome, Reply, go, rows
from flows.kz_move import texts
from flows.kz_move.actions import Restart
from storage.records import Checklist

MIGRATION_STEPS = texts.config().migration.steps
STEP_STATES: Mapping[str, policy.MigrationStep] = {
    f"step{step.number}": step for step in MIGRATION_STEPS
}
# The form details are checked right before the step that has the customer fill in the form.
FORM_STATES = ("form_name", "form_address", "form_phone", "form_card")
FORM_STEP_KEY = "fill_in_form"


def _chain() -> list[str]:
    chain = ["balance"]
    for state, step in STEP_STATES.items():
        if step.key == FORM_STEP_KEY:
            chain.extend(FORM_STATES)
        chain.append(state)
    return [*chain, "after"]


CHAIN = _chain()

WELCOME_BACK: Mapping[str, str] = {
    "balance": N_("Welcome back! Let's start again with the AR balance check."),
    "step": N_("Welcome back! You stopped at step {number} of {total}; let's continue there."),
    "form": N_("Welcome back! You stopped at the check of your form details before step {number}."),
    "after": N_("Welcome back! Your move is done; here is the checklist for after it."),
}


def kind_of(state: str) -> str:
    """Step states share texts ("step"), as do the form checks ("form")."""
    if state in STEP_STATES:
        return "step"
    return "form" if state in FORM_STATES else state


def form_step() -> policy.MigrationStep:
    return next(step for step in MIGRATION_STEPS if step.key == FORM_STEP_KEY)


def resume_point(checklist: Checklist) -> str:
    """The first unfinished state: the balance until it passed, then the first step not done."""
    if not checklist.eligible:
        return "balance"
    done = set(checklist.progress.get("done", ()))
    return next(state for state in CHAIN[1:] if state not in done)


async def save_progress(
    turn: Turn, *, done: str | None = None, ticked: str | None = None, **columns: Any
) -> None:
    """Add a finished state (`done`) or after-move item (`ticked`); `columns`: balance facts."""
    checklist = await turn.tx.checklists.get(turn.user.id)
    progress: dict[str, list[str]] = {"done": [], "after": []}
    if checklist is not None:
        progress.update(checklist.progress)
    for key, item in (("done", done), ("after", ticked)):
        if item is not None and item not in progress[key]:
            progress[key] = [*progress[key], item]
    await turn.tx.checklists.save(turn.user.id, turn.now, progress=progress, **columns)


async def ticked_items(turn: Turn) -> list[str]:
    checklist = await turn.tx.checklists.get(turn.user.id)
    return list(checklist.progress.get("after", ())) if checklist else []


async def open_guide(turn: Turn) -> Outcome:
    """A fresh start opens the balance check, a return the first unfinished state."""
    checklist = await turn.tx.checklists.get(turn.user.id)
    if checklist is None:
        return go("open_balance", Reply(texts.intro_text(turn)))
    state = resume_point(checklist)
    number = STEP_STATES[state].number if state in STEP_STATES else form_step().number
    total = len(MIGRATION_STEPS)
    welcome = turn._(WELCOME_BACK[kind_of(state)]).format(number=number, total=total)
    # The checklist after the move has its own "Start over".
    start_over = [] if state == "after" else [Restart().button(turn._("Start over"))]
    return go(f"open_{state}", Reply(welcome, rows(start_over)))


async def advance(turn: Turn, *say: Reply) -> Outcome:
    """The current state is finished: record it, then go to the next one."""
    await save_progress(turn, done=turn.conv.state)
    return go("next", *say)
