"""F6 reaches the system clipboard through a clipboard tool where the desktop has one
(OSC 52 alone is ignored by GNOME Terminal, tmux by default, macOS Terminal), and still
goes to the terminal's OSC 52 without one."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.clipboard import clipboard_command
from tests.ui_helpers import ScriptedConversation, text_turn, ui_settled, wait_for

SIZE = (80, 24)
REPLY = "Copy me: naïve café ✓"


def fake_tool(folder: Path, name: str, body: str) -> None:
    tool = folder / name
    tool.write_text(f"#!/bin/sh\n{body}\n")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)


async def copy_last_reply(
    app: LlmxApp, conv: ScriptedConversation, done: Callable[[], bool]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: ui_settled(app, conv))
        await pilot.press("f6")
        await wait_for(pilot, done)


def notices(app: LlmxApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_f6_pipes_the_reply_to_the_desktop_clipboard_tool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    got = tmp_path / "clipboard.txt"
    fake_tool(tmp_path, "xclip", f'cat > "{got}"')
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    conv = ScriptedConversation([text_turn(REPLY)])
    app = LlmxApp(conv, clock=lambda: 0.0, cursor_blink=False)
    await copy_last_reply(app, conv, lambda: got.exists() and got.stat().st_size > 0)
    assert got.read_text(encoding="utf-8") == REPLY
    assert app.clipboard == REPLY


async def test_a_failing_tool_is_reported_and_the_terminal_copy_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tool(tmp_path, "wl-copy", "cat > /dev/null; exit 3")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    conv = ScriptedConversation([text_turn(REPLY)])
    app = LlmxApp(conv, clock=lambda: 0.0, cursor_blink=False)
    failed = "wl-copy failed (exit status 3)"
    await copy_last_reply(app, conv, lambda: any(failed in m for m in notices(app)))
    assert app.clipboard == REPLY


def test_no_display_means_no_tool_even_if_installed(tmp_path: Path) -> None:
    """Over SSH the tool would fail on the remote side; OSC 52 reaches the user's machine."""

    def which(name: str) -> str:
        return f"/usr/bin/{name}"

    assert clipboard_command({}, which, "linux") is None
    assert clipboard_command({"DISPLAY": ":0"}, which, "linux") == [
        "/usr/bin/xclip",
        "-selection",
        "clipboard",
    ]
    assert clipboard_command({}, which, "darwin") == ["/usr/bin/pbcopy"]
    only_xsel = {"xsel": "/bin/xsel"}.get
    assert clipboard_command({"DISPLAY": ":0"}, only_xsel, "linux") == [
        "/bin/xsel",
        "--clipboard",
        "--input",
    ]
