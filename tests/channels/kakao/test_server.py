"""The skill server at its door: the secret, the bot id, the body; /healthz."""

from __future__ import annotations

import aiohttp

from bot.channels.kakao.app import KakaoApp
from tests.channels.kakao import payloads
from tests.channels.kakao.conftest import Kakao, base_url


async def test_a_missing_or_wrong_secret_is_401(kakao: Kakao) -> None:
    assert (await kakao.post(payloads.typed("안녕하세요"), secret=None))[0] == 401
    assert (await kakao.post(payloads.typed("안녕하세요"), secret="guess"))[0] == 401


async def test_another_bot_is_403(kakao: Kakao) -> None:
    status, _ = await kakao.post(payloads.typed("안녕하세요", bot_id="someone-else"))
    assert status == 403


async def test_malformed_bodies_are_400(kakao: Kakao) -> None:
    assert (await kakao.post(None, raw=b"{not json"))[0] == 400
    assert (await kakao.post(None, raw=b"\xff\xfe"))[0] == 400
    assert (await kakao.post(None, raw=b"[1, 2]"))[0] == 400
    nested = b"[" * 100_000 + b"]" * 100_000
    assert (await kakao.post(None, raw=nested))[0] in (400, 413)
    no_user = payloads.typed("hi")
    del no_user["userRequest"]["user"]
    assert (await kakao.post(no_user))[0] == 400


async def test_an_oversized_body_is_413(kakao: Kakao) -> None:
    status, _ = await kakao.post(payloads.typed("가" * 70_000))
    assert status == 413


async def test_healthz(kakao_app: KakaoApp, http: aiohttp.ClientSession) -> None:
    async with http.get(base_url(kakao_app) + "/healthz") as response:
        assert response.status == 200
        assert (await response.json())["status"] == "ok"


async def test_the_welcome_block_starts_onboarding_in_the_payloads_language(kakao: Kakao) -> None:
    await kakao.send(payloads.welcome(user=kakao.user))
    kakao.expect("언어를 선택하세요")
    assert kakao.options[0]["label"] == "✓ 한국어"
