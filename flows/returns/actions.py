"""The return flow's buttons: one family per kind of tap, every token under `rt:`.

The order detail's "Return" button is `core.actions.ReturnOrder` (the quick order shows it, this
flow takes it from any message). Staff's buttons on the desk's card are `StaffMove`: the desk
hands every `rt:` token pressed in the staff chat to this flow's staff action.
"""

from __future__ import annotations

from typing import Annotated, Literal

from core.actions import Action, Range

MAX_LINES = 40

# -- the order and its lines -----------------------------------------------------------------


class PickOrder(Action, prefix="rt:o"):
    id: int


class Elsewhere(Action, prefix="rt:else"):
    """An order made elsewhere (business center, phone, website): typed number and date."""


class Rules(Action, prefix="rt:rules"):
    """The return rules as the info page states them (R-KR-RET-1..4)."""


class Line(Action, prefix="rt:l"):
    """One more of an order line (back to none after all of them)."""

    index: Annotated[int, Range(0, MAX_LINES - 1)]


class AllLines(Action, prefix="rt:all"):
    pass


class LinesDone(Action, prefix="rt:next"):
    pass


# -- who, when, why --------------------------------------------------------------------------


class Who(Action, prefix="rt:w"):
    kind: Literal["member", "consumer"]


class NotLater(Action, prefix="rt:ontime"):
    """The goods arrived by the purchase date (no later delivery to count from)."""


class Why(Action, prefix="rt:r"):
    key: Literal["changed_mind", "damaged", "wrong_item", "other"]


# -- the quote, the request ------------------------------------------------------------------


class Submit(Action, prefix="rt:send"):
    pass


class AskSupport(Action, prefix="rt:support"):
    pass


class NewReturn(Action, prefix="rt:new"):
    pass


class MyReturns(Action, prefix="rt:list"):
    pass


class OpenReturn(Action, prefix="rt:open"):
    id: int


class CancelAsk(Action, prefix="rt:cancel"):
    pass


class CancelYes(Action, prefix="rt:cancel:yes"):
    pass


class CancelNo(Action, prefix="rt:cancel:no"):
    pass


# -- staff -----------------------------------------------------------------------------------

STAFF_PREFIX = "rt"


class StaffMove(Action, prefix="rt:staff"):
    """A staff card's button: approve, reject (asks for the reason), goods received, refunded."""

    id: int
    move: Literal["approve", "reject", "received", "refunded"]
