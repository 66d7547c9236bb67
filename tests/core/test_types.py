"""The values that cross between transports and the core, as stored (durable intake)."""

from __future__ import annotations

import json

import pytest

from core.types import Button, Reply, Row, Summary

CART = Summary(
    "🛒 장바구니 (2개)",
    (Row("레몬", "36,000원", 2), Row("배송비", "4,500원")),
    Row("합계", "40,500원"),
    replaces="• 레몬 15 mL × 2 = 36,000원\n\n배송비: 4,500원\n총 결제 금액: 40,500원",
    notes="14,000원 더 담으면 무료 배송이에요.",
)


@pytest.mark.parametrize(
    "reply",
    [
        Reply("Hello"),
        Reply("Your cart", ((Button("✅ Checkout", "qo:checkout"),),), summary=CART),
        Reply("Phone?", request_contact=True, language="ko"),
    ],
)
def test_a_reply_comes_back_from_its_stored_json_whole(reply: Reply) -> None:
    stored = json.loads(json.dumps(reply.to_json()))
    assert Reply.from_json(stored) == reply
