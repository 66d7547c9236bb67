"""The main menu: a quick menu like the Korea KakaoTalk channel's (R-KR-ORD-7)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from core.actions import MenuEntry
from core.flow import Flow, Turn
from core.i18n import N_, language_buttons
from core.types import Event, Kind, Outcome, Reply, invalid, quiet, rows, stale, switch


@dataclass(frozen=True, slots=True)
class MenuItem:
    label: str  # N_() message id
    flow: str
    args: str = ""
    markets: tuple[str, ...] = ("KR", "KZ")

    @property
    def action(self) -> str:
        return MenuEntry(self.flow, self.args).pack()


MENU: tuple[MenuItem, ...] = (
    MenuItem(N_("🛒 Order"), "quick_order"),
    MenuItem(N_("📦 My orders"), "quick_order", "orders"),
    MenuItem(N_("🔁 Auto-order (LRP)"), "info", "lrp"),
    MenuItem(N_("↩️ Return"), "info", "returns"),
    MenuItem(N_("🇰🇿 Move to Kazakhstan"), "kz_move", markets=("KZ",)),
    MenuItem(N_("💬 Support"), "support"),
    MenuItem(N_("🌐 Language"), "menu", "lang"),
)
MENU_ACTIONS = frozenset(item.action for item in MENU)


def items_for(turn: Turn) -> list[MenuItem]:
    return [item for item in MENU if turn.market in item.markets]


class Menu(Flow):
    name = "menu"
    states: ClassVar = ["main"]
    transitions: ClassVar = []
    initial = "main"

    async def prompt(self, turn: Turn) -> list[Reply]:
        buttons = [MenuEntry(i.flow, i.args).button(turn._(i.label)) for i in items_for(turn)]
        return [Reply(turn._("What would you like to do?"), rows(buttons))]

    async def begin(self, turn: Turn, args: str) -> Outcome:
        if args == "lang":
            picker = Reply(turn._("Choose your language:"), language_buttons(turn.user.language))
            return quiet(picker)
        return Outcome()

    async def handle(self, turn: Turn, event: Event) -> Outcome:
        # Menu buttons ("menu:...") are global actions, handled before any flow sees them.
        if event.kind is Kind.ACTION:
            return stale()
        typed = event.text.strip().lower()
        for item in items_for(turn):
            label = turn._(item.label).lower()
            if typed and (typed in label.split(maxsplit=1)[-1] or label.endswith(typed)):
                return switch(item.flow, item.args)
        return invalid(turn._("Please choose one of the options below."))

    def help(self, turn: Turn) -> str:
        return turn._("Tap an option below, or type a command such as /order or /support.")
