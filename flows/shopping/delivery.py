"""The address and phone questions every ordering flow asks before payment: typed or saved,
kept in the profile and offered again next time. Each flow brings its own button families
(their tokens carry the flow's prefix), its back button, its wording of the address question,
and what follows a phone number (the quick order goes on to payment; the auto-order may be
changing a template instead)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core.actions import Action
from core.flow import Turn
from core.i18n import N_
from core.steps import Step
from core.types import Button, Outcome, Reply, go, rows, stale
from flows.shopping.address import clean_address
from flows.shopping.phone import PHONE_HELP, clean_phone, display, saved_phone

ADDRESS_HELP = N_("Type the delivery address, or tap a button.")


def phone_noted(turn: Turn, phone: str) -> Reply:
    """The number as understood. Also, a message without buttons is what takes a transport's
    contact keyboard off the screen (Telegram's stays until one comes)."""
    return Reply(
        turn._("📞 Phone number for the courier: {phone}").format(phone=display(phone, turn.market))
    )


@dataclass(frozen=True, slots=True)
class DeliverySteps:
    saved_address: type[Action]
    saved_phone: type[Action]
    back: Callable[[Turn], Button]
    address_question: str  # N_() message id
    phone_given: Callable[[Turn, str], Awaitable[Outcome]]

    def steps(self) -> tuple[Step, Step]:
        return (
            Step(
                "address",
                prompt=self.address_prompt,
                on={self.saved_address: self.saved_address_tapped},
                validate=clean_address,
                answer=self.address_typed,
                help=ADDRESS_HELP,
                free_text=True,
            ),
            Step(
                "phone",
                prompt=self.phone_prompt,
                contact=True,
                on={self.saved_phone: self.saved_phone_tapped},
                validate=clean_phone,
                answer=self.phone_typed,
                help=PHONE_HELP,
                free_text=True,
            ),
        )

    async def address_prompt(self, turn: Turn) -> list[Reply]:
        text = turn._(self.address_question)
        buttons = []
        if turn.user.address:
            text += "\n\n" + turn._("Or use your saved address: {address}").format(
                address=turn.user.address
            )
            buttons.append(self.saved_address().button(turn._("📍 Use the saved address")))
        buttons.append(self.back(turn))
        return [Reply(text, rows(buttons, per_row=1))]

    async def saved_address_tapped(self, turn: Turn, tapped: Action) -> Outcome:
        if not turn.user.address:
            return stale()
        turn.data["address"] = turn.user.address
        return go("to_phone")

    async def address_typed(self, turn: Turn, address: str) -> Outcome:
        await turn.tx.users.update(turn.user, address=address)
        turn.data["address"] = address
        return go("to_phone")

    async def phone_prompt(self, turn: Turn) -> list[Reply]:
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
            buttons.append(self.saved_phone().button(label))
        buttons.append(self.back(turn))
        return [
            Reply(text, rows(buttons, per_row=1), request_contact=True, language=turn.t.language)
        ]

    async def saved_phone_tapped(self, turn: Turn, tapped: Action) -> Outcome:
        saved = saved_phone(turn)
        return stale() if not saved else await self.phone_given(turn, saved)

    async def phone_typed(self, turn: Turn, phone: str) -> Outcome:
        await turn.tx.users.update(turn.user, phone=phone)
        return await self.phone_given(turn, phone)
