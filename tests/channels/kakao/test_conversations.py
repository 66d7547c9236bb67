"""Conversations through the skill server over loopback HTTP, with realistic payloads."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from core.actions import ToMenu
from core.engine import Engine
from flows.quick_order.actions import Checkout
from storage.db import Database
from tests.channels.kakao import payloads
from tests.channels.kakao.conftest import Kakao
from tests.conftest import BACKENDS

ADDRESS = "서울시 서초구 강남대로 369, 8층"
KEY = "fake-bot-id-0001:fake-bot-user-key-0001"


async def onboard(kakao: Kakao, language: str = "한국어", market: str = "한국") -> Kakao:
    await kakao.send(payloads.welcome(user=kakao.user))
    await kakao.tap(language)
    return await kakao.tap(market)


async def orders_of(db: Database, key: str = KEY) -> list[Any]:
    async with db.transaction() as tx:
        user = await tx.users.find("kakao", key)
        assert user is not None
        return await tx.orders.recent(user.id, 10)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
async def test_the_channel_menu_opens_the_quick_order_to_its_confirmation(
    kakao: Kakao, db: Database
) -> None:
    await onboard(kakao)
    await kakao.say("카톡 간편 주문 바로가기")  # the channel's bottom menu (R-KR-ORD-7)
    kakao.expect("어떤 상품을 주문하시겠어요?")
    await kakao.say("레몬 1, 와일드 오렌지 2")
    kakao.expect("• 레몬 15 mL × 1 = 18,000원", "총 결제 금액: 50,000원")
    await kakao.say("주문하기")  # a label typed, not tapped
    await kakao.say(ADDRESS)
    await kakao.say("010-1234-5678")
    await kakao.say("김민아")  # the recipient
    await kakao.tap("무통장 입금")
    await kakao.tap("건너뛰기")  # no member number
    kakao.expect("주문 내용을 확인해 주세요", "결제 방법: 무통장 입금")
    await kakao.tap("주문 확정")
    kakao.expect("감사해요! 주문이 접수되었어요.", "주문 KR-2611-000001")
    [order] = await orders_of(db)
    assert (order.number, order.payment_method) == ("KR-2611-000001", "bank_transfer")
    async with db.transaction() as tx:
        user = await tx.users.find("kakao", KEY)
        assert user is not None and user.display_name.startswith("Kakao ")
        assert await tx.users.linked_key(user.id) == "fake-pf-key-0001"


async def test_a_typed_number_picks_an_option_shown_as_a_quick_reply(kakao: Kakao) -> None:
    await onboard(kakao)
    await kakao.say("/order 레몬 1")
    await kakao.press_token(Checkout().pack())
    await kakao.say(ADDRESS)
    await kakao.say("010-1234-5678")
    await kakao.say("김민아")  # the recipient
    await kakao.say("2")  # 💳 카드, 🏦 무통장 입금
    await kakao.say("건너뛰기")  # no member number
    kakao.expect("결제 방법: 무통장 입금")


async def test_english_and_russian_menu_words_open_the_quick_order(kakao: Kakao) -> None:
    await onboard(kakao, "English", "Korea")
    await kakao.say("KakaoTalk quick order")
    kakao.expect("What would you like to order?")
    await kakao.say("/lang")
    await kakao.tap("Русский")
    await kakao.say("Быстрый заказ в KakaoTalk")
    kakao.expect("Что вы хотите заказать?")


async def test_the_admin_centres_test_and_an_older_lang_code(kakao: Kakao, db: Database) -> None:
    """The skill test sends only botUserKey; "kr" is an older page's code for Korean."""
    await kakao.send(payloads.admin_test("안녕하세요", user=kakao.user, lang="kr"))
    assert kakao.options[0]["label"] == "✓ 한국어"
    await kakao.send(payloads.payload("", user="other", lang="ru", extra=None))
    assert kakao.options[0]["label"] == "✓ Русский"
    async with db.transaction() as tx:
        user = await tx.users.find("kakao", KEY)
        assert user is not None and await tx.users.linked_key(user.id) is None


async def test_live_payload_spellings_and_empty_extras(kakao: Kakao, db: Database) -> None:
    await kakao.send(payloads.payload("", user=kakao.user, snake_case=True, friend=False))
    await kakao.send(payloads.payload("English", user=kakao.user, extra={}))  # typed, no token
    kakao.expect("Which market")
    async with db.transaction() as tx:
        user = await tx.users.find("kakao", KEY)
        assert user is not None and await tx.users.linked_key(user.id) == "fake-pf-key-0001"


