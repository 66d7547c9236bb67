"""Issue 18, 9: asking for a person in words opens a support request, at any step, in each
language it was seen in; the words go to staff as the request's first message."""

from __future__ import annotations

import pytest

from tests.dialogue import Dialogue


@pytest.mark.parametrize(
    ("language", "market", "typed", "opened"),
    [
        ("en", "KR", "I want to talk to a person", "support request #1"),
        ("ko", "KR", "상담원 연결해주세요", "상담 요청 #1"),
        ("ru", "KZ", "позовите оператора", "обращение №1"),
    ],
)
async def test_asking_for_a_person_in_words_opens_a_request(
    dialogue: Dialogue, language: str, market: str, typed: str, opened: str
) -> None:
    await dialogue.onboard(language, market)
    await dialogue.say(typed)
    dialogue.expect(opened)
    async with dialogue.engine.db.transaction() as tx:
        user = await tx.users.find("test", "alice")
        assert user is not None
        ticket = await tx.tickets.open_for(user.id)
        assert ticket is not None and ticket.summary["said"] == typed


async def test_even_where_any_text_is_the_answer(dialogue: Dialogue) -> None:
    """The delivery address step takes any text as the address; a request for a person is
    not one."""
    await dialogue.onboard("en", "KR")
    await dialogue.say("/order lemon 1")
    await dialogue.say("checkout")
    dialogue.expect("Where should we deliver")
    await dialogue.say("can I speak to a human please")
    dialogue.expect("I have opened support request")


@pytest.mark.parametrize(
    "typed", ["I want to return my order", "my person of contact moved", "оператор связи"]
)
async def test_other_words_are_not_a_request(dialogue: Dialogue, typed: str) -> None:
    await dialogue.onboard("en", "KR")
    await dialogue.say(typed)
    dialogue.expect_not("support request")
