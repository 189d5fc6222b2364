"""The system clipboard through a clipboard tool, beside the terminal's OSC 52.

Textual copies with the OSC 52 escape alone, which many terminals ignore (GNOME
Terminal and other VTE ones, tmux unless ``set-clipboard on``, macOS Terminal): F6
said "Copied" and the paste brought back something older. Where a desktop session
has a clipboard tool, the text is piped to it too. Over SSH (no display) OSC 52
stays the only way, and the one that reaches the user's own machine.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Callable, Mapping

# Waited for at most this long: xclip and xsel fork a keeper and return at once,
# wl-copy too; a tool that hangs must not keep a worker forever.
PIPE_TIMEOUT = 3.0


def clipboard_command(
    env: Mapping[str, str] | None = None,
    which: Callable[[str], str | None] = shutil.which,
    platform: str = sys.platform,
) -> list[str] | None:
    """The command that reads the clipboard's new text on stdin here, or None."""
    env = os.environ if env is None else env
    candidates: list[list[str]] = []
    if platform == "darwin":
        candidates.append(["pbcopy"])
    if env.get("WAYLAND_DISPLAY"):
        candidates.append(["wl-copy"])
    if env.get("DISPLAY"):
        candidates += [["xclip", "-selection", "clipboard"], ["xsel", "--clipboard", "--input"]]
    for command in candidates:
        path = which(command[0])
        if path:
            return [path, *command[1:]]
    return None


async def pipe_to_clipboard(command: list[str], text: str) -> str | None:
    """Gives ``text`` to the tool; None when it took it, else why not (for a notice)."""
    try:
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE,
            # Not pipes: xclip's keeper holds them open, and reading them would wait
            # for as long as the selection is owned.
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
    except OSError as exc:
        return f"{os.path.basename(command[0])} could not start: {exc.strerror or exc}"
    try:
        await asyncio.wait_for(process.communicate(text.encode("utf-8")), PIPE_TIMEOUT)
    except TimeoutError:
        process.kill()
        return f"{os.path.basename(command[0])} did not answer"
    if process.returncode:
        return f"{os.path.basename(command[0])} failed (exit status {process.returncode})"
    return None