async def test_a_forged_token_is_an_old_button(kakao: Kakao) -> None:
    await onboard(kakao, "English", "Korea")
    await kakao.send(payloads.tapped("Pay", "qo:pay:bitcoin", user=kakao.user))
    kakao.expect("no longer valid")
    await kakao.send(payloads.tapped("x", "a b", user=kakao.user))
    kakao.expect("no longer valid")


async def test_an_error_inside_a_turn_is_an_apology_in_the_users_language(
    kakao: Kakao, engine: Engine, monkeypatch, caplog
) -> None:
    await onboard(kakao, "Русский", "Казахстан")

    async def broken(turn: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(engine, "route", broken)
    status, answer = await kakao.post(payloads.typed("привет", user=kakao.user))
    assert status == 200
    assert answer["template"]["outputs"][0]["simpleText"]["text"].startswith("Извините")
    assert "kakao turn failed (ref " in caplog.text
    assert kakao.user not in caplog.text  # keys are logged hashed


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
async def test_pending_notices_come_first_and_once(
    kakao: Kakao, engine: Engine, db: Database
) -> None:
    await onboard(kakao, "English", "Korea")
    async with db.transaction() as tx:
        user = await tx.users.find("kakao", KEY)
        assert user is not None
        await tx.outbox.add(
            "user", {"text": "Support: your parcel left today."}, engine.clock(), user_id=user.id
        )
    await kakao.say("/menu")
    assert kakao.texts[0] == "Support: your parcel left today."
    kakao.expect("What would you like to do?")
    await kakao.say("/menu")
    assert "parcel" not in kakao.text


async def test_a_long_answer_is_kept_whole_across_turns(
    kakao: Kakao, engine: Engine, db: Database
) -> None:
    await onboard(kakao, "English", "Korea")
    words = [f"word{n}" for n in range(1200)]  # about 10,000 characters
    async with db.transaction() as tx:
        user = await tx.users.find("kakao", KEY)
        assert user is not None
        await tx.outbox.add("user", {"text": " ".join(words)}, engine.clock(), user_id=user.id)
    seen: list[str] = []
    for _ in range(6):
        await kakao.say("/menu")
        assert len(kakao.outputs) <= 3
        for text in kakao.texts:
            seen += [w for w in text.split() if w.startswith("word")]
        if "continued with your next message" not in kakao.text:
            break
    assert seen == words  # every word once, in order, none cut


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
async def test_a_slow_turn_answers_within_the_budget_and_delivers_next_time(
    engine: Engine, db: Database, http, monkeypatch
) -> None:
    from tests.channels.kakao.conftest import base_url, serving

    async with serving(engine, budget=0.3) as app:
        kakao = Kakao(http, base_url(app), "fake-bot-user-key-0001")
        await onboard(kakao, "English", "Korea")
        await kakao.say("/order lemon 1")
        await kakao.press_token(Checkout().pack())
        await kakao.say("Seoul, Seocho-gu, Gangnam-daero 369, 8F")
        await kakao.say("010-1234-5678")
        await kakao.say("Kim Mina")  # the recipient
        await kakao.tap("Bank transfer")
        await kakao.tap("Skip")  # no member number
        route = engine.route

        async def slow(turn: Any) -> Any:
            await asyncio.sleep(0.8)
            return await route(turn)

        monkeypatch.setattr(engine, "route", slow)
        await kakao.tap("Confirm the order")
        kakao.expect("One moment").expect_not("Thank you")
        monkeypatch.setattr(engine, "route", route)
        await app.skill.drain()  # the user writes again a little later
        await kakao.say("ok")
        kakao.expect("Thank you! Your order is placed.")
        assert len(await orders_of(db)) == 1
        await kakao.say("/menu")
        kakao.expect_not("Thank you")


def slow_commits(app: Any, monkeypatch: Any) -> Any:
    """Turns whose answer is rendered and whose COMMIT then takes 0.5 s; the usual hook back."""
    commit = app.skill._commit

    async def slow_commit(*args: Any) -> None:
        await commit(*args)
        await asyncio.sleep(0.5)

    monkeypatch.setattr(app.skill, "_commit", slow_commit)
    return commit


async def test_a_turn_committing_as_the_budget_ends_is_answered_not_put_off(
    engine: Engine, db: Database, http, monkeypatch
) -> None:
    from tests.channels.kakao.conftest import base_url, serving

    async with serving(engine, budget=0.3) as app:
        kakao = Kakao(http, base_url(app), "fake-bot-user-key-0001")
        await onboard(kakao, "English", "Korea")
        slow_commits(app, monkeypatch)
        await kakao.say("/cart")
        kakao.expect("Your cart is empty").expect_not("One moment")


async def test_a_long_answer_committed_past_the_budget_is_kept_whole_and_once(
    engine: Engine, db: Database, http, monkeypatch
) -> None:
    """The turn rendered its answer (the part that did not fit kept for the next message) and
    committed only after the budget and its grace: the whole answer is kept, the part not
    twice."""
    from tests.channels.kakao.conftest import base_url, serving

    async with serving(engine, budget=0.2) as app:
        app.skill.commit_grace = 0.1
        kakao = Kakao(http, base_url(app), "fake-bot-user-key-0001")
        await onboard(kakao, "English", "Korea")
        words = [f"word{n}" for n in range(1200)]  # about 10,000 characters: 3 outputs and more
        async with db.transaction() as tx:
            user = await tx.users.find("kakao", KEY)
            assert user is not None
            await tx.outbox.add("user", {"text": " ".join(words)}, engine.clock(), user_id=user.id)
        commit = slow_commits(app, monkeypatch)
        await kakao.say("/menu")
        kakao.expect("One moment").expect_not("word0")
        await app.skill.drain()
        monkeypatch.setattr(app.skill, "_commit", commit)
        seen: list[str] = []
        for _ in range(8):
            await kakao.say("/menu")
            for text in kakao.texts:
                seen += [w for w in text.split() if w.startswith("word")]
            if "continued with your next message" not in kakao.text:
                break
        assert seen == words  # every word once, in order


async def queue_notice_with_a_button(kakao: Kakao, engine: Engine, db: Database) -> None:
    """A customer in the middle of an order, and a notice for them with a menu button."""
    await onboard(kakao, "English", "Korea")
    await kakao.say("/order lemon 1")
    button = {"label": "🏠 Back to the main menu", "action": ToMenu().pack()}
    async with db.transaction() as tx:
        user = await tx.users.find("kakao", KEY)
        assert user is not None
        notice = {"text": "Your auto-order runs soon.", "buttons": [[button]]}
        await tx.outbox.add("user", notice, engine.clock(), user_id=user.id)


async def test_a_notices_buttons_are_quick_replies_that_work(
    kakao: Kakao, engine: Engine, db: Database
) -> None:
    await queue_notice_with_a_button(kakao, engine, db)
    await kakao.say("/cart")
    assert kakao.texts[0].startswith("Your auto-order runs soon.")
    assert "• 🏠 Back to the main menu" in kakao.texts[0]  # its label is shortened below
    await kakao.tap("Back to the main menu")
    kakao.expect("What would you like to do?")


async def test_a_notices_button_typed_as_its_label_is_the_tap(
    kakao: Kakao, engine: Engine, db: Database
) -> None:
    await queue_notice_with_a_button(kakao, engine, db)
    await kakao.say("/cart")
    await kakao.say("back to the main menu")  # typed, without its emoji
    kakao.expect("What would you like to do?")


async def test_a_late_turn_that_fails_saves_nothing_and_the_next_message_is_answered(
    engine: Engine, db: Database, http, monkeypatch, caplog
) -> None:
    from tests.channels.kakao.conftest import base_url, serving

    async with serving(engine, budget=0.2) as app:
        kakao = Kakao(http, base_url(app), "fake-bot-user-key-0001")
        await onboard(kakao, "English", "Korea")
        route = engine.route

        async def slow_and_broken(turn: Any) -> Any:
            await asyncio.sleep(0.5)
            raise RuntimeError("a bug")

        monkeypatch.setattr(engine, "route", slow_and_broken)
        await kakao.say("/order lemon 1")
        kakao.expect("One moment")
        await app.skill.drain()
        assert "kakao late turn failed: nothing was saved" in caplog.text
        monkeypatch.setattr(engine, "route", route)
        await kakao.say("/cart")
        kakao.expect("Your cart is empty").expect_not("One moment")
        assert await orders_of(db) == []


async def test_a_bug_past_the_turn_is_still_a_valid_answer(
    kakao: Kakao, kakao_app, monkeypatch
) -> None:
    async def broken(inbound: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(kakao_app.skill, "answer", broken)
    status, answer = await kakao.post(payloads.typed("hi", user=kakao.user))
    assert status == 200
    assert "Sorry" in answer["template"]["outputs"][0]["simpleText"]["text"]
