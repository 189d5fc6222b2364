"""Code blocks' left padding, marked so that a copied selection leaves it out.

Rich draws every line of a code block one cell in from the block's edge. Copied
as drawn, each line of a selection but the first would gain a space, which breaks
indentation-sensitive code (Python, YAML). That cell's segment carries
``PAD_KEY`` in its style's meta; ``copy_text`` turns it into ``PAD_MARK``, which
the reply's selection drops once it has cut the selected span (so the columns
the mouse selected are the columns drawn).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

PAD_KEY = "llmx_tui.code_pad"
PAD_MARK = "\x00"  # never drawn: neutralise() shows control characters as symbols
_PAD = Style.from_meta({PAD_KEY: True})


def mark_left_pad(line: list[Segment]) -> list[Segment]:
    """``line`` of a code block with its first cell, the padding, marked."""
    if not line or line[0].control or not line[0].text.startswith(" "):
        return line
    first = line[0]
    style = _PAD if first.style is None else first.style + _PAD
    marked = [Segment(" ", style)]
    if len(first.text) > 1:
        marked.append(Segment(first.text[1:], first.style))
    return [*marked, *line[1:]]


def marked_lines(lines: Iterable[list[Segment]]) -> Iterator[Segment]:
    """Rendered lines of a code block as one segment stream, each line's pad marked."""
    for line in lines:
        yield from mark_left_pad(line)
        yield Segment.line()


def copy_text(line: Strip) -> str:
    """``line``'s text as a selection copies it: padding cells as ``PAD_MARK``, no
    trailing spaces."""
    parts = []
    for segment in line:
        style = segment.style
        if style is not None and style._meta is not None and style.meta.get(PAD_KEY):
            parts.append(PAD_MARK * len(segment.text))
        else:
            parts.append(segment.text)
    return "".join(parts).rstrip()
