"""The checkout's phone step: the number the courier calls, typed or shared as a contact,
kept in the profile and offered again next time (flows/shopping/phone.py says what is wrong
with a number in the customer's words)."""

from __future__ import annotations

from core.flow import Turn
from core.steps import Step
from core.types import Outcome, Reply, go, rows, stale
from flows.quick_order.actions import SavedPhone
from flows.quick_order.common import back_to_cart_button
from flows.shopping.phone import PHONE_HELP, clean_phone, display, saved_phone


# -- the step ---------------------------------------------------------------------------------
async def phone_prompt(turn: Turn) -> list[Reply]:
    if turn.market == "KZ":
        text = turn._(
            "Which phone number should the courier call? A working Kazakhstan number, e.g. "
            "+7 701 123 45 67."
        )
    else:
        text = turn._("Which phone number should the courier call? E.g. 010-1234-5678.")
    buttons = []
    saved = saved_phone(turn)
    if saved:
        label = turn._("📞 Use {phone}").format(phone=display(saved, turn.market))
        buttons.append(SavedPhone().button(label))
    buttons.append(back_to_cart_button(turn))
    return [Reply(text, rows(buttons, per_row=1), request_contact=True, language=turn.t.language)]


async def saved_phone_tapped(turn: Turn, tapped: SavedPhone) -> Outcome:
    saved = saved_phone(turn)
    if not saved:
        return stale()
    turn.data["phone"] = saved
    return go("to_payment", _phone_noted(turn, saved))


async def phone_typed(turn: Turn, phone: str) -> Outcome:
    await turn.tx.users.update(turn.user, phone=phone)
    turn.data["phone"] = phone
    return go("to_payment", _phone_noted(turn, phone))


def _phone_noted(turn: Turn, phone: str) -> Reply:
    """The number as understood. Also, a message without buttons is what takes a transport's
    contact keyboard off the screen (Telegram's stays until one comes)."""
    return Reply(
        turn._("📞 Phone number for the courier: {phone}").format(phone=display(phone, turn.market))
    )


PHONE = Step(
    "phone",
    prompt=phone_prompt,
    contact=True,
    on={SavedPhone: saved_phone_tapped},
    validate=clean_phone,
    answer=phone_typed,
    help=PHONE_HELP,
    free_text=True,
)
