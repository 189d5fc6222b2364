"""End to end in a real terminal: the installed `llmx-tui` under tmux, typed at like a person."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tmux_terminal import COMMAND, Terminal, tmux_session

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    keys = ("LLMX_TUI_DATA_DIR", "LLMX_TUI_CONFIG_DIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME")
    with tmux_session(tmp_path, env={key: os.environ[key] for key in keys}) as terminal:
        yield terminal


@pytest.mark.skipif(not COMMAND.exists(), reason="llmx-tui is not installed in this environment")
def test_demo_reply_and_reasoning_appear_on_screen(terminal: Terminal) -> None:
    terminal.type(f"exec {COMMAND} --demo")
    terminal.send("Enter")
    terminal.wait_for("demo · demo", "Send")  # the status bar and footer: the app is up
    terminal.type("How do I cross the street?")
    terminal.send("Enter")
    # The recorded reply streams into the conversation and its reasoning into its pane.
    terminal.wait_for("Crossing the street safely", "Reasoning", timeout=60)
    # The stream ends: the last words of the recorded reply and reasoning are on screen.
    terminal.wait_for("could save your life", "paranoid robot", timeout=60)
    terminal.send("C-q")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and terminal.alive():
        time.sleep(0.2)
    assert not terminal.alive(), "ctrl+q quits the app"
