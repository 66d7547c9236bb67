"""The auto-order in conversation, in Korean, Russian and English: set-up, changes before and
after the cut-off (a week with a Korean holiday), skip, pause and resume, cancel, day 31 in
February, a KZ template in tenge, other markets' templates through support (R-KR-LRP-1..4,
R-KZ-MIG-5)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date

import pytest

from bot.channels.terminal import TerminalChat
from core.actions import MenuChoice
from core.engine import Engine
from flows.lrp.actions import (
    CancelAsk,
    CancelYes,
    CardOk,
    ChangeDay,
    ChangeProducts,
    Open,
    OtherMarket,
    Pause,
    RemindKeep,
    RemindSkip,
    Resume,
    Skip,
)
from flows.lrp.jobs import remind_job
from flows.shopping.actions import Checkout
from storage.db import Database
from tests.dialogue import Dialogue
from tests.lrp.helpers import (
    KZ_ADDRESS,
    KZ_PHONE,
    KZ_RECIPIENT,
    create,
    set_up,
    templates,
)
from tests.quick_order.helpers import checkout, confirm

# What each language says at the milestones (the texts are the product: checked as shown).
SAYS = {
    "en": {
        "summary": "Please check your auto-order",
        "created": "is set up",
        "deadline": "until",
        "late": "goes ahead unchanged",
        "skipped": "will be skipped",
        "paused": "is paused",
        "resumed": "running again",
        "cancelled": "is cancelled",
    },
    "ko": {
        "summary": "자동주문 내용을 확인해 주세요",
        "created": "등록되었어요",
        "deadline": "까지",
        "late": "그대로 진행돼요",
        "skipped": "건너뛰어요",
        "paused": "일시 중지되었어요",
        "resumed": "다시 진행돼요",
        "cancelled": "해지되었어요",
    },
    "ru": {
        "summary": "Проверьте автозаказ",
        "created": "оформлен",
        "deadline": "до",
        "late": "пройдёт без изменений",
        "skipped": "будет пропущен",
        "paused": "приостановлен",
        "resumed": "снова действует",
        "cancelled": "отменён",
    },
}
LANGUAGES = ["en", "ko", "ru"]


async def created(d: Dialogue, language: str, clock, now: str, day: str = "28") -> Dialogue:
    clock.set(now)
    await d.onboard(language, "KR")
    await set_up(d, "lavender 2, lemon", day)
    d.expect(SAYS[language]["summary"], "원" if language == "ko" else "₩", "88")
    await create(d)
    return d.expect(SAYS[language]["created"])


@pytest.mark.parametrize("language", LANGUAGES)
async def test_create(dialogue: Dialogue, db: Database, clock, language: str) -> None:
    await created(dialogue, language, clock, "2026-12-01T10:00:00+09:00")
    [template] = await templates(db)
    # Run Mon Dec 28; Fri Dec 25 is a holiday, so the cut-off is Tue Dec 22 (R-KR-LRP-3).
    assert template.next_run == date(2026, 12, 28) and template.day == 28
    assert [(x.sku, x.quantity) for x in template.lines] == [("KR-LAV15", 2), ("KR-LEM15", 1)]
    dialogue.expect("22")


@pytest.mark.parametrize("language", LANGUAGES)
async def test_change_before_the_cut_off_reaches_the_next_run(
    dialogue: Dialogue, db: Database, clock, language: str
) -> None:
    d = await created(dialogue, language, clock, "2026-12-01T10:00:00+09:00")
    clock.set("2026-12-22T20:00:00+09:00")  # the cut-off's evening: still in time
    [template] = await templates(db)
    await d.press(Open(template.id))
    await d.press(ChangeProducts())
    await d.say("peppermint 1")
    await d.press(Checkout())
    d.expect_not(SAYS[language]["late"])
    [after] = await templates(db)
    assert after.pending is None and ("KR-PEP15", 1) in [(x.sku, x.quantity) for x in after.lines]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_change_after_the_cut_off_waits_for_the_run_after(
    dialogue: Dialogue, db: Database, clock, language: str
) -> None:
    d = await created(dialogue, language, clock, "2026-12-01T10:00:00+09:00")
    clock.set("2026-12-23T09:00:00+09:00")  # a day past the cut-off (holiday week)
    [template] = await templates(db)
    await d.press(Open(template.id))
    await d.press(ChangeDay())
    await d.say("15")
    d.expect(SAYS[language]["late"])
    [after] = await templates(db)
    # The locked run of Dec 28 is untouched; day 15 is pending from Jan 15.
    assert after.next_run == date(2026, 12, 28) and after.day == 28
    assert after.pending == {"day": 15, "applies": "2027-01-15"}


async def test_a_change_around_seollal_counts_business_days(
    dialogue: Dialogue, db: Database, clock
) -> None:
    """Run Fri 2027-02-12: counting 3 business days back skips Seollal (Feb 6-8, substitute
    holiday Feb 9) and the weekend, so the cut-off is Fri Feb 5; a change on Feb 8 is late."""
    d = await created(dialogue, "ko", clock, "2027-01-20T10:00:00+09:00", day="12")
    [template] = await templates(db)
    assert template.next_run == date(2027, 2, 12)
    await d.press(Open(template.id))
    d.expect("2027년 2월 5일 23:59까지")
    clock.set("2027-02-08T10:00:00+09:00")  # Seollal: past the cut-off
    await d.press(ChangeProducts())
    await d.say("peppermint 1")
    await d.press(Checkout())
    d.expect(SAYS["ko"]["late"], "3월 12일")
    [after] = await templates(db)
    assert after.pending is not None and after.pending["applies"] == "2027-03-12"


@pytest.mark.parametrize("language", LANGUAGES)
async def test_skip(dialogue: Dialogue, db: Database, clock, language: str) -> None:
    d = await created(dialogue, language, clock, "2026-12-01T10:00:00+09:00")
    [template] = await templates(db)
    await d.press(Open(template.id))
    await d.press(Skip())
    d.expect(SAYS[language]["skipped"])
    [after] = await templates(db)
    assert after.skip_period == "2026-12"


@pytest.mark.parametrize("language", LANGUAGES)
async def test_pause_and_resume(dialogue: Dialogue, db: Database, clock, language: str) -> None:
    d = await created(dialogue, language, clock, "2026-12-01T10:00:00+09:00")
    [template] = await templates(db)
    await d.press(Open(template.id))
    await d.press(Pause())
    d.expect(SAYS[language]["paused"])
    clock.set("2027-01-10T10:00:00+09:00")
    await d.press(Resume())
    d.expect(SAYS[language]["resumed"])
    [after] = await templates(db)
    assert after.status == "active" and after.next_run == date(2027, 1, 28)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_cancel(dialogue: Dialogue, db: Database, clock, language: str) -> None:
    d = await created(dialogue, language, clock, "2026-12-01T10:00:00+09:00")
    [template] = await templates(db)
    await d.press(Open(template.id))
    await d.press(CancelAsk())
    await d.press(CancelYes())
    d.expect(SAYS[language]["cancelled"])
    assert await templates(db) == []


@pytest.mark.parametrize("language", LANGUAGES)
async def test_day_31_runs_on_the_last_day_of_february(
    dialogue: Dialogue, db: Database, clock, language: str
) -> None:
    await created(dialogue, language, clock, "2027-01-31T10:00:00+09:00", day="31")
    [template] = await templates(db)
    assert template.next_run == date(2027, 2, 28)


async def test_kz_template_in_tenge(dialogue: Dialogue, db: Database, clock) -> None:
    d = dialogue
    clock.set("2026-12-01T10:00:00+05:00")
    await d.onboard("ru", "KZ")
    await set_up(d, "лаванда 2", "10", address=KZ_ADDRESS, phone=KZ_PHONE, recipient=KZ_RECIPIENT)
    d.expect("Лаванда 15 мл × 2", "₸", f"Получатель: {KZ_RECIPIENT}").expect_not("₩")
    await create(d)
    [template] = await templates(db)
    assert template.market == "KZ" and template.currency == "KZT"
    assert template.recipient_name == KZ_RECIPIENT
    assert [(x.sku, x.quantity) for x in template.lines] == [("KZ-LAV15", 2)]


async def test_other_market_templates_open_a_ticket(dialogue: Dialogue, db: Database) -> None:
    d = dialogue
    await d.onboard("ru", "KZ")
    await d.say("/lrp")
    await d.press(OtherMarket())
    d.expect("поддерж")
    async with db.transaction() as tx:
        user = await tx.users.find("test", "alice")
        assert user is not None
        ticket = await tx.tickets.open_for(user.id)
    assert ticket is not None


async def test_the_reminder_buttons_work_from_anywhere(
    dialogue: Dialogue, db: Database, clock
) -> None:
    d = await created(dialogue, "en", clock, "2026-12-01T10:00:00+09:00")
    [template] = await templates(db)
    await d.say("/order")
    await d.press(RemindKeep(template.id))
    d.expect("as planned")
    await d.press(RemindSkip(template.id, "2026-12"))
    d.expect("will be skipped")
    [after] = await templates(db)
    assert after.skip_period == "2026-12"


class Person:
    """The terminal's input: each line typed after reading the screen so far."""

    def __init__(self, screen: io.StringIO, *typing: Callable[[str], str]) -> None:
        self.screen, self.typing = screen, list(typing)

    def readline(self) -> str:
        return self.typing.pop(0)(self.screen.getvalue()) + "\n" if self.typing else ""

    def isatty(self) -> bool:
        return False


