"""Usage errors: exit 2 with argparse's one line, whatever becomes of stderr; runtime
errors stay exit 1."""

from __future__ import annotations

import io
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from llmx_tui.cli import main

pytestmark = pytest.mark.timeout(60)


class _FullDisk:
    """A stream on a full disk (and no file descriptor to swap)."""

    def fileno(self) -> int:
        raise io.UnsupportedOperation("fileno")

    def write(self, text: str) -> int:
        raise OSError(28, "No space left on device")

    def flush(self) -> None:
        raise OSError(28, "No space left on device")


def test_a_usage_error_with_an_unwritable_stderr_still_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """It exited 1 having tried to say "cannot write to stdout", which was not the case."""
    monkeypatch.setattr(sys, "stderr", _FullDisk())
    with pytest.raises(SystemExit) as stop:
        main(["--bogus"])
    assert stop.value.code == 2
    assert capsys.readouterr().out == ""


@pytest.mark.skipif(not Path("/dev/full").is_char_device(), reason="needs /dev/full")
def test_a_usage_error_with_stderr_on_a_full_disk_exits_2() -> None:
    command = shlex.join([sys.executable, "-m", "llmx_tui", "--bogus"])
    done = subprocess.run(
        f"{command} 2>/dev/full", shell=True, stdout=subprocess.PIPE, text=True, timeout=30
    )
    assert (done.returncode, done.stdout) == (2, "")


def test_help_to_an_unwritable_stdout_is_still_an_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only stdout's failures are raised: help that reached nobody is no success."""
    monkeypatch.setattr(sys, "stdout", _FullDisk())
    assert main(["--help"]) == 1
    assert capsys.readouterr().err == (
        "llmx-tui: error: cannot write to stdout: No space left on device\n"
    )


PICK = "--continue (the latest session) and --resume (pick one): choose one"
THAT = "--continue (the latest session) and --resume ID (that one): choose one"


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--continue", "--resume"], PICK),
        (["--resume", "--continue"], PICK),
        (["--continue", "--resume", "abc"], THAT),
    ],
)
def test_continue_and_resume_together_are_a_usage_error(
    capsys: pytest.CaptureFixture[str], flags: list[str], said: str
) -> None:
    """``--continue --resume`` carried on the latest session and opened the picker too."""
    with pytest.raises(SystemExit) as stop:
        main(flags)
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"llmx-tui: error: {said}"


@pytest.mark.parametrize(
    "argv",
    [["sessions", "list", "--bogus"], ["sessions", "list", "--limit", "0"], ["sessions"]],
    ids=["flag", "value", "no-command"],
)
def test_sessions_usage_errors_exit_2_like_the_main_command(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    """They exited 1, the status of a failure at run time."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("llmx-tui sessions: ") and captured.err.count("\n") == 1


def test_sessions_runtime_failures_still_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sessions", "show", "ffff", "--data-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err == "llmx-tui: no session id starts with 'ffff'\n"


def test_a_sessions_usage_error_with_an_unwritable_stderr_still_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stderr", _FullDisk())
    assert main(["sessions", "list", "--bogus"]) == 2
    assert capsys.readouterr().out == ""
