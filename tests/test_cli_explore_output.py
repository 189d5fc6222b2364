"""Output when stdout cannot take it: a full disk, a reader gone, a closed stream.

argparse ignores an OSError while it prints help or the version: ``llmx-tui --help >
/dev/full`` exited 0 having written nothing (unbuffered), or 120 after Python's own
"Exception ignored ... OSError" lines (buffered). Like every other output, a full disk
is now one line and exit 1, and a reader that left early (``| head``) exit 141, quietly.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from llmx_tui import __version__
from tests.loopback import Reply, sse_body

pytestmark = pytest.mark.timeout(60)

FULL = Path("/dev/full")
COMMANDS = [["--version"], ["--help"], ["sessions", "--help"], ["sessions", "export", "--help"]]


def run(args: list[str], stdout: int, *, buffered: bool) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    if not buffered:
        env["PYTHONUNBUFFERED"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "llmx_tui", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        timeout=30,
    )


@pytest.mark.skipif(not FULL.is_char_device(), reason="needs /dev/full")
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
def test_a_full_disk_is_one_line_and_exit_1(args: list[str], buffered: bool) -> None:
    with FULL.open("w") as full:
        done = run(args, full.fileno(), buffered=buffered)
    prefix = "llmx-tui:" if args[0] == "sessions" else "llmx-tui: error:"
    assert (done.returncode, done.stderr) == (
        1,
        f"{prefix} cannot write to stdout: No space left on device\n",
    )


@pytest.mark.parametrize("args", COMMANDS[:2], ids=" ".join)
def test_a_reader_gone_is_quiet_with_141(args: list[str]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader left before anything came
    try:
        done = run(args, write_end, buffered=True)
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (141, "")


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_help_and_version_still_print_and_exit_0(args: list[str]) -> None:
    done = run(args, subprocess.PIPE, buffered=True)
    assert (done.returncode, done.stderr) == (0, "")
    expected = "llmx-tui 0." if args == ["--version"] else "usage: llmx-tui"
    assert done.stdout.startswith(expected)


def run_closed(args: list[str], closed: int) -> subprocess.CompletedProcess[str]:
    """The command with stdout (1) or stderr (2) closed, as ``>&-`` or ``2>&-`` leave it."""
    other = subprocess.PIPE
    return subprocess.run(
        [sys.executable, "-m", "llmx_tui", *args],
        stdout=None if closed == 1 else other,
        stderr=None if closed == 2 else other,
        preexec_fn=lambda: os.close(closed),
        text=True,
        timeout=30,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["sessions", "list", "--data-dir", "{data}"],
        ["-p", "hi", "--data-dir", "{data}"],
    ],
)
def test_a_closed_stdout_is_one_line_not_a_traceback(args: list[str], tmp_path: Path) -> None:
    """Python sets a closed stdout to None: each write was an AttributeError traceback."""
    done = run_closed([arg.format(data=tmp_path) for arg in args], 1)
    assert (done.returncode, done.stderr) == (
        1,
        "llmx-tui: error: stdout is closed: there is nowhere to print\n",
    )


def test_a_closed_stderr_drops_the_reasoning_not_the_reply(loopback: Any, tmp_path: Path) -> None:
    """The reply was lost: writing the reasoning to the closed stderr ended the run, exit 1."""
    thinking = {"choices": [{"index": 0, "delta": {"reasoning_content": "hmm"}}]}
    answer = {"choices": [{"index": 0, "delta": {"content": "the answer"}}]}
    finish = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    loopback.add(Reply(body=sse_body(thinking, answer, finish)))
    flags = ["--base-url", loopback.base_url, "--model", "m", "--data-dir", str(tmp_path)]
    done = run_closed(["--print", "hi", *flags], 2)
    assert (done.returncode, done.stdout) == (0, "the answer\n")
    assert run_closed(["--version"], 2).stdout == f"llmx-tui {__version__}\n"
