"""Rich Markdown for untrusted text: raw HTML shown as text, link targets shown.

Loaded on first use (``markdown_blocks.render_block``): rich.markdown,
markdown-it and pygments are not needed for an empty session's first frame.
"""

from __future__ import annotations

from functools import cache
from typing import ClassVar

from markdown_it import MarkdownIt
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock, Markdown, MarkdownElement
from rich.syntax import Syntax

from llmx_tui.ui.code_padding import marked_lines
from llmx_tui.ui.markdown_split import make_parser


def code_theme(dark: bool) -> str:
    """The pygments theme for code blocks: it follows the app's dark/light."""
    return "monokai" if dark else "friendly"


@cache
def _parser() -> MarkdownIt:
    return make_parser()


class PaddedCodeBlock(CodeBlock):
    """Rich's code block, drawn the same, with its left padding marked
    (``code_padding``) so that copying code keeps its indentation."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        code = str(self.text).rstrip()
        syntax = Syntax(code, self.lexer_name, theme=self.theme, word_wrap=True, padding=1)
        yield from marked_lines(console.render_lines(syntax, options))


class SafeMarkdown(Markdown):
    """``rich.markdown.Markdown`` parsed with HTML disabled, links not clickable.

    Text must already be neutralised (``safe_text.neutralise``).
    """

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **Markdown.elements,
        "fence": PaddedCodeBlock,
        "code_block": PaddedCodeBlock,
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
