"""`orderbot run` explains a missing setting in one line and exits non-zero."""

from __future__ import annotations

import pytest

from bot import cli


@pytest.fixture(autouse=True)
def no_settings(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in ("TELEGRAM_TOKEN", "WEBHOOK_URL", "WEBHOOK_SECRET"):
        monkeypatch.delenv(f"ORDERBOT_{name}", raising=False)


def test_missing_token_points_to_the_terminal_chat() -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["run"])
    message = str(exit_.value.code)
    assert "ORDERBOT_TELEGRAM_TOKEN" in message and "orderbot chat" in message
    assert "\n" not in message


def test_webhook_needs_url_and_secret(monkeypatch) -> None:
    monkeypatch.setenv("ORDERBOT_TELEGRAM_TOKEN", "123456:TEST-token")
    with pytest.raises(SystemExit) as exit_:
        cli.main(["run", "--webhook"])
    assert "ORDERBOT_WEBHOOK_URL" in str(exit_.value.code)
    monkeypatch.setenv("ORDERBOT_WEBHOOK_URL", "https://bot.example.test/hook")
    monkeypatch.setenv("ORDERBOT_WEBHOOK_SECRET", "has spaces")
    with pytest.raises(SystemExit) as exit_:
        cli.main(["run", "--webhook"])
    assert "ORDERBOT_WEBHOOK_SECRET" in str(exit_.value.code)
