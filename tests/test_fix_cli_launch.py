"""``llmx-tui < /dev/null`` with no provider: the first thing to say is that the app
needs a terminal (the first-run screen cannot open without one, and --print is what
such a run wants), not the provider setup the screen would have walked through."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest

from llmx_tui import launch
from llmx_tui.cli import main

pytestmark = pytest.mark.timeout(30)

NEEDS_A_TERMINAL = (
    "llmx-tui: error: the app needs a terminal, and its {name} is not one; to run one "
    "turn without it: llmx-tui --print PROMPT (--print - reads the prompt from stdin)\n"
)


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


async def _no_local_server(*args: Any, **kwargs: Any) -> None:
    return None


@pytest.fixture(autouse=True)
def no_local_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("llmx_tui.providers.detect.detect_provider", _no_local_server)


@pytest.mark.parametrize("name", ["stdin", "stderr"])
def test_no_provider_and_no_terminal_says_the_terminal_is_missing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    monkeypatch.setattr(sys, "__stdin__", io.StringIO() if name == "stdin" else _Tty())
    monkeypatch.setattr(sys, "__stderr__", io.StringIO() if name == "stderr" else _Tty())
    assert main(["--data-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err == NEEDS_A_TERMINAL.format(name=name)


def test_on_a_terminal_a_welcome_closed_without_a_choice_says_no_provider(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "__stdin__", _Tty())
    monkeypatch.setattr(sys, "__stderr__", _Tty())
    shown: list[str] = []

    async def closed_welcome(problem: str, args: Any) -> None:
        shown.append(problem)

    monkeypatch.setattr(launch, "_welcome", closed_welcome)
    assert main(["--data-dir", str(tmp_path)]) == 1
    [problem] = shown
    assert capsys.readouterr().err == f"llmx-tui: error: {problem}\n"
    assert problem.startswith("no provider configured")
