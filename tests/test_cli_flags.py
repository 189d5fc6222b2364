"""Flag checks at parse time: usage errors exit 2 with one clear line, before anything runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from llmx_tui import launch
from llmx_tui.cli import main


@pytest.fixture
def app_runs(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The interface, stubbed: records that it would have started."""
    started: list[Any] = []

    def fake_run_app(args: Any) -> int:
        started.append(args)
        return 0

    monkeypatch.setattr(launch, "run_app", fake_run_app)
    return started


def usage_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    assert exited.value.code == 2
    return capsys.readouterr().err.splitlines()[-1]


@pytest.mark.parametrize("value", ["-5", "0", "nan", "-inf"])
def test_a_non_positive_idle_timeout_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, value: str
) -> None:
    line = usage_error(
        capsys, "--demo", "--print", "hi", "--data-dir", str(tmp_path), f"--idle-timeout={value}"
    )
    assert line == "llmx-tui: error: argument --idle-timeout: must be a number of seconds above 0"


def test_an_idle_timeout_that_is_not_a_number_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = usage_error(capsys, "--print", "hi", "--idle-timeout", "soon")
    assert line == "llmx-tui: error: argument --idle-timeout: 'soon' is not a number of seconds"


def test_a_positive_idle_timeout_is_accepted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["--demo", "--print", "hi", "--data-dir", str(tmp_path), "--idle-timeout", "2.5"])
    assert code == 0


@pytest.mark.parametrize("flag", ["--json", "--yes"])
def test_a_headless_only_flag_without_print_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], app_runs: list[Any], flag: str
) -> None:
    line = usage_error(capsys, "--demo", flag)
    assert line == f"llmx-tui: error: {flag} needs --print"
    assert app_runs == []


def test_without_headless_flags_the_app_starts(
    capsys: pytest.CaptureFixture[str], app_runs: list[Any]
) -> None:
    assert main(["--demo", "--no-tools", "--idle-timeout", "30"]) == 0
    [args] = app_runs
    assert args.demo and args.idle_timeout == 30.0


def test_a_zero_idle_timeout_in_the_config_is_reported_with_its_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[network]\nidle_timeout = 0\n")
    code = main(["--config", str(config), "--demo", "--print", "hi", "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    [line] = err.splitlines()
    assert line.startswith(f"llmx-tui: error: invalid config in {config}: network.idle_timeout")


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["session", "list"],
            "llmx-tui: error: unknown command 'session': did you mean `llmx-tui sessions`?",
        ),
        (
            ["hello"],
            "llmx-tui: error: unknown command 'hello' (the one command is `sessions`); "
            "to send a prompt: --print PROMPT",
        ),
        (
            ["--print", "hello", "world"],
            "llmx-tui: error: unrecognized arguments: world "
            "(a prompt of several words goes in quotes: --print 'like this')",
        ),
        (["--bogus"], "llmx-tui: error: unrecognized arguments: --bogus"),
    ],
)
def test_a_stray_word_says_what_was_likely_meant(
    capsys: pytest.CaptureFixture[str], app_runs: list[Any], args: list[str], line: str
) -> None:
    assert usage_error(capsys, *args) == line
    assert app_runs == []
