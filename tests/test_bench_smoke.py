"""The benchmark runs end to end with a handful of customers (no timing is asserted)."""

from __future__ import annotations

import argparse
import json

from bench import intake
from bench.run import main


def test_bench_writes_its_figures(tmp_path):
    argv = ["--customers", "12", "--concurrency", "4", "--rounds", "2", "--paced-rates", "400"]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "latest.json").read_text())
    assert {"meta", "floor", "orderbot_sqlite", "ratio_sqlite_to_floor", "peak_rss_mb"} <= set(
        results
    )
    sqlite = results["orderbot_sqlite"]
    assert len(sqlite["rounds"]) == len(sqlite["round_ratios"]) == 2
    assert sqlite["ratio_to_floor"] in sqlite["round_ratios"]
    assert set(sqlite["paced"]) == {"half_capacity", "fixed_400"}
    for run in (results["floor"], sqlite["saturated"], *sqlite["paced"].values()):
        assert {"updates", "updates_per_s", "p50_ms", "p90_ms", "p99_ms", "p999_ms"} <= set(run)
    # The floor replays exactly the updates orderbot received in its round.
    assert all(pair["floor"]["updates"] == pair["orderbot"]["updates"] for pair in sqlite["rounds"])
    assert sqlite["saturated"]["updates"] > 0
    assert results["orderbot_sqlite"]["saturated"]["script_misses"] == 0
    assert results["errors_logged"] == 0
    assert (tmp_path / "latest.md").read_text().startswith("`python -m bench")


async def test_the_intake_bench_runs_both_paths_to_the_end():
    args = argparse.Namespace(customers=6, concurrency=3, rounds=2, db=None)
    rounds = await intake.bench(args)
    assert len(rounds) == 2
    for runs in rounds:
        for measure in runs.values():  # with the intake and from memory: the whole script
            assert len(measure.latencies) == 6 * 17
            assert measure.counters.misses == 0
