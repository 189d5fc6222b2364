"""`llmx-tui --print` as a user runs it: what reaches stderr when a tool raises.

A tool that raised while it was prepared or run (here ``write_file`` asked to write
to a path holding a NUL byte, which no file system call takes) is logged with
``logger.exception``. With no handler configured, Python's last-resort handler
printed that record, a full traceback, on stderr between the run's own lines.
Nothing is logged unless LLMX_TUI_LOG asks; the failure is reported as the tool's
result.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from llmx_tui.cli import main
from tests.loopback import Reply, openai_text_stream, openai_tool_call_stream

pytestmark = pytest.mark.timeout(30)

# A path no file system call takes: the tool raises ValueError, not a ToolError.
NUL_IN_PATH = json.dumps({"path": "note\u0000.txt", "content": "a note"})


def test_a_tool_that_raises_is_one_note_not_a_traceback(loopback: Any, tmp_path: Path) -> None:
    loopback.add(
        Reply(body=openai_tool_call_stream("c1", "write_file", NUL_IN_PATH)),
        Reply(body=openai_text_stream("could not write it")),
    )
    # A process of its own: in this one, pytest's logging plugin takes every record.
    flags = ["--yes", "--base-url", loopback.base_url, "--model", "m"]
    flags += ["--data-dir", str(tmp_path / "data")]
    done = subprocess.run(
        [sys.executable, "-m", "llmx_tui", "--print", "write a note", *flags],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (done.returncode, done.stdout) == (0, "could not write it\n")
    assert "Traceback" not in done.stderr and "ValueError" not in done.stderr
    assert done.stderr.splitlines()[-1] == "[llmx-tui] tool write_file: failed"
    assert not (tmp_path / "note.txt").exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_json_lines_on_a_terminal_escape_what_reorders_or_hides_text(
    loopback: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """JSON escapes C0 controls but not C1 ones (``\\x9b`` is CSI on an 8-bit terminal) nor
    bidi overrides: a model's reply could drive or reorder the terminal. On a terminal they
    are escaped as the sessions commands escape them; the data is the same."""
    evil = "ok \u202eevil\u202c \x9b2J \U000e0041 done"
    loopback.add(Reply(body=openai_text_stream(evil)))
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    flags = ["--base-url", loopback.base_url, "--model", "m", "--data-dir", str(tmp_path)]
    assert main(["--print", "hi", "--json", *flags]) == 0
    shown = terminal.getvalue()
    assert not any(char in shown for char in "\u202e\u202c\x9b\U000e0041")
    assert "\\u202e" in shown and "\\u009b" in shown
    lines = [json.loads(line) for line in shown.splitlines()]
    assert [line["text"] for line in lines if line["type"] == "response_completed"] == [evil]
    capsys.readouterr()
