"""Replies rendered for Kakao: always within its limits, nothing lost."""

from __future__ import annotations

import pytest

from bot.channels.kakao import limits
from bot.channels.kakao.render import chunks, render, short
from core.types import Button, Reply, Row, Summary, rows

MORE = "(continued with your next message)"


def options(count: int, label: str = "Option") -> tuple[tuple[Button, ...], ...]:
    return rows([Button(f"{label} {n}", f"x:{n}") for n in range(1, count + 1)])


def test_buttons_become_quick_replies_with_the_token_in_extra() -> None:
    response = render([Reply("Pick one", options(3))], block_id="blk").response
    limits.check(response)
    first = response["template"]["quickReplies"][0]
    assert first == {
        "label": "Option 1",
        "action": "block",
        "blockId": "blk",
        "messageText": "Option 1",
        "extra": {"a": "x:1"},
    }


def test_long_labels_are_shortened_and_listed_in_full_in_the_bubble() -> None:
    label = "🔁 Auto-order (LRP) every month"
    response = render([Reply("Menu", (tuple([Button(label, "x:1")]),))]).response
    limits.check(response)
    [reply] = response["template"]["quickReplies"]
    assert reply["label"] == short(label) and reply["label"].endswith("…")
    assert len(reply["label"]) <= limits.LABEL
    assert reply["messageText"] == label
    assert f"1. {label}" in response["template"]["outputs"][0]["simpleText"]["text"]


def test_more_than_ten_options_are_list_cards_and_none_is_lost() -> None:
    response = render([Reply("Choose a product", options(23, "Lavender oil 15 mL"))]).response
    limits.check(response)
    outputs = response["template"]["outputs"]
    carousel = outputs[-1]["carousel"]
    assert carousel["type"] == "listCard" and len(carousel["items"]) == 5
    tokens = [item["extra"]["a"] for card in carousel["items"] for item in card["items"]]
    assert tokens == [f"x:{n}" for n in range(1, 21)]
    assert carousel["items"][0]["header"]["title"] == "1–4 / 23"
    text = outputs[0]["simpleText"]["text"]
    assert "21. Lavender oil 15 mL 21" in text and "23. Lavender oil 15 mL 23" in text
    assert "quickReplies" not in response["template"]


def test_text_is_split_at_line_breaks_into_at_most_three_bubbles() -> None:
    lines = [f"Line {n}: " + "가" * 80 for n in range(30)]  # about 2,700 characters
    response = render([Reply("\n".join(lines))]).response
    limits.check(response)
    texts = [o["simpleText"]["text"] for o in response["template"]["outputs"]]
    assert 2 <= len(texts) <= 3
    assert "\n".join(texts).split("\n") == lines  # whole lines, in order


def test_overflow_points_to_the_next_message_and_keeps_the_rest() -> None:
    words = [f"w{n}" for n in range(2000)]
    rendered = render([Reply(" ".join(words))], more=MORE)
    limits.check(rendered.response)
    texts = [o["simpleText"]["text"] for o in rendered.response["template"]["outputs"]]
    assert len(texts) == 3 and texts[-1].endswith(MORE)
    shown = " ".join(texts).replace(MORE, "").split()
    assert shown + rendered.rest.split() == words


def test_notices_come_first_in_bubbles_of_their_own() -> None:
    response = render(
        [Reply("What would you like to do?")], notices=[Reply("Support: hi")]
    ).response
    texts = [o["simpleText"]["text"] for o in response["template"]["outputs"]]
    assert texts == ["Support: hi", "What would you like to do?"]


def test_a_notices_buttons_follow_the_answers_quick_replies_where_there_is_room() -> None:
    reminder = Reply(
        "Your auto-order runs on Dec 15.",
        ((Button("✏️ Change the order", "lrp:rc:1"), Button("⏭ Skip this month", "lrp:rs:1")),),
    )
    response = render([Reply("Pick", options(9))], notices=[reminder]).response
    limits.check(response)
    tokens = [q["extra"]["a"] for q in response["template"]["quickReplies"]]
    assert tokens == [f"x:{n}" for n in range(1, 10)] + ["lrp:rc:1"]  # ten at most
    notice = response["template"]["outputs"][0]["simpleText"]["text"]
    assert "• ✏️ Change the order" in notice  # shortened on the button: in full here


def test_a_word_longer_than_a_bubble_is_cut_but_kept() -> None:
    assert chunks("x" * 2500) == ["x" * 1000, "x" * 1000, "x" * 500]


