"""`python -m bench.intake`: what the durable intake costs, with it and without it in one run.

One process, one stack (bench/stack.py), the quick order of `python -m bench` (17 updates a
customer, C at a time, saturated). Each round runs N customers through the durable intake
(stored, then processed from the database: what `orderbot run` does) and N customers queued in
memory and processed from there (as before the intake: a kill loses what is queued), in
alternating order. Reported per round and as the median: updates/s and CPU per update of each,
and the ratio with/without (1.00: the intake costs nothing; the reliability issue allows a fall
of at most 15 %).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path

from bench.measure import Measure
from bench.stack import run_orderbot, warmed_stack
from storage.db import sqlite_url


def per_update_us(measure: Measure) -> float:
    return measure.cpu_seconds / len(measure.latencies) * 1e6


def throughput(measure: Measure) -> float:
    return len(measure.latencies) / measure.seconds


async def bench(args: argparse.Namespace) -> list[dict[bool, Measure]]:
    """The rounds' runs, by `durable`."""
    rounds: list[dict[bool, Measure]] = []
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or sqlite_url(Path(folder) / "intake.db")
        stack = await warmed_stack(url, args, 1)
        first = 1_000_000
        ratios: list[float] = []
        cpu_ratios: list[float] = []
        try:
            for number in range(args.rounds):
                order = (True, False) if number % 2 == 0 else (False, True)
                runs: dict[bool, Measure] = {}
                rounds.append(runs)
                for durable in order:
                    runs[durable] = await run_orderbot(
                        stack, args.customers, args.concurrency, first, durable=durable
                    )
                    first += args.customers
                ratio = throughput(runs[True]) / throughput(runs[False])
                cpu_ratio = per_update_us(runs[False]) / per_update_us(runs[True])
                ratios.append(ratio)
                cpu_ratios.append(cpu_ratio)
                print(
                    f"round {number + 1}: with the intake {throughput(runs[True]):.0f} updates/s,"
                    f" {per_update_us(runs[True]):.0f} us CPU each; without"
                    f" {throughput(runs[False]):.0f} updates/s, {per_update_us(runs[False]):.0f}"
                    f" us; with/without {ratio:.2f} (CPU {cpu_ratio:.2f})",
                    flush=True,
                )
        finally:
            await stack.close()
    print(
        f"median with/without: updates/s {statistics.median(ratios):.2f},"
        f" CPU per update {statistics.median(cpu_ratios):.2f}"
        f" (rounds: {', '.join(f'{r:.2f}' for r in ratios)})"
    )
    return rounds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.intake", description=__doc__)
    parser.add_argument("--customers", type=int, default=300, help="customers a run")
    parser.add_argument("--concurrency", type=int, default=100, help="customers at a time")
    parser.add_argument("--rounds", type=int, default=6, help="pairs of runs")
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    asyncio.run(bench(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
