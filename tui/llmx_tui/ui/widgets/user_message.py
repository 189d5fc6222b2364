"""A prompt the user sent, shown as plain text (never markup)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from llmx_tui.core.safe_text import neutralise


class UserMessageView(Static):
    DEFAULT_CSS = """
    UserMessageView {
        height: auto; margin: 1 0 0 0; padding: 0 1;
        border-left: thick $accent; background: $boost; color: $foreground;
    }
    """

    def __init__(self, text: str) -> None:
        super().__init__(Content(neutralise(text)))
        self.text = text