@pytest.mark.parametrize(
    ("response", "broken"),
    [
        ({"template": {"outputs": [{"simpleText": {"text": "hi"}}]}}, "version"),
        ({"version": "2.0", "template": {"outputs": []}}, "template.outputs"),
        (
            {"version": "2.0", "template": {"outputs": [{"simpleText": {"text": "x" * 1001}}]}},
            "1001 characters",
        ),
        (
            {
                "version": "2.0",
                "template": {
                    "outputs": [{"simpleText": {"text": "hi"}}],
                    "quickReplies": [{"label": "a", "action": "message", "messageText": "a"}] * 11,
                },
            },
            "quickReplies",
        ),
        (
            {
                "version": "2.0",
                "template": {
                    "outputs": [{"simpleText": {"text": "hi"}}],
                    "quickReplies": [
                        {"label": "fifteen letters", "action": "block", "messageText": "a"}
                    ],
                },
            },
            "15 characters",
        ),
        (
            {
                "version": "2.0",
                "template": {
                    "outputs": [
                        {
                            "listCard": {
                                "header": {"title": "t"},
                                "items": [{"title": "i"}] * 6,
                            }
                        }
                    ]
                },
            },
            "items: 1 to 5",
        ),
        (
            {
                "version": "2.0",
                "template": {
                    "outputs": [
                        {
                            "itemCard": {
                                "itemList": [{"title": "seven ch", "description": "₩1"}],
                            }
                        }
                    ]
                },
            },
            "itemList[0].title",
        ),
        (
            {
                "version": "2.0",
                "template": {
                    "outputs": [
                        {
                            "itemCard": {
                                "head": {"title": "h" * 51},
                                "itemList": [{"title": "레몬", "description": "×2 · 1,036,000원"}],
                                "itemListAlignment": "middle",
                            }
                        }
                    ]
                },
            },
            "head.title: 51 characters",
        ),
        (
            {"version": "2.0", "template": {"outputs": [{"simpleText": {"text": "가" * 999}}] * 4}},
            "template.outputs",
        ),
    ],
)
def test_the_validator_names_each_broken_limit(response: dict, broken: str) -> None:
    with pytest.raises(limits.LimitsBroken, match=broken.replace(".", r"\.").replace("[", r"\[")):
        limits.check(response)


def card_rows(*products: tuple[str, int, str]) -> list[dict[str, str]] | None:
    """The item card's rows for a cart of `products` (name, quantity, amount) with a fee,
    None when the cart is rendered as text."""
    text = "\n".join(f"• {name} × {quantity} = {amount}" for name, quantity, amount in products)
    summary = Summary(
        "🛒 장바구니",
        (*(Row(name, amount, count) for name, count, amount in products), Row("배송비", "4,500원")),
        Row("합계", "₩1"),
        replaces=text,
    )
    response = render([Reply(f"장바구니:\n{text}", summary=summary)]).response
    limits.check(response)
    found = [o["itemCard"] for o in response["template"]["outputs"] if "itemCard" in o]
    if not found:
        assert text in response["template"]["outputs"][0]["simpleText"]["text"]
        return None
    return found[0]["itemList"][:-1]


@pytest.mark.parametrize(
    ("products", "expected"),
    [
        # Every name and quantity fit a row's title (6 characters): "레몬 ×2" | amount.
        ([("레몬", 2, "36,000원")], [("레몬 ×2", "36,000원")]),
        ([("라벤더", 2, "70,000원")], [("라벤더 ×2", "70,000원")]),
        # One does not: every row's quantity goes with its amount (14 characters).
        (
            [("레몬", 2, "36,000원"), ("다이제스트젠", 10, "470,000원")],
            [("레몬", "×2 · 36,000원"), ("다이제스트젠", "×10 · 470,000원")],
        ),
        ([("Lemon", 2, "₩36,000")], [("Lemon", "×2 · ₩36,000")]),
        # A name over 6 characters, or a quantity and amount over 14: text.
        ([("와일드 오렌지", 1, "16,000원")], None),
        ([("Lavender", 1, "₩35,000")], None),
        ([("프랑킨센스", 20, "1,960,000원")], None),
    ],
)
def test_a_product_rows_title_and_description(
    products: list[tuple[str, int, str]], expected: list[tuple[str, str]] | None
) -> None:
    found = card_rows(*products)
    assert found == (
        None if expected is None else [{"title": t, "description": d} for t, d in expected]
    )


def test_more_rows_than_a_card_holds_are_text() -> None:
    assert card_rows(*[("레몬", 1, "18,000원")] * 9) is not None  # and the fee: 10 rows
    assert card_rows(*[("레몬", 1, "18,000원")] * 10) is None
