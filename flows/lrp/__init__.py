"""The monthly loyalty auto-order (LRP, R-KR-LRP-1..4; KZ: R-KZ-MIG-5): set it up in chat with
the quick order's picker and cart (flows/shopping/picker.py), see and change it in My
auto-orders, and have it run once a month (the jobs in jobs.py, services/lrp_runs.py
and lrp_reminders.py).

The steps are assembled in steps.py (the picker's part in picking.py, the set-up in setup.py,
My auto-orders in manage.py, what they share in common.py), their texts in texts.py, the
buttons in actions.py, the staff card in staff.py. This module declares the machine and the
flow's surface: /lrp, the menu entry, the two jobs, the staff card and the reminder's buttons,
which work from any message.
Decisions and the state diagram: docs/flows/lrp.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import ClassVar

from core.actions import Action, parse
from core.flow import Turn
from core.i18n import N_
from core.steps import StepFlow, Steps
from core.surface import Command, GlobalAction, Job, MenuEntry
from core.types import Event, Kind, Outcome, Reply, finish, go, quiet, stale, switch
from flows.lrp import jobs, manage, picking
from flows.lrp import steps as screens
from flows.lrp.actions import (
    FromLastOrder,
    Open,
    OtherMarket,
    RemindChange,
    RemindKeep,
    RemindSkip,
    Rules,
    ToAddress,
    ToDay,
    ToList,
    ToTemplate,
)
from flows.lrp.common import start_setup
from flows.lrp.staff import run_card
from flows.shopping import common as shopping
from flows.shopping.cart import MAX_QUANTITY
from flows.shopping.common import catalog_of
from services import lrp

PICKING = shopping.STATES
NAVIGATION: dict[type[Action], str] = {
    **shopping.NAVIGATION,
    ToDay: "to_day",
    ToAddress: "to_address",
    ToList: "to_list",
    ToTemplate: "to_template",
}
SETUP = ("day", "address", "phone", "recipient", "payment", "review")
EVERYWHERE = [*PICKING, *SETUP, "created", "list", "template", "confirm_cancel"]


class Lrp(StepFlow):
    name = "lrp"
    steps = Steps(*screens.STEPS)
    states: ClassVar = steps.states
    transitions: ClassVar = [
        *shopping.transitions(
            to_cart_from=(*SETUP, "template"), to_categories_from=("list", "created")
        ),
        {"trigger": "to_day", "source": ["cart", "review", "template"], "dest": "day"},
        {"trigger": "to_address", "source": ["day", "review", "template"], "dest": "address"},
        {"trigger": "to_phone", "source": "address", "dest": "phone"},
        {"trigger": "to_recipient", "source": "phone", "dest": "recipient"},
        {"trigger": "to_payment", "source": "recipient", "dest": "payment"},
        {"trigger": "to_review", "source": "payment", "dest": "review"},
        {"trigger": "create", "source": "review", "dest": "created"},
        {"trigger": "to_list", "source": EVERYWHERE, "dest": "list"},
        {"trigger": "to_template", "source": EVERYWHERE, "dest": "template"},
        {"trigger": "ask_cancel", "source": "template", "dest": "confirm_cancel"},
    ]
    initial = "category"
    free_text_states = steps.free_text
    commands = (Command("lrp", N_("Your monthly auto-order (LRP)"), order=27),)
    menu = (MenuEntry(N_("🔁 Auto-order (LRP)"), order=30),)
    jobs = (
        Job("lrp_runs", timedelta(minutes=5), jobs.run_job),
        Job("lrp_reminders", timedelta(minutes=15), jobs.remind_job),
    )
    staff_cards = MappingProxyType({"lrp_order_placed": run_card})

    async def begin(self, turn: Turn, args: str) -> Outcome:
        """/lrp and the menu: My auto-orders when there are any, else the set-up. The
        reminder's buttons come with "open:<id>", "skip:<id>:<period>"."""
        if catalog_of(turn) is None:
            return finish(Reply(_unavailable_text(turn)))
        verb, _, rest = args.strip().partition(":")
        if verb in ("open", "skip"):
            return await self._from_reminder(turn, verb, rest)
        if verb != "new" and await turn.tx.lrp.of_user(turn.user.id, turn.market):
            return go("to_list")
        start_setup(turn)
        return Outcome()

    async def _from_reminder(self, turn: Turn, verb: str, rest: str) -> Outcome:
        number, _, period = rest.partition(":")
        template = await lrp.owned(turn.tx, turn.user.id, int(number)) if number.isdigit() else None
        if template is None or template.status == lrp.CANCELLED:
            return go("to_list", Reply(turn._("This auto-order is no longer there.")))
        turn.data["tid"] = template.id
        if verb == "open":
            return _to_template(turn)
        if template.status != lrp.ACTIVE or period != template.next_period:
            note = turn._("This reminder is for an earlier run; here is your auto-order now.")
            return _to_template(turn, Reply(note))
        if lrp.locked(template.market, template.next_run, turn.now):
            note = turn._(
                "It is past the change deadline for the run on {run}: it goes ahead."
            ).format(run=turn.t.day(template.next_run))
            return _to_template(turn, Reply(note))
        run = await lrp.skip(turn.tx, template, turn.now)
        return _to_template(turn, Reply(manage.skip_text(turn, template, run)))

    async def prompt(self, turn: Turn) -> list[Reply]:
        if catalog_of(turn) is None:
            return [Reply(_unavailable_text(turn), ((shopping.menu_button(turn),),))]
        return await super().prompt(turn)

    async def handle(self, turn: Turn, event: Event) -> Outcome:
        if catalog_of(turn) is None:
            return finish(Reply(_unavailable_text(turn)))
        state = turn.conv.state
        if event.kind is Kind.ACTION:
            tapped = parse(event.action)
            trigger = NAVIGATION.get(type(tapped))
            if trigger is not None and trigger in self.machine.get_triggers(state):
                return go(trigger)
            if isinstance(tapped, FromLastOrder) and state in PICKING:
                return await picking.from_last_order(turn, tapped)
            if isinstance(tapped, Open):  # an auto-order's button, in an old list too
                return await manage.open_tapped(turn, tapped)
            if isinstance(tapped, Rules):
                return switch("info", "lrp")
            if isinstance(tapped, OtherMarket) and turn.market == "KZ":
                return await picking.other_market(turn, tapped)
        elif event.kind is Kind.TEXT and state not in self.free_text_states:
            button = await self._typed_label(turn, event.text)
            if button is not None:
                return await self.handle(turn, _tap(event, button))
        return await super().handle(turn, event)

    async def _typed_label(self, turn: Turn, text: str) -> str | None:
        """A button's label typed out (without its emoji): that button's action."""
        typed = _bare(text)
        if not typed or turn.conv.state in PICKING:
            return None  # the picker reads typed text as product names
        for reply in await self.prompt(turn):
            for button in reply.options():
                if _bare(button.label) == typed:
                    return button.action
        return None

    def global_actions(self) -> Mapping[type[Action], GlobalAction]:
        return {RemindChange: _remind_change, RemindSkip: _remind_skip, RemindKeep: _remind_keep}

    def help(self, turn: Turn) -> str:
        return super().help(turn).format(max=MAX_QUANTITY)

    async def cancel(self, turn: Turn) -> list[Reply]:
        return [Reply(turn._("Stopped. Nothing was changed that you did not confirm."))]


