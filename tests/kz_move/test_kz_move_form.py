"""The check of the form details before step 4: Cyrillic (R-KZ-MIG-3), a Kazakhstan phone
(R-KZ-MIG-5), the card's issuer country (R-KZ-MIG-6)."""

from __future__ import annotations

import pytest

from core.engine import Engine
from flows.kz_move.actions import Card
from storage.db import Database
from tests.kz_move.walk import checklist, customer, everything_stored, walk_to


@pytest.mark.parametrize(
    ("language", "address", "offending", "fine"),
    [
        ("en", "Almaty, ul. Abaya 10", ("«Almaty»", "«ul»", "«Abaya»"), ()),
        ("ru", "Алматы, ул. Abaya 10, кв. 5", ("«Abaya»", "только кириллицу"), ("«Алматы»",)),
        # A Latin "A" looks like the Cyrillic one: the letter itself is named.
        ("en", "Алматы, ул. Aбая 10", ("«Aбая» (A)",), ("«Алматы»",)),
    ],
)
async def test_a_latin_address_is_refused_naming_the_offending_words(
    engine: Engine, language: str, address: str, offending: tuple[str, ...], fine: tuple[str, ...]
) -> None:
    d = await walk_to(await customer(engine, language=language), "form_address")
    await d.say(address)
    d.expect(*offending).expect_not(*fine)
    await d.say("Алматы, ул. Абая 10")  # still at the address: the corrected one passes
    d.expect("+7 701 123 45 67")


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_kazakh_letters_are_welcome(engine: Engine, db: Database, language: str) -> None:
    d = await walk_to(await customer(engine, language=language), "form_name")
    await d.say("Әлия Қасымқызы")
    d.expect("✅")
    await d.say("Алматы, Әуезов ауданы, Жібек жолы 50, кв. 5")
    d.expect("✅", "+7 701 123 45 67")
    # Only checked, never kept: the customer types them on the company's site.
    assert "Қасымқызы" not in await everything_stored(db)


async def test_a_name_without_letters_is_refused(engine: Engine) -> None:
    d = await walk_to(await customer(engine), "form_name")
    await d.say("🙂🙂")
    d.expect("Cyrillic letters")


@pytest.mark.parametrize(
    ("language", "refusal"),
    [
        ("en", "This is a Russian number. The courier must be able to call you in Kazakhstan"),
        ("ru", "Это российский номер. Служба доставки должна дозвониться до вас в Казахстане"),
    ],
)
async def test_a_russian_number_is_refused_and_a_kazakh_one_accepted(
    engine: Engine, language: str, refusal: str
) -> None:
    d = await walk_to(await customer(engine, language=language), "form_phone")
    assert d.replies[-1].request_contact
    await d.say("+7 916 123 45 67")
    d.expect(refusal)
    await d.say("8 (701) 123-45-67")
    d.expect("✅ +7 701 123 45 67")


@pytest.mark.parametrize(
    ("typed", "explanation"),
    [
        ("+7 800 100 23 23", "service number"),
        ("+82 10 1234 5678", "not from Kazakhstan"),
        ("+7 701 12", "not a complete phone number"),
        ("call me", "send your phone number"),
    ],
)
async def test_other_phone_problems_are_explained(
    engine: Engine, typed: str, explanation: str
) -> None:
    d = await walk_to(await customer(engine), "form_phone")
    await d.say(typed)
    d.expect(explanation)


@pytest.mark.parametrize(("language", "russia"), [("en", "Russia"), ("ru", "Россия")])
async def test_card_issuer_country(engine: Engine, language: str, russia: str) -> None:
    d = await walk_to(await customer(engine, language=language), "form_card")
    d.expect_buttons("🇰🇿", "🇰🇬", "🇦🇲", "🇧🇾", russia)
    await d.tap(russia)
    d.expect(f"({russia})", "Казахстан" if language == "ru" else "Kazakhstan")
    await d.say("kg")  # typed codes and names work too
    d.expect("✅", "https://beta-doterra.myvoffice.com/index.cfm", "4")


async def test_another_country_is_refused(engine: Engine) -> None:
    d = await walk_to(await customer(engine), "form_card")
    await d.tap("Another country")
    d.expect("Only cards issued by banks of Kazakhstan, Kyrgyzstan, Armenia, or Belarus")
    await d.say("Uzbekistan")
    d.expect("(Uzbekistan) are not accepted")


@pytest.mark.parametrize("state", ["form_card", "form_phone", "step4"])
async def test_a_card_number_in_chat_is_refused_and_not_stored(
    engine: Engine, db: Database, tmp_path, state: str
) -> None:
    d = await walk_to(await customer(engine), state)
    await d.say("my card 4111 1111 1111 1111 exp 12/29")
    d.expect("never send a password or a card number")
    assert d.replies[0].delete_source
    stored = await everything_stored(db)
    assert "4111" not in stored
    row = await checklist(db)
    assert row is not None and "4111" not in str(row.progress)
    files = [path.read_bytes() for path in tmp_path.glob("orderbot.db*")]
    assert files and not any(b"4111" in data for data in files)


async def test_a_password_in_chat_is_refused_and_not_stored(engine: Engine, db: Database) -> None:
    d = await walk_to(await customer(engine, language="ru"), "step3")
    await d.say("пароль: Qwerty123")
    d.expect("Шаг 3 из 5")
    assert d.replies[0].delete_source
    assert "Qwerty123" not in await everything_stored(db)


async def test_forged_card_country_buttons_are_stale(engine) -> None:
    d = await customer(engine, "mallory")
    await walk_to(d, "form_card")
    for forged in ("kzm:card:XYZ", "kzm:card:1", "kzm:card:", "kzm:card:kz", "kzm:card:KZ:1"):
        assert Card.parse(forged) is None  # no Card packs these
        await d.send(d.action_event(forged))
        d.expect("no longer valid")


async def test_the_letters_country_names_are_used(engine: Engine) -> None:
    """Issue 18, 8: the letter says «Кыргызстан»; the bot said «Киргизия»."""
    d = await walk_to(await customer(engine, language="ru"), "form_card")
    d.expect_buttons("🇰🇬 Кыргызстан").expect_not("Киргизи")
    await d.tap("Другая страна")
    d.expect("Казахстан, Кыргызстан, Армения или Беларусь").expect_not("Киргизи")


@pytest.mark.parametrize(
    ("typed", "country"),
    [
        ("Кыргызстан", "Кыргызстан"),
        ("киргизия", "Кыргызстан"),
        ("Kyrgyzstan", "Кыргызстан"),
        ("Беларусь", "Беларусь"),
        ("белоруссия", "Беларусь"),
        ("Армения", "Армения"),
        ("Казахстан.", "Казахстан"),
        ("Қазақстан", "Казахстан"),
    ],
)
async def test_usual_country_names_are_accepted(engine: Engine, typed: str, country: str) -> None:
    d = await walk_to(await customer(engine, language="ru"), "form_card")
    await d.say(typed)
    d.expect(f"✅ Карта банка этой страны ({country}) принимается")


async def test_ru_the_phone_question_asks_for_the_number_not_for_a_contact(
    engine: Engine,
) -> None:
    """Issue 18, 10: "share your contact" is the transport's control (Telegram shows one); the
    text asks for the number, which every channel, the terminal too, can take typed."""
    d = await walk_to(await customer(engine, language="ru"), "form_phone")
    assert d.replies[-1].request_contact
    d.expect("Какой номер телефона", "+7 701 123 45 67").expect_not("поделитесь", "контакт")
    await d.say("87011234567")
    d.expect("✅ +7 701 123 45 67")