def number_of(label: str) -> Callable[[str], str]:
    """Types the number the screen shows `label` with, last."""
    return lambda screen: re.findall(rf"\[(\d+)\] {re.escape(label)}", screen)[-1]


def words(text: str) -> Callable[[str], str]:
    return lambda _screen: text


@pytest.mark.parametrize(
    ("language", "typed", "skipped"),
    [
        ("en", number_of("👍 Keep it"), None),
        ("ko", words("이번 달 건너뛰기"), "2026-12"),
        ("ru", number_of("⏭ Пропустить в этом месяце"), "2026-12"),
    ],
)
async def test_a_reminder_in_the_terminal_shows_its_buttons_and_takes_them_typed(
    engine: Engine,
    db: Database,
    clock,
    language: str,
    typed: Callable[[str], str],
    skipped: str | None,
) -> None:
    """The terminal cannot push: the reminder prints after the next answer, its buttons
    numbered after that answer's options, and its number or label typed next is its tap."""
    d = Dialogue(engine, "t1", transport="terminal")
    await created(d, language, clock, "2026-12-01T10:00:00+09:00")
    clock.set("2026-12-21T10:00:00+09:00")
    assert await remind_job(engine.db, clock()) == 1
    screen = io.StringIO()
    person = Person(screen, typed)
    await TerminalChat(
        engine, "t1", language=language, market="KR", clock=clock, stdin=person, stdout=screen
    ).run()
    shown = screen.getvalue()
    menu = len(re.findall(r"\[\d+\]", shown.split("🔔")[0]))
    assert menu > 0 and re.search(rf"\[{menu + 2}\] ⏭ ", shown)  # numbered after the menu's
    said = shown.split("> ")[-1]
    assert SAYS[language]["skipped"] in said if skipped else "as planned" in said
    async with db.transaction() as tx:
        user = await tx.users.find("terminal", "t1")
        assert user is not None
        [template] = await tx.lrp.of_user(user.id)
    assert template.skip_period == skipped


