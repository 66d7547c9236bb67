"""Moving an account to the Kazakhstan market: a guided, checked, resumable walk-through.

R-KZ-MIG-1..8, R-KZ-SUP-1 (docs/flows/kz_move.md). The walk is one chain of states: the AR
balance check, the letter's five steps with a check of the form details before the form step,
then the checklist for after the move. Progress lives in the customer's `migration_checklists`
row, not in conversation slots, so /move resumes at the first unfinished step after days or a
restart. The bot never asks for a password or a card number; the engine refuses texts holding
one before this flow sees them (R-KZ-MIG-4).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from itertools import pairwise
from typing import Any, ClassVar

import policy
from core.commands import MENU_ACTION
from core.flow import Flow, Turn
from core.i18n import N_
from core.surface import Command, MenuEntry
from core.types import (
    Button,
    Event,
    Kind,
    Outcome,
    Reply,
    finish,
    go,
    invalid,
    quiet,
    rows,
    stale,
    stay,
    switch,
)
from flows.kz_move import texts
from flows.kz_move.texts import PREFIX, action
from storage.records import Checklist

NAME = "kz_move"

# --- the machine, as data -------------------------------------------------------------------

STEPS = texts.config().migration.steps
STEP_STATES: Mapping[str, policy.MigrationStep] = {f"step{step.number}": step for step in STEPS}
# The form details are checked right before the step that has the customer fill in the form.
FORM_STATES = ("form_name", "form_address", "form_phone", "form_card")
FORM_STEP_KEY = "fill_in_form"


def _chain() -> list[str]:
    chain = ["balance"]
    for state, step in STEP_STATES.items():
        if step.key == FORM_STEP_KEY:
            chain.extend(FORM_STATES)
        chain.append(state)
    return [*chain, "after"]


CHAIN = _chain()
STATES = ["intro", *CHAIN, "over_limit"]
TRANSITIONS: list[dict[str, Any]] = [
    # Entering: a fresh start opens the balance check, a return the first unfinished state.
    *({"trigger": f"open_{state}", "source": "intro", "dest": state} for state in CHAIN),
    *({"trigger": "next", "source": a, "dest": b} for a, b in pairwise(CHAIN)),
    {"trigger": "over_limit", "source": "balance", "dest": "over_limit"},
    {"trigger": "retry", "source": "over_limit", "dest": "balance"},
    {"trigger": "restart", "source": "*", "dest": "balance"},
]

HELP: Mapping[str, str] = {
    "intro": N_("Tap Continue to start, or send /menu to go back."),
    "balance": N_(
        "Send the AR balance your Virtual Office shows, in US dollars, e.g. 120.50 or $120."
    ),
    "over_limit": N_(
        "Tap Contact support, or Enter the balance again once it has changed. /menu goes back."
    ),
    "step": N_(
        "When this step is done, tap Done. If something does not work, tap Problem and I will "
        "put you in touch with support."
    ),
    "form_name": N_("Type your full name in Cyrillic, as you will enter it in the form."),
    "form_address": N_("Type your delivery address in Cyrillic, as you will enter it in the form."),
    "form_phone": N_("Send your Kazakhstan phone number, e.g. +7 701 123 45 67."),
    "form_card": N_(
        "Tap the country of the bank that issued your payment card. Never send the card number."
    ),
    "after": N_("Tap an item to see what to do, or Finish to go back to the menu."),
}
FORM_PROMPTS: Mapping[str, str] = {
    "form_name": N_(
        "Before step {number}, let's check what you will type in the form. Every field must be "
        "in Cyrillic. Type your full name as you will enter it (Kazakh letters are welcome)."
    ),
    "form_address": N_(
        "Now type your delivery address as you will enter it in the form, in Cyrillic: city, "
        "street, house, flat."
    ),
    "form_phone": N_(
        "Your phone number for the courier: it must be a working Kazakhstan number, e.g. "
        "+7 701 123 45 67. Send it or share your contact."
    ),
    "form_card": N_(
        "Which country's bank issued the card you will pay with? Tap the country; do not send "
        "the card number (you type it only in the form on the company's site)."
    ),
}
WELCOME_BACK: Mapping[str, str] = {
    "balance": N_("Welcome back! Let's start again with the AR balance check."),
    "step": N_("Welcome back! You stopped at step {number} of {total}; let's continue there."),
    "form": N_("Welcome back! You stopped at the check of your form details before step {number}."),
    "after": N_("Welcome back! Your move is done; here is the checklist for after it."),
}

# --- reading what the customer typed --------------------------------------------------------

_CURRENCY = re.compile(r"us\$|\$|usd|dollars?|долл[а-я]*|달러", re.IGNORECASE)
_AMOUNT = re.compile(r"-?\d+(?:[.,]\d{1,2})?")
_AMOUNT_WITH_THOUSANDS = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?")
# storage keeps Numeric(14, 2); nobody's AR balance comes close.
MAX_BALANCE = Decimal("1000000000")


def parse_usd(text: str) -> Decimal | None:
    """A dollar amount as people type it: 150, 150.00, 150,00, $120, 120 USD, 1,200.50."""
    bare = re.sub(r"\s", "", _CURRENCY.sub("", text))
    if _AMOUNT.fullmatch(bare):
        return Decimal(bare.replace(",", "."))
    if _AMOUNT_WITH_THOUSANDS.fullmatch(bare):
        return Decimal(bare.replace(",", ""))
    return None


def kind_of(state: str) -> str:
    """Step states share texts ("step"), as do the form checks ("form")."""
    if state in STEP_STATES:
        return "step"
    return "form" if state in FORM_STATES else state


def form_step() -> policy.MigrationStep:
    return next(step for step in STEPS if step.key == FORM_STEP_KEY)


# --- progress in the checklist row ----------------------------------------------------------


def resume_point(checklist: Checklist) -> str:
    """The first unfinished state: the balance until it passed, then the first step not done."""
    if not checklist.eligible:
        return "balance"
    done = set(checklist.progress.get("done", ()))
    return next(state for state in CHAIN[1:] if state not in done)


async def save_progress(
    turn: Turn, *, done: str | None = None, ticked: str | None = None, **columns: Any
) -> None:
    """Add a finished state (`done`) or after-move item (`ticked`); `columns`: balance facts."""
    checklist = await turn.tx.checklists.get(turn.user.id)
    progress: dict[str, list[str]] = {"done": [], "after": []}
    if checklist is not None:
        progress.update(checklist.progress)
    for key, item in (("done", done), ("after", ticked)):
        if item is not None and item not in progress[key]:
            progress[key] = [*progress[key], item]
    await turn.tx.checklists.save(turn.user.id, turn.now, progress=progress, **columns)


async def ticked_items(turn: Turn) -> list[str]:
    checklist = await turn.tx.checklists.get(turn.user.id)
    return list(checklist.progress.get("after", ())) if checklist else []


# --- the flow -------------------------------------------------------------------------------

Handler = Callable[[Turn, str], Awaitable[Outcome]]


class KzMove(Flow):
    name = NAME
    states: ClassVar = STATES
    transitions: ClassVar = TRANSITIONS
    initial = "intro"
    free_text_states = frozenset({"form_name", "form_address", "form_card"})
    commands = (Command("move", N_("Move your account to Kazakhstan"), order=30),)
    menu = (MenuEntry(N_("🇰🇿 Move to Kazakhstan"), markets=("KZ",), order=50),)

    def __init__(self) -> None:
        super().__init__()
        # Typed answers per state; any other state takes buttons only.
        self.answers: Mapping[str, Handler] = {
            "balance": self.on_balance,
            "form_name": self.on_cyrillic,
            "form_address": self.on_cyrillic,
            "form_phone": self.on_phone,
            "form_card": self.on_typed_country,
        }
        # Button verbs (kzm:<verb>[:<arg>]) and the states that show them; restart: any state.
        self.buttons: Mapping[str, tuple[Handler, frozenset[str]]] = {
            "go": (self.on_go, frozenset({"intro"})),
            "done": (self.on_done, frozenset(STEP_STATES)),
            "support": (self.on_support, frozenset([*STEP_STATES, *FORM_STATES, "over_limit"])),
            "retry": (self.on_retry, frozenset({"over_limit"})),
            "card": (self.on_card, frozenset({"form_card"})),
            "item": (self.on_item, frozenset({"after"})),
            "tick": (self.on_tick, frozenset({"after"})),
            "list": (self.on_list, frozenset({"after"})),
            "hours": (self.on_hours, frozenset({"after"})),
            "delete_lrp": (self.on_delete_lrp, frozenset({"after"})),
            "finish": (self.on_finish, frozenset({"after"})),
            "restart": (self.on_restart, frozenset(STATES)),
        }

    # -- entering ------------------------------------------------------------------------------
    async def begin(self, turn: Turn, args: str) -> Outcome:
        if turn.market != texts.MARKET:
            return stay()  # the intro explains what this guide is for, and asks to continue
        return await self.open(turn)

    async def open(self, turn: Turn) -> Outcome:
        checklist = await turn.tx.checklists.get(turn.user.id)
        if checklist is None:
            return go("open_balance", Reply(texts.intro_text(turn)))
        state = resume_point(checklist)
        number = STEP_STATES[state].number if state in STEP_STATES else form_step().number
        welcome = turn._(WELCOME_BACK[kind_of(state)]).format(number=number, total=len(STEPS))
        # The checklist after the move has its own "Start over".
        start_over = [] if state == "after" else [Button(turn._("Start over"), action("restart"))]
        return go(f"open_{state}", Reply(welcome, rows(start_over)))

    # -- asking --------------------------------------------------------------------------------
    async def prompt(self, turn: Turn) -> list[Reply]:
        state = turn.conv.state
        if state in STEP_STATES:
            return [self.step_prompt(turn, STEP_STATES[state])]
        if state in FORM_STATES:
            return [self.form_prompt(turn, state)]
        if state == "after":
            return [await self.after_prompt(turn)]
        if state == "over_limit":
            return [self.over_limit_prompt(turn)]
        if state == "balance":
            return [self.balance_prompt(turn)]
        return [self.intro_prompt(turn)]

    def intro_prompt(self, turn: Turn) -> Reply:
        text = turn._(
            "This guide walks you through moving your doTERRA account to the Kazakhstan market, "
            "one step at a time."
        )
        if turn.market != texts.MARKET:
            text += "\n\n" + turn._(
                "You use this assistant for the Korea market. This guide is only for moving an "
                "account to the Kazakhstan market: continue if that is what you want, or go back "
                "to the menu."
            )
        buttons = [Button(turn._("Continue"), action("go")), Button(turn._("Menu"), MENU_ACTION)]
        return Reply(text, rows(buttons))

    def balance_prompt(self, turn: Turn) -> Reply:
        return Reply(
            turn._(
                "First, the condition for the move: the AR balance of your account "
                "must not exceed {limit}. What AR balance does your Virtual Office show, in US "
                "dollars? For example: 120.50"
            ).format(limit=texts.limit_text(turn))
        )

    def over_limit_prompt(self, turn: Turn) -> Reply:
        text = turn._(
            "The move is possible only with an AR balance of at most {limit}. Please contact "
            "support about your balance; once it is within the limit, enter it again here."
        ).format(limit=texts.limit_text(turn))
        buttons = [
            Button(turn._("Contact support"), action("support")),
            Button(turn._("Enter the balance again"), action("retry")),
            Button(turn._("Menu"), MENU_ACTION),
        ]
        support = f"{texts.support_text(turn)} {texts.support_status(turn)}"
        return Reply(f"{text}\n\n{support}", rows(buttons, per_row=1))

    def step_prompt(self, turn: Turn, step: policy.MigrationStep) -> Reply:
        buttons = [
            Button(turn._("✅ Done"), action("done")),
            Button(turn._("⚠️ Problem"), action("support")),
        ]
        return Reply(texts.step_text(turn, step, len(STEPS)), rows(buttons))

    def form_prompt(self, turn: Turn, state: str) -> Reply:
        text = turn._(FORM_PROMPTS[state]).format(number=form_step().number)
        buttons = texts.country_buttons(turn, action("card")) if state == "form_card" else []
        buttons.append(Button(turn._("⚠️ Problem"), action("support")))
        asks = state == "form_phone"
        return Reply(text, rows(buttons), request_contact=asks, language=turn.t.language)

    async def after_prompt(self, turn: Turn) -> Reply:
        ticked = await ticked_items(turn)
        lines = [turn._("After the move (tap an item to see what to do):")]
        buttons = []
        for item in texts.AFTER_ITEMS:
            mark = "✅" if item.key in ticked else "⬜"
            lines.append(f"{mark} {turn._(item.title)}")
            buttons.append(Button(f"{mark} {turn._(item.title)}", action("item", item.key)))
        buttons += [
            Button(turn._("☎️ Support contacts"), action("hours")),
            Button(turn._("Start over"), action("restart")),
            Button(turn._("Finish"), action("finish")),
        ]
        return Reply("\n".join(lines), rows(buttons, per_row=1))

    def help(self, turn: Turn) -> str:
        state = turn.conv.state
        return turn._(HELP[state if state in HELP else kind_of(state)])

    async def cancel(self, turn: Turn) -> list[Reply]:
        return [Reply(turn._("Paused. Your progress is saved: send /move to continue."))]

    # -- answers -------------------------------------------------------------------------------
    async def handle(self, turn: Turn, event: Event) -> Outcome:
        if event.kind is Kind.ACTION:
            return await self.on_button(turn, event.action)
        answer = self.answers.get(turn.conv.state)
        typed = event.kind is Kind.TEXT or (
            event.kind is Kind.CONTACT and turn.conv.state == "form_phone"
        )
        if answer is None or not typed or not event.text.strip():
            return invalid(self.help(turn))
        return await answer(turn, event.text.strip())

    async def on_button(self, turn: Turn, token: str) -> Outcome:
        prefix, _, rest = token.partition(":")
        verb, _, arg = rest.partition(":")
        handler, states = self.buttons.get(verb, (None, frozenset()))
        if prefix != PREFIX or handler is None or turn.conv.state not in states:
            return stale()
        return await handler(turn, arg)

    async def advance(self, turn: Turn, *say: Reply) -> Outcome:
        """The current state is finished: record it, then go to the next one."""
        await save_progress(turn, done=turn.conv.state)
        return go("next", *say)

    async def on_go(self, turn: Turn, arg: str) -> Outcome:
        return await self.open(turn)

    async def on_balance(self, turn: Turn, text: str) -> Outcome:
        amount = parse_usd(text)
        if amount is None or amount >= MAX_BALANCE:
            return invalid(
                turn._("Please send the amount in US dollars as a number, e.g. 120.50 or $120.")
            )
        if amount < 0:
            return invalid(
                turn._(
                    "An AR balance below zero is not something I can judge. Please check the "
                    "amount; if your Virtual Office really shows a negative balance, send "
                    "/support."
                )
            )
        check = policy.migration_check(amount, policy.local_date(texts.MARKET, turn.now))
        facts = {
            "balance": texts.usd(turn, amount),
            "limit": texts.usd(turn, check.limit),
        }
        if not check.eligible:
            await save_progress(turn, ar_balance_usd=amount, eligible=False)
            said = turn._("Your AR balance of {balance} is above the limit of {limit}.")
            return go("over_limit", Reply(said.format(**facts)))
        await save_progress(turn, done="balance", ar_balance_usd=amount, eligible=True)
        said = turn._(
            "Your AR balance of {balance} is within the limit of {limit}: your account can move."
        ).format(**facts)
        return go("next", Reply(f"{said}\n\n{texts.changes_text(turn)}"))

    async def on_retry(self, turn: Turn, arg: str) -> Outcome:
        return go("retry")

    async def on_done(self, turn: Turn, arg: str) -> Outcome:
        if CHAIN[CHAIN.index(turn.conv.state) + 1] == "after":
            return await self.advance(
                turn,
                Reply(turn._("Congratulations on moving to the doTERRA Kazakhstan market! 🎉")),
            )
        return await self.advance(turn)

    async def on_cyrillic(self, turn: Turn, text: str) -> Outcome:
        """R-KZ-MIG-3: the name and the address as they will be typed into the form."""
        issues = policy.validate_cyrillic(text)
        if issues:
            return invalid(texts.cyrillic_problem(turn, issues))
        if not policy.is_cyrillic(text):
            return invalid(turn._("Please type it with Cyrillic letters."))
        # The details are only checked, never kept: the customer types them on the site.
        return await self.advance(turn, Reply(turn._("✅ All in Cyrillic.")))

    async def on_phone(self, turn: Turn, text: str) -> Outcome:
        """R-KZ-MIG-5: a working Kazakhstan number, for the courier."""
        try:
            number = policy.normalize_kz_phone(text)
        except policy.PhoneError as error:
            return invalid(turn._(texts.PHONE_PROBLEMS[error.code]))
        said = turn._("✅ {number} is a Kazakhstan number.").format(number=number)
        return await self.advance(turn, Reply(said))

    async def on_typed_country(self, turn: Turn, text: str) -> Outcome:
        code = texts.typed_country(turn, text)
        if code is None:
            return invalid(self.help(turn))
        return await self.on_card(turn, code)

    async def on_card(self, turn: Turn, arg: str) -> Outcome:
        """R-KZ-MIG-6: only the issuer's country is asked, never the card itself."""
        if arg != "other" and not (len(arg) == 2 and arg.isascii() and arg.isalpha()):
            return stale()  # not a button we made: a country is two letters
        code = None if arg == "other" else arg
        if code is None or not policy.card_issuer_accepted(texts.MARKET, code):
            return stay(Reply(texts.card_refused_text(turn, code)))
        said = turn._(
            "✅ A card from a bank of {country} is accepted. Your details are ready for the form."
        ).format(country=texts.country_name(turn, code))
        return await self.advance(turn, Reply(said))

    async def on_support(self, turn: Turn, arg: str) -> Outcome:
        """A support thread that says where the customer is stuck (ticket flow/step)."""
        if turn.conv.state == "over_limit":
            said = turn._("My AR balance is above the limit for moving to the Kazakhstan market.")
        else:
            said = turn._("I have a problem moving my account to the Kazakhstan market.")
        saved = turn._("Your progress is saved: send /move to continue where you stopped.")
        note = Reply(f"{saved}\n\n{texts.support_text(turn)}")
        return switch("support", f"{NAME}:{turn.conv.state} {said}", note)

    async def on_item(self, turn: Turn, key: str) -> Outcome:
        item = texts.AFTER_BY_KEY.get(key)
        if item is None:
            return stale()
        return quiet(texts.after_item_reply(turn, item, action("tick"), action("list")))

    async def on_tick(self, turn: Turn, key: str) -> Outcome:
        if key not in texts.AFTER_BY_KEY:
            return stale()
        await save_progress(turn, ticked=key)
        return stay()

    async def on_list(self, turn: Turn, arg: str) -> Outcome:
        return stay()

    async def on_hours(self, turn: Turn, arg: str) -> Outcome:
        text = f"{texts.support_text(turn)} {texts.support_status(turn)}"
        back = Button(turn._("Back to the checklist"), action("list"))
        return quiet(Reply(text, rows([back])))

    async def on_delete_lrp(self, turn: Turn, arg: str) -> Outcome:
        said = turn._("Please delete my LRP templates of other markets.")
        return switch("support", f"{NAME}:after {said}")

    async def on_finish(self, turn: Turn, arg: str) -> Outcome:
        return finish(
            Reply(turn._("Good luck with doTERRA Kazakhstan! Send /move to see this list again."))
        )

    async def on_restart(self, turn: Turn, arg: str) -> Outcome:
        await turn.tx.checklists.delete(turn.user.id)
        return go("restart", Reply(turn._("Your checklist is cleared. Let's start over.")))
