"""`--help` and `--version` when stdout cannot take them.

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

import pytest

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
