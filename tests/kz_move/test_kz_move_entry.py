"""Ways into the guide: the KZ menu, /move, and a KR-market user who finds it anyway."""

from __future__ import annotations

import pytest

from core.engine import Engine
from flows.kz_move.actions import Done
from tests.dialogue import Dialogue
from tests.kz_move.walk import customer, walk_to


async def test_the_kz_menu_opens_the_guide(engine: Engine) -> None:
    d = await customer(engine, language="ru")
    await d.tap("🇰🇿")  # the menu's only flag button: "Move to Kazakhstan"
    d.expect("Переведём ваш аккаунт", "AR-баланс")


@pytest.mark.parametrize(
    ("language", "notice", "go_on"),
    [
        ("en", "You use this assistant for the Korea market", "Continue"),
        ("ru", "В этом помощнике у вас выбран рынок Кореи", "Продолжить"),
    ],
)
async def test_a_kr_user_is_told_what_the_guide_is_for(
    engine: Engine, language: str, notice: str, go_on: str
) -> None:
    d = Dialogue(engine, "kim")
    await d.onboard(language, "KR")
    await d.say("/move")
    d.expect(notice).expect_buttons(go_on)
    await d.say("sure")  # typed text: the buttons are explained, nothing breaks
    d.expect(notice)
    await d.tap(go_on)
    d.expect("AR")


async def test_a_kr_user_can_go_back_to_the_menu(engine: Engine) -> None:
    d = Dialogue(engine, "kim")
    await d.onboard("en", "KR")
    await d.say("/move")
    await d.tap("Menu")
    d.expect("What would you like to do?")


async def test_an_old_button_of_another_step_is_stale(engine: Engine) -> None:
    d = await walk_to(await customer(engine), "form_name")
    await d.press(Done())
    d.expect("no longer valid", "full name")


async def test_typing_at_a_step_explains_the_buttons(engine: Engine) -> None:
    d = await walk_to(await customer(engine), "step2")
    await d.say("ok")
    d.expect("tap Done", "Step 2 of 5")
