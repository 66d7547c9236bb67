"""The guide's steps: what each state shows, the buttons it accepts and its typed answers.

The check of the form details is a `Form`: name and address in Cyrillic (R-KZ-MIG-3), a
Kazakhstan phone (R-KZ-MIG-5), the card issuer's country (R-KZ-MIG-6). The details are only
checked, never kept: the customer types them on the company's site.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import policy
from core.actions import ToMenu
from core.flow import Turn
from core.i18n import N_
from core.steps import Form, Keyboard, Step, Steps, Values
from core.types import Button, Outcome, Reply, finish, go, quiet, rows, stale, stay, switch
from flows.kz_move import texts
from flows.kz_move.actions import (
    OTHER_COUNTRY,
    AskSupport,
    Card,
    ConfirmRestart,
    DeleteLrp,
    Done,
    Finish,
    Go,
    Hours,
    Item,
    KeepProgress,
    Restart,
    Retry,
    ShowList,
    Tick,
)
from flows.kz_move.checklist import (
    CHAIN,
    MIGRATION_STEPS,
    advance,
    form_step,
    open_guide,
    save_progress,
    ticked_items,
)
from flows.kz_move.checks import (
    BALANCE_HELP,
    CARD_HELP,
    balance,
    cyrillic,
    issuer_country,
    kz_phone,
)
from flows.shopping.phone import display

NAME = "kz_move"

HELP: Mapping[str, str] = {
    "intro": N_("Tap Continue to start, or send /menu to go back."),
    "balance": BALANCE_HELP,
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
    "form_card": CARD_HELP,
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
        "Which phone number will you enter in the form for the courier? It must be a working "
        "Kazakhstan number, e.g. +7 701 123 45 67."
    ),
    "form_card": N_(
        "Which country's bank issued the card you will pay with? Tap the country; do not send "
        "the card number (you type it only in the form on the company's site)."
    ),
}

# --- screens --------------------------------------------------------------------------------


async def intro_prompt(turn: Turn) -> list[Reply]:
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
    buttons = [Go().button(turn._("Continue")), ToMenu().button(turn._("Menu"))]
    return [Reply(text, rows(buttons))]


async def over_limit_prompt(turn: Turn) -> list[Reply]:
    text = turn._(
        "The move is possible only with an AR balance of at most {limit}. Please contact "
        "support about your balance; once it is within the limit, enter it again here."
    ).format(limit=texts.limit_text(turn))
    buttons = [
        AskSupport().button(turn._("Contact support")),
        Retry().button(turn._("Enter the balance again")),
        ToMenu().button(turn._("Menu")),
    ]
    support = f"{texts.support_text(turn)} {texts.support_status(turn)}"
    return [Reply(f"{text}\n\n{support}", rows(buttons, per_row=1))]


def letter_step(step: policy.MigrationStep) -> Step:
    """One of the letter's steps: what to do on the site, then Done (or Problem)."""

    async def prompt(turn: Turn) -> list[Reply]:
        buttons = [
            Done().button(turn._("✅ Done")),
            AskSupport().button(turn._("⚠️ Problem")),
        ]
        return [Reply(texts.step_text(turn, step, len(MIGRATION_STEPS)), rows(buttons))]

    return Step(
        f"step{step.number}",
        prompt=prompt,
        on={Done: on_done, AskSupport: on_support},
        help=HELP["step"],
    )


async def after_prompt(turn: Turn) -> list[Reply]:
    """The items are the buttons (a channel without buttons numbers them): listed once."""
    ticked = await ticked_items(turn)
    buttons = []
    for item in texts.AFTER_ITEMS:
        mark = "✅" if item.key in ticked else "⬜"
        buttons.append(Item(item.key).button(f"{mark} {turn._(item.title)}"))
    buttons += [
        Hours().button(turn._("☎️ Support contacts")),
        Restart().button(turn._("Start over")),
        Finish().button(turn._("Finish")),
    ]
    heading = turn._("After the move (tap an item to see what to do):")
    return [Reply(heading, rows(buttons, per_row=1))]


