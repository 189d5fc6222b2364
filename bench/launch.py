"""Launching ``llmx-tui`` as a user does: a fresh process, on a terminal, timed from the outside.

``time_to_screen`` runs a command on a pseudo-terminal and times how long it
takes until the screen shows a given text (the first frame). ``time_command``
times a command that exits by itself. ``import_costs`` reads
``python -X importtime``.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections import defaultdict
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
COLUMNS, ROWS = 120, 40
# Colours, cursor moves and other escape sequences between the characters on screen.
_ESCAPES = re.compile(
    rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|.)"
)


def llmx_command() -> list[str]:
    """The installed console script, else the module (same code either way)."""
    script = VENV_BIN / "llmx-tui"
    return [str(script)] if script.exists() else [sys.executable, "-m", "llmx_tui"]


def child_env(env: dict[str, str | None] | None = None) -> dict[str, str]:
    """This process's environment with ``env`` on top; a None value removes the variable."""
    merged = {**os.environ, **(env or {})}
    return {name: value for name, value in merged.items() if value is not None}


def bytecode_cache_env(folder: str) -> dict[str, str | None]:
    """Python writes and reads its bytecode cache under ``folder`` (never into the repo),
    as an installed package has one; PYTHONDONTWRITEBYTECODE would make every launch
    compile the app's modules from source again."""
    return {"PYTHONPYCACHEPREFIX": folder, "PYTHONDONTWRITEBYTECODE": None}


def time_command(argv: list[str], env: dict[str, str | None] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(
        argv,
        env=child_env(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - started


def time_to_screen(
    argv: list[str], marker: str, env: dict[str, str | None] | None = None, timeout: float = 60.0
) -> float:
    """Seconds from starting ``argv`` on a terminal until ``marker`` is on the screen.

    The process is then ended (SIGTERM, SIGKILL if it lingers). Raises
    TimeoutError with the tail of what was drawn if the marker never shows.
    """
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    full_env = child_env(
        {**(env or {}), "TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(ROWS)}
    )
    started = time.perf_counter()
    child = subprocess.Popen(
        argv,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=full_env,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    seen = b""
    wanted = marker.encode()
    try:
        while True:
            left = timeout - (time.perf_counter() - started)
            if left <= 0:
                raise TimeoutError(f"{marker!r} never appeared; drawn: {_words(seen)[-600:]!r}")
            ready, _, _ = select.select([master], [], [], min(left, 0.5))
            if not ready:
                if child.poll() is not None:
                    raise RuntimeError(f"exited with {child.returncode}: {_words(seen)[-600:]!r}")
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                raise RuntimeError(f"exited: {_words(seen)[-600:]!r}") from None
            seen += data
            if wanted in _visible(seen):
                return time.perf_counter() - started
    finally:
        _end(child)
        os.close(master)


def _visible(raw: bytes) -> bytes:
    return _ESCAPES.sub(b"", raw)


def _words(raw: bytes) -> str:
    """What was drawn, for an error message: escapes gone, runs of blanks squeezed."""
    return " ".join(_visible(raw).decode(errors="replace").split())


def _end(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def import_costs(
    module: str, top: int = 8, env: dict[str, str | None] | None = None
) -> list[tuple[str, float]]:
    """Seconds of import time per top-level package when importing ``module`` (one or more
    comma-separated), largest first."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
        env=child_env(env),
    )
    by_package: dict[str, float] = defaultdict(float)
    for line in result.stderr.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[0].startswith("import time:"):
            continue
        try:
            self_us = int(parts[0].split(":")[1])
        except ValueError:
            continue  # the header line
        package = parts[2].strip().split(".")[0]
        by_package[package] += self_us / 1e6
    return sorted(by_package.items(), key=lambda pair: pair[1], reverse=True)[:top]
