"""The main menu: a quick menu like the Korea KakaoTalk channel's (R-KR-ORD-7)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import ClassVar

from core.actions import Action, MenuChoice
from core.flow import RETURNING, Flow, Turn
from core.i18n import N_, language_buttons
from core.surface import GlobalAction, MenuEntry, MenuItem
from core.types import Event, Kind, Outcome, Reply, invalid, quiet, rows, stale, stay, switch
from flows.shopping.views import status_label
from services import orders


def items_for(turn: Turn) -> list[MenuItem]:
    return turn.surface.menu(turn.market)


class Menu(Flow):
    name = "menu"
    states: ClassVar = ["main"]
    transitions: ClassVar = []
    initial = "main"
    menu = (MenuEntry(N_("🌐 Language"), "lang", order=70),)

    def global_actions(self) -> Mapping[type[Action], GlobalAction]:
        return {MenuChoice: self.open_entry}

    async def open_entry(self, turn: Turn) -> Outcome:
        """A menu button, from this menu or an old one. Only the menu's own entries: a forged
        "menu:support:<text>" must not carry words into a ticket the customer never typed."""
        token = turn.event.action
        choice = MenuChoice.parse(token)
        if choice is None or token not in turn.surface.menu_actions:
            return stale()
        return switch(choice.flow, choice.args)

    async def prompt(self, turn: Turn) -> list[Reply]:
        buttons = [item.choice.button(turn._(item.label)) for item in items_for(turn)]
        return [Reply(turn._("What would you like to do?"), rows(buttons))]

    async def begin(self, turn: Turn, args: str) -> Outcome:
        if args == "lang":
            picker = Reply(turn._("Choose your language:"), language_buttons(turn.user.language))
            return quiet(picker)
        if args.startswith(RETURNING):
            return stay(Reply(await _welcome_back(turn, args.removeprefix(RETURNING))))
        return Outcome()

    async def handle(self, turn: Turn, event: Event) -> Outcome:
        # Menu buttons ("menu:...") are global actions, handled before any flow sees them.
        if event.kind is Kind.ACTION:
            return stale()
        typed = event.text.strip().lower()
        for item in items_for(turn):
            label = turn._(item.label).lower()
            if typed and (typed in label.split(maxsplit=1)[-1] or label.endswith(typed)):
                return switch(item.flow, item.entry.args)
        return invalid(turn._("Please choose one of the options below."))

    def help(self, turn: Turn) -> str:
        return turn._("Tap an option below, or type a command such as /order or /support.")


async def _welcome_back(turn: Turn, seen: str) -> str:
    """A greeting for a customer back after a pause, with what is new since their previous
    message (`seen`, ISO): the orders whose status changed."""
    lines = [turn._("Welcome back!")]
    try:
        since = datetime.fromisoformat(seen)
    except ValueError:  # never from the engine; a forged entry says no more than hello
        return lines[0]
    changed = await orders.changed_since(turn.tx, turn.user.id, since)
    if changed:
        lines.append(turn._("What is new since your last visit:"))
        lines += [f"📦 {order.number}: {status_label(turn, order.status)}" for order in changed]
    return "\n".join(lines)
