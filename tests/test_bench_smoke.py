"""The benchmark runs end to end with a handful of customers (no timing is asserted)."""

from __future__ import annotations

import json

from bench.run import main


def test_bench_writes_its_figures(tmp_path):
    assert main(["--customers", "12", "--concurrency", "4", "--out", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "latest.json").read_text())
    assert {"meta", "floor", "orderbot_sqlite", "ratio_sqlite_to_floor", "peak_rss_mb"} <= set(
        results
    )
    for run in (results["floor"], *results["orderbot_sqlite"].values()):
        assert {"updates", "updates_per_s", "p50_ms", "p99_ms"} <= set(run)
    assert results["orderbot_sqlite"]["saturated"]["updates"] > 0
    assert results["orderbot_sqlite"]["saturated"]["script_misses"] == 0
    assert results["errors_logged"] == 0
    assert (tmp_path / "latest.md").read_text().startswith("`python -m bench")
