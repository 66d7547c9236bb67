"""What works in every state: slash commands, global buttons, questions, secrets, failures.

Each handler answers and then asks the current step again, so an interruption never loses
what the user has entered so far.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import policy
from core.actions import MenuEntry, OpenSupport, ToMenu, parse
from core.flow import Flow, Turn
from core.i18n import Language, language_buttons
from core.types import Outcome, Reply, quiet, rows, stay
from flows import info
from flows.menu import MENU_ACTIONS

if TYPE_CHECKING:
    from core.engine import Engine

FAILS_BEFORE_HUMAN = 3


def holds_secret(text: str) -> bool:
    """R-KZ-MIG-4: a card number or a password typed into the chat."""
    return policy.looks_like_card_number(text) or policy.looks_like_password_disclosure(text)


def secret_refusal(_: Callable[[str], str]) -> str:
    """Why a card number or a password is refused, in the reader's words (`_` translates);
    also said by transports that screen edited messages."""
    return _(
        "Please never send a password or a card number in this chat. I did not save "
        "your message, and I will delete it where the app lets me. Staff will never "
        "ask for them either: you type them only on the company's own site."
    )


def refuse_secret(turn: Turn) -> Outcome:
    """Say why we will not take it. The text never reaches a flow, so it is neither stored nor
    repeated nor relayed to staff."""
    return stay(Reply(secret_refusal(turn._), delete_source=True))


def misunderstood(turn: Turn, flow: Flow, outcome: Outcome) -> Reply:
    """Explain what was expected; from the third miss in a row, offer a human."""
    fails = int(turn.conv.slots.get("_fails", 0)) + 1
    turn.conv.slots["_fails"] = fails
    if outcome.stale:
        text = turn._("This button is no longer valid. Here is where we are now:")
    else:
        text = outcome.invalid or flow.help(turn)
    if fails < FAILS_BEFORE_HUMAN:
        return Reply(text)
    return Reply(
        text + "\n\n" + turn._("We seem to be stuck. Would you like to talk to a person?"),
        rows(
            [
                OpenSupport().button(turn._("Talk to a person")),
                ToMenu().button(turn._("Menu")),
            ]
        ),
    )


def unknown_command(turn: Turn) -> Outcome:
    return stay(
        Reply(
            turn._("I don't know the command /{command}. Send /help to see what I can do.").format(
                command=turn.event.command[:32]
            )
        )
    )


def answer_question(turn: Turn) -> Outcome | None:
    """A question asked mid-flow ("how much is shipping?"), answered from policy."""
    answer = info.answer_text(turn, turn.event.text)
    return stay(Reply(answer)) if answer is not None else None


async def action(engine: Engine, turn: Turn) -> Outcome | None:
    """Buttons that mean the same in every state; None for the current flow's own."""
    token = turn.event.action
    choosing_language = (turn.conv.flow, turn.conv.state) == ("start", "language")
    match parse(token):
        case None:
            # No family of ours packs this (an old build's button, forged data): stale
            # whatever the step, before any flow sees it.
            return Outcome(stale=True)
        case Language(code=code) if not choosing_language:
            await turn.tx.users.update(turn.user, language=code)
            turn.set_language(code)
            return stay(Reply(turn._("Language set to English.")))
        case ToMenu():
            return Outcome(switch_to="menu")
        case OpenSupport():
            return Outcome(switch_to="support", switch_args=turn.conv.flow + ":" + turn.conv.state)
        case MenuEntry(flow=flow, args=args):
            # Only the menu's own entries: a forged "menu:support:<text>" must not carry words
            # into a ticket that the customer never typed.
            if token not in MENU_ACTIONS:
                return Outcome(stale=True)
            if flow not in engine.flows:
                return stay(Reply(turn._("This part of the assistant is not available yet.")))
            return Outcome(switch_to=flow, switch_args=args)
    return None


Handler = Callable[["Engine", Turn, Flow], Awaitable[list[Reply]]]


async def cmd_start(engine: Engine, turn: Turn, flow: Flow) -> list[Reply]:
    return await engine.enter(turn, "start", turn.event.text)


async def cmd_menu(engine: Engine, turn: Turn, flow: Flow) -> list[Reply]:
    return await engine.enter(turn, "menu")


async def cmd_help(engine: Engine, turn: Turn, flow: Flow) -> list[Reply]:
    general = turn._(
        "Commands that work at any step:\n"
        "/menu: the main menu\n/order: order products (e.g. /order lavender 2, lemon)\n"
        "/cart: your cart\n/orders: your orders\n/back: the previous step\n"
        "/cancel: stop what we are doing\n/lang: change the language\n"
        "/support: talk to a person"
    )
    return await engine.apply(turn, flow, stay(Reply(flow.help(turn) + "\n\n" + general)))


async def cmd_cancel(engine: Engine, turn: Turn, flow: Flow) -> list[Reply]:
    if turn.conv.flow == "menu":
        return await engine.apply(turn, flow, stay(Reply(turn._("There is nothing to cancel."))))
    said = await flow.cancel(turn)
    return said + await engine.enter(turn, "menu")


async def cmd_back(engine: Engine, turn: Turn, flow: Flow) -> list[Reply]:
    trail: list[str] = turn.conv.slots.get("_trail", [])
    if not trail:
        return await engine.enter(turn, "menu")
    turn.conv.state = trail.pop()
    return await engine.apply(turn, flow, stay())


async def cmd_resume(engine: Engine, turn: Turn, flow: Flow) -> list[Reply]:
    """Ask the current step again: where a transport reconnects (the terminal restarting)."""
    return await engine.apply(turn, flow, stay())


async def cmd_lang(engine: Engine, turn: Turn, flow: Flow) -> list[Reply]:
    picker = Reply(turn._("Choose your language:"), language_buttons(turn.user.language))
    return await engine.apply(turn, flow, quiet(picker))


async def cmd_support(engine: Engine, turn: Turn, flow: Flow) -> list[Reply]:
    return await engine.enter(
        turn, "support", f"{turn.conv.flow}:{turn.conv.state} {turn.event.text}"
    )


COMMANDS: dict[str, Handler] = {
    "start": cmd_start,
    "menu": cmd_menu,
    "help": cmd_help,
    "cancel": cmd_cancel,
    "back": cmd_back,
    "lang": cmd_lang,
    "support": cmd_support,
    "resume": cmd_resume,
}
