"""`python -m bench`: floor vs orderbot, side by side in one process (docs/performance.md).

Runs, in order: a warm-up of both stacks (not reported; every fresh orderbot stack also serves
a few customers unmeasured before it is measured); rounds (--rounds, 3) of orderbot's
full stack on SQLite with C customers in flight (saturated: updates/s), each followed by the
floor replaying exactly the updates orderbot received, the median round's ratio reported;
paced runs (latency at C concurrent customers who wait between messages) at half of
orderbot's measured capacity and at fixed offered loads (--paced-rates); one round and the
paced runs on PostgreSQL when --db names one; with --scale, the per-update cost over 1k / 10k /
1M stored conversations and the RSS growth over traffic from 10k distinct chats.

The stack it drives is bench/stack.py, what it measures with bench/measure.py; this module
holds the runs, the results' markdown and the command line.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram import Bot
from sqlalchemy.engine import make_url

from bench import scenario
from bench.adapter import floor_dispatcher, sync_filters
from bench.measure import ERRORS, Measure, drive, feeder, peak_rss_mb, rss_mb
from bench.offline import BOT_TOKEN, OfflineSession
from bench.scenario import Step
from bench.stack import (
    BENCH_PG_DATABASE,
    Stack,
    fresh_stack,
    memory_census,
    postgres_bench_url,
    run_orderbot,
    script_for,
    warmed_stack,
)
from storage.db import sqlite_url

DEFAULT_OUT = Path(__file__).resolve().parent / "results"


async def run_floor(scripts: list[list[dict[str, Any]]], concurrency: int) -> tuple[Measure, Any]:
    """Bare aiogram fed the very updates orderbot received, customer by customer."""
    session = OfflineSession()
    bot = Bot(BOT_TOKEN, session=session)
    dp = floor_dispatcher()
    measure = Measure()
    send = feeder(lambda update, raw: dp.feed_update(bot, update), bot, measure)

    def job_for(raws: list[dict[str, Any]]) -> Callable[[], Awaitable[None]]:
        async def job() -> None:
            for raw in raws:
                await send(raw)

        return job

    await drive([job_for(raws) for raws in scripts], concurrency, measure)
    stats = measure.stats(session)
    await session.close()
    return measure, stats


async def backend_runs(
    label: str, url: str, args: argparse.Namespace, meta: dict[str, Any], rounds: int
) -> dict[str, Any]:
    """Rounds of (orderbot saturated, then the floor on the very updates orderbot received),
    then the paced latency runs. The ratio reported is the median round's: on a shared machine
    the floor alone swings by tens of percent between runs minutes apart, so one pair of runs
    says little; pairs run back to back share the machine's state of the moment."""
    pairs = []
    for index in range(rounds):
        first_chat = 10_000_000 + index * 1_000_000
        stack = await warmed_stack(url, args, first_chat + 900_000)
        record: list[list[dict[str, Any]]] = []
        saturated = await run_orderbot(
            stack, args.customers, args.concurrency, first_chat, record=record
        )
        stats = saturated.stats(stack.session)
        meta["adapter"] = stack.adapter
        meta["script"] = script_for(stack.engine)[0]
        meta["sync_filters"] = sync_filters(stack.dp)
        await stack.close()
        _, floor = await run_floor(record, args.concurrency)
        ratio = round(stats["updates_per_s"] / floor["updates_per_s"], 3)
        cpu_ratio = round(floor["cpu_us_per_update"] / stats["cpu_us_per_update"], 3)
        pairs.append({"orderbot": stats, "floor": floor, "ratio": ratio, "cpu_ratio": cpu_ratio})
        print(
            f"  {label} round {index + 1}: orderbot {stats['updates_per_s']:.0f} updates/s, "
            f"floor {floor['updates_per_s']:.0f} updates/s, ratio {ratio:.2f}; CPU per update "
            f"orderbot {stats['cpu_us_per_update']:.0f} us, floor "
            f"{floor['cpu_us_per_update']:.0f} us, ratio {cpu_ratio:.2f}"
        )
    median = sorted(pairs, key=lambda pair: pair["ratio"])[(len(pairs) - 1) // 2]
    result: dict[str, Any] = {
        "saturated": median["orderbot"],
        "floor": median["floor"],
        "ratio_to_floor": median["ratio"],
        "round_ratios": [pair["ratio"] for pair in pairs],
        "round_cpu_ratios": [pair["cpu_ratio"] for pair in pairs],
        "rounds": pairs,
    }
    capacity = statistics.median(pair["orderbot"]["updates_per_s"] for pair in pairs)
    loads = [("half_capacity", round(capacity * 0.5, 1))]
    loads += [(f"fixed_{rate:g}", rate) for rate in args.paced_rates]
    paced_runs = {}
    for index, (name, rate) in enumerate(loads):
        first_chat = 20_000_000 + index * 1_000_000
        stack = await warmed_stack(url, args, first_chat + 900_000)
        customers = args.customers
        if name != "half_capacity":
            customers = min(customers, args.paced_customers)
        paced = await run_orderbot(stack, customers, args.concurrency, first_chat, rate=rate)
        paced_stats = paced.stats(stack.session)
        paced_stats["offered_updates_per_s"] = rate
        await stack.close()
        print(f"  {label} paced at {rate:.0f}/s offered: p99 {paced_stats['p99_ms']:.2f} ms")
        paced_runs[name] = paced_stats
    result["paced"] = paced_runs
    return result


async def scale_runs(url: str, args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    chats = 30_000_000
    for stored in args.scale_sizes:
        stack = await warmed_stack(url, args, chats, seed=stored, warm=100)
        chats += 1_000_000
        measure = await run_orderbot(stack, args.customers, args.concurrency, chats)
        chats += 1_000_000
        entry = measure.stats(stack.session)
        entry["stored_conversations"] = stored
        print(f"  {stored:>9,} stored: {entry['us_per_update']:.0f} us/update")
        if stored == args.rss_after:
            entry["rss"] = await rss_run(stack, args, chats)
            chats += 1_000_000
        out[str(stored)] = entry
        await stack.close()
    base = out[str(args.scale_sizes[0])]["us_per_update"]
    for entry in out.values():
        entry["cost_ratio_to_first"] = round(entry["us_per_update"] / base, 3)
    return out


async def rss_run(stack: Stack, args: argparse.Namespace, first_chat: int) -> dict[str, Any]:
    """RSS before and after traffic from `--rss-chats` distinct chats (onboarding each)."""
    gc.collect()
    before = rss_mb()

    def steps(index: int) -> list[Step]:
        return scenario.onboarding(("en", "ko", "ru")[index % 3], "KR")

    measure = await run_orderbot(stack, args.rss_chats, args.concurrency, first_chat, steps=steps)
    gc.collect()
    after = rss_mb()
    result = {
        "chats": args.rss_chats,
        "updates": len(measure.latencies),
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1),
        "rss_growth_mb": round(after - before, 1),
        "census_after": memory_census(stack),
    }
    print(f"  RSS over {args.rss_chats:,} chats: {before:.1f} -> {after:.1f} MB")
    return result


async def amain(args: argparse.Namespace) -> dict[str, Any]:
    logging.getLogger().addHandler(ERRORS)
    workdir = Path(tempfile.mkdtemp(prefix="orderbot-bench-"))
    sqlite = args.sqlite or sqlite_url(workdir / "bench.db")
    results: dict[str, Any] = {
        "meta": {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join(["python -m bench", *args.argv]),
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cpus",
            "customers": args.customers,
            "concurrency": args.concurrency,
        }
    }
    print("warm-up")
    stack = await fresh_stack(sqlite)
    warm: list[list[dict[str, Any]]] = []
    await run_orderbot(stack, min(50, args.customers), args.concurrency, 1, record=warm)
    await stack.close()
    await run_floor(warm, args.concurrency)

    print(f"orderbot on SQLite and the floor, {args.rounds} rounds")
    sqlite_result = await backend_runs("sqlite", sqlite, args, results["meta"], args.rounds)
    results["floor"] = sqlite_result["floor"]
    results["orderbot_sqlite"] = sqlite_result
    results["ratio_sqlite_to_floor"] = sqlite_result["ratio_to_floor"]
    if args.postgres:
        print("orderbot on PostgreSQL and the floor, 1 round")
        pg_url = await postgres_bench_url(args.postgres)
        pg = await backend_runs("postgres", pg_url, args, results["meta"], 1)
        results["orderbot_postgres"] = pg
        results["ratio_postgres_to_floor"] = pg["ratio_to_floor"]
    if args.scale:
        print("scale (SQLite)")
        results["scale_sqlite"] = await scale_runs(sqlite, args)
        if args.postgres and args.scale_postgres:
            print("scale (PostgreSQL)")
            results["scale_postgres"] = await scale_runs(
                await postgres_bench_url(args.postgres), args
            )
    results["errors_logged"] = ERRORS.count
    if ERRORS.first:
        results["first_error"] = ERRORS.first
    results["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return results


def markdown(results: dict[str, Any]) -> str:
    meta = results["meta"]
    floor = results["floor"]
    lines = [
        f"`{meta['command']}` — {meta['when']}, Python {meta['python']}, {meta['machine']}; "
        f"{meta['customers']} customers, {meta['concurrency']} concurrent; "
        f"script `{meta['script']}`; adapter `{meta['adapter']}`.",
        "",
        "| run | updates | updates/s | vs floor | p50 ms | p90 ms | p99 ms | p99.9 ms "
        "| API calls/update |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def row(name: str, s: dict[str, Any], ratio: float | None) -> str:
        versus = "—" if ratio is None else f"{ratio:.2f}"
        return (
            f"| {name} | {s['updates']} | {s['updates_per_s']:.0f} | {versus} | "
            f"{s['p50_ms']:.2f} | {s['p90_ms']:.2f} | {s['p99_ms']:.2f} | {s['p999_ms']:.2f} | "
            f"{s.get('api_calls_per_update', '')} |"
        )

    lines.append(row("floor: bare aiogram, saturated", floor, 1.0))
    notes = []
    for backend in ("sqlite", "postgres"):
        result = results.get(f"orderbot_{backend}")
        if not result:
            continue
        lines.append(
            row(f"orderbot {backend}, saturated", result["saturated"], result["ratio_to_floor"])
        )
        for name, paced in result["paced"].items():
            load = "half of capacity" if name == "half_capacity" else "fixed"
            label = (
                f"orderbot {backend}, {meta['concurrency']} customers paced, "
                f"{paced['offered_updates_per_s']:.0f}/s offered ({load})"
            )
            lines.append(row(label, paced, None))
        ratios = ", ".join(f"{ratio:.2f}" for ratio in result["round_ratios"])
        cpu = ", ".join(f"{ratio:.2f}" for ratio in result.get("round_cpu_ratios", []))
        notes.append(
            f"{backend}: orderbot / floor per round (each the floor on the very updates orderbot "
            f"had just received): {ratios}; the saturated rows are the median round's. "
            f"CPU time per update, floor / orderbot, per round: {cpu}."
        )
    lines += ["", *notes]
    for backend in ("sqlite", "postgres"):
        scale = results.get(f"scale_{backend}")
        if not scale:
            continue
        lines += [
            "",
            f"Scale ({backend}, saturated, {meta['customers']} customers on top of the stored):",
            "",
            "| stored conversations | us/update | ratio to first | p99 ms |",
            "|---:|---:|---:|---:|",
        ]
        notes = []
        for stored, entry in scale.items():
            lines.append(
                f"| {int(stored):,} | {entry['us_per_update']:.0f} | "
                f"{entry['cost_ratio_to_first']:.2f} | {entry['p99_ms']:.2f} |"
            )
            if "rss" in entry:
                rss = entry["rss"]
                notes.append(
                    f"RSS over {rss['chats']:,} new chats ({backend}): "
                    f"{rss['rss_before_mb']} -> {rss['rss_after_mb']} MB "
                    f"(+{rss['rss_growth_mb']} MB); afterwards: {rss['census_after']}"
                )
        lines += ["", *notes]
    lines += [
        "",
        f"Peak RSS {results['peak_rss_mb']} MB; errors logged {results['errors_logged']}.",
    ]
    return "\n".join(lines) + "\n"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument(
        "--db",
        default=None,
        help="a SQLite URL/file for the SQLite runs, or postgresql+asyncpg://... to add PostgreSQL "
        f"runs (in a database named {BENCH_PG_DATABASE} on that server, reset first)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of (orderbot, floor) on SQLite; the median round's ratio is reported",
    )
    parser.add_argument(
        "--paced-rates",
        default="200",
        help="fixed offered loads (updates/s) for paced latency runs, besides half of capacity",
    )
    parser.add_argument(
        "--paced-customers", type=int, default=300, help="customers in each fixed-load run"
    )
    parser.add_argument("--scale", action="store_true", help="run the scale part")
    parser.add_argument(
        "--scale-sizes", default="1000,10000,1000000", help="stored conversations per scale run"
    )
    parser.add_argument("--scale-postgres", action="store_true", help="scale on PostgreSQL too")
    parser.add_argument("--rss-chats", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    args.sqlite = args.postgres = None
    if args.db:
        if make_url(args.db).get_backend_name() == "postgresql":
            args.postgres = args.db
        else:
            args.sqlite = args.db if "://" in args.db else sqlite_url(args.db)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    args.scale_sizes = [int(size) for size in args.scale_sizes.split(",")]
    args.paced_rates = [float(rate) for rate in args.paced_rates.split(",") if rate]
    args.rss_after = args.scale_sizes[1] if len(args.scale_sizes) > 1 else args.scale_sizes[0]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    results = asyncio.run(amain(args))
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    text_md = markdown(results)
    for name in (f"bench-{stamp}", "latest"):
        (args.out / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
        (args.out / f"{name}.md").write_text(text_md)
    print()
    print(text_md)
    print(f"written to {args.out}/bench-{stamp}.json and .md")
    return 0
