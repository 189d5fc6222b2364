"""Rich Markdown for untrusted text: raw HTML shown as text, link targets shown;
code padding and wrapped rows marked so that a mouse selection copies text (``copy_text``);
a code line too long for the screen goes on below its own indentation (``HangingCode``).

Loaded on first use (``markdown_blocks.render_block``): rich.markdown,
markdown-it and pygments are not needed for an empty session's first frame.
"""

from __future__ import annotations

from functools import cache
from typing import ClassVar

from markdown_it import MarkdownIt
from pygments.token import Comment
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock, Markdown, MarkdownElement, Paragraph, TableElement
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax, SyntaxTheme
from rich.table import Table
from rich.text import DEFAULT_JUSTIFY, DEFAULT_OVERFLOW, Text

from llmx_tui.ui.copy_text import PAD_STYLE, row_style, wrap_joins
from llmx_tui.ui.markdown_blocks import CONTINUATION_MARK, hanging_indent
from llmx_tui.ui.markdown_split import make_parser

TAB_SIZE = 4  # as Rich's Syntax expands tabs


def code_theme(dark: bool) -> str:
    """The pygments theme for code blocks: it follows the app's dark/light."""
    return "monokai" if dark else "friendly"


@cache
def _parser() -> MarkdownIt:
    return make_parser()


@cache  # one per theme: its token styles are cached in it, block after block
def _syntax_theme(name: str) -> SyntaxTheme:
    return Syntax.get_theme(name)


class HangingCode:
    """Code drawn as Rich's ``Syntax(word_wrap=True, padding=(top, 1, bottom, 1))`` draws
    it, except that the rows a long line wraps onto start under the line's own
    indentation, after a dim mark, instead of at the block's left edge (where wrapped
    Python looked dedented). Rows are marked for copying (``copy_text``): the padding
    cell, and each row of code with how it joins the next; what is drawn before a
    wrapped row's code (the indentation and the mark) is never copied."""

    def __init__(self, code: str, lexer: str, theme: str, *, top: int, bottom: int) -> None:
        self.code = code
        self.lexer = lexer
        self.theme = theme
        self.top = top
        self.bottom = bottom

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        new_line = Segment.line()
        for line in self.lines(console, options.max_width):
            yield from line
            yield new_line

    def lines(self, console: Console, width: int) -> list[list[Segment]]:
        theme = _syntax_theme(self.theme)
        syntax = Syntax(self.code, self.lexer, theme=theme, word_wrap=True)
        base = theme.get_background_style()
        mark_style = base + theme.get_style_for_token(Comment) + Style(dim=True)
        pad = Segment(" ", base + PAD_STYLE)
        code_width = max(1, width - 2)
        blank = [pad, Segment(" " * (width - 1), base)]
        # What Syntax does before it draws: tabs expanded, a final newline.
        code = self.code.expandtabs(TAB_SIZE)
        ends_on_new_line = code.endswith("\n")
        text = syntax.highlight(code if ends_on_new_line else code + "\n")
        lines: list[list[Segment]] = [blank] * self.top
        for line in text.split("\n", allow_blank=ends_on_new_line):
            rows, hang = self._rows(line, console, code_width)
            joins = [None] if len(rows) == 1 else wrap_joins(line, rows, TAB_SIZE)
            for index, (row, join) in enumerate(zip(rows, joins, strict=True)):
                drawn = list(row.render(console, end=""))
                lead = hang if index else 0
                drawn = Segment.adjust_line_length(drawn, code_width - lead, style=base)
                drawn.append(Segment(" ", base))  # the right padding
                marked = list(Segment.apply_style(drawn, post_style=row_style(join, code=True)))
                if lead:
                    marked[:0] = _decoration(lead, base, mark_style)
                lines.append([pad, *marked])
        lines += [blank] * self.bottom
        return lines

    @staticmethod
    def _rows(line: Text, console: Console, code_width: int) -> tuple[list[Text], int]:
        """The rows ``line`` is drawn in, and how far in the rows after the first start."""
        plain = line.plain
        if cell_len(plain) <= code_width:
            return [line], 0
        # The first row as Rich wraps it; the rest wrapped again, narrower.
        # ("default": not padded to the width, so its length is what it holds of the line)
        first = line.wrap(console, code_width, justify="default", overflow="fold")[0]
        start = len(first.plain)
        start += len(plain[start:]) - len(plain[start:].lstrip())  # the space it broke at
        if start >= len(plain):
            return [first], 0
        hang = hanging_indent(len(plain) - len(plain.lstrip(" ")), code_width)
        rest = line[start:].wrap(console, code_width - hang, justify="default", overflow="fold")
        return [first, *rest], hang


