"""What works in every state: slash commands, global buttons, questions, secrets, failures.

Each handler answers and then asks the current step again, so an interruption never loses
what the user has entered so far.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

import policy
from core.actions import OpenSupport, ToMenu, parse
from core.flow import HOME_FLOW, HUMAN_FLOW, ONBOARDING_FLOW, Flow, Turn
from core.i18n import N_, Language, language_buttons
from core.surface import Command, Surface
from core.types import Outcome, Reply, quiet, rows, stay

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
                command=policy.mask_secrets(turn.event.command)[:32]
            )
        )
    )


def answer_question(turn: Turn, surface: Surface, *, asked: bool = True) -> Outcome | None:
    """A question asked mid-flow ("how much is shipping?"), answered by the flow declaring
    its topic; `asked` False: only by the topics that count even there (core/surface.py)."""
    answer = surface.answer(turn, turn.event.text, asked=asked)
    if answer is None or isinstance(answer, Outcome):
        return answer
    return stay(Reply(answer))


async def action(turn: Turn, flow: Flow, surface: Surface) -> Outcome | None:
    """Buttons that mean the same in every state; None for the current flow's own (and for
    a global family the current step answers itself: the /lang picker during onboarding)."""
    tapped = parse(turn.event.action)
    if tapped is not None and flow.takes(turn, tapped):
        return None
    match tapped:
        case None:
            # No family of ours packs this (an old build's button, forged data): stale
            # whatever the step, before any flow sees it.
            return Outcome(stale=True)
        case Language(code=code):
            await turn.tx.users.update(turn.user, language=code)
            turn.set_language(code)
            return stay(Reply(turn._("Language set to English.")))
        case ToMenu():
            return Outcome(switch_to=HOME_FLOW)
        case OpenSupport():
            return Outcome(switch_to=HUMAN_FLOW, switch_args=turn.conv.flow + ":" + turn.conv.state)
    handler = surface.global_actions.get(type(tapped))
    return await handler(turn) if handler is not None else None


class Conductor(Protocol):
    """What a global command may ask of the engine: start a flow, or carry out an outcome."""

    async def enter(self, turn: Turn, name: str, args: str = "", depth: int = 0) -> list[Reply]: ...

    async def apply(
        self, turn: Turn, flow: Flow, outcome: Outcome, depth: int = 0
    ) -> list[Reply]: ...


Handler = Callable[[Conductor, Turn, Flow], Awaitable[list[Reply]]]


async def cmd_start(engine: Conductor, turn: Turn, flow: Flow) -> list[Reply]:
    return await engine.enter(turn, ONBOARDING_FLOW, turn.event.text)


async def cmd_menu(engine: Conductor, turn: Turn, flow: Flow) -> list[Reply]:
    return await engine.enter(turn, HOME_FLOW)


async def cmd_help(engine: Conductor, turn: Turn, flow: Flow) -> list[Reply]:
    listed = [c for c in turn.surface.commands_for(turn.user.market) if c.listed]
    general = "\n".join(
        [turn._("Commands that work at any step:")]
        + [f"/{command.name}: {turn._(command.description)}" for command in listed]
    )
    return await engine.apply(turn, flow, stay(Reply(flow.help(turn) + "\n\n" + general)))


async def cmd_cancel(engine: Conductor, turn: Turn, flow: Flow) -> list[Reply]:
    if turn.conv.flow == HOME_FLOW:
        return await engine.apply(turn, flow, stay(Reply(turn._("There is nothing to cancel."))))
    said = await flow.cancel(turn)
    return said + await engine.enter(turn, HOME_FLOW)


async def cmd_back(engine: Conductor, turn: Turn, flow: Flow) -> list[Reply]:
    trail: list[str] = turn.conv.slots.get("_trail", [])
    if not trail:
        return await engine.enter(turn, HOME_FLOW)
    turn.conv.state = trail.pop()
    return await engine.apply(turn, flow, stay())


async def cmd_resume(engine: Conductor, turn: Turn, flow: Flow) -> list[Reply]:
    """Ask the current step again: where a transport reconnects (the terminal restarting)."""
    return await engine.apply(turn, flow, stay())


async def cmd_lang(engine: Conductor, turn: Turn, flow: Flow) -> list[Reply]:
    picker = Reply(turn._("Choose your language:"), language_buttons(turn.user.language))
    return await engine.apply(turn, flow, quiet(picker))


async def cmd_support(engine: Conductor, turn: Turn, flow: Flow) -> list[Reply]:
    return await engine.enter(
        turn, HUMAN_FLOW, f"{turn.conv.flow}:{turn.conv.state} {turn.event.text}"
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
# Their lines in Telegram's command menu and /help, in the order shown among the flows'.
GLOBAL_COMMANDS: tuple[Command, ...] = (
    Command("menu", N_("Main menu"), order=10),
    Command("support", N_("Talk to a person"), order=70),
    Command("lang", N_("Change the language"), order=80),
    Command("help", N_("What I can do"), order=85),
    Command("back", N_("Back one step"), order=90),
    Command("cancel", N_("Stop what we are doing"), order=95),
    Command("start", N_("Start over: language and market"), order=99),
    Command("resume", "", listed=False),
)
