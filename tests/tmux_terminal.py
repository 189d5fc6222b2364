"""A real terminal for end-to-end tests: a tmux session typed at and read like a person would."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

COMMAND = Path(sys.executable).with_name("llmx-tui")


def tmux(socket: Path, *args: str) -> list[str]:
    """A tmux command line for the private server listening on ``socket``."""
    return ["tmux", "-S", str(socket), *args]


class Terminal:
    def __init__(self, name: str, socket: Path, *, gone_marker: str | None = None) -> None:
        self.name = name
        self.socket = socket
        # Text the session prints once the app has ended: waiting longer is pointless.
        self.gone_marker = gone_marker

    def send(self, *keys: str) -> None:
        subprocess.run(tmux(self.socket, "send-keys", "-t", self.name, *keys), check=True)

    def type(self, text: str) -> None:
        subprocess.run(tmux(self.socket, "send-keys", "-t", self.name, "-l", text), check=True)

    def alive(self) -> bool:
        done = subprocess.run(
            tmux(self.socket, "has-session", "-t", self.name), capture_output=True
        )
        return done.returncode == 0

    def screen(self) -> str:
        done = subprocess.run(
            tmux(self.socket, "capture-pane", "-p", "-t", self.name),
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
    """A 120x40 session in ``cwd`` on a tmux server of its own (named like the session).

    A shared server races: once one test kills its last session the server exits, and a
    session started meanwhile fails with "server exited unexpectedly". A private server
    also ignores the user's tmux.conf and environment; every setting the test relies on is
    still passed explicitly in ``env``."""
    name = f"llmx-e2e-{uuid.uuid4().hex[:8]}"
    # Short and private: a socket path must fit in ~100 bytes, and pytest's tmp paths may not.
    socket_dir = Path(tempfile.mkdtemp(prefix="llmx-tmux-"))
    socket = socket_dir / "socket"
    env_args = [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]
    subprocess.run(
        [
            *tmux(socket, "-f", "/dev/null"),
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
        yield Terminal(name, socket, gone_marker=gone_marker)
    finally:
        subprocess.run(tmux(socket, "kill-server"), check=False, capture_output=True)
        shutil.rmtree(socket_dir, ignore_errors=True)
