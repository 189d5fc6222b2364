"""Flags that cannot mean anything are usage errors (exit 2), found before any setup.

An empty ``--data-dir`` or ``--config`` is no name: it was read as the default folder
or as the current folder.

``--print ''`` set up a provider, then failed with exit 1 (or, with no provider
configured, complained about the provider instead); ``--continue --resume ID``
quietly resumed ID. The README promises exit 2 for a bad flag value.
"""

from __future__ import annotations

import io

import pytest

from llmx_tui.cli import main

pytestmark = pytest.mark.timeout(30)


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["--print", ""], "argument -p/--print: the prompt is empty"),
        (["-p", " \n\t "], "argument -p/--print: the prompt is empty"),
        (["--continue", "--resume", "abc123"], "--continue (the latest session) and --resume ID"),
        (["--resume", "abc", "--continue", "-p", "hi"], "--continue (the latest session)"),
        # "" was the default folder, silently; Path("") the current folder.
        (["--data-dir", "", "-p", "hi"], "argument --data-dir: needs a folder name"),
        (["--data-dir", " ", "sessions", "list"], "argument --data-dir: needs a folder name"),
        (["--config", "", "-p", "hi"], "argument --config: needs a file name"),
    ],
)
def test_a_flag_that_cannot_mean_anything_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], argv: list[str], problem: str
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(argv)  # no provider is configured: the flags are checked first
    captured = capsys.readouterr()
    assert stop.value.code == 2 and captured.out == ""
    assert captured.err.splitlines()[-1].startswith(f"llmx-tui: error: {problem}")


def test_an_empty_prompt_on_stdin_is_still_a_runtime_failure(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Input that turned out empty is not a flag's fault: exit 1, one line."""
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"  \n")))
    assert main(["--print", "-"]) == 1
    assert capsys.readouterr().err == "llmx-tui: error: the prompt is empty\n"


def test_continue_or_resume_alone_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["--continue", "-p", "hi"],
        ["--resume", "-p", "hi"],
        ["--resume", "x", "-p", "hi"],
    ):
        assert main(argv) == 1  # past the flags: no provider is configured here
        assert "no provider configured" in capsys.readouterr().err


def test_an_empty_data_dir_after_sessions_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sessions", "list", "--data-dir", ""]) == 2  # a usage error
    assert capsys.readouterr().err.startswith(
        "llmx-tui sessions: argument --data-dir: needs a folder name"
    )
