"""Language is product (issue 18, defect 11): one polite register in Korean (해요체), particles
chosen for the word before them, amounts read the local way; every catalogue entry checked."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from core.i18n import translator, with_particles
from flows.quick_order.actions import Checkout
from tests.conftest import Clock
from tests.dialogue import Dialogue

LOCALES = Path(__file__).parents[1] / "locales"
# 합니다체: -습니다/-ㅂ니다 (합니다, 입니다, 됩니다...), -습니까, -십시오.
_FORMAL = re.compile(r"습니다|습니까|십시오|[\uac00-\ud7a3]니다")


def _entries(language: str) -> list[tuple[str, str]]:
    entries = []
    for path in sorted((LOCALES / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=language):
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                entries += [(path.name, text) for text in strings if message.id]
    return entries


def _korean_entries() -> list[tuple[str, str]]:
    return _entries("ko")


def _formal(text: str) -> bool:
    """-ㅂ니다 endings (합니다, 입니다, 갑니다), not any syllable before 니다 (a word's 니다)."""
    return any(
        found.group() in ("습니다", "습니까", "십시오")
        or (ord(found.group()[0]) - 0xAC00) % 28 == 17  # the syllable ends in ㅂ
        for found in _FORMAL.finditer(text)
    )


def test_korean_uses_the_polite_haeyo_register_everywhere() -> None:
    formal = [(name, text) for name, text in _korean_entries() if _formal(text)]
    assert formal == []


def test_korean_calls_support_one_name() -> None:
    """고객센터 everywhere: the same desk was also called 고객지원팀."""
    assert [text for _, text in _korean_entries() if "지원팀" in text] == []


def test_no_korean_entry_leaves_a_particle_for_the_reader_to_choose_after_a_word() -> None:
    """Particles written for both endings only follow a placeholder, which filling resolves."""
    after_words = re.compile(r"[^}](?:을\(를\)|이\(가\)|은\(는\)|\(으\)로)")
    assert [text for _, text in _korean_entries() if after_words.search(text)] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("상담 요청 #1을(를) 접수했어요.", "상담 요청 #1을 접수했어요."),
        ("상담 요청 #2을(를) 접수했어요.", "상담 요청 #2를 접수했어요."),
        ("#10이(가)", "#10이"),
        ("#4은(는)", "#4는"),
        ("KZT(으)로", "KZT로"),
        ("서울(으)로", "서울로"),
        ("부산(으)로", "부산으로"),
        ("Анна이(가)", "Анна가"),
    ],
)
def test_particles_follow_the_sound_before_them(text: str, expected: str) -> None:
    assert with_particles(text) == expected


async def test_ko_a_support_request_number_takes_the_right_particle(dialogue: Dialogue) -> None:
    await dialogue.onboard("ko", "KR")
    await dialogue.say("상담원 연결해주세요")
    dialogue.expect("상담 요청 #1을 접수했어요.").expect_not("(를)", "습니다")
    await dialogue.say("/cancel")
    dialogue.expect("상담 요청 #1을 종료했어요.")


async def test_ko_prices_read_in_won_in_polite_korean(dialogue: Dialogue) -> None:
    await dialogue.onboard("ko", "KR")
    await dialogue.say("/order 레몬 1")
    dialogue.expect("레몬 15 mL × 1 = 18,000원", "배송비: 4,500원").expect_not("₩")


def test_ru_amounts_in_tenge_and_en_with_a_space() -> None:
    assert translator("ru").money(29000, "KZT") == "29\xa0000\xa0₸"
    assert translator("en").money(29000, "KZT") == "KZT\xa029,000"


# -- Russian -----------------------------------------------------------------------------------
async def test_ru_cart_reads_ml_and_tenge(dialogue: Dialogue) -> None:
    await dialogue.onboard("ru", "KZ")
    await dialogue.say("/order лаванда 2")
    dialogue.expect("Лаванда 15 мл × 2 = 29\xa0000\xa0₸").expect_not("mL", "KZT")


async def test_ru_card_payment_is_in_tenge_not_in_kzt(dialogue: Dialogue) -> None:
    await dialogue.onboard("ru", "KZ")
    await dialogue.say("как оплатить картой?")
    dialogue.expect("оплачиваются в тенге картой").expect_not("в KZT")


async def test_ru_phone_is_shown_in_pairs(dialogue: Dialogue) -> None:
    await dialogue.onboard("ru", "KZ")
    await dialogue.say("/order лимон")
    await dialogue.press(Checkout())
    await dialogue.say("Алматы, ул. Абая 10, кв. 5")
    await dialogue.say("87011234567")
    dialogue.expect("+7 701 123 45 67")


async def test_ru_support_hours_say_v_before_the_time(dialogue: Dialogue, clock: Clock) -> None:
    clock.set("2026-11-28T20:00:00+05:00")  # Saturday evening in Almaty: support closed
    await dialogue.onboard("ru", "KZ")
    await dialogue.say("позовите оператора")
    dialogue.expect("Сотрудники вернутся 30 нояб. 2026\u202fг. в 11:00;")


def test_ru_the_bot_speaks_of_itself_without_a_gender() -> None:
    """«Я открыл…», «Я не сохранил…» gave the bot a gender: «Открыто обращение…». A
    customer's own words name both («Я купил(а)»)."""
    first_person_past = re.compile(r"\b[Яя]\s+(?:не\s+)?[а-яё]+л(?:ся)?\b(?!\()")
    assert [text for _, text in _entries("ru") if first_person_past.search(text)] == []


def test_ru_a_date_ending_a_sentence_has_one_period() -> None:
    t = translator("ru")
    assert t._("First run: {run}.").format(run=t.day(date(2026, 11, 24))) == (
        "Первый заказ: вт, 24 нояб."
    )