async def test_typed_labels_and_numbers_are_answers(
    dialogue: Dialogue, db: Database, clock
) -> None:
    d = await created(dialogue, "en", clock, "2026-12-01T10:00:00+09:00")
    await d.say("/lrp")
    await d.say("1")  # the template's number in the list
    d.expect("Auto-order #1")
    await d.say("pause")  # the label without its emoji
    d.expect("is paused")


async def test_a_placed_quick_order_offers_the_auto_order(dialogue: Dialogue, db: Database) -> None:
    d = dialogue
    await d.onboard("en", "KR")
    await d.say("/order lavender 2")
    await checkout(d, "card")
    await confirm(d)
    await d.tap("Order monthly")  # the menu's auto-order entry: no template yet, so set-up
    d.expect("What would you like to order?").expect_buttons("Same as my last order")
    await d.tap("Same as my last order")
    d.expect("Lavender", "× 2").expect_buttons("Continue")


async def test_the_kz_checklist_links_into_the_set_up(dialogue: Dialogue) -> None:
    d = dialogue
    await d.onboard("ru", "KZ")
    await d.press(MenuChoice("lrp"))  # the checklist item's "Set up an auto-order" button
    d.expect("Выберите категорию").expect_buttons("другом рынке")


async def test_the_set_up_asks_the_recipient_as_the_market_writes_names(
    dialogue: Dialogue, db: Database
) -> None:
    """Issue 18, defect 4: the auto-order shares the checkout's delivery questions."""
    d = dialogue
    await d.onboard("ru", "KZ")
    await d.say("/lrp")
    await d.say("лаванда 2")
    await d.press(Checkout())
    await d.say("10")
    await d.say(KZ_ADDRESS)
    await d.say(KZ_PHONE)
    d.expect("Кто получит посылку?")
    await d.say("Anna Ivanova")
    d.expect("пишется кириллицей").expect_not("оплачиваются")
    await d.say(KZ_RECIPIENT)
    await d.press(CardOk())
    d.expect(f"Получатель: {KZ_RECIPIENT}")
    await create(d)
    await d.say("/lrp")
    [template] = await templates(db)
    await d.press(Open(template.id))
    d.expect(f"Получатель: {KZ_RECIPIENT}")
