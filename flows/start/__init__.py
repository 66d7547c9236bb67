"""Onboarding (/start): choose a language, then a market. Then the menu."""

from __future__ import annotations

from typing import Annotated, ClassVar

from core.actions import Action, OneOf
from core.flow import Turn
from core.i18n import LANGUAGE_NAMES, LANGUAGES, N_, Language, language_buttons, pick_language
from core.steps import Keyboard, Problem, Step, StepFlow, Steps, Values
from core.types import Outcome, Reply, finish, go, rows, switch

MARKETS = ("KR", "KZ")
# Said in all three languages at once: we do not know the user's language yet.
CHOOSE_LANGUAGE = "Choose your language · 언어를 선택하세요 · Выберите язык"
# What a typed answer that names no language is told: the question itself follows it, so this
# must not repeat it.
LANGUAGE_HINT = (
    "Tap a language below or type its name · 아래에서 언어를 누르거나 이름을 입력해 주세요"
    " · Нажмите на язык ниже или напишите его название"
)
# What a user may type instead of tapping, per market.
MARKET_WORDS = {
    "KR": {"kr", "korea", "한국", "대한민국", "корея", "1"},
    "KZ": {"kz", "kazakhstan", "카자흐스탄", "казахстан", "қазақстан", "2"},
}


class StartLanguage(Action, prefix="start:lang"):
    code: Annotated[str, OneOf(*LANGUAGES)]


class StartMarket(Action, prefix="start:market"):
    market: Annotated[str, OneOf(*MARKETS)]


def _typed_language(turn: Turn, text: str) -> str | Problem:
    text = text.lower()
    for index, code in enumerate(LANGUAGES, start=1):
        if text in (code, LANGUAGE_NAMES[code].lower(), str(index)):
            return code
    return Problem(LANGUAGE_HINT)


def _typed_market(turn: Turn, text: str) -> str | Problem:
    typed = text.lower()
    market = next((m for m, words in MARKET_WORDS.items() if typed in words), None)
    return market or Problem(turn._("Please choose Korea or Kazakhstan."))


def _deep_link(turn: Turn, payload: str) -> tuple[str, str] | None:
    """`<flow>` or `<flow>_<args>` -> (flow, args), the longest flow name first
    (`quick_order_orders` opens quick_order with "orders"); else a flow's command the same way
    (`return_KR-2611-000001` opens the command's flow with the order number)."""
    for name in sorted(turn.flows, key=len, reverse=True):
        if name in ("start", "menu"):
            continue
        args = _after(payload, name)
        if args is not None:
            return name, args
    for name, (flow, command) in turn.surface.flow_commands.items():
        args = _after(payload, name)
        if args is not None:
            return flow, f"{command.args} {args}".strip()
    return None


def _after(payload: str, name: str) -> str | None:
    """What follows `name` in `<name>` or `<name>_<args>`; None when it names something else."""
    rest = payload.removeprefix(name)
    if rest == payload or not (rest == "" or rest.startswith("_")):
        return None
    return rest.removeprefix("_")


# -- language --------------------------------------------------------------------------------
def _language_buttons(turn: Turn, values: Values) -> Keyboard:
    suggested = turn.user.language or pick_language(turn.event.language_hint)
    return language_buttons(suggested, StartLanguage)


async def _chose_language(turn: Turn, code: str) -> Outcome:
    await turn.tx.users.update(turn.user, language=code)
    turn.set_language(code)
    return go("chose_language")


async def _tapped_language(turn: Turn, tapped: StartLanguage | Language) -> Outcome:
    return await _chose_language(turn, tapped.code)


# -- market ----------------------------------------------------------------------------------
def _market_buttons(turn: Turn, values: Values) -> Keyboard:
    suggested = turn.user.market or ("KZ" if turn.user.language == "ru" else "KR")
    labels = {"KR": turn._("🇰🇷 Korea"), "KZ": turn._("🇰🇿 Kazakhstan")}
    ordered = sorted(MARKETS, key=lambda market: market != suggested)
    return rows([StartMarket(market=m).button(labels[m]) for m in ordered])


async def _chose_market(turn: Turn, market: str) -> Outcome:
    await turn.tx.users.update(turn.user, market=market)
    payload = turn.data.get("payload", "")
    welcome = Reply(turn._("All set. You can change this any time with /start or /lang."))
    target = _deep_link(turn, payload)
    if target is not None:
        return switch(*target, welcome)
    return finish(welcome)


async def _tapped_market(turn: Turn, tapped: StartMarket) -> Outcome:
    return await _chose_market(turn, tapped.market)


STEPS = Steps(
    Step(
        "language",
        text=CHOOSE_LANGUAGE,  # no catalogue has it: it is the same in every language
        buttons=_language_buttons,
        # Language ("lang:xx") too: the /lang picker shown during onboarding answers here.
        on={StartLanguage: _tapped_language, Language: _tapped_language},
        validate=_typed_language,
        answer=_chose_language,
        help=LANGUAGE_HINT,
    ),
    Step(
        "market",
        text=N_("Which market do you order in?"),
        buttons=_market_buttons,
        on={StartMarket: _tapped_market},
        validate=_typed_market,
        answer=_chose_market,
        help=N_("Tap Korea or Kazakhstan: it decides the catalogue, prices and rules."),
    ),
)


class Start(StepFlow):
    name = "start"
    steps = STEPS
    states: ClassVar = STEPS.states
    transitions: ClassVar = [{"trigger": "chose_language", "source": "language", "dest": "market"}]
    initial = "language"

    async def begin(self, turn: Turn, args: str) -> Outcome:
        # A deep link (/start kz_move, /start quick_order_orders) is kept for after onboarding.
        turn.data["payload"] = args.strip()[:64]
        return Outcome()
