"""R-KZ-MIG-4 at every step of every flow: card numbers and passwords in the shapes people
type them are never repeated, stored or relayed to staff, and never crash a step.

A seeded, bounded fuzz: for each state, secrets drawn from the shapes below are sent as text,
as a photo's caption, as a command's arguments or name and as a shared contact; then the
replies, the database file's bytes and the outbox are searched for them.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from core import commands
from core.engine import Engine
from core.types import Event, Kind
from flows.registry import default_flows
from storage.db import Database
from storage.schema import outbox, support_tickets, ticket_messages
from tests.cards import luhn_complete
from tests.dialogue import Dialogue
from tests.test_every_state import put_user_at

STATES = [(flow.name, state) for flow in default_flows() for state in flow.machine.states]
SEED = 20261130
PER_STATE = 14  # secrets sent at each state, per market

SEPARATORS = [
    " ", "-", ".", ",", ", ", "•", " • ", "·", "|", " | ", "\t", "    ", "\n", "\r\n", ") (",
    "/", "_", "*", "~", "; ", "\u00a0", "\u200b", "—",
]  # fmt: skip
CARD_TEMPLATES = [
    "{card}",
    "card {card}",
    "моя карта {card}",
    "카드번호 {card} 입니다",
    "lavender 2, {card}",
    "Алматы, ул. Абая 10, {card}",
    "{card} 12/27",
    "pay with {card} please",
]
PASSWORD_TEMPLATES = [
    "пароль от личного кабинета {pw}",
    "пароль: {pw}",
    "мой пароль {pw}",
    "пароль у меня {pw}",
    "my password's {pw}",
    "password -> {pw}",
    "the password for my virtual office is {pw}",
    "{pw} is my password",
    "비밀번호는 {pw}",
    "비번 {pw}",
    "비번은요 {pw}",
    "{pw}가 제 비밀번호예요",
    "lavender 2, pw: {pw}",
    "ID 1234567 PW {pw}",
]


@dataclass(frozen=True)
class Secret:
    text: str  # the whole message
    needle: str  # what must appear nowhere: the card's digits or the password

    def leaked_in(self, said: str) -> bool:
        if self.needle.isdigit():
            return self.needle[:12] in "".join(ch for ch in said if ch.isdigit())
        return self.needle in said


def draw_secrets(rng: random.Random, count: int) -> list[Secret]:
    secrets = []
    for _ in range(count):
        if rng.random() < 0.55:
            prefix = rng.choice(["4", "51", "52", "2200", "37", "6011", "9860"])
            length = 15 if prefix == "37" else 16
            body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix)))
            card = luhn_complete(body[:-1])
            sizes = (4, 6, 5) if length == 15 else (4, 4, 4, 4)
            groups, start = [], 0
            for size in sizes:
                groups.append(card[start : start + size])
                start += size
            typed = rng.choice(SEPARATORS).join(groups)
            secrets.append(Secret(rng.choice(CARD_TEMPLATES).format(card=typed), card))
        else:
            word = rng.choice(["Zhenya", "doTERRA", "sunshine", "Qwerty", "almaty"])
            pw = f"{word}{rng.randint(100, 99999)}{rng.choice(['', '!', '#'])}"
            secrets.append(Secret(rng.choice(PASSWORD_TEMPLATES).format(pw=pw), pw))
    return secrets


def shapes(d: Dialogue, secret: Secret, rng: random.Random) -> list[Event]:
    """The ways a person can put ``secret`` before the bot."""
    text = d.event_for(secret.text)
    caption = Event(
        d.user,
        Kind.MEDIA,
        text=secret.text,
        attachment={"type": "photo", "file_id": "photo-1"},
        delivery_id=f"{text.delivery_id}-media",
    )
    args = d.event_for(f"/{rng.choice(['support', 'order', 'move', 'menu', 'help'])} {secret.text}")
    name = d.event_for("/" + secret.text)  # the secret's first word is the command's name
    contact = Event(d.user, Kind.CONTACT, text=secret.text, delivery_id=f"{text.delivery_id}-c")
    return [text, caption, args, name, contact]


async def everything_in(db: Database, table) -> str:
    async with db.transaction() as tx:
        return str((await tx.conn.execute(select(table))).all())


def database_bytes(folder: Path) -> bytes:
    """The SQLite file and its journals, as stored on disk (free pages included)."""
    return b"".join(path.read_bytes() for path in sorted(folder.glob("orderbot.db*")))


def stored_forms(needle: str) -> list[bytes]:
    return [needle.encode(), json.dumps(needle)[1:-1].encode()]


@pytest.mark.parametrize(("flow", "state"), STATES)
async def test_no_secret_is_echoed_stored_or_relayed(
    engine: Engine, db: Database, tmp_path: Path, flow: str, state: str
) -> None:
    rng = random.Random(f"{SEED}:{flow}:{state}")
    d = Dialogue(engine, "eve")
    await d.onboard("en", "KR")
    sent: list[Secret] = []
    for market, language in (("KR", "ko"), ("KZ", "ru")):
        for secret in draw_secrets(rng, PER_STATE):
            for event in shapes(d, secret, rng):
                await put_user_at(db, "eve", flow, state, language, market)
                await d.send(event)  # an exception fails the test
                said = "\n".join(reply.text for reply in d.replies)
                assert not secret.leaked_in(said), (
                    f"{flow}/{state} ({event.kind}) repeated {secret.text!r}:\n{said}"
                )
            sent.append(secret)

    relayed = await everything_in(db, outbox) + await everything_in(db, ticket_messages)
    on_disk = database_bytes(tmp_path)
    for secret in sent:
        assert not secret.leaked_in(relayed), f"{flow}/{state} relayed {secret.text!r}"
        for form in stored_forms(secret.needle):
            assert form not in on_disk, f"{flow}/{state} stored {secret.text!r}"


@pytest.fixture
def unscreened(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine's screen switched off: what a flow would do with a secret it was given."""
    monkeypatch.setattr(commands, "holds_secret", lambda text: False)


