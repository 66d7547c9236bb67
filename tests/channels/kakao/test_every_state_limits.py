"""Every reply of every state of every flow, rendered for Kakao, keeps Kakao's limits (as the
every-state test walks them: tests/test_every_state.py), with a notice in front as well; a
cart's or an order's item card included."""

from __future__ import annotations

import pytest

from bot.channels.kakao import limits
from bot.channels.kakao.channel import KakaoChannel
from core.engine import Engine
from core.types import Button, Reply
from storage.db import Database
from tests.dialogue import Dialogue
from tests.test_every_state import STATES, put_user_at

INPUTS = ["/help", "asdf qwerty", "x" * 5000, "stale-button"]
CHANNEL = KakaoChannel(block_id="fake-block-fallback")
NOTICE = Reply(
    "Support: " + "a long answer from staff " * 60,
    ((Button("✏️ Change the order", "lrp:rc:1"), Button("⏭ Skip this month", "lrp:rs:1")),),
)


@pytest.mark.parametrize(("flow", "state"), STATES)
@pytest.mark.parametrize(("language", "market"), [("en", "KR"), ("ru", "KZ"), ("ko", "KR")])
async def test_every_reply_keeps_kakaos_limits(
    engine: Engine, db: Database, flow: str, state: str, language: str, market: str
) -> None:
    d = Dialogue(engine, "eve")
    await d.onboard(language, market)
    await d.say("/order lemon 2")  # a cart, for the steps that show it (in Korean: a card)
    for text in INPUTS:
        await put_user_at(db, "eve", flow, state, language, market)
        if text == "stale-button":
            await d.send(d.action_event("zz:gone:1"))
        else:
            await d.say(text)
        for reply in d.replies:  # a summary says a part of its reply's text, verbatim
            assert reply.summary is None or reply.summary.replaces in reply.text, f"{flow}/{state}"
        for notices in ((), (NOTICE,)):
            rendered = CHANNEL.render(d.replies, notices=notices, more="(more)")
            found = limits.problems(rendered.response)
            assert not found, f"{flow}/{state} {language} after {text[:20]!r}: {found}"
            shown = [b.action for r in d.replies for b in r.options()]
            extra = [b.action for b in NOTICE.options()] if notices else []
            template = rendered.response["template"]
            quick = [q["extra"]["a"] for q in template.get("quickReplies", [])]
            listed = [
                item["extra"]["a"]
                for output in template["outputs"]
                for card in output.get("carousel", {}).get("items", [])
                for item in card["items"]
            ]
            if listed:  # list cards for the answer, quick replies for the notice
                assert (listed, quick) == (shown[: len(listed)], extra), f"{flow}/{state}"
            else:
                assert quick == [*shown, *extra][: limits.QUICK_REPLIES], f"{flow}/{state}"