def _form_number(turn: Turn) -> Values:
    return {"number": form_step().number}


def _problem_button(turn: Turn, values: Values) -> Keyboard:
    return rows([AskSupport().button(turn._("⚠️ Problem"))])


def _country_buttons(turn: Turn, values: Values) -> Keyboard:
    buttons: list[Button] = texts.country_buttons(turn)
    return rows([*buttons, AskSupport().button(turn._("⚠️ Problem"))])


# --- answers --------------------------------------------------------------------------------


async def on_go(turn: Turn, tapped: Go) -> Outcome:
    return await open_guide(turn)


async def on_balance(turn: Turn, amount: Decimal) -> Outcome:
    check = policy.migration_check(amount, policy.local_date(texts.MARKET, turn.now))
    facts = {"balance": texts.usd(turn, amount), "limit": texts.usd(turn, check.limit)}
    if not check.eligible:
        await save_progress(turn, ar_balance_usd=amount, eligible=False)
        said = turn._("Your AR balance of {balance} is above the limit of {limit}.")
        return go("over_limit", Reply(said.format(**facts)))
    await save_progress(turn, done="balance", ar_balance_usd=amount, eligible=True)
    said = turn._(
        "Your AR balance of {balance} is within the limit of {limit}: your account can move."
    ).format(**facts)
    return go("next", Reply(f"{said}\n\n{texts.changes_text(turn)}"))


async def on_retry(turn: Turn, tapped: Retry) -> Outcome:
    return go("retry")


async def on_done(turn: Turn, tapped: Done) -> Outcome:
    if CHAIN[CHAIN.index(turn.conv.state) + 1] == "after":
        congratulations = turn._("Congratulations on moving to the doTERRA Kazakhstan market! 🎉")
        return await advance(turn, Reply(congratulations))
    return await advance(turn)


async def in_cyrillic(turn: Turn, text: str) -> Outcome:
    return await advance(turn, Reply(turn._("✅ All in Cyrillic.")))


async def kz_number(turn: Turn, number: str) -> Outcome:
    said = turn._("✅ {number} is a Kazakhstan number.").format(number=display(number, "KZ"))
    return await advance(turn, Reply(said))


async def on_card(turn: Turn, tapped: Card) -> Outcome:
    return await card_from(turn, None if tapped.country == OTHER_COUNTRY else tapped.country)


async def card_from(turn: Turn, code: str | None) -> Outcome:
    """R-KZ-MIG-6: only the issuer's country is asked, never the card itself."""
    if code is None or not policy.card_issuer_accepted(texts.MARKET, code):
        return stay(Reply(texts.card_refused_text(turn, code)))
    said = turn._(
        "✅ A card from a bank of {country} is accepted. Your details are ready for the form."
    ).format(country=texts.country_name(turn, code))
    return await advance(turn, Reply(said))


async def on_support(turn: Turn, tapped: AskSupport) -> Outcome:
    """A support thread that says where the customer is stuck (ticket flow/step)."""
    if turn.conv.state == "over_limit":
        said = turn._("My AR balance is above the limit for moving to the Kazakhstan market.")
    else:
        said = turn._("I have a problem moving my account to the Kazakhstan market.")
    saved = turn._("Your progress is saved: send /move to continue where you stopped.")
    # Without a staff desk the support chat gives the contacts itself: said once, not twice.
    note = Reply(f"{saved}\n\n{texts.support_text(turn)}" if turn.resources.staff_desk else saved)
    return switch("support", f"{NAME}:{turn.conv.state} {said}", note)


async def on_item(turn: Turn, tapped: Item) -> Outcome:
    item = texts.AFTER_BY_KEY.get(tapped.key)
    return stale() if item is None else quiet(texts.after_item_reply(turn, item))


async def on_tick(turn: Turn, tapped: Tick) -> Outcome:
    if tapped.key not in texts.AFTER_BY_KEY:
        return stale()
    await save_progress(turn, ticked=tapped.key)
    return stay()


