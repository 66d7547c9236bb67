"""R-KZ-MIG-2: the AR balance check, and what the guide says for an ineligible account."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.engine import Engine
from flows.kz_move import parse_usd
from storage.db import Database
from tests.kz_move.walk import checklist, customer


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("150", Decimal("150")),
        ("150.00", Decimal("150.00")),
        ("150,00", Decimal("150.00")),
        ("$120", Decimal("120")),
        ("120 USD", Decimal("120")),
        ("usd 99.5", Decimal("99.5")),
        ("1,200.50", Decimal("1200.50")),
        ("1 200,50", Decimal("1200.50")),
        ("-5", Decimal("-5")),
        ("abc", None),
        ("150 рублей", None),
        ("12.345", None),
        ("", None),
    ],
)
def test_parse_usd(typed: str, amount: Decimal | None) -> None:
    assert parse_usd(typed) == amount


@pytest.mark.parametrize(
    ("language", "typed", "said", "next_button"),
    [
        ("en", "150.00", "within the limit", "Done"),
        ("ru", "150,00", "не превышает лимит", "Готово"),
    ],
)
async def test_balance_at_the_limit_passes(
    engine: Engine, db: Database, language: str, typed: str, said: str, next_button: str
) -> None:
    d = await customer(engine, language=language)
    await d.say("/move")
    await d.say(typed)
    d.expect(said, "«Аккаунт» → «Выйти»").expect_buttons(next_button)
    row = await checklist(db)
    assert row is not None
    assert (row.ar_balance_usd, row.eligible) == (Decimal("150.00"), 1)


async def test_what_changes_is_told_once_eligible(engine: Engine) -> None:
    d = await customer(engine, language="ru")
    await d.say("/move")
    await d.say("$99")
    d.expect("тенге", "Казахстан, Кыргызстан, Армения и Беларусь", "от 1 до 10 дней", "Алматы")
    d.expect("ИП", "ТОО", "ТОО «doTERRA Kazakhstan»")


@pytest.mark.parametrize(
    ("language", "typed", "said", "support"),
    [
        ("en", "150.01", "above the limit", "Contact support"),
        ("ru", "150,01 USD", "превышает лимит", "Связаться с поддержкой"),
    ],
)
async def test_balance_over_the_limit_is_refused_with_support(
    engine: Engine, db: Database, language: str, typed: str, said: str, support: str
) -> None:
    d = await customer(engine, language=language)
    await d.say("/move")
    await d.say(typed)
    d.expect(said, "+7-727-312-10-19", "+7-800-100-23-23", "kaz@doterra.com")
    d.expect_not("«Аккаунт»")
    row = await checklist(db)
    assert row is not None
    assert (row.ar_balance_usd, row.eligible) == (Decimal("150.01"), 0)

    await d.tap(support)
    d.expect("/move", "1")
    async with db.transaction() as tx:
        ticket = await tx.tickets.open_for(row.user_id)
    assert ticket is not None
    assert (ticket.flow, ticket.step) == ("kz_move", "over_limit")


async def test_a_new_balance_can_be_entered_after_a_refusal(engine: Engine) -> None:
    d = await customer(engine)
    await d.say("/move")
    await d.say("200")
    await d.tap("Enter the balance again")
    d.expect("What AR balance")
    await d.say("140")
    d.expect("within the limit", "Step 1 of 5")


@pytest.mark.parametrize(
    ("typed", "explanation"),
    [
        ("-5", "below zero"),
        ("a lot", "as a number"),
        ("150 рублей", "as a number"),
        ("123456789012345678901234567890", "as a number"),
    ],
)
async def test_negative_or_garbage_balances_are_explained(
    engine: Engine, db: Database, typed: str, explanation: str
) -> None:
    d = await customer(engine)
    await d.say("/move")
    await d.say(typed)
    d.expect(explanation, "What AR balance")
    assert await checklist(db) is None
