"""Where the sessions commands write: stdout, whose failures name it, and export files.

An export is written so that a failure never leaves half a file, without ever
replacing what is not a plain file (a device, a FIFO, ``/dev/stdout``).
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from llmx_tui.store.errors import StoreError


class CannotWrite(Exception):
    """Writing to stdout failed (a full disk, ``> /dev/full``): not a reader gone."""


class NamedOutput:
    """stdout, whose write failures say they were stdout's: an OSError of its own
    names no file, and "cannot access: No space left on device" names nothing."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise CannotWrite(exc.strerror or exc) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise CannotWrite(exc.strerror or exc) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def drop_output(stream: TextIO) -> None:
    """What stdout still buffers goes to /dev/null: the interpreter's flush at exit
    would fail again and print an error of its own."""
    from llmx_tui.closed_stdout import silence_stdout

    try:
        stream.fileno()
    except (OSError, ValueError):  # not a real file (a test's capture)
        return
    silence_stdout()


def names_stdout(path: Path) -> bool:
    """``path`` is what stdout writes to (``/dev/stdout``, ``/proc/self/fd/1``, the file
    stdout was redirected to): it is written as stdout, never opened or replaced."""
    return _is_open_as(path, 1)


def _is_open_as(path: Path, descriptor: int) -> bool:
    try:
        there, ours = os.stat(path), os.fstat(descriptor)
    except OSError:
        return False
    return (there.st_dev, there.st_ino) == (ours.st_dev, ours.st_ino)


def write_file(path: Path, text: str, for_terminal: Callable[[str], str]) -> None:
    """A regular file (new or replaced) is written via a temporary file beside it, so a
    failure never leaves half a file, and keeps the permissions it had (a new one is
    private, as the history is). Anything else (a FIFO, a terminal, a device such as
    ``/dev/full``) is written to, never replaced; through a symlink, its target is
    written. What stderr writes to (``/dev/stderr``) is written through stderr. A
    terminal gets ``for_terminal(text)``: model output must not reach it with its
    escapes."""
    try:
        if _is_open_as(path, 2):  # /dev/stderr: added to where it stands (``2>> log``)
            sys.stderr.flush()
            with open(2, "wb", closefd=False) as handle:
                _write(handle, text, for_terminal)
            return
        try:
            mode: int | None = os.stat(path).st_mode  # not resolved: /dev/stdout is a link
        except FileNotFoundError:
            mode = None
        if mode is not None and not stat.S_ISREG(mode):
            with open(path, "wb") as handle:
                _write(handle, text, for_terminal)
            return
        _replace_file(path.resolve(), text.encode("utf-8"), mode)
    except OSError as exc:
        raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from None


def _write(handle: BinaryIO, text: str, for_terminal: Callable[[str], str]) -> None:
    handle.write((for_terminal(text) if handle.isatty() else text).encode("utf-8"))


def _replace_file(target: Path, data: bytes, mode: int | None) -> None:
    # Created private and given the replaced file's mode before any byte is written:
    # the new contents are never more readable than the old ones were.
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            if mode is not None:
                os.fchmod(file.fileno(), stat.S_IMODE(mode))
            file.write(data)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
