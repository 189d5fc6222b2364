"""One rendered run of Markdown blocks: a single Static, whatever its length."""

from __future__ import annotations

from textual.widgets import Static

from llmx_tui.ui.rich_markdown import SafeMarkdown


class MarkdownChunk(Static):
    """Neutralised Markdown text rendered with the app's dark/light code theme."""

    # Rich separates blocks with one blank line; the margin keeps that spacing
    # between chunks, so a reply looks the same however the stream was cut.
    DEFAULT_CSS = "MarkdownChunk { height: auto; padding: 0 1; margin: 0 0 1 0; }"

    def __init__(self, text: str = "", *, classes: str | None = None) -> None:
        super().__init__("", classes=classes)
        self.text = text
        self._ready = False  # the app (and its theme) is reachable once mounted

    def on_mount(self) -> None:
        self._ready = True
        self.set_text(self.text)

    def set_text(self, text: str) -> None:
        self.text = text
        self.display = bool(text.strip())
        if self._ready:
            self.update(SafeMarkdown(text, dark=self.app.current_theme.dark))

    def restyle(self) -> None:
        """Re-render after a theme switch (code colours follow dark/light)."""
        self.set_text(self.text)