async def on_list(turn: Turn, tapped: ShowList) -> Outcome:
    return stay()


async def on_hours(turn: Turn, tapped: Hours) -> Outcome:
    text = f"{texts.support_text(turn)} {texts.support_status(turn)}"
    back = ShowList().button(turn._("Back to the checklist"))
    return quiet(Reply(text, rows([back])))


async def on_delete_lrp(turn: Turn, tapped: DeleteLrp) -> Outcome:
    said = turn._("Please delete my LRP templates of other markets.")
    return switch("support", f"{NAME}:after {said}")


async def on_finish(turn: Turn, tapped: Finish) -> Outcome:
    return finish(
        Reply(turn._("Good luck with doTERRA Kazakhstan! Send /move to see this list again."))
    )


async def on_restart(turn: Turn, tapped: Restart) -> Outcome:
    """Wiping progress always asks first."""
    text = turn._(
        "Start over? This clears your progress in this guide, the checklist after the move "
        "included."
    )
    buttons = [
        ConfirmRestart().button(turn._("Yes, start over")),
        KeepProgress().button(turn._("No, keep my progress")),
    ]
    return quiet(Reply(text, rows(buttons, per_row=1)))


async def on_confirm_restart(turn: Turn, tapped: ConfirmRestart) -> Outcome:
    await turn.tx.checklists.delete(turn.user.id)
    return go("restart", Reply(turn._("Your checklist is cleared. Let's start over.")))


async def on_keep_progress(turn: Turn, tapped: KeepProgress) -> Outcome:
    return stay()


# --- the steps ------------------------------------------------------------------------------


def _slot(state: str, **kwargs: Any) -> Step:
    """A form slot: its question (which names the step the form is for), its help, and the
    Problem button that hands the customer to support (unless the slot says otherwise)."""
    kwargs.setdefault("buttons", _problem_button)
    kwargs.setdefault("on", {AskSupport: on_support})
    return Step(state, text=FORM_PROMPTS[state], values=_form_number, help=HELP[state], **kwargs)


def _cyrillic_slot(state: str) -> Step:
    return _slot(state, validate=cyrillic, answer=in_cyrillic, free_text=True)


FORM = Form(
    _cyrillic_slot("form_name"),
    _cyrillic_slot("form_address"),
    _slot("form_phone", contact=True, validate=kz_phone, answer=kz_number),
    _slot(
        "form_card",
        buttons=_country_buttons,
        on={Card: on_card, AskSupport: on_support},
        validate=issuer_country,
        answer=card_from,
        free_text=True,
    ),
)

STEPS = Steps(
    Step("intro", prompt=intro_prompt, on={Go: on_go}, help=HELP["intro"]),
    Step(
        "balance",
        text=N_(
            "First, the condition for the move: the AR balance of your account must not "
            "exceed {limit}. What AR balance does your Virtual Office show, in US dollars? "
            "For example: 120.50"
        ),
        values=lambda turn: {"limit": texts.limit_text(turn)},
        validate=balance,
        answer=on_balance,
        help=HELP["balance"],
        number=True,
    ),
    *(letter_step(step) for step in MIGRATION_STEPS),
    *FORM.slots,
    Step(
        "after",
        prompt=after_prompt,
        on={
            Item: on_item,
            Tick: on_tick,
            ShowList: on_list,
            Hours: on_hours,
            DeleteLrp: on_delete_lrp,
            Finish: on_finish,
        },
        help=HELP["after"],
    ),
    Step(
        "over_limit",
        prompt=over_limit_prompt,
        on={AskSupport: on_support, Retry: on_retry},
        help=HELP["over_limit"],
    ),
    # "Start over" is offered on resuming anywhere and in the checklist after the move; it asks
    # first, and its answer is taken wherever it was asked.
    shared={
        Restart: on_restart,
        ConfirmRestart: on_confirm_restart,
        KeepProgress: on_keep_progress,
    },
)
