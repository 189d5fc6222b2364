"""`llmx-tui sessions`: a stdout that cannot be written is named; Ctrl-C or Ctrl-D at the
delete question leaves the terminal on a new line."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_sessions_cli import Cli

pytestmark = pytest.mark.timeout(60)


def _command() -> list[str]:
    exe = Path(sys.executable).with_name("llmx-tui")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "llmx_tui"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("unbuffered", ["1", ""])
def test_a_full_stdout_is_named(tmp_path: Path, unbuffered: str) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": unbuffered}
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*_command(), "sessions", "list", "--data-dir", str(tmp_path)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=30,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr == "llmx-tui: cannot write to stdout: No space left on device\n"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class _CtrlC(_Terminal):
    def readline(self, size: int | None = -1) -> str:
        raise KeyboardInterrupt


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(tmp_path / "data", capsys)


def test_ctrl_c_at_the_delete_question_says_interrupted_on_a_new_line(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = cli.imported(tmp_path)
    monkeypatch.setattr("sys.stdin", _CtrlC())
    code, out, err = cli("delete", session_id)
    assert code == 130 and out == ""
    question, interrupted = err.splitlines()
    assert question.endswith("[y/N] ")
    assert interrupted == "llmx-tui: interrupted"
    assert cli("list")[1].startswith(session_id[:8])  # not deleted


def test_ctrl_d_at_the_delete_question_says_not_deleted_on_a_new_line(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = cli.imported(tmp_path)
    monkeypatch.setattr("sys.stdin", _Terminal(""))
    code, _, err = cli("delete", session_id)
    assert code == 1
    assert err.splitlines()[1:] == ["Not deleted."]
