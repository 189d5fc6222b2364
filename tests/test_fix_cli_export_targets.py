"""`sessions export -o FILE` when FILE is stdout itself, a terminal, or a private file.

``-o /dev/stdout`` resolved through /proc/self/fd/1 to the file stdout was redirected to
and renamed a new file over it (``>> out.md`` lost what it held), failed when stdout was
a pipe, and on a terminal wrote the model's escape sequences raw. A replaced private
export was briefly readable by anyone while it was written.
"""

from __future__ import annotations

import json
import os
import pty
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from llmx_tui import cli_output
from llmx_tui.cli_sessions import main

pytestmark = pytest.mark.timeout(60)

# A reply that sets the clipboard (OSC 52) and clears the screen when printed raw.
SESSION = {
    "format": "llmx-tui.session/1",
    "title": "escapes",
    "items": [
        {"type": "user_message", "text": "hi"},
        {"type": "assistant_message", "text": "before \x1b]52;c;cm0gLXJmIH4=\x07 \x1b[2J after"},
    ],
}


@pytest.fixture
def session(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    source = tmp_path / "session.json"
    source.write_text(json.dumps(SESSION))
    assert main(["import", str(source), "--data-dir", str(tmp_path)]) == 0
    return capsys.readouterr().out.strip()


def export_command(tmp_path: Path, session_id: str, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "llmx_tui",
        "sessions",
        "export",
        session_id,
        "--data-dir",
        str(tmp_path),
        *extra,
    ]


def test_dev_stdout_appended_to_a_file_keeps_what_it_held(tmp_path: Path, session: str) -> None:
    """``-o /dev/stdout >> out.md``: the export is added, the file is not replaced."""
    out = tmp_path / "out.md"
    out.write_text("PRIOR\n")
    with out.open("a") as appended:
        done = subprocess.run(
            export_command(tmp_path, session, "-o", "/dev/stdout"),
            stdout=appended,
            stderr=subprocess.PIPE,
            text=True,
            timeout=30,
        )
    assert (done.returncode, done.stderr) == (0, "")
    text = out.read_text()
    assert text.startswith("PRIOR\n")
    assert "before" in text and "after" in text


def test_dev_stdout_into_a_pipe_is_written(tmp_path: Path, session: str) -> None:
    """``-o /dev/stdout | head`` said "No such file or directory" and exited 1."""
    done = subprocess.run(
        export_command(tmp_path, session, "-o", "/dev/stdout", "--format", "json"),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["title"] == "escapes"


def on_a_terminal(command: list[str]) -> tuple[int, bytes]:
    """Runs ``command`` with stdout on a pseudo-terminal: its exit status and what it drew."""
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(command, stdout=follower, stderr=subprocess.DEVNULL)
        os.close(follower)
        follower = -1
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: every writer closed the terminal
                break
            if not chunk:
                break
            drawn += chunk
        return process.wait(timeout=30), drawn
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)


@pytest.mark.parametrize(
    "target", [["-o", "/dev/stdout"], ["-o", "/proc/self/fd/1"], []], ids=["dev-stdout", "fd", "-"]
)
def test_stdout_on_a_terminal_gets_no_escape_sequences(
    tmp_path: Path, session: str, target: list[str]
) -> None:
    code, drawn = on_a_terminal(export_command(tmp_path, session, *target))
    assert code == 0
    assert b"before" in drawn and b"after" in drawn
    assert b"\x1b" not in drawn and b"\x07" not in drawn


def test_a_terminal_that_is_not_stdout_gets_no_escape_sequences(
    tmp_path: Path, session: str
) -> None:
    """``-o /dev/pts/N`` (or ``/dev/tty``) while stdout goes elsewhere: the terminal is
    still a terminal, so it gets what stdout on a terminal gets."""
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            export_command(tmp_path, session, "-o", os.ttyname(follower)),
            capture_output=True,
            timeout=30,
        )
        os.close(follower)
        follower = -1
        drawn = b""
        os.set_blocking(leader, False)
        while True:
            try:
                chunk = os.read(leader, 65536)
            except (BlockingIOError, OSError):
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
    assert b"before" in drawn and b"after" in drawn
    assert b"\x1b" not in drawn and b"\x07" not in drawn


def test_a_plain_file_keeps_the_model_text_as_it_was(tmp_path: Path, session: str) -> None:
    """Only a terminal is cleaned: a file holds the reply exactly."""
    target = tmp_path / "export.md"
    assert main(["export", session, "-o", str(target), "--data-dir", str(tmp_path)]) == 0
    assert "\x1b]52;c;cm0gLXJmIH4=\x07 \x1b[2J" in target.read_text()


def test_a_private_export_is_never_readable_by_others_while_it_is_written(
    tmp_path: Path, session: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whenever the new contents exist on disk (at each chmod, and at the rename) the file
    holding them is no more open than the 0600 file it replaces."""
    target = tmp_path / "private.md"
    target.write_text("old")
    target.chmod(0o600)
    seen: list[tuple[int, int]] = []

    def spy(real: Callable[..., Any], path_argument: int) -> Callable[..., Any]:
        def watched(*args: Any, **kwargs: Any) -> Any:
            where = args[path_argument]
            info = os.fstat(where) if isinstance(where, int) else os.stat(where)
            if stat.S_ISREG(info.st_mode) and info.st_size:
                seen.append((stat.S_IMODE(info.st_mode), info.st_size))
            return real(*args, **kwargs)

        return watched

    monkeypatch.setattr(cli_output.os, "chmod", spy(os.chmod, 0))
    monkeypatch.setattr(cli_output.os, "fchmod", spy(os.fchmod, 0))
    monkeypatch.setattr(cli_output.os, "replace", spy(os.replace, 0))
    previous_umask = os.umask(0o022)
    try:
        assert main(["export", session, "-o", str(target), "--data-dir", str(tmp_path)]) == 0
    finally:
        os.umask(previous_umask)
    assert seen, "the rename was not observed"
    assert all(mode == 0o600 for mode, _ in seen), seen
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "before" in target.read_text()
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


def test_a_new_export_is_private(tmp_path: Path, session: str) -> None:
    target = tmp_path / "new.md"
    previous_umask = os.umask(0o022)
    try:
        assert main(["export", session, "-o", str(target), "--data-dir", str(tmp_path)]) == 0
    finally:
        os.umask(previous_umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_replaced_shared_export_keeps_its_mode(tmp_path: Path, session: str) -> None:
    target = tmp_path / "shared.md"
    target.write_text("old")
    target.chmod(0o644)
    assert main(["export", session, "-o", str(target), "--data-dir", str(tmp_path)]) == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_dev_stderr_appended_to_a_log_keeps_what_it_held(tmp_path: Path, session: str) -> None:
    """``-o /dev/stderr 2>> log``: as for stdout, the log is added to, not replaced."""
    log = tmp_path / "log.txt"
    log.write_text("PRIOR\n")
    with log.open("a") as appended:
        done = subprocess.run(
            export_command(tmp_path, session, "-o", "/dev/stderr"),
            stdout=subprocess.PIPE,
            stderr=appended,
            text=True,
            timeout=30,
        )
    assert (done.returncode, done.stdout) == (0, "")
    text = log.read_text()
    assert text.startswith("PRIOR\n")
    assert "before" in text and "after" in text
