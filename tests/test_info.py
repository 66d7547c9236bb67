"""Information pages and questions answered from policy."""

from __future__ import annotations

from core.actions import MenuChoice
from flows.lrp.actions import Rules
from flows.returns.actions import Rules as ReturnRules
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
    await dialogue.press(MenuChoice("returns"))
    await dialogue.press(ReturnRules())  # the return flow's rules button
    dialogue.expect("3 months", "5%", "7%", "1600-5105", "What would you like to do?")


async def test_kz_returns_go_to_support(dialogue: Dialogue) -> None:
    await dialogue.onboard("ru", "KZ")
    await dialogue.press(MenuChoice("returns"))
    await dialogue.press(ReturnRules())
    dialogue.expect("служба поддержки")


async def test_questions_in_korean_and_russian(engine) -> None:
    ko = Dialogue(engine, "kim")
    await ko.onboard("ko", "KR")
    await ko.say("배송비 얼마예요?")
    ko.expect("50,000원", "4,500원", "무엇을 도와드릴까요?")
    ru = Dialogue(engine, "olga")
    await ru.onboard("ru", "KZ")
    await ru.say("сколько стоит доставка?")
    ru.expect("примерная цифра")


async def test_hours_say_which_is_open_and_which_is_closed(dialogue: Dialogue, clock) -> None:
    """Issue 18, 7: on Saturday 13:30 phone support (09:00-13:00) is closed, the business
    center (10:00-14:00) open; "Closed now." after the business center read as its hours."""
    clock.set("2026-11-28T13:30:00+09:00")
    await dialogue.onboard("en", "KR")
    await dialogue.say("what are your opening hours?")
    dialogue.expect("Phone support is closed now.", "The business center is open now.")
    dialogue.expect_not("14:00. Closed now.")
    clock.set("2026-11-28T14:30:00+09:00")
    await dialogue.say("what are your opening hours?")
    dialogue.expect("Phone support is closed now.", "The business center is closed now.")


async def test_kz_hours_name_only_support(dialogue: Dialogue, clock) -> None:
    clock.set("2026-11-30T11:00:00+05:00")  # a Monday morning in Almaty
    await dialogue.onboard("ru", "KZ")
    await dialogue.say("часы работы?")
    dialogue.expect("Служба поддержки", "сейчас работает").expect_not("Бизнес-центр")


async def test_kz_payment_uses_the_letters_country_names(dialogue: Dialogue) -> None:
    """Issue 18, 8: «Кыргызстан», as the letter writes it, not «Киргизия»."""
    await dialogue.onboard("ru", "KZ")
    await dialogue.say("как оплатить?")
    dialogue.expect("Кыргызстан").expect_not("Киргизия")


async def test_lrp_rules_say_changes_in_writing_and_the_same_payer(dialogue: Dialogue) -> None:
    """Issue 18, 11: the letter's two conditions (R-KR-LRP-2, -3)."""
    await dialogue.onboard("en", "KR")
    await dialogue.say("how does the auto-order work?")
    dialogue.expect(
        "must be requested in writing (a message in this chat counts)",
        "the orderer and the payer must be the same person",
    )


async def test_ko_consumer_returns_say_what_the_14_days_count_from(dialogue: Dialogue) -> None:
    """Issue 18, 11: R-KR-RET-1, 14 days from the contract, or from the goods arriving later."""
    await dialogue.onboard("ko", "KR")
    await dialogue.say("반품은 어떻게 해요?")
    dialogue.expect("계약서를 받은 날부터 14일 이내에", "제품을 받은 날부터 14일 이내에")
