"""`python -m bench.kakao`: the Kakao skill server against a bare aiohttp handler, over loopback
HTTP, in one run (docs/kakao.md, "Performance").

Both servers listen on 127.0.0.1 and are driven by the same client: C concurrent Kakao users
(--users, 100), each posting realistic skill payloads one after another (onboarding, then a
quick order to its summary, over and over). The floor is a bare aiohttp handler that reads the
JSON and answers a fixed SkillResponse: what any skill server costs. Runs, in order:

1. saturated, floor then orderbot (every user sends the next message on the answer): updates/s
   and their ratio;
2. paced at half of orderbot's measured capacity (each user waits between messages): p50/p99
   latency, the figure Kakao's 5-second timeout is about (target: p99 under 100 ms).

Client and servers share the process and its CPU: the figures are a floor on what a server
alone would do. Orderbot runs on a fresh SQLite file (--db for PostgreSQL), strict about
Kakao's limits (a response over them would count as an error).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.app import build_engine
from bot.channels.kakao import limits
from bot.channels.kakao.channel import KakaoChannel
from bot.channels.kakao.server import SkillEndpoint, SkillServer
from bot.channels.kakao.skill import Skill
from bot.settings import Settings
from storage.db import sqlite_url

BOT_ID = "bench-bot-0001"
SECRET = "bench-secret"
HEADER = "X-Orderbot-Secret"
PATH = "/kakao/skill"
ONBOARDING = ["", "English", "Korea"]
CYCLE = [
    "/order lemon 1, wild orange 2",
    "Checkout",
    "Seoul, Seocho-gu, Gangnam-daero 369, 8F",
    "010-1234-5678",
    "Bank transfer",
    "/menu",
]
FIXED = {
    "version": "2.0",
    "template": {
        "outputs": [{"simpleText": {"text": "장바구니를 확인해 주세요."}}],
        "quickReplies": [
            {"label": "주문하기", "action": "message", "messageText": "주문하기"},
        ],
    },
}


def payload(user: str, utterance: str) -> bytes:
    body = {
        "intent": {"id": "fallback", "name": "폴백 블록"},
        "userRequest": {
            "timezone": "Asia/Seoul",
            "params": {"surface": "Kakaotalk.plusfriend"},
            "utterance": utterance,
            "lang": "ko",
            "user": {
                "id": user,
                "type": "botUserKey",
                "properties": {"botUserKey": user, "plusfriendUserKey": f"pf-{user}"},
            },
        },
        "bot": {"id": BOT_ID, "name": "bench"},
        "action": {"id": "skill", "name": "orderbot", "params": {}, "clientExtra": None},
        "flow": {"trigger": {"type": "TEXT_INPUT"}},
    }
    return json.dumps(body, ensure_ascii=False).encode()


def script(user: int) -> Callable[[int], bytes]:
    """The user's n-th message: onboarding once, then the quick-order cycle."""
    key = f"bench-user-{user:05d}"

    def message(n: int) -> bytes:
        if n < len(ONBOARDING):
            return payload(key, ONBOARDING[n])
        return payload(key, CYCLE[(n - len(ONBOARDING)) % len(CYCLE)])

    return message


