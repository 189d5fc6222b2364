"""A real terminal for end-to-end tests: a tmux session typed at and read like a person would."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

COMMAND = Path(sys.executable).with_name("llmx-tui")


class Terminal:
    def __init__(self, name: str, *, gone_marker: str | None = None) -> None:
        self.name = name
        # Text the session prints once the app has ended: waiting longer is pointless.
        self.gone_marker = gone_marker

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
            if self.gone_marker and self.gone_marker in screen:
                break
            time.sleep(0.2)
        raise AssertionError(f"never saw {needles!r} on screen; last screen:\n{screen}")


@contextmanager
def tmux_session(
    cwd: Path, *, env: dict[str, str], command: str | None = None, gone_marker: str | None = None
) -> Iterator[Terminal]:
    """A 120x40 session in ``cwd``. A tmux server keeps the environment it started with, so
    every setting the test relies on is passed explicitly in ``env``."""
    name = f"llmx-e2e-{uuid.uuid4().hex[:8]}"
    env_args = [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]
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
            str(cwd),
            *([command] if command else []),
        ],
        check=True,
    )
    try:
        yield Terminal(name, gone_marker=gone_marker)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], check=False)
