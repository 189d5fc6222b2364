"""Runs of finished Markdown blocks, rendered once per width, with a cheap height estimate.

Rendering Markdown (markdown-it, Rich, pygments for code) is what showing a
long reply costs, and most of a long reply is off screen. So a block is
rendered only when it is painted or sits at the bottom of the viewport; until
then its height is estimated from its source. Estimates only move the
scrollbar: a block is always rendered before it is drawn.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.segment import Segment
from textual.strip import Strip

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType
    from rich.style import Style

# A run of finished blocks is cut at the first block start past this many
# characters. A run is rendered whole when any of it shows, so a frame renders
# up to a run more than the screen holds: about 30 lines here (Rich costs about
# 0.2 ms a line, the same per line for runs of 500 to 1,500 characters), while
# a reply stays a few hundred Rich renders at most.
RUN_CHARS = 700

# Drawn before the rows a long code line wraps onto, under the line's indentation.
CONTINUATION_MARK = "↪ "


def hanging_indent(indent: int, code_width: int) -> int:
    """Cells before the code on the rows a code line indented by ``indent`` wraps onto:
    its indentation and the mark, but never past half the width (deep code on a
    narrow screen keeps room to be read), and none where fewer than two cells would be
    left: a wide character (CJK, emoji) needs two."""
    hang = min(indent + cell_len(CONTINUATION_MARK), code_width // 2)
    return hang if code_width - hang >= 2 and code_width >= 6 else 0


def group_runs(text: str, starts: list[int], limit: int = RUN_CHARS) -> list[str]:
    """Cut ``text`` at block ``starts`` into runs of at least ``limit`` characters
    (the last run may be shorter; a single block may be longer)."""
    runs: list[str] = []
    begin = 0
    for start in starts:
        if start - begin >= limit:
            runs.append(text[begin:start])
            begin = start
    runs.append(text[begin:])
    return [run for run in runs if run.strip()]


def estimate_height(text: str, width: int) -> int:
    """Lines ``text`` will take at ``width``: one per source line, wrapped."""
    usable = max(1, width)
    lines = text.rstrip().splitlines() or [""]
    # One row each, and the rows a long line wraps onto (a final frame estimates every
    # new block: most lines are short, so only those are divided).
    height = len(lines)
    for line in lines:
        if len(line) > usable:
            height += (len(line) - 1) // usable
    return height


# Rich puts the blank line between two blocks before the second one, depending on
# what ends the first; rendered after this one-line paragraph, a block gets exactly
# the lines it has after a paragraph in the whole reply (the stub's line is dropped).
_AFTER_A_BLOCK = "\u200b\n\n"


def render_markdown(
    text: str,
    width: int,
    *,
    dark: bool,
    console: Console,
    options: ConsoleOptions,
    after: bool = False,
) -> list[Strip]:
    """``text`` (already neutralised) rendered as Markdown into lines of ``width`` cells;
    ``after``: as it follows another block of the same reply (with the blank between)."""
    from llmx_tui.ui.rich_markdown import SafeMarkdown  # rich.markdown loads on first use

    source = _AFTER_A_BLOCK + text if after else text
    lines = _render(SafeMarkdown(source, dark=dark), width, console, options)
    return lines[1:] if after else lines


def render_code(
    code: str,
    lexer: str,
    width: int,
    *,
    dark: bool,
    top: bool,
    bottom: bool,
    console: Console,
    options: ConsoleOptions,
) -> list[Strip]:
    """A piece of a fenced code block, drawn as the whole block is drawn in a reply
    (``rich_markdown.HangingCode``); ``top``/``bottom``: this piece opens/closes it."""
    from llmx_tui.ui.rich_markdown import HangingCode, code_theme

    code_rows = HangingCode(code, lexer, code_theme(dark), top=int(top), bottom=int(bottom))
    return _render(code_rows, width, console, options)


def _render(
    renderable: RenderableType, width: int, console: Console, options: ConsoleOptions
) -> list[Strip]:
    segments = console.render(renderable, options.update(highlight=False, height=None, width=width))
    lines = Segment.split_and_crop_lines(segments, width, include_new_lines=False, pad=False)
    return [Strip(line) for line in lines]


_RULE_LINE = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")


def ends_with_rule(markdown: str) -> bool:
    """Whether the last top-level element of ``markdown`` is a thematic break
    (``---`` under a paragraph line is a heading, so the parser decides)."""
    lines = markdown.rstrip().splitlines()
    if not lines or not _RULE_LINE.match(lines[-1]):
        return False
    from llmx_tui.ui.markdown_split import make_parser

    tokens = make_parser().parse(markdown)
    return bool(tokens) and tokens[-1].type == "hr"


def framed(line: Strip, gutter: int, width: int, style: Style) -> Strip:
    """``line`` on the widget's base style, with ``gutter`` cells each side, ``width``
    cells in all: what Textual would do on every paint, done once per rendered line."""
    blank = Segment(" " * gutter, style)
    return Strip([blank, *line.apply_style(style)]).adjust_cell_length(width, style)


def highlighted(line: Strip, span: tuple[int, int], style: Style, gutter: int) -> Strip:
    """``line`` (``framed``) with the characters of ``span`` in ``style``: a selection's
    columns, counted from the first character after the left gutter; an end of -1 runs
    to the end of the text."""
    text = line.text[gutter:].rstrip()
    start, end = span
    start = max(0, start)
    end = len(text) if end == -1 else min(max(0, end), len(text))
    if end <= start:
        return line
    # Columns are characters; the strip is cut in cells (wide characters take two).
    left = gutter + cell_len(text[:start])
    right = left + cell_len(text[start:end])
    before, inside, after = line.divide([left, right, line.cell_length])
    # Over the text's own colours (``Strip.apply_style`` would put it under them).
    selected = Strip(Segment.apply_style(inside, post_style=style), inside.cell_length)
    return Strip.join([before, selected, after])


class Block:
    """Markdown text that never changes, its rendered lines per (width, dark), and
    those lines framed for painting in the current style."""

    __slots__ = ("_estimate", "_framed", "_rendered", "after", "after_rule", "text")

    def __init__(self, text: str, *, after: bool = False, after_rule: bool = False) -> None:
        self.text = text
        self.after = after  # another block of the reply comes before it
        # ... and that block ends with a thematic break, after which Rich puts no
        # blank line of its own (the rule's own line below it is the blank).
        self.after_rule = after_rule
        self._rendered: dict[tuple[int, bool], list[Strip]] = {}
        self._framed: tuple[tuple[int, bool, int, Style], list[Strip]] | None = None
        self._estimate = (0, 0)  # (width, lines): laying out a long reply re-reads it often

    def lines(self, width: int, dark: bool) -> list[Strip] | None:
        return self._rendered.get((width, dark))

    def height(self, width: int, dark: bool) -> int:
        lines = self._rendered.get((width, dark))
        if lines is not None:
            return len(lines)
        if self._estimate[0] != width:
            self._estimate = (width, estimate_height(self.text, width) + self.after)
        return self._estimate[1]

    def render(
        self, width: int, dark: bool, console: Console, options: ConsoleOptions
    ) -> list[Strip]:
        lines = self._draw(width, dark, console, options)
        if len(self._rendered) >= 2:  # a resize back and forth keeps both; no more
            self._rendered.clear()
        self._rendered[(width, dark)] = lines
        return lines

    def _draw(
        self, width: int, dark: bool, console: Console, options: ConsoleOptions
    ) -> list[Strip]:
        lines = render_markdown(
            self.text, width, dark=dark, console=console, options=options, after=self.after
        )
        if self.after_rule and lines and not lines[0].text.strip():
            return lines[1:]
        return lines

    def framed_lines(self, width: int, dark: bool, gutter: int, style: Style) -> list[Strip]:
        """The rendered lines (``render`` first) framed by ``framed``."""
        key = (width, dark, gutter, style)
        if self._framed is None or self._framed[0] != key:
            outer = width + 2 * gutter
            lines = [framed(line, gutter, outer, style) for line in self._rendered[width, dark]]
            self._framed = (key, lines)
        return self._framed[1]


def _code_line_rows(line: str, usable: int) -> int:
    """Rows a code line takes, estimated: the first full, the rest under its indent."""
    if len(line) <= usable:
        return 1
    room = max(1, usable - hanging_indent(len(line) - len(line.lstrip(" ")), usable))
    return 1 + -(-(len(line) - usable) // room)


class CodePiece(Block):
    """Lines of a long fenced code block that is still streaming. A code block is
    one Markdown block, so without pieces it would be re-rendered whole on every
    frame until its fence closes; pieces of finished lines are rendered once."""

    __slots__ = ("bottom", "lexer", "top")

    def __init__(
        self, code: str, lexer: str, *, top: bool, bottom: bool, after: bool = False
    ) -> None:
        # Rich's Markdown draws a block's code with its trailing blank lines
        # stripped; a piece that ends the block does the same, the others keep
        # every line (the newline ending their last line is not a line of its own).
        super().__init__(code.rstrip() if bottom else code.removesuffix("\n"), after=after)
        self.lexer = lexer
        self.top = top
        self.bottom = bottom

    @property
    def lead(self) -> int:
        """Blank lines above it: the one between blocks, when it opens a block after another."""
        return int(self.top and self.after)

    def height(self, width: int, dark: bool) -> int:
        lines = self._rendered.get((width, dark))
        if lines is not None:
            return len(lines)
        usable = max(1, width - 2)
        rows = sum(_code_line_rows(line, usable) for line in self.text.split("\n"))
        return self.lead + int(self.top) + int(self.bottom) + rows

    def _draw(
        self, width: int, dark: bool, console: Console, options: ConsoleOptions
    ) -> list[Strip]:
        lines = render_code(
            self.text,
            self.lexer,
            width,
            dark=dark,
            top=self.top,
            bottom=self.bottom,
            console=console,
            options=options,
        )
        return [Strip.blank(0)] * self.lead + lines
