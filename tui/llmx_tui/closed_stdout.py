"""The reader of stdout left early (``llmx-tui ... | head``): not an error."""

from __future__ import annotations

import os
import sys

# The status a process killed by SIGPIPE has.
EXIT_READER_GONE = 141


def silence_stdout() -> None:
    """Points stdout at /dev/null: the interpreter's last flush at exit would fail again
    on the closed pipe and print an error of its own."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
