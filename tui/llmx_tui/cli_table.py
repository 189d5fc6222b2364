"""Rows of text for the sessions commands: one line each, cut to the terminal's width.

On a terminal a row never wraps: what does not fit is cut, an ellipsis marking
the cut, counting columns as the terminal does (wide East Asian characters take
two, combining marks none). A pipe or a file gets every character (nothing is
cut, whatever $COLUMNS says), so scripts see the whole title or snippet.
"""

from __future__ import annotations

import re
import shutil
import sys
import unicodedata
from typing import TextIO

from llmx_tui.core.safe_text import show_hidden
from llmx_tui.core.surrogates import encodable

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ELLIPSIS = "…"
_ZERO_WIDTH = {"\u200c", "\u200d"}  # the joiners: shown as they are, joining


def terminal_width(stream: TextIO | None = None) -> int | None:
    """The columns a row may take on ``stream`` (stdout), or None when it is not a terminal."""
    if not (stream or sys.stdout).isatty():
        return None
    return shutil.get_terminal_size().columns


def char_cells(char: str) -> int:
    if char in _ZERO_WIDTH or unicodedata.category(char) in ("Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cells(text: str) -> int:
    """The columns ``text`` takes on a terminal."""
    return sum(char_cells(char) for char in text)


def fit(text: str, room: int | None) -> str:
    """``text`` in at most ``room`` columns (None: all of it), an ellipsis where it is cut."""
    if room is None or cells(text) <= room:
        return text
    kept: list[str] = []
    used = cells(ELLIPSIS)
    for char in text:
        used += char_cells(char)
        if used > room:
            break
        kept.append(char)
    return "".join(kept) + ELLIPSIS


def pad(text: str, room: int) -> str:
    """``text`` followed by spaces up to ``room`` columns."""
    return text + " " * max(0, room - cells(text))


def one_line(text: str, room: int | None = None, stream: TextIO | None = None) -> str:
    """``text`` flattened to one line free of control characters, in at most ``room``
    columns; for a terminal, characters that reorder or hide text are shown as
    ``<U+XXXX>`` escapes (a pipe or a file gets them as they are)."""
    if (stream or sys.stdout).isatty():
        text = show_hidden(text)
    text = encodable(text)  # an imported lone surrogate cannot be printed
    return fit(" ".join(CONTROL.sub(" ", text).split()), room)


def clip_snippet(snippet: str, marks: tuple[str, str], room: int | None) -> str:
    """A search snippet in ``room`` columns with its first match still in view."""
    from llmx_tui.store.queries import clip_around_match

    if room is None or cells(snippet) <= room:
        return snippet
    width = room
    while width > 1:  # characters, not columns: narrow it until the columns fit
        clipped = clip_around_match(snippet, *marks, width)
        if cells(clipped) <= room:
            return clipped
        width -= 1
    return fit(snippet, room)
