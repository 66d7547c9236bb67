"""Onboarding (/start): choose a language, then a market. Then the menu."""

from __future__ import annotations

from typing import ClassVar

from core.flow import Flow, Turn
from core.i18n import LANGUAGE_NAMES, LANGUAGES, language_buttons, pick_language
from core.types import (
    Button,
    Event,
    Kind,
    Outcome,
    Reply,
    finish,
    go,
    invalid,
    rows,
    stale,
    switch,
)

MARKETS = ("KR", "KZ")
# Said in all three languages at once: we do not know the user's language yet.
CHOOSE_LANGUAGE = "Choose your language · 언어를 선택하세요 · Выберите язык"
# What a user may type instead of tapping, per market.
MARKET_WORDS = {
    "KR": {"kr", "korea", "한국", "대한민국", "корея", "1"},
    "KZ": {"kz", "kazakhstan", "카자흐스탄", "казахстан", "қазақстан", "2"},
}


def _typed_language(text: str) -> str | None:
    text = text.strip().lower()
    for index, code in enumerate(LANGUAGES, start=1):
        if text in (code, LANGUAGE_NAMES[code].lower(), str(index)):
            return code
    return None


def _deep_link(turn: Turn, payload: str) -> tuple[str, str] | None:
    """`<flow>` or `<flow>_<args>` -> (flow, args), the longest flow name first
    (`quick_order_orders` opens quick_order with "orders")."""
    for name in sorted(turn.flows, key=len, reverse=True):
        if name in ("start", "menu") or not payload.startswith(name):
            continue
        rest = payload.removeprefix(name)
        if rest == "" or rest.startswith("_"):
            return name, rest.removeprefix("_")
    return None


class Start(Flow):
    name = "start"
    states: ClassVar = ["language", "market"]
    transitions: ClassVar = [{"trigger": "chose_language", "source": "language", "dest": "market"}]
    initial = "language"

    async def begin(self, turn: Turn, args: str) -> Outcome:
        # A deep link (/start kz_move, /start quick_order_orders) is kept for after onboarding.
        turn.data["payload"] = args.strip()[:64]
        return Outcome()

    async def prompt(self, turn: Turn) -> list[Reply]:
        if turn.conv.state == "language":
            suggested = turn.user.language or pick_language(turn.event.language_hint)
            buttons = [
                (Button(b.label, "start:" + b.action),)
                for row in language_buttons(suggested)
                for b in row
            ]
            return [Reply(CHOOSE_LANGUAGE, rows([b for (b,) in buttons], per_row=3))]
        suggested = turn.user.market or ("KZ" if turn.user.language == "ru" else "KR")
        labels = {"KR": turn._("🇰🇷 Korea"), "KZ": turn._("🇰🇿 Kazakhstan")}
        ordered = sorted(MARKETS, key=lambda market: market != suggested)
        return [
            Reply(
                turn._("Which market do you order in?"),
                rows([Button(labels[m], f"start:market:{m}") for m in ordered]),
            )
        ]

    async def handle(self, turn: Turn, event: Event) -> Outcome:
        if turn.conv.state == "language":
            return await self._language(turn, event)
        return await self._market(turn, event)

    async def _language(self, turn: Turn, event: Event) -> Outcome:
        if event.kind is Kind.ACTION:
            # "lang:xx" too: the /lang picker shown during onboarding answers this step.
            code = event.action.removeprefix("start:").removeprefix("lang:")
            if code not in LANGUAGES:
                return stale()
        else:
            code = _typed_language(event.text) or ""
            if not code:
                return invalid(CHOOSE_LANGUAGE)
        await turn.tx.users.update(turn.user, language=code)
        turn.set_language(code)
        return go("chose_language")

    async def _market(self, turn: Turn, event: Event) -> Outcome:
        if event.kind is Kind.ACTION:
            market = event.action.removeprefix("start:market:")
            if market not in MARKETS:
                return stale()
        else:
            typed = event.text.strip().lower()
            market = next((m for m, words in MARKET_WORDS.items() if typed in words), "")
            if not market:
                return invalid(turn._("Please choose Korea or Kazakhstan."))
        await turn.tx.users.update(turn.user, market=market)
        payload = turn.data.get("payload", "")
        welcome = Reply(turn._("All set. You can change this any time with /start or /lang."))
        target = _deep_link(turn, payload)
        if target is not None:
            return switch(*target, welcome)
        return finish(welcome)

    def help(self, turn: Turn) -> str:
        if turn.conv.state == "language":
            return CHOOSE_LANGUAGE
        return turn._("Tap Korea or Kazakhstan: it decides the catalogue, prices and rules.")