def _to_template(turn: Turn, *say: Reply) -> Outcome:
    return go("to_template", *say)


def _bare(text: str) -> str:
    """Text without emoji, punctuation or case: what a typed label is compared by."""
    return " ".join("".join(c if c.isalnum() else " " for c in text).split()).casefold()


def _tap(event: Event, action: str) -> Event:
    return Event(event.user, Kind.ACTION, action=action, delivery_id=event.delivery_id)


async def _remind_change(turn: Turn) -> Outcome | None:
    tapped = RemindChange.parse(turn.event.action)
    return switch("lrp", f"open:{tapped.id}") if tapped else stale()


async def _remind_skip(turn: Turn) -> Outcome | None:
    tapped = RemindSkip.parse(turn.event.action)
    return switch("lrp", f"skip:{tapped.id}:{tapped.period}") if tapped else stale()


async def _remind_keep(turn: Turn) -> Outcome | None:
    tapped = RemindKeep.parse(turn.event.action)
    template = await lrp.owned(turn.tx, turn.user.id, tapped.id) if tapped else None
    if template is None or template.status != lrp.ACTIVE:
        return stale()
    text = turn._("Fine: your auto-order runs as planned on {run}.").format(
        run=turn.t.day(template.next_run)
    )
    return quiet(Reply(text))


def _unavailable_text(turn: Turn) -> str:
    return turn._(
        "Auto-orders are not available for your market right now. Please try later or send "
        "/support."
    )


__all__ = ["Lrp"]