@dataclass(slots=True)
class Run:
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.latencies)

        def quantile(q: float) -> float:
            if not ordered:
                return 0.0
            return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1e3, 2)

        return {
            "updates": len(ordered),
            "updates_per_s": round(len(ordered) / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": quantile(0.5),
            "p99_ms": quantile(0.99),
            "mean_ms": round(statistics.fmean(ordered) * 1e3, 2) if ordered else 0.0,
            "errors": self.errors,
        }


async def drive(
    url: str, users: int, seconds: float, *, interval: float = 0.0, first: int = 0
) -> Run:
    """`users` concurrent users posting for `seconds`; each waits `interval` between the starts
    of its messages (0: the next message on the answer). `first`: the first user's number."""
    run = Run()
    connector = aiohttp.TCPConnector(limit=users)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def user(number: int) -> None:
            message, n = script(first + number), 0
            await asyncio.sleep(interval * number / users)  # spread the starts
            while (now := time.perf_counter()) < deadline:
                started = now
                try:
                    async with session.post(
                        url, data=message(n), headers={HEADER: SECRET}
                    ) as response:
                        answer = await response.json()
                    if response.status != 200 or limits.problems(answer):
                        run.errors += 1
                except aiohttp.ClientError:
                    run.errors += 1
                run.latencies.append(time.perf_counter() - started)
                n += 1
                if interval:
                    await asyncio.sleep(max(0.0, started + interval - time.perf_counter()))

        deadline = time.perf_counter() + seconds
        began = time.perf_counter()
        await asyncio.gather(*(user(i) for i in range(users)))
        run.seconds = time.perf_counter() - began
    return run


async def serve_floor() -> tuple[web.AppRunner, str]:
    """The bare handler: reads the JSON, answers the fixed response."""

    async def handle(request: web.Request) -> web.StreamResponse:
        await request.json()
        return web.json_response(FIXED)

    app = web.Application()
    app.router.add_post(PATH, handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}{PATH}"


async def serve_orderbot(database_url: str) -> tuple[SkillServer, str, Any]:
    settings = Settings(_env_file=None, database_url=database_url)
    engine = await build_engine(settings, staff_desk=False)
    skill = Skill(engine, KakaoChannel(), strict=True)
    server = SkillServer(SkillEndpoint(bot_id=BOT_ID, secret=SECRET, port=0), skill)
    host, port = (await server.start())[0][:2]
    return server, f"http://{host}:{port}{PATH}", engine


async def bench(users: int, seconds: float, database_url: str) -> dict[str, Any]:
    floor_runner, floor_url = await serve_floor()
    server, url, engine = await serve_orderbot(database_url)
    try:
        await drive(url, users, 1.0, first=10_000)  # warm-up: imports, caches, onboarding
        floor = await drive(floor_url, users, seconds)
        saturated = await drive(url, users, seconds)
        capacity = saturated.summary()["updates_per_s"]
        # Half capacity: each user sends one message every users / (capacity / 2) seconds.
        interval = users / max(capacity / 2, 1.0)
        paced = await drive(url, users, seconds, interval=interval, first=20_000)
    finally:
        await server.close()
        await engine.db.dispose()
        await floor_runner.cleanup()
    results = {
        "users": users,
        "seconds": seconds,
        "floor": floor.summary(),
        "orderbot_saturated": saturated.summary(),
        "orderbot_half_capacity": paced.summary(),
    }
    results["ratio_to_floor"] = round(capacity / max(floor.summary()["updates_per_s"], 1.0), 3)
    return results


def markdown(results: dict[str, Any]) -> str:
    rows = [
        "| run | updates | updates/s | p50 ms | p99 ms | errors |",
        "|---|---|---|---|---|---|",
    ]
    for name in ("floor", "orderbot_saturated", "orderbot_half_capacity"):
        run = results[name]
        rows.append(
            f"| {name} | {run['updates']} | {run['updates_per_s']} | {run['p50_ms']} | "
            f"{run['p99_ms']} | {run['errors']} |"
        )
    rows.append(f"\norderbot / floor (updates/s, saturated): {results['ratio_to_floor']}")
    return "\n".join(rows)


def main(argv: list[str] | None = None, *, run: Callable[..., Awaitable[Any]] = bench) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.kakao", description=__doc__)
    parser.add_argument("--users", type=int, default=100, help="concurrent Kakao users")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each run")
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or sqlite_url(Path(folder) / "bench.db")
        results = asyncio.run(run(args.users, args.seconds, url))
    print(markdown(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    errors = results["orderbot_saturated"]["errors"] + results["orderbot_half_capacity"]["errors"]
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
