"""The terminal chat as a person uses it: a real `orderbot chat` process, piped input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def chat(db: Path, lines: list[str], *args: str, lang: str = "C.UTF-8") -> str:
    # LANG fixed: it orders the language options, and answers pick them by number.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LANG": lang, "LC_ALL": ""}
    env.pop("ORDERBOT_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--db", str(db), "--now", "2026-11-24T10:00", *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_numbers_labels_and_commands(tmp_path: Path) -> None:
    out = chat(tmp_path / "c.db", ["3", "Korea", "/help", "/quit"])
    assert "[1] ✓" in out or "[1] " in out
    assert "Which market do you order in?" in out
    assert "What would you like to do?" in out
    assert "/support: Talk to a person" in out  # /help lists the declared commands


def test_conversation_resumes_in_a_new_process(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    chat(db, ["3"])  # English chosen, then the process ends at the market question
    out = chat(db, ["Kazakhstan"])
    assert "What would you like to do?" in out
    assert "Move to Kazakhstan" in out


def test_presets_skip_onboarding_and_speak_the_language(tmp_path: Path) -> None:
    out = chat(tmp_path / "c.db", ["/menu"], "--market", "KR", "--lang", "ko")
    assert "무엇을 도와드릴까요?" in out
    assert "Choose your language" not in out


async def test_a_failing_turn_apologizes_and_the_chat_goes_on(engine, monkeypatch) -> None:
    import io

    from bot.channels.terminal import TerminalChat

    real_dispatch = engine.dispatch

    async def dispatch(turn):
        if turn.event.text == "boom":
            raise RuntimeError("simulated bug")
        return await real_dispatch(turn)

    monkeypatch.setattr(engine, "dispatch", dispatch)
    out = io.StringIO()
    chat = TerminalChat(
        engine,
        "t1",
        language="en",
        market="KR",
        clock=engine.clock,
        stdin=io.StringIO("boom\n/help\n"),
        stdout=out,
    )
    await chat.run()
    text = out.getvalue()
    assert "Sorry, something went wrong" in text
    assert "/support: Talk to a person" in text


def test_a_number_answers_a_question_without_buttons(tmp_path: Path) -> None:
    # The balance question has no buttons: "1" is one dollar, not the old menu's first option.
    out = chat(tmp_path / "c.db", ["/move", "1", "1"], "--market", "KZ", "--lang", "en")
    assert "What would you like to order" not in out
    assert "within the limit" in out or "step 1" in out.lower()


def test_the_shell_locale_suggests_the_language(tmp_path: Path) -> None:
    out = chat(tmp_path / "c.db", [], lang="ru_RU.UTF-8")
    assert "[1] ✓ Русский" in out


def test_a_bad_now_is_a_one_line_error(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8", "LC_ALL": ""}
    env.pop("ORDERBOT_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--db", str(tmp_path / "c.db"), "--now", "garbage"],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "orderbot: --now 'garbage' is not a date and time in ISO 8601, e.g. 2026-11-30T14:59"
    ]


def test_the_first_make_chat_says_it_builds_the_environment_once(tmp_path: Path) -> None:
    # Run as a user would, not as a sub-make of `make test` (which prints "Entering directory").
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    planned = subprocess.run(
        ["make", "-n", f"VENV={tmp_path / 'venv'}", "chat"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=True,
        env=env,
    ).stdout.splitlines()
    assert "Setting up the Python environment" in planned[0] and "once" in planned[0]
    assert any("pip install" in line for line in planned[1:])
