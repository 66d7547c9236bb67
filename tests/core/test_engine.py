"""The engine's guarantees: exactly-once, serialized, durable, never speechless."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest

from core.actions import MenuChoice
from core.engine import Engine
from core.types import Event, Kind, UserRef
from flows.registry import default_flows
from flows.start import StartMarket
from storage.db import Database
from storage.repos import Tx
from tests.conftest import BACKENDS, POSTGRES_URL
from tests.dialogue import Dialogue

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


async def stored(db: Database, user: str = "alice"):
    async with db.transaction() as tx:
        found = await tx.users.find("test", user)
        assert found is not None
        return found, await tx.conversations.load(found.id, "start", "language")


async def test_onboarding_ends_at_the_menu(dialogue: Dialogue) -> None:
    await dialogue.say("/start")
    dialogue.expect("Choose your language").expect_buttons("English", "한국어", "Русский")
    await dialogue.tap("English")
    dialogue.expect("Which market").expect_buttons("Korea", "Kazakhstan")
    await dialogue.tap("Kazakhstan")
    dialogue.expect("What would you like to do?").expect_buttons("Move to Kazakhstan", "Support")


async def test_client_language_is_suggested_first(engine: Engine) -> None:
    d = Dialogue(engine, "boris", language_hint="ru-RU")
    await d.say("/start")
    assert d.buttons[0].label == "✓ Русский"


async def test_redelivered_event_changes_nothing(dialogue: Dialogue, db: Database) -> None:
    await dialogue.onboard("en", "KR")
    await dialogue.say("no idea what to type")
    _, before = await stored(db)
    again = await dialogue.redeliver()
    assert again.replies == []
    _, after = await stored(db)
    assert (after.version, after.slots) == (before.version, before.slots)


async def test_two_workers_on_one_conversation_lose_no_update(
    db: Database, clock, resources
) -> None:
    # Two engines = two workers: no shared in-process lock, only the database to agree on.
    workers = [Engine(db, default_flows(), resources=resources, clock=clock) for _ in range(2)]
    await Dialogue(workers[0], "alice").onboard("en", "KR")
    user = UserRef("test", "alice")
    counter = itertools.count()
    garbage = [
        Event(user, Kind.TEXT, text="zzz", delivery_id=f"race-{next(counter)}") for _ in range(6)
    ]
    await asyncio.gather(*(workers[i % 2].handle(e) for i, e in enumerate(garbage)))
    _, conv = await stored(db)
    # Each miss counted once: a lost update would leave fewer than six.
    assert conv.slots["_fails"] == 6


async def test_language_switch_mid_flow_keeps_the_step(dialogue: Dialogue) -> None:
    await dialogue.onboard("en", "KR")
    await dialogue.say("/lang")
    dialogue.expect("Choose your language")
    await dialogue.tap("한국어")
    dialogue.expect("무엇을 도와드릴까요?")


async def test_three_misses_offer_a_person(dialogue: Dialogue) -> None:
    await dialogue.onboard("en", "KR")
    for _ in range(2):
        await dialogue.say("blorp")
        dialogue.expect_not("talk to a person")
    await dialogue.say("blorp")
    dialogue.expect("talk to a person").expect_buttons("Talk to a person")


async def test_question_mid_flow_is_answered_and_step_asked_again(dialogue: Dialogue) -> None:
    await dialogue.onboard("en", "KR")
    await dialogue.say("how much is shipping?")
    dialogue.expect("₩50,000", "₩4,500", "What would you like to do?")


async def test_stale_button_is_refused_politely(dialogue: Dialogue) -> None:
    await dialogue.onboard("en", "KR")
    await dialogue.press(StartMarket(market="KZ"))
    dialogue.expect("no longer valid", "What would you like to do?")


async def test_card_number_is_neither_stored_nor_echoed(dialogue: Dialogue, db: Database) -> None:
    await dialogue.onboard("en", "KR")
    await dialogue.say("my card is 4111 1111 1111 1111")
    dialogue.expect("never send a password or a card number").expect_not("4111")
    assert dialogue.replies[0].delete_source
    _, conv = await stored(db)
    assert "4111" not in repr(conv.slots)


async def test_unknown_command_is_explained(dialogue: Dialogue) -> None:
    await dialogue.onboard("en", "KR")
    await dialogue.say("/frobnicate")
    dialogue.expect("/frobnicate", "/help")


async def test_commands_before_onboarding_lead_to_onboarding(dialogue: Dialogue) -> None:
    await dialogue.say("hello")
    dialogue.expect("Choose your language")


async def test_menu_before_onboarding_asks_language_first(dialogue: Dialogue) -> None:
    await dialogue.say("/menu")
    dialogue.expect("Choose your language")


async def test_back_returns_to_the_previous_step(dialogue: Dialogue) -> None:
    await dialogue.say("/start")
    await dialogue.tap("English")
    dialogue.expect("Which market")
    await dialogue.say("/back")
    dialogue.expect("Choose your language")


async def test_a_caption_with_a_card_number_is_not_relayed(
    dialogue: Dialogue, db: Database
) -> None:
    await dialogue.onboard("en", "KR")
    await dialogue.say("/support")
    photo = Event(
        dialogue.user,
        Kind.MEDIA,
        text="card 5500 0000 0000 0004 exp 12/29",
        attachment={"type": "photo", "file_id": "f1"},
        delivery_id="media-1",
    )
    await dialogue.send(photo)
    dialogue.expect("never send a password or a card number")
    async with db.connect() as conn:
        rows = (await conn.exec_driver_sql("SELECT payload FROM outbox")).all()
    assert "5500" not in repr(rows)


async def test_secrets_in_command_arguments_are_refused(dialogue: Dialogue, db: Database) -> None:
    await dialogue.onboard("en", "KR")
    await dialogue.say("/support my password is hunter2")
    dialogue.expect("never send a password").expect_not("hunter2")
    await dialogue.say("/order 4111 1111 1111 1111")
    dialogue.expect("never send").expect_not("4111")
    async with db.connect() as conn:
        for table in ("outbox", "support_tickets", "ticket_messages", "conversations"):
            rows = (await conn.exec_driver_sql(f"SELECT * FROM {table}")).all()
            assert "hunter2" not in repr(rows) and "4111" not in repr(rows), table


async def test_questions_in_the_support_chat_go_to_staff(dialogue: Dialogue, db: Database) -> None:
    await dialogue.onboard("en", "KR")
    await dialogue.say("/support")
    await dialogue.say("I want to return my order, how much is the refund?")
    dialogue.expect("Sent to support").expect_not("Members may withdraw")
    async with db.connect() as conn:
        rows = (await conn.exec_driver_sql("SELECT text FROM ticket_messages")).all()
    assert rows == [("I want to return my order, how much is the refund?",)]


async def test_a_message_after_staff_closed_opens_a_new_request(
    dialogue: Dialogue, db: Database, clock
) -> None:
    from services.tickets import Desk

    await dialogue.onboard("en", "KR")
    await dialogue.say("/support")
    async with db.transaction() as tx:
        user = await tx.users.find("test", "alice")
        first = await tx.tickets.open_for(user.id)
    await Desk(db).close(first.id, "staff", clock.now)
    await dialogue.say("one more thing")
    dialogue.expect("opened request")
    async with db.transaction() as tx:
        second = await tx.tickets.open_for(user.id)
    assert second is not None and second.id != first.id


async def test_deep_link_opens_a_flow_after_onboarding(dialogue: Dialogue) -> None:
    await dialogue.say("/start kz_move")
    await dialogue.tap("Русский")
    await dialogue.tap("Казахстан")
    dialogue.expect("AR")  # the move to Kazakhstan starts with the AR balance


async def test_deep_link_to_an_unknown_flow_ends_at_the_menu(dialogue: Dialogue) -> None:
    await dialogue.say("/start nonsense_42")
    await dialogue.tap("English")
    await dialogue.tap("Korea")
    dialogue.expect("What would you like to do?")


async def test_forged_menu_tokens_are_stale(dialogue: Dialogue, db: Database) -> None:
    await dialogue.onboard("en", "KR")
    await dialogue.send(dialogue.action_event("menu:support:give me a refund now"))
    dialogue.expect("no longer valid")
    async with db.connect() as conn:
        assert (await conn.exec_driver_sql("SELECT count(*) FROM support_tickets")).scalar() == 0


async def test_a_menu_entry_can_be_typed(dialogue: Dialogue) -> None:
    await dialogue.onboard("en", "KR")
    await dialogue.say("my orders")  # an entry with arguments: quick order's "orders"
    dialogue.expect("You have no orders yet")
    await dialogue.say("/menu")
    await dialogue.say("support")
    dialogue.expect("support request #1")


async def test_lang_during_onboarding_answers_the_language_step(dialogue: Dialogue) -> None:
    await dialogue.say("/start")
    await dialogue.say("/lang")
    await dialogue.tap("Русский")
    dialogue.expect("На каком рынке")


async def test_the_back_trail_stays_short_however_long_the_browse(
    dialogue: Dialogue, db: Database
) -> None:
    from core.engine import MAX_TRAIL

    await dialogue.onboard("en", "KR")
    await dialogue.press(MenuChoice("quick_order"))
    await dialogue.tap("Blends")
    for _ in range(MAX_TRAIL):
        await dialogue.tap("On Guard")
        dialogue.expect("How many On Guard")
        await dialogue.tap("Back")
    async with db.transaction() as tx:
        found = await tx.users.find_with_conversation("test", dialogue.user.external_id)
    assert found is not None and found[1] is not None
    assert len(found[1].slots["_trail"]) == MAX_TRAIL
    await dialogue.say("/back")  # still retraces the latest steps
    dialogue.expect("How many On Guard")


async def _drop_server_connections() -> None:
    """What a PostgreSQL restart does to the pool: every other session is terminated."""
    import asyncpg

    assert POSTGRES_URL is not None
    conn = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await conn.close()


def _postgres_only(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("PostgreSQL only: server connections under the pool")


async def test_connections_the_server_closed_are_replaced_before_use(
    dialogue: Dialogue, db: Database, caplog
) -> None:
    _postgres_only(db)
    await dialogue.onboard("en", "KR")
    await _drop_server_connections()  # a restart while the pool holds connections
    await asyncio.sleep(0.2)  # the closed sockets reach asyncpg
    user, _ = await stored(db)  # outside the engine: nothing would run it again
    assert user.market == "KR"
    await dialogue.say("/menu")
    dialogue.expect("What would you like to do?")
    assert "database connection lost" not in caplog.text


async def test_a_connection_lost_mid_message_runs_the_message_again(
    dialogue: Dialogue, db: Database, caplog, monkeypatch
) -> None:
    _postgres_only(db)
    await dialogue.onboard("en", "KR")
    open_turn = Tx.open_turn
    dropped: list[bool] = []

    async def drop_once(self: Tx, *args: Any) -> Any:
        if not dropped:  # the server goes away inside the message's transaction
            dropped.append(True)
            await _drop_server_connections()
        return await open_turn(self, *args)

    monkeypatch.setattr(Tx, "open_turn", drop_once)
    await dialogue.say("/menu")
    dialogue.expect("What would you like to do?")
    assert dropped and "database connection lost" in caplog.text
    _, conv = await stored(db)
    assert conv.flow == "menu"


async def test_text_at_the_language_question_asks_it_once(dialogue: Dialogue) -> None:
    """Issue 18, 10: typed text there got the question twice in one answer."""
    await dialogue.say("/start")
    await dialogue.say("hello")
    assert dialogue.text.count("Choose your language") == 1, dialogue.text
    dialogue.expect("type its name").expect_buttons("English", "한국어", "Русский")
    await dialogue.say("русский")  # a language's name, as its button reads
    dialogue.expect("На каком рынке").expect_not("Choose your language")
