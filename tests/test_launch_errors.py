"""Launching the app: only "no provider" opens the welcome screen; other setup errors are
one line on stderr and a non-zero exit, before any interface starts."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest

from llmx_tui import launch
from llmx_tui.cli import main


@pytest.fixture
def welcomes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The welcome screen, stubbed: records the problem it was opened with, then quits."""
    shown: list[str] = []

    async def fake_welcome(problem: str, args: Any) -> None:
        shown.append(problem)

    monkeypatch.setattr(launch, "_welcome", fake_welcome)
    monkeypatch.setattr("llmx_tui.providers.detect.detect_provider", _no_local_server, raising=True)
    return shown


async def _no_local_server(*args: Any, **kwargs: Any) -> None:
    return None


def demo_session(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    assert main(["--demo", "--print", "hi", "--data-dir", str(data_dir)]) == 0
    capsys.readouterr()


def test_an_unknown_session_id_is_one_line_not_the_welcome_screen(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, welcomes: list[str]
) -> None:
    demo_session(capsys, tmp_path)
    code = main(["--demo", "--resume", "nope", "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert welcomes == []
    assert err == "llmx-tui: error: no session id starts with 'nope'\n"


def test_a_history_file_that_is_not_sqlite_is_one_line_not_the_welcome_screen(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, welcomes: list[str]
) -> None:
    database = tmp_path / "history.db"
    database.write_bytes(b"this is not a database\n" * 200)
    code = main(["--demo", "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert welcomes == []
    [line] = err.splitlines()
    assert line.startswith("llmx-tui: error:") and str(database) in line
    assert database.read_bytes() == b"this is not a database\n" * 200


def test_a_configured_provider_without_its_key_is_one_line_not_the_welcome_screen(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, welcomes: list[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'default_provider = "work"\n[providers.work]\npreset = "openai"\n'
        'api_key_env = "LLMX_TEST_UNSET_KEY"\n'
    )
    code = main(["--config", str(config), "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert welcomes == []
    assert err == "llmx-tui: error: provider 'work' needs an API key: set LLMX_TEST_UNSET_KEY\n"


def test_no_provider_at_all_still_opens_the_welcome_screen(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, welcomes: list[str]
) -> None:
    code = main(["--data-dir", str(tmp_path)])
    assert code == 1  # the stub quits the welcome screen without a choice
    [problem] = welcomes
    assert problem.startswith("no provider configured")


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def app_starts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The interface, stubbed: records that it would have started, then quits."""
    from llmx_tui.ui.app import LlmxApp

    started: list[str] = []

    async def fake_run_async(self: Any) -> None:
        started.append("app")

    monkeypatch.setattr(LlmxApp, "run_async", fake_run_async)
    return started


@pytest.mark.parametrize("missing", ["stdin", "stderr"])
def test_without_a_terminal_the_app_is_one_line_not_a_wait_for_keys(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    app_starts: list[str],
    missing: str,
) -> None:
    """``echo hi | llmx-tui`` or ``llmx-tui 2>log``: the interface reads keys from stdin and
    draws on stderr, so it would wait for keys nobody can press."""
    monkeypatch.setattr(sys, "__stdin__", io.StringIO() if missing == "stdin" else _Tty())
    monkeypatch.setattr(sys, "__stderr__", io.StringIO() if missing == "stderr" else _Tty())
    code = main(["--demo", "--data-dir", str(tmp_path)])
    assert code == 1 and app_starts == []
    assert capsys.readouterr().err == (
        f"llmx-tui: error: the app needs a terminal, and its {missing} is not one; to run one "
        "turn without it: llmx-tui --print PROMPT (--print - reads the prompt from stdin)\n"
    )


def test_on_a_terminal_the_app_starts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, app_starts: list[str]
) -> None:
    monkeypatch.setattr(sys, "__stdin__", _Tty())
    monkeypatch.setattr(sys, "__stderr__", _Tty())
    assert main(["--demo", "--data-dir", str(tmp_path)]) == 0
    assert app_starts == ["app"]


def test_no_provider_and_no_terminal_says_the_terminal_is_missing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The first-run screen cannot open without a terminal: that is what to fix first."""
    monkeypatch.setattr(sys, "__stdin__", io.StringIO())
    monkeypatch.setattr("llmx_tui.providers.detect.detect_provider", _no_local_server)
    assert main(["--data-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith(
        "llmx-tui: error: the app needs a terminal, and its stdin is not one"
    )


@pytest.mark.parametrize("mode", [[], ["--print", "hi"]])
def test_configured_providers_without_a_default_say_how_to_choose_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, welcomes: list[str], mode: list[str]
) -> None:
    """Not "no provider configured" (nor the first-run screen): the config has two."""
    config = tmp_path / "config.toml"
    config.write_text(
        '[providers.local]\npreset = "llamacpp"\n[providers.work]\npreset = "openai"\n'
    )
    code = main(["--config", str(config), "--data-dir", str(tmp_path), *mode])
    assert code == 1 and welcomes == []
    assert capsys.readouterr().err == (
        f"llmx-tui: error: no provider chosen: {config} defines [providers.local], "
        "[providers.work] but no default_provider; pass --provider local or set "
        'default_provider = "local"\n'
    )
