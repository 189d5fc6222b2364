"""End to end in a real terminal: the installed `llmx-tui` under tmux, typed at like a person."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

COMMAND = Path(sys.executable).with_name("llmx-tui")


class Terminal:
    def __init__(self, name: str) -> None:
        self.name = name

    def send(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def type(self, text: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", text], check=True)

    def alive(self) -> bool:
        done = subprocess.run(["tmux", "has-session", "-t", self.name], capture_output=True)
        return done.returncode == 0

    def screen(self) -> str:
        done = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name],
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout

    def wait_for(self, *needles: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if all(needle in screen for needle in needles):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"never saw {needles!r} on screen; last screen:\n{screen}")


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    name = f"llmx-e2e-{uuid.uuid4().hex[:8]}"
    env_args = []
    # A tmux server keeps the environment it started with: pass every setting explicitly.
    for key in ("LLMX_TUI_DATA_DIR", "LLMX_TUI_CONFIG_DIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        env_args += ["-e", f"{key}={os.environ[key]}"]
    subprocess.run(
        [
            "tmux",
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            "120",
            "-y",
            "40",
            *env_args,
            "-c",
            str(tmp_path),
        ],
        check=True,
    )
    try:
        yield Terminal(name)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], check=False)


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
