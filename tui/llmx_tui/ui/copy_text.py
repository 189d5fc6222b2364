"""What a mouse selection over rendered Markdown copies: the text, not the drawing.

Rendered lines differ from the text in two ways a copy should undo:

* Rich draws every line of a code block one cell in from the block's edge.
  Copied as drawn, each line of a selection but the first would gain a space,
  which breaks indentation-sensitive code (Python, YAML). That cell's style
  carries ``PAD_KEY`` in its meta, and the copy leaves it out.
* A paragraph, or a line of code, wider than the screen is wrapped into rows.
  Copied as drawn, each row would end in a line break the text does not have.
  Such rows carry ``ROW_KEY``: the whitespace that the wrap replaced by the
  row's end (``""`` when a word was cut), or None where the text itself ends
  the line. The copy joins a wrapped row to the next with that whitespace and
  leaves out what is drawn before the next row's text (a list's indent, a
  quote's bar, a code block's padding, the indentation a wrapped code line is
  drawn under). Rows of code carry ``CODE_KEY`` too: what is drawn before the
  code (a list's indent) is never copied with it.

Selected columns are the columns drawn, so the marks are read after the
selected span is cut.
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.selection import Selection
from textual.strip import Strip

PAD_KEY = "llmx_tui.code_pad"
ROW_KEY = "llmx_tui.row"
CODE_KEY = "llmx_tui.code"
_PAD = Style.from_meta({PAD_KEY: True})
PAD_STYLE = _PAD  # added to the style of a code block's left padding cell
_PAD_MARK = "\x00"  # never drawn: neutralise() shows control characters as symbols


# --- marking, while rendering --------------------------------------------------------------


def marked_code(
    lines: list[list[Segment]], code: str, *, top: int, bottom: int, tab_size: int = 4
) -> list[list[Segment]]:
    """Rendered lines of ``code`` (``top``/``bottom`` blank padding lines around it):
    the first cell of each line, the padding, marked; each row of code marked as
    code, and with the whitespace the wrap took when a long line goes on below."""
    marked = [_pad_marked(line) for line in lines]
    rows = range(top, len(marked) - bottom)
    drawn = ["".join(segment.text for segment in marked[y])[1:].rstrip() for y in rows]
    joins = _joins(code.expandtabs(tab_size), drawn)  # tabs as Syntax draws them
    if joins is None:
        return marked  # not what Syntax would draw: rows copied as drawn
    for y, wraps in zip(rows, joins, strict=True):
        style = row_style(wraps, code=True)
        marked[y] = marked[y][:1] + list(Segment.apply_style(marked[y][1:], post_style=style))
    return marked


def _pad_marked(line: list[Segment]) -> list[Segment]:
    """``line`` with its first cell, the padding, in a segment of its own, marked."""
    if not line or line[0].control or not line[0].text.startswith(" "):
        return line
    first = line[0]
    pad = Segment(" ", _PAD if first.style is None else first.style + _PAD)
    rest = [Segment(first.text[1:], first.style)] if len(first.text) > 1 else []
    return [pad, *rest, *line[1:]]


@cache  # few values (None, "", " "): one Style each, so Rich's style caches hit
def row_style(joins: str | None, *, code: bool = False) -> Style:
    """The meta style for a row of text or code (see the module docstring)."""
    return Style.from_meta({ROW_KEY: joins, CODE_KEY: code})


def wrap_joins(line: Text, rows: list[Text], tab_size: int) -> list[str | None]:
    """``_joins`` for the rows a line of text (no newline) was wrapped into."""
    source = line.plain
    if "\t" in source:
        expanded = line.copy()
        expanded.expand_tabs(tab_size)
        source = expanded.plain
    joins = _joins(source, [row.plain.rstrip() for row in rows])
    return [None] * len(rows) if joins is None else joins  # not slices: copied as drawn


_WHITESPACE = re.compile(r"\s*")


def _joins(source: str, drawn: list[str]) -> list[str | None] | None:
    """How each drawn row, a consecutive slice of ``source`` without its trailing
    whitespace, goes on: the whitespace up to the next row's text, or None where a line
    of ``source`` ends. None when the rows are not such slices."""
    joins: list[str | None] = []
    position = 0
    last = len(drawn) - 1
    for index, text in enumerate(drawn):
        if not source.startswith(text, position):
            return None
        position += len(text)
        match = _WHITESPACE.match(source, position)
        gap = match.group() if match else ""
        line_end = gap.find("\n")
        if line_end >= 0 or index == last or position + len(gap) == len(source):
            joins.append(None)
            position += line_end + 1 if line_end >= 0 else len(gap)
            continue
        # The next row may begin with whitespace of its own (a wide space Rich moved down).
        following = drawn[index + 1]
        taken = next(
            (k for k in range(len(gap) + 1) if source.startswith(following, position + k)),
            len(gap),
        )
        joins.append(gap[:taken])
        position += taken
    return joins


# --- reading, when copying -----------------------------------------------------------------


class Row(NamedTuple):
    text: str  # as drawn, code padding as _PAD_MARK, no trailing spaces
    start: int  # where the row's text or code starts (what is drawn before is decoration)
    joins: str | None  # wrapped: the whitespace to the next row's text; else None
    code: bool  # a row of code: copied from ``start`` (a list's indent is not code)


def copy_row(line: Strip) -> Row:
    """One rendered line, read for copying."""
    parts: list[str] = []
    start, joins, code, seen = 0, None, False, False
    width = 0
    for segment in line:
        text, style = segment.text, segment.style
        meta = style.meta if style is not None else None
        if meta and meta.get(PAD_KEY):
            text = _PAD_MARK * len(text)
        if meta and ROW_KEY in meta and not seen:
            start, joins, code, seen = width, meta[ROW_KEY], bool(meta.get(CODE_KEY)), True
        parts.append(text)
        width += len(text)
    return Row("".join(parts).rstrip(), start, joins, code)


def copied(rows: list[Row], selection: Selection) -> str:
    """The text of ``rows`` under ``selection`` (columns and rows as drawn)."""
    if not rows:
        return ""
    first, last = 0, len(rows) - 1
    first_column, end_column = 0, None
    if selection.start is not None:
        first, first_column = selection.start.y, max(0, selection.start.x)
    if selection.end is not None:
        last, end_column = min(last, selection.end.y), max(0, selection.end.x)
    pieces: list[str] = []
    for y in range(first, last + 1):
        row = rows[y]
        begin = first_column if y == first else 0
        end = end_column if y == last and end_column is not None else len(row.text)
        if y > first:
            joins = rows[y - 1].joins
            pieces.append("\n" if joins is None else joins)
            if joins is not None:
                begin = max(begin, row.start)
        if row.code:
            begin = max(begin, row.start)
        pieces.append(row.text[begin:end])
    return "".join(pieces).replace(_PAD_MARK, "")
