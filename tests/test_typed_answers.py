"""Typed answers where options are shown (issue 18, defects 1 and 2): a step that asks for a
number takes typed numbers as its answer, and labels match as people type them, the same for
the terminal, Telegram and any later channel (core/options.py)."""

from __future__ import annotations

import io

import pytest

from bot.channels.terminal import TerminalChat
from core.engine import Engine
from core.options import folded, pick
from storage.db import Database
from tests.dialogue import Dialogue


async def terminal(engine: Engine, lines: list[str], *, market: str = "KR") -> list[str]:
    """A terminal chat (numbered options) preset to English and `market`; what it printed
    after each typed line (the first item: before any)."""
    out = io.StringIO()
    chat = TerminalChat(
        engine,
        "t1",
        language="en",
        market=market,
        clock=engine.clock,
        stdin=io.StringIO("\n".join(lines) + "\n"),
        stdout=out,
    )
    await chat.run()
    parts = [out.getvalue()]
    for line in lines:  # input not from a terminal is echoed as "> line"
        before, _, after = parts[-1].partition(f"> {line}\n")
        parts[-1:] = [before, after]
    return parts


async def checklist_kept(db: Database) -> bool:
    async with db.transaction() as tx:
        user = await tx.users.find("terminal", "t1")
        assert user is not None
        return await tx.checklists.get(user.id) is not None


# -- 1. typed numbers where the step asks for a number -----------------------------------------


async def test_six_at_the_quantity_question_is_six_not_the_back_button(engine: Engine) -> None:
    *_, shown, after = await terminal(engine, ["/order", "1", "1", "6"])
    assert "How many" in shown and "[6] ⬅ Back" in shown
    assert "Added to your cart: Lavender × 6." in after


async def test_six_in_a_cart_edit_is_the_new_quantity_not_remove(engine: Engine) -> None:
    *_, shown, after = await terminal(engine, ["/order lemon 1", "3", "1", "6"])
    assert "How many do you want?" in shown and "[6] 🗑 Remove" in shown
    assert "Lemon: now 6." in after
    assert "removed" not in after


async def test_numbers_still_pick_options_where_the_step_takes_no_number(engine: Engine) -> None:
    *_, after = await terminal(engine, ["/order lemon 1", "1"])
    assert "Where should we deliver" in after  # [1] ✅ Checkout


async def test_one_after_resuming_the_move_never_wipes_the_checklist(
    engine: Engine, db: Database
) -> None:
    *_, resumed, after = await terminal(
        engine, ["/move", "100", "1", "/menu", "/move", "1"], market="KZ"
    )
    assert "Welcome back" in resumed and "[1] Start over" in resumed
    assert "cleared" not in after
    assert "Start over?" in after  # wiping progress asks first
    assert await checklist_kept(db)


async def test_one_at_the_resumed_balance_question_is_an_amount(
    engine: Engine, db: Database
) -> None:
    *_, resumed, after = await terminal(
        engine, ["/move", "5000", "/menu", "/move", "1"], market="KZ"
    )
    assert "Welcome back" in resumed and "[1] Start over" in resumed
    assert "within the limit" in after and "cleared" not in after


# -- 2. labels as people type them --------------------------------------------------------------


def test_labels_fold_emoji_case_punctuation_and_counts() -> None:
    assert folded("✅ Checkout") == folded("checkout!") == "checkout"
    assert folded("✏️ Edit cart") == "edit cart"
    assert folded("  ГОТОВО. ") == folded("✅ Готово")
    assert folded("Ещё") == folded("еще")
    assert folded("ℹ️ Rules and deadlines") == "rules and deadlines"  # not "i rules ..."
    options = [("✅ Готово", "done"), ("🛒 Корзина (3)", "cart"), ("3", "qty3")]
    assert pick("готово", options, by_number=False) == "done"
    assert pick("Корзина", options, by_number=False) == "cart"
    assert pick("корзина (3)", options, by_number=False) == "cart"
    assert pick("3", options, by_number=False) == "qty3"
    assert pick("-3", options, by_number=False) is None
    assert pick("2", options, by_number=False) is None  # not numbered on screen
    assert pick("2", options, by_number=True) == "cart"
    assert pick("корзина готово", options, by_number=False) is None
    alike = [("Lemon", "a"), ("🍋 Lemon", "b")]
    assert pick("lemon", alike, by_number=False) is None  # two read alike: neither


async def test_checkout_typed_without_its_emoji(dialogue: Dialogue) -> None:
    await dialogue.onboard("en", "KR")
    await dialogue.say("/order lemon 1")
    dialogue.expect_buttons("✅ Checkout")
    await dialogue.say("Checkout")
    dialogue.expect("Where should we deliver").expect_not("couldn't find")


@pytest.mark.parametrize("typed", ["готово", "Готово", "ГОТОВО!"])
async def test_done_typed_in_russian_in_any_case(dialogue: Dialogue, typed: str) -> None:
    await dialogue.onboard("ru", "KR")
    await dialogue.say("/order lemon 1")
    await dialogue.tap("Изменить")
    dialogue.expect_buttons("✅ Готово")
    await dialogue.say(typed)
    dialogue.expect("Итого").expect_not("Какой товар")


async def test_cart_typed_in_russian_without_emoji_or_count(dialogue: Dialogue) -> None:
    await dialogue.onboard("ru", "KR")
    await dialogue.say("/order lemon 1")
    await dialogue.tap("Добавить")
    dialogue.expect_buttons("🛒 Корзина (1)")
    await dialogue.say("корзина")
    dialogue.expect("Итого").expect_not("не нашёл", "не нашла")


async def test_the_terminal_takes_labels_without_emoji_too(engine: Engine) -> None:
    *_, after = await terminal(engine, ["/order lemon 1", "edit CART"])
    assert "Which product do you want to change?" in after


async def test_one_at_the_lrp_day_question_is_the_first_of_the_month(engine: Engine) -> None:
    # The auto-order opens its set-up; its "Rules and deadlines" asks the run day (info).
    *_, shown, after = await terminal(engine, ["Auto-order LRP", "Rules and deadlines", "1"])
    assert "On which day of the month" in shown and "[1] Menu" in shown
    assert "runs on" in after and "What would you like to do?" in after
