"""Rich Markdown for untrusted text: raw HTML shown as text, link targets shown.

A whole reply renders into one Static per finished chunk instead of one
Textual widget per block: layout cost grows with the number of mounted
widgets, and a long reply would otherwise mount thousands.
"""

from __future__ import annotations

from rich.markdown import Markdown

from llmx_tui.ui.markdown_split import make_parser

_PARSER = make_parser()


class SafeMarkdown(Markdown):
    """``rich.markdown.Markdown`` parsed with HTML disabled, links not clickable.

    Text must already be neutralised (``safe_text.neutralise``).
    """

    def __init__(self, markup: str, *, dark: bool = True) -> None:
        super().__init__("", code_theme="monokai" if dark else "friendly", hyperlinks=False)
        self.markup = markup
        self.parsed = _PARSER.parse(markup)
