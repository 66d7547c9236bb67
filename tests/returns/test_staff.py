"""A return request's life on the staff side: the operator CLI (list, show, approve, reject
with a reason, goods received, refunded), each customer notice said once in their language,
and the staff cards' buttons following the request."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from bot.cli import main
from core.engine import Engine
from core.i18n import translator
from flows.registry import default_flows
from flows.returns.actions import StaffMove
from flows.returns.staff import changed_card, request_card
from storage.db import Database, sqlite_url
from storage.migrate import ensure_schema
from tests.conftest import Clock
from tests.dialogue import Dialogue
from tests.returns.helpers import notices, paid_order, staff_rows, submit, to_quote

NUMBER = "RT-KR-2611-000001"


async def _requested(path, resources, language: str, user: str = "alice") -> Database:
    db = Database(sqlite_url(path))
    await ensure_schema(db, auto_upgrade=True)
    clock = Clock(datetime.fromisoformat("2026-11-10T12:00:00+09:00"))
    d = Dialogue(Engine(db, default_flows(), resources=resources, clock=clock), user)
    order = await paid_order(d, db, clock, language, "2026-11-10")
    clock.set("2026-11-20T10:00:00+09:00")
    await d.say("/return")
    await d.tap(order.number)
    await to_quote(d)
    await submit(d)
    return db


async def _said(path, number: str = NUMBER) -> list[str]:
    db = Database(sqlite_url(path))
    try:
        return [n.payload["text"] for n in await notices(db) if number in n.payload["text"]]
    finally:
        await db.dispose()


def test_operator_cli_moves_a_request_and_tells_the_customer_once(
    tmp_path, capsys, resources
) -> None:
    path = tmp_path / "ops.db"
    asyncio.run(asyncio.run(_requested(path, resources, "ko")).dispose())
    args = ["--db", str(path), "--now", "2026-11-21T10:00:00+09:00"]
    main(["returns", "list", *args])
    assert f"{NUMBER}  requested" in capsys.readouterr().out
    main(["returns", "show", NUMBER.lower(), *args])
    assert "KR-LAV15" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["returns", "received", NUMBER, *args])
    assert "cannot mark received: it is requested" in capsys.readouterr().err
    main(["returns", "approve", NUMBER, *args])
    assert "requested -> approved (customer notified)" in capsys.readouterr().out
    main(["returns", "approve", NUMBER, *args])
    assert f"{NUMBER}: already approved" in capsys.readouterr().out
    main(["returns", "received", NUMBER, *args])
    main(["returns", "refunded", NUMBER, *args])
    said = asyncio.run(_said(path))
    assert len(said) == 3
    assert "승인되었어요" in said[0] and "서울시 서초구 강남대로 369" in said[0]  # R-KR-RET-4
    assert "3영업일" in said[1]  # R-KR-RET-3: within 3 business days of the check
    assert "환불" in said[2]


def test_a_reject_needs_a_reason_the_customer_reads(tmp_path, capsys, resources) -> None:
    path = tmp_path / "ops.db"
    asyncio.run(asyncio.run(_requested(path, resources, "ru")).dispose())
    args = ["--db", str(path), "--now", "2026-11-21T10:00:00+09:00"]
    with pytest.raises(SystemExit):
        main(["returns", "reject", NUMBER, *args])
    main(["returns", "reject", NUMBER, "--reason", "Флакон вскрыт", *args])
    with pytest.raises(SystemExit):
        main(["returns", "approve", NUMBER, *args])
    assert "cannot mark approved: it is rejected" in capsys.readouterr().err
    [said] = asyncio.run(_said(path))
    assert "не одобрена" in said and "Флакон вскрыт" in said


def test_the_cards_buttons_follow_the_request(tmp_path, resources) -> None:
    db = asyncio.run(_requested(tmp_path / "cards.db", resources, "en"))
    rows = asyncio.run(staff_rows(db))
    asyncio.run(db.dispose())
    [payload] = [r.payload for r in rows if r.payload["type"] == "return_requested"]
    t = translator("en")
    card = request_card(t, payload)
    assert card.title == f"Return request {NUMBER} (KR): alice"
    assert "Order KR-2611-000001 · bought on 2026-11-10" in card.text
    assert "Lavender × 1" in card.text and "₩35,000" in card.text and "Damaged" in card.text
    assert "Quote: eligible (within one month of supply, so there is no fee)" in card.text
    tokens = [b.action for row in card.buttons for b in row]
    assert tokens == [StaffMove(1, "approve").pack(), StaffMove(1, "reject").pack()]
    approved = changed_card(t, {**payload, "status": "approved", "by": "Mina"})
    assert [b.action for row in approved.buttons for b in row] == [StaffMove(1, "received").pack()]
    refunded = changed_card(t, {**payload, "status": "refunded", "by": "Mina"})
    assert refunded.buttons == ()
