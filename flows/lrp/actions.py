"""The auto-order's buttons: one family per kind of tap, every token under `lrp:`.

The product picker's buttons are flows/shopping/actions.py's (shared with the quick order).
The reminder's buttons (`lrp:r:...`) arrive later, as taps on a message sent by the reminder
job: the flow takes them from any state (`Lrp.global_actions`).
"""

from __future__ import annotations

from typing import Annotated

from core.actions import Action, Pattern, Range

PERIOD = Pattern(r"[0-9]{4}-[0-9]{2}")

# -- set-up ----------------------------------------------------------------------------------


class Day(Action, prefix="lrp:d"):
    n: Annotated[int, Range(1, 31)]


class ToDay(Action, prefix="lrp:day"):
    pass


class ToAddress(Action, prefix="lrp:address"):
    pass


class SavedAddress(Action, prefix="lrp:addr:saved"):
    pass


class SavedPhone(Action, prefix="lrp:phone:saved"):
    pass


class SavedRecipient(Action, prefix="lrp:rcpt:saved"):
    pass


class CardOk(Action, prefix="lrp:card"):
    """The customer confirms card payment and that orderer and payer are one person."""


class Create(Action, prefix="lrp:create"):
    pass


class FromLastOrder(Action, prefix="lrp:last"):
    """Fill the cart with the last order's products."""


class Rules(Action, prefix="lrp:rules"):
    """The rules page and the change deadline for a run day (the info flow's)."""


class OtherMarket(Action, prefix="lrp:other"):
    """KZ: "I have auto-orders in another market" (a support ticket, R-KZ-MIG-5)."""


# -- managing --------------------------------------------------------------------------------


class ToList(Action, prefix="lrp:list"):
    pass


class NewTemplate(Action, prefix="lrp:new"):
    pass


class Open(Action, prefix="lrp:t"):
    id: int


class ToTemplate(Action, prefix="lrp:back"):
    pass


class ChangeProducts(Action, prefix="lrp:ch:products"):
    pass


class ChangeDay(Action, prefix="lrp:ch:day"):
    pass


class ChangeAddress(Action, prefix="lrp:ch:address"):
    pass


class Skip(Action, prefix="lrp:skip"):
    pass


class Unskip(Action, prefix="lrp:unskip"):
    pass


class Pause(Action, prefix="lrp:pause"):
    pass


class Resume(Action, prefix="lrp:resume"):
    pass


class CancelAsk(Action, prefix="lrp:cancel"):
    pass


class CancelYes(Action, prefix="lrp:cancel:yes"):
    pass


# -- the reminder's buttons, taken from any state --------------------------------------------


class RemindChange(Action, prefix="lrp:r:change"):
    id: int


class RemindSkip(Action, prefix="lrp:r:skip"):
    id: int
    period: Annotated[str, PERIOD]


class RemindKeep(Action, prefix="lrp:r:keep"):
    id: int
