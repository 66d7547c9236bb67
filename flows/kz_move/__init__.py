"""Moving an account to the Kazakhstan market: a guided, checked, resumable walk-through.

R-KZ-MIG-1..8, R-KZ-SUP-1 (docs/flows/kz_move.md). The walk is one chain of states: the AR
balance check, the letter's five steps with a check of the form details before the form step,
then the checklist for after the move (checklist.py: the chain, and the progress kept in the
customer's `migration_checklists` row, so /move resumes where they stopped). What each state
shows and accepts is in steps.py, how typed answers are read in checks.py, the buttons in
actions.py, the texts in texts.py. The bot
never asks for a password or a card number; the engine refuses texts holding one before this
flow sees them (R-KZ-MIG-4).
"""

from __future__ import annotations

from typing import Any, ClassVar

from core.flow import Turn
from core.i18n import N_
from core.steps import StepFlow, linear
from core.surface import Command, MenuEntry
from core.types import Outcome, Reply, stay
from flows.kz_move import texts
from flows.kz_move.checklist import CHAIN, open_guide
from flows.kz_move.checks import parse_usd
from flows.kz_move.steps import NAME, STEPS

__all__ = ["CHAIN", "STATES", "TRANSITIONS", "KzMove", "parse_usd"]

# --- the machine, as data -------------------------------------------------------------------

STATES = ["intro", *CHAIN, "over_limit"]
TRANSITIONS: list[dict[str, Any]] = [
    # Entering: a fresh start opens the balance check, a return the first unfinished state.
    *({"trigger": f"open_{state}", "source": "intro", "dest": state} for state in CHAIN),
    *linear(CHAIN, "next"),
    {"trigger": "over_limit", "source": "balance", "dest": "over_limit"},
    {"trigger": "retry", "source": "over_limit", "dest": "balance"},
    {"trigger": "restart", "source": "*", "dest": "balance"},
]


class KzMove(StepFlow):
    name = NAME
    steps = STEPS
    states: ClassVar = STATES
    transitions: ClassVar = TRANSITIONS
    initial = "intro"
    free_text_states = STEPS.free_text
    commands = (Command("move", N_("Move your account to Kazakhstan"), order=30),)
    menu = (MenuEntry(N_("🇰🇿 Move to Kazakhstan"), markets=("KZ",), order=50),)

    async def begin(self, turn: Turn, args: str) -> Outcome:
        if turn.market != texts.MARKET:
            return stay()  # the intro explains what this guide is for, and asks to continue
        return await open_guide(turn)

    async def cancel(self, turn: Turn) -> list[Reply]:
        return [Reply(turn._("Paused. Your progress is saved: send /move to continue."))]
