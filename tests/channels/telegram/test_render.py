"""Rendering limits and rules: 4096-character messages, editing in place (the 64-byte limit
of button data is the action codec's: tests/core/test_actions.py)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.customer import CustomerChats
from bot.channels.telegram.render import BoundedSet, can_edit, plan, split_text, utf16_len
from core.i18n import translator
from core.types import Button, Reply, rows


def test_short_text_is_one_message() -> None:
    assert split_text("Hello\nworld") == ["Hello\nworld"]
    assert split_text("") == [] and split_text("\n\n") == []


def test_long_text_splits_at_line_boundaries_under_4096() -> None:
    lines = [f"{n:04d} " + "x" * 95 for n in range(200)]  # 100 characters each
    chunks = split_text("\n".join(lines))
    assert len(chunks) == 5
    assert all(utf16_len(chunk) <= 4096 for chunk in chunks)
    # Nothing lost, nothing cut mid-line.
    assert "\n".join(chunks).split("\n") == lines


def test_a_single_overlong_line_is_cut_at_a_space_or_anywhere() -> None:
    words = "word " * 2000
    chunks = split_text(words)
    assert all(utf16_len(c) <= 4096 for c in chunks)
    assert all(c.endswith("word") or c.endswith("word ") for c in chunks)
    solid = "y" * 9000
    assert [len(c) for c in split_text(solid)] == [4096, 4096, 808]


def test_limit_counts_utf16_units_like_telegram() -> None:
    emoji = "😀" * 3000  # two UTF-16 units each
    chunks = split_text(emoji)
    assert [utf16_len(c) for c in chunks] == [4096, 1904]
    assert "".join(chunks) == emoji  # never cut inside a surrogate pair


def test_buttons_become_an_inline_keyboard_on_the_last_chunk() -> None:
    reply = Reply("a\n" * 3000, rows([Button("One", "x:1"), Button("Two", "x:2")]))
    out, _ = plan([reply])
    assert len(out) == 2 and out[0].markup is None
    markup = out[1].markup
    assert isinstance(markup, InlineKeyboardMarkup)
    assert [b.callback_data for b in markup.inline_keyboard[0]] == ["x:1", "x:2"]


def test_a_tap_answered_by_one_reply_with_buttons_edits_in_place() -> None:
    menu = Reply("Pick one", rows([Button("A", "a:1")]))
    out, _ = plan([menu], tapped=42)
    assert out[0].edit == 42
    assert can_edit([menu])
    # Two replies with buttons, no buttons, or no tap: new messages.
    assert not can_edit([menu, menu])
    assert not can_edit([Reply("Done.")])
    assert plan([menu])[0][0].edit is None
    assert not can_edit([Reply("x" * 5000, menu.buttons)])


def test_a_reply_without_buttons_joins_the_next_one() -> None:
    """ "Added to your cart" and the cart: one message (one notification, half the sends that
    count against Telegram's per-chat limit), edited in place when it answers a tap."""
    cart = Reply("Your cart:\n• Lemon × 1", rows([Button("Checkout", "qo:checkout")]))
    out, _ = plan([Reply("Added."), Reply("Lemon × 1\n"), cart], tapped=42)
    assert [(o.text, o.edit) for o in out] == [("Added.\n\nLemon × 1\n\n" + cart.text, 42)]
    assert isinstance(out[0].markup, InlineKeyboardMarkup)
    # Only where the two fit one message; a reply with buttons is never joined to the next.
    long = Reply("x" * 4080)
    assert [o.text for o in plan([long, cart])[0]] == [long.text, cart.text]
    assert len(plan([cart, Reply("After.")])[0]) == 2
    # The question that asks for a contact keeps its keyboard; the text before it joins.
    ask = Reply("Your phone?", request_contact=True)
    out, shown = plan([Reply("Address noted."), ask], contact_label="Share")
    assert shown and [o.text for o in out] == ["Address noted.\n\nYour phone?"]
    assert isinstance(out[0].markup, ReplyKeyboardMarkup)


def test_contact_request_shows_a_reply_keyboard_then_removes_it() -> None:
    ask = Reply("Your phone?", rows([Button("Back", "qo:back")]), request_contact=True)
    out, shown = plan([ask], tapped=7, contact_label="Share", or_choose="Or:")
    assert shown and [o.edit for o in out] == [None, None]  # never edited in place
    assert isinstance(out[0].markup, ReplyKeyboardMarkup)
    assert out[0].markup.keyboard[0][0].request_contact
    assert out[1].text == "Or:" and isinstance(out[1].markup, InlineKeyboardMarkup)
    # Next time, the first message without a keyboard of its own removes it.
    out, shown = plan([Reply("Thanks."), Reply("Next?", ask.buttons)], keyboard_shown=True)
    assert not shown and isinstance(out[0].markup, ReplyKeyboardRemove)
    # Only messages with inline keyboards: it stays until one without comes.
    _, shown = plan([Reply("Next?", ask.buttons)], keyboard_shown=True)
    assert shown


def test_secret_reply_keeps_its_text() -> None:
    out, _ = plan([Reply("Never send passwords.", delete_source=True)])
    assert [o.text for o in out] == ["Never send passwords."]


def test_bounded_set_forgets_the_oldest() -> None:
    seen = BoundedSet(capacity=2)
    for key in (1, 2, 3):
        seen.set(key, True)
    assert 1 not in seen and 2 in seen and 3 in seen and len(seen) == 2
    seen.set(3, False)
    assert 3 not in seen


class _Recorder:
    """A Sender that keeps what it is given."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    async def send(self, chat_id: int, method: Any) -> None:
        self.sent.append(method)


class _NoDatabase:
    def transaction(self) -> Any:
        raise AssertionError("the reply said its language: no lookup expected")


async def test_the_contact_button_speaks_the_replys_language_without_a_lookup() -> None:
    sender = _Recorder()
    engine = SimpleNamespace(db=_NoDatabase())
    chats = CustomerChats(engine, TelegramChannel(sender))  # type: ignore[arg-type]
    ask = Reply("Телефон?", rows([Button("Назад", "qo:cart")]), request_contact=True, language="ru")
    await chats.send_replies(7, [ask], hint="en")
    share, rest = sender.sent
    label = share.reply_markup.keyboard[0][0].text
    assert label == translator("ru")._("📱 Share my phone number") != "📱 Share my phone number"
    assert rest.text == translator("ru")._("Or choose an option:")
