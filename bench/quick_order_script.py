"""A realistic quick order (flows/quick_order.py), tapping the buttons the bot really sent."""

from __future__ import annotations

from bench.scenario import Step, onboarding, say, tap

LANGUAGES = ("en", "ko", "ru")


def quick_order(index: int) -> list[Step]:
    """Onboard, open the order menu, two products from two categories, cart, checkout with
    address, phone, recipient and card, confirm: 17 updates, 13 of them button taps."""
    return [
        *onboarding(LANGUAGES[index % 3], "KR"),
        tap("menu:quick_order"),
        tap("qo:c:single", "qo:c:"),
        tap("qo:p:"),
        tap("qo:q:2"),
        tap("qo:cats"),
        tap("qo:c:blend", "qo:c:"),
        tap("qo:p:"),
        tap("qo:q:1"),
        tap("qo:checkout"),
        say(f"{12 + index % 50} Teheran-ro, Gangnam-gu, Seoul"),
        say(f"010-{1000 + index % 9000}-{5678}"),
        say("Kim Mina"),
        tap("qo:pay:card"),
        tap("qo:confirm"),
    ]
