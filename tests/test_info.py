"""Information pages and questions answered from policy."""

from __future__ import annotations

from core.actions import MenuChoice
from flows.lrp.actions import Rules
from tests.dialogue import Dialogue


async def lrp_for_day(d: Dialogue, day: str) -> Dialogue:
    await d.onboard("en", "KR")
    await d.say("/lrp")
    await d.press(Rules())  # the auto-order's "Rules and deadlines"
    d.expect("3 business days", "On which day")
    return await d.say(day)


async def test_lrp_deadline_before_the_cutoff(dialogue: Dialogue, clock) -> None:
    clock.set("2026-12-01T10:00:00+09:00")
    await lrp_for_day(dialogue, "10")
    # Run on Thu Dec 10: three business days back from Dec 9 is Mon Dec 7 (R-KR-LRP-3).
    dialogue.expect("Thu, Dec 10", "Dec 7, 2026 23:59").expect_not("too late")


async def test_lrp_deadline_past_the_cutoff_names_the_following_run(
    dialogue: Dialogue, clock
) -> None:
    clock.set("2026-12-08T10:00:00+09:00")
    await lrp_for_day(dialogue, "10")
    dialogue.expect("too late", "Dec 7, 2026 23:59", "Jan 10")


async def test_lrp_day_must_be_a_day_of_the_month(dialogue: Dialogue) -> None:
    await lrp_for_day(dialogue, "32")
    dialogue.expect("number from 1 to 31")
    for not_a_day in ("²", "٣", "+5", "9" * 5000):  # isdigit() says yes to some; int() fails
        await dialogue.say(not_a_day)
        dialogue.expect("number from 1 to 31")
    await dialogue.say("１５")  # full-width digits, as a Korean keyboard types them: day 15
    dialogue.expect("runs on")


async def test_returns_page_states_the_fees(dialogue: Dialogue) -> None:
    await dialogue.onboard("en", "KR")
    await dialogue.press(MenuChoice("info", "returns"))
    dialogue.expect("3 months", "5%", "7%", "1600-5105", "What would you like to do?")


async def test_kz_returns_go_to_support(dialogue: Dialogue) -> None:
    await dialogue.onboard("ru", "KZ")
    await dialogue.press(MenuChoice("info", "returns"))
    dialogue.expect("служба поддержки")


async def test_questions_in_korean_and_russian(engine) -> None:
    ko = Dialogue(engine, "kim")
    await ko.onboard("ko", "KR")
    await ko.say("배송비 얼마예요?")
    ko.expect("₩50,000", "₩4,500", "무엇을 도와드릴까요?")
    ru = Dialogue(engine, "olga")
    await ru.onboard("ru", "KZ")
    await ru.say("сколько стоит доставка?")
    ru.expect("примерная цифра")
