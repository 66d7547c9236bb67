"""The checkout's address, phone and recipient steps: the shared delivery questions
(flows/shopping/delivery.py, flows/shopping/recipient.py) with the quick order's buttons; a
phone number leads to the recipient's name, and the name to payment."""

from __future__ import annotations

from core.flow import Turn
from core.i18n import N_
from core.types import Outcome, go
from flows.quick_order.actions import SavedAddress, SavedPhone, SavedRecipient
from flows.quick_order.common import back_to_cart_button
from flows.shopping.delivery import DeliverySteps, phone_noted
from flows.shopping.recipient import RecipientStep


async def _phone_given(turn: Turn, phone: str) -> Outcome:
    turn.data["phone"] = phone
    return go("to_recipient", phone_noted(turn, phone))


async def _recipient_given(turn: Turn, name: str) -> Outcome:
    turn.data["recipient"] = name
    return go("to_payment")


DELIVERY = DeliverySteps(
    SavedAddress,
    SavedPhone,
    back_to_cart_button,
    N_("Where should we deliver? Type the full address: city, street, building and apartment."),
    _phone_given,
)
RECIPIENT = RecipientStep(SavedRecipient, back_to_cart_button, _recipient_given)
