"""Who receives the parcel: the recipient's name, written as the market needs it
(policy.recipient_name_issue: Cyrillic in Kazakhstan, Hangul or Latin in Korea), kept in the
profile and offered again next time. A person's name, not a secret: the engine's card and
password screen still runs before this step sees the text."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import policy
from core.actions import Action
from core.flow import Turn
from core.i18n import N_
from core.steps import Problem, Step
from core.types import Button, Outcome, Reply, rows, stale

RECIPIENT_HELP = N_("Type the full name of the person who receives the parcel, or tap a button.")
QUESTION = {
    "KR": N_("Who receives the parcel? Type their full name in Hangul or Latin letters."),
    "KZ": N_(
        "Who receives the parcel? Type their full name in Cyrillic, as in the documents, e.g. "
        "“Иванова Анна”."
    ),
}
NAME_PROBLEMS = {
    policy.NameIssue.NOT_A_NAME: N_(
        "Please type the recipient's full name only (letters, no digits), e.g. “{example}”."
    ),
    policy.NameIssue.NOT_CYRILLIC: N_(
        "In Kazakhstan the recipient's name is written in Cyrillic, as in the documents: please "
        "type it in Cyrillic, e.g. “{example}”."
    ),
    policy.NameIssue.NOT_HANGUL_OR_LATIN: N_(
        "Please type the recipient's name in Hangul or Latin letters, e.g. “{example}”."
    ),
}
EXAMPLES = {"KR": "김민아", "KZ": "Иванова Анна"}


def clean_recipient(turn: Turn, text: str) -> str | Problem:
    """The name with its spaces tidied, or what is wrong with it for the market."""
    name = " ".join(text.split())
    issue = policy.recipient_name_issue(turn.market, name)
    if issue is None:
        return name
    return Problem(turn._(NAME_PROBLEMS[issue]).format(example=EXAMPLES[turn.market]))


def saved_recipient(turn: Turn) -> str | None:
    """The profile's recipient, if it is written as the current market needs."""
    saved = turn.user.recipient_name
    return saved if saved and policy.recipient_name_issue(turn.market, saved) is None else None


@dataclass(frozen=True, slots=True)
class RecipientStep:
    """The step, with the flow's own saved-name button family, back button, and what follows
    a name."""

    saved: type[Action]
    back: Callable[[Turn], Button]
    given: Callable[[Turn, str], Awaitable[Outcome]]

    def step(self) -> Step:
        return Step(
            "recipient",
            prompt=self.prompt,
            on={self.saved: self.saved_tapped},
            validate=clean_recipient,
            answer=self.typed,
            help=RECIPIENT_HELP,
            free_text=True,
        )

    async def prompt(self, turn: Turn) -> list[Reply]:
        buttons = []
        saved = saved_recipient(turn)
        if saved:
            buttons.append(self.saved().button(turn._("👤 {name}").format(name=saved)))
        buttons.append(self.back(turn))
        return [Reply(turn._(QUESTION[turn.market]), rows(buttons, per_row=1))]

    async def saved_tapped(self, turn: Turn, tapped: Action) -> Outcome:
        saved = saved_recipient(turn)
        return stale() if saved is None else await self.given(turn, saved)

    async def typed(self, turn: Turn, name: str) -> Outcome:
        await turn.tx.users.update(turn.user, recipient_name=name)
        return await self.given(turn, name)