def _decoration(width: int, base: Style, mark_style: Style) -> list[Segment]:
    """What a wrapped row is drawn after: the indentation, ending in the mark if it fits."""
    mark = CONTINUATION_MARK if width >= cell_len(CONTINUATION_MARK) else ""
    spaces = width - cell_len(mark)
    decoration = [Segment(" " * spaces, base)] if spaces else []
    return [*decoration, Segment(mark, mark_style)] if mark else decoration


class PaddedCodeBlock(CodeBlock):
    """Rich's code block with long lines hanging under their indentation, and marked
    for copying (``HangingCode``)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        code = str(self.text).rstrip()
        yield HangingCode(code, self.lexer_name, self.theme, top=1, bottom=1)


class WrappedParagraph(Paragraph):
    """Rich's paragraph, drawn the same, each row marked with how it wraps
    (``copy_text``), so that copying a paragraph gives its lines, not its rows."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # What Text.__rich_console__ does, one source line at a time.
        text = self.text
        text.justify = self.justify
        justify = text.justify or options.justify or DEFAULT_JUSTIFY
        overflow = text.overflow or options.overflow or DEFAULT_OVERFLOW
        tab_size = console.tab_size if text.tab_size is None else text.tab_size
        no_wrap = bool(text.no_wrap if text.no_wrap is not None else options.no_wrap)
        rows: list[Text] = []
        for line in text.split(allow_blank=True):
            wrapped = line.wrap(
                console,
                options.max_width,
                justify=justify,
                overflow=overflow,
                tab_size=tab_size or 8,
                no_wrap=no_wrap,
            )
            for row, joins in zip(wrapped, wrap_joins(line, wrapped, tab_size or 8), strict=True):
                row.stylize(row_style(joins))
                rows.append(row)
        yield from Text("\n").join(rows).render(console, end=text.end)


class FoldingTable(TableElement):
    """A Markdown table whose cells fold a word too long for its column onto the next
    line: Rich's columns end it with "…", and the rest of a long word, a URL or a
    line of CJK text (no spaces to wrap at) could not be read."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for renderable in super().__rich_console__(console, options):
            if isinstance(renderable, Table):
                for column in renderable.columns:
                    column.overflow = "fold"
            yield renderable


class SafeMarkdown(Markdown):
    """``rich.markdown.Markdown`` parsed with HTML disabled, links not clickable.

    Text must already be neutralised (``safe_text.neutralise``).
    """

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **Markdown.elements,
        "fence": PaddedCodeBlock,
        "code_block": PaddedCodeBlock,
        "paragraph_open": WrappedParagraph,
        "table_open": FoldingTable,
    }

    def __init__(self, markup: str, *, dark: bool = True) -> None:
        # Markdown.__init__'s own work, minus building a fresh MarkdownIt for every
        # block (~0.3 ms each): the attributes it sets, with our parser's tokens.
        # tests/test_ui_rendering.py checks the set matches the installed Rich's.
        theme = code_theme(dark)
        self.markup = markup
        self.parsed = _parser().parse(markup)
        self.code_theme = theme
        self.justify = None
        self.style = "none"
        self.hyperlinks = False
        self.inline_code_lexer = None
        self.inline_code_theme = theme
