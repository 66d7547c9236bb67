"""Progress lives in the checklist row: /move resumes at the first unfinished step, even after
a restart of the bot; "Start over" clears it."""

from __future__ import annotations

import pytest

from core.engine import Engine
from core.flow import Resources
from flows.kz_move.actions import Done, Restart
from flows.registry import default_flows
from flows.shopping.catalog import load_catalogs
from storage.db import Database
from storage.migrate import ensure_schema
from tests.conftest import Clock
from tests.dialogue import Dialogue
from tests.kz_move.walk import checklist, customer, walk_to


def fresh_engine(db: Database, clock: Clock) -> Engine:
    return Engine(db, default_flows(), resources=Resources(catalogs=load_catalogs()), clock=clock)


@pytest.mark.parametrize(
    ("language", "welcome", "step"),
    [
        ("en", "Welcome back! You stopped at step 3 of 5", "Step 3 of 5"),
        ("ru", "С возвращением! Вы остановились на шаге 3 из 5", "Шаг 3 из 5"),
    ],
)
async def test_resume_after_a_restart_at_the_right_step(
    database_url: str, clock: Clock, language: str, welcome: str, step: str
) -> None:
    first = Database(database_url)
    await ensure_schema(first, auto_upgrade=True)
    d = await walk_to(await customer(fresh_engine(first, clock), language=language), "step3")
    await d.say("/menu")  # the conversation moves on; the checklist remembers
    await first.dispose()

    clock.advance(days=3)
    second = Database(database_url)  # the bot restarted: new engine, new database handle
    try:
        again = Dialogue(fresh_engine(second, clock), "alice")
        await again.say("/move")
        again.expect(welcome, step, "«Перевести мой аккаунт на рынок Казахстан»")
        again.expect_not("AR")
        await again.press(Done())
        again.expect("4")  # the form check before step 4
    finally:
        await second.dispose()


async def test_resume_inside_the_form_check(engine: Engine) -> None:
    d = await walk_to(await customer(engine), "form_phone")
    await d.say("/menu")
    await d.say("/move")
    d.expect("check of your form details before step 4", "courier")


async def test_after_a_refused_balance_the_check_comes_first(engine: Engine) -> None:
    d = await customer(engine)
    await d.say("/move")
    await d.say("500")
    await d.say("/menu")
    await d.say("/move")
    d.expect("Welcome back", "What AR balance")


async def test_start_over_clears_the_checklist(engine: Engine, db: Database) -> None:
    d = await walk_to(await customer(engine), "step2")
    await d.say("/cancel")
    d.expect("progress is saved")
    await d.say("/move")
    await d.tap("Start over")  # wiping progress asks first (issue 18)
    d.expect("Start over?").expect_not("cleared")
    assert await checklist(db) is not None
    await d.tap("No, keep my progress")
    d.expect("Step 2 of 5")
    await d.press(Restart())  # the resumed screen's button, still in the chat
    await d.tap("Yes, start over")
    d.expect("cleared", "What AR balance")
    assert await checklist(db) is None
    await d.say("/menu")
    await d.say("/move")
    d.expect("Let's move your account").expect_not("Welcome back")


async def test_a_finished_move_resumes_at_the_checklist_after_it(
    engine: Engine, db: Database
) -> None:
    d = await walk_to(await customer(engine), "step5")
    await d.tap("Done")
    d.expect("Congratulations", "After the move").expect_buttons("⬜ Create a new LRP template")
    await d.tap("Check your address and phone")
    d.expect("working Kazakhstan number")
    await d.tap("Mark as done")
    d.expect_buttons("✅ Check your address and phone")
    await d.tap("Finish")
    d.expect("What would you like to do?")
    await d.say("/move")
    d.expect("Your move is done").expect_buttons(
        "✅ Check your address and phone", "⬜ Create a new LRP"
    )
    row = await checklist(db)
    assert row is not None
    assert row.progress["after"] == ["contacts"]


async def test_ru_the_checklist_after_the_move_is_listed_once_with_the_letters_items(
    engine: Engine,
) -> None:
    """Issue 18, 10: the items were printed as text and again as buttons, and the letter's
    "order from the warehouse in Kazakhstan" and "register new customers" were missing."""
    d = await walk_to(await customer(engine, language="ru"), "step5")
    await d.tap("Готово")
    items = [b.label for b in d.buttons if b.label.startswith("⬜")]
    assert len(items) == 6
    for label in items:
        assert d.text.count(label.removeprefix("⬜ ")) == 0, label  # only the button says it
    d.expect_buttons("Заказывайте со склада в Казахстане", "Регистрируйте новых клиентов")
    await d.tap("Заказывайте со склада")
    d.expect("со склада в Алматы")
