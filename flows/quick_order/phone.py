"""The checkout's address and phone steps: the shared delivery questions
(flows/shopping/delivery.py) with the quick order's buttons; a phone number leads to payment."""

from __future__ import annotations

from core.flow import Turn
from core.i18n import N_
from core.types import Outcome, go
from flows.quick_order.actions import SavedAddress, SavedPhone
from flows.quick_order.common import back_to_cart_button
from flows.shopping.delivery import DeliverySteps, phone_noted


async def _phone_given(turn: Turn, phone: str) -> Outcome:
    turn.data["phone"] = phone
    return go("to_payment", phone_noted(turn, phone))


DELIVERY = DeliverySteps(
    SavedAddress,
    SavedPhone,
    back_to_cart_button,
    N_("Where should we deliver? Type the full address: city, street, building and apartment."),
    _phone_given,
)
