"""`llmx-tui --print` as a user runs it: what reaches stderr when a tool raises.

A tool that raised while it was prepared or run (here ``write_file`` asked to write
half an emoji, which UTF-8 cannot encode) is logged with ``logger.exception``. With
no handler configured, Python's last-resort handler printed that record, a full
traceback, on stderr between the run's own lines. Nothing is logged unless
LLMX_TUI_LOG asks; the failure is reported as the tool's result.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.loopback import Reply, openai_text_stream, openai_tool_call_stream

pytestmark = pytest.mark.timeout(30)

HALF_AN_EMOJI = json.dumps({"path": "note.txt", "content": "a\\ud83db"}).replace("\\\\", "\\")


def test_a_tool_that_raises_is_one_note_not_a_traceback(loopback: Any, tmp_path: Path) -> None:
    assert "\\ud83d" in HALF_AN_EMOJI
    loopback.add(
        Reply(body=openai_tool_call_stream("c1", "write_file", HALF_AN_EMOJI)),
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
    assert "Traceback" not in done.stderr and "UnicodeEncodeError" not in done.stderr
    assert done.stderr.splitlines()[-1] == "[llmx-tui] tool write_file: failed"
    assert not (tmp_path / "note.txt").exists()