@pytest.mark.parametrize(
    ("typed", "secret"),
    [
        ("lavender 2, 4111•1111•1111•1111", "4111•1111•1111"),
        ("lavender 2, pw:Qwerty", "Qwerty"),
        ("lavender 2, пароль:ромашка", "ромашка"),
    ],
)
@pytest.mark.usefixtures("unscreened")
async def test_what_quick_order_could_not_find_is_repeated_masked(
    engine: Engine, db: Database, typed: str, secret: str
) -> None:
    """R-KZ-MIG-4: "I couldn't find ..." repeats the customer's words with secrets masked."""
    d = Dialogue(engine, "eve")
    await d.onboard("en", "KR")
    await put_user_at(db, "eve", "quick_order", "cart", "en", "KR")
    await d.say(typed)
    d.expect("couldn't find").expect_not(secret)


@pytest.mark.usefixtures("unscreened")
async def test_the_cyrillic_check_repeats_words_with_secrets_masked(
    engine: Engine, db: Database
) -> None:
    """R-KZ-MIG-4: the words the Cyrillic check names come back with card numbers masked."""
    d = Dialogue(engine, "eve")
    await d.onboard("en", "KZ")
    await put_user_at(db, "eve", "kz_move", "form_name", "en", "KZ")
    await d.say("Абай x4111•1111•1111•1111")
    d.expect("Cyrillic only", "1111").expect_not("4111•1111")


@pytest.mark.usefixtures("unscreened")
async def test_the_summary_for_staff_masks_before_it_shortens(engine: Engine, db: Database) -> None:
    """A card number cut in two by the summary's length limit is still masked whole."""
    d = Dialogue(engine, "eve")
    await d.onboard("en", "KR")
    await d.say("/support " + "x" * 485 + " 4111 1111 1111 1111")
    assert "4111 1111" not in await everything_in(db, support_tickets)


async def test_a_mistyped_card_number_in_the_support_chat_is_neither_relayed_nor_stored(
    engine: Engine, db: Database, tmp_path: Path
) -> None:
    """Issue 18, 10: fifteen digits grouped like a card fail the check digit and are still a
    card number: refused, not relayed to staff, not stored."""
    d = Dialogue(engine, "eve")
    await d.onboard("en", "KR")
    await d.say("/support")
    await d.say("my card 4111 1111 1111 111 was charged twice")  # with the word "card"
    await d.say("it was 4111 1111 1111 111")
    d.expect("never send a password or a card number")
    relayed = await everything_in(db, outbox) + await everything_in(db, ticket_messages)
    assert "1111 1111" not in relayed
    assert b"4111 1111 1111 111" not in database_bytes(tmp_path)
