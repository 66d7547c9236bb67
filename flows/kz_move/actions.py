"""The move guide's buttons: one family per kind of tap, every token under `kzm:`.

The tokens are those of earlier versions (`kzm:<verb>[:<arg>]`), so buttons left in a chat
keep working.
"""

from __future__ import annotations

from typing import Annotated

from core.actions import Action, Pattern

OTHER_COUNTRY = "other"


class Go(Action, prefix="kzm:go"):
    """Start the guide (the intro's Continue)."""


class Done(Action, prefix="kzm:done"):
    """This step of the letter is done."""


class AskSupport(Action, prefix="kzm:support"):
    """A problem at this step: a support thread naming it."""


class Retry(Action, prefix="kzm:retry"):
    """Enter the AR balance again."""


class Card(Action, prefix="kzm:card"):
    """The country of the bank that issued the customer's card (ISO code), or OTHER_COUNTRY."""

    country: Annotated[str, Pattern(r"[A-Z]{2}|" + OTHER_COUNTRY)]


class Item(Action, prefix="kzm:item"):
    """Show one item of the checklist after the move."""

    key: str


class Tick(Action, prefix="kzm:tick"):
    """Mark one item of the checklist after the move as done."""

    key: str


class ShowList(Action, prefix="kzm:list"):
    """Back to the checklist after the move."""


class Hours(Action, prefix="kzm:hours"):
    """Support's contacts and hours."""


class DeleteLrp(Action, prefix="kzm:delete_lrp"):
    """Ask support to delete LRP templates of other markets."""


class Finish(Action, prefix="kzm:finish"):
    """Leave the checklist for the menu."""


class Restart(Action, prefix="kzm:restart"):
    """Start over (any state): asks first, as it clears the checklist."""


class ConfirmRestart(Action, prefix="kzm:restart_yes"):
    """Yes, clear the checklist and start over."""


class KeepProgress(Action, prefix="kzm:restart_no"):
    """No, keep the progress: the current step again."""
