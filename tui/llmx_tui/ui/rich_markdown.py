"""Rich Markdown for untrusted text: raw HTML shown as text, link targets shown;
code padding and wrapped rows marked so that a mouse selection copies text (``copy_text``).

Loaded on first use (``markdown_blocks.render_block``): rich.markdown,
markdown-it and pygments are not needed for an empty session's first frame.
"""

from __future__ import annotations

from functools import cache
from typing import ClassVar

from markdown_it import MarkdownIt
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock, Markdown, MarkdownElement, Paragraph, TableElement
from rich.segment import Segment
from rich.syntax import Syntax
from rich.table import Table
from rich.text import DEFAULT_JUSTIFY, DEFAULT_OVERFLOW, Text

from llmx_tui.ui.copy_text import marked_code, row_style, wrap_joins
from llmx_tui.ui.markdown_split import make_parser


def code_theme(dark: bool) -> str:
    """The pygments theme for code blocks: it follows the app's dark/light."""
    return "monokai" if dark else "friendly"


@cache
def _parser() -> MarkdownIt:
    return make_parser()


class PaddedCodeBlock(CodeBlock):
    """Rich's code block, drawn the same, with its left padding marked
    (``copy_text``) so that copying code keeps its indentation."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        code = str(self.text).rstrip()
        syntax = Syntax(code, self.lexer_name, theme=self.theme, word_wrap=True, padding=1)
        new_line = Segment.line()
        for line in marked_code(console.render_lines(syntax, options), code, top=1, bottom=1):
            yield from line
            yield new_line


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
