"""`orderbot run --kakao` explains a missing setting in one line; the benchmark runs."""

from __future__ import annotations

import json

import pytest

from bench import kakao as bench_kakao
from bot import cli
from bot.cli.run import problem
from bot.settings import Settings


@pytest.fixture(autouse=True)
def no_settings(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in ("TELEGRAM_TOKEN", "KAKAO_BOT_ID", "KAKAO_SECRET"):
        monkeypatch.delenv(f"ORDERBOT_{name}", raising=False)


def test_kakao_needs_its_bot_id_and_secret(monkeypatch) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["run", "--kakao"])
    assert "ORDERBOT_KAKAO_BOT_ID" in str(exit_.value.code)
    monkeypatch.setenv("ORDERBOT_KAKAO_BOT_ID", "fake-bot-id-0001")
    with pytest.raises(SystemExit) as exit_:
        cli.main(["run", "--kakao"])
    message = str(exit_.value.code)
    assert "ORDERBOT_KAKAO_SECRET" in message and "\n" not in message


def test_kakao_runs_alone_or_beside_telegram() -> None:
    kakao = {"kakao_bot_id": "fake-bot-id-0001", "kakao_secret": "s3cret"}
    assert problem(Settings(_env_file=None, **kakao), webhook=False, kakao=True) is None
    both = Settings(_env_file=None, telegram_token="123456:TEST-token", **kakao)
    assert problem(both, webhook=True, kakao=True) is not None  # Telegram's webhook needs a URL
    assert problem(both, webhook=False, kakao=True) is None
    assert "ORDERBOT_TELEGRAM_TOKEN" in str(problem(Settings(_env_file=None), webhook=False))


def test_the_benchmark_runs_both_servers(tmp_path, capsys) -> None:
    out = tmp_path / "kakao.json"
    assert bench_kakao.main(["--users", "4", "--seconds", "0.3", "--json", str(out)]) == 0
    results = json.loads(out.read_text())
    for run in ("floor", "orderbot_saturated", "orderbot_half_capacity"):
        assert results[run]["updates"] > 0 and results[run]["errors"] == 0
        assert {"updates_per_s", "p50_ms", "p99_ms"} <= set(results[run])
    assert results["ratio_to_floor"] > 0
    assert "orderbot / floor" in capsys.readouterr().out
