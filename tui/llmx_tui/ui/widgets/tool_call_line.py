"""A tool call inside the conversation: one compact line pointing to the tool pane."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from llmx_tui.ui.safe_text import neutralise

STATE_ICONS = {
    "streaming": "…",
    "pending": "·",
    "waiting": "?",
    "running": "▶",
    "done": "✓",
    "failed": "✗",
    "denied": "⊘",
    "skipped": "⚠",
}


class ToolCallLine(Static):
    DEFAULT_CSS = """
    ToolCallLine { height: 1; padding: 0 1; color: $text-muted; }
    ToolCallLine.-failed, ToolCallLine.-denied, ToolCallLine.-skipped { color: $text-warning; }
    """

    def __init__(self, call_key: str, name: str) -> None:
        super().__init__("")
        self.call_key = call_key
        self.tool_name = name
        self.arguments = ""
        self.state = "streaming"

    def on_mount(self) -> None:
        self._redraw()

    def set_state(self, state: str, arguments: str | None = None) -> None:
        self.remove_class(f"-{self.state}")
        self.state = state
        self.add_class(f"-{state}")
        if arguments is not None:
            self.arguments = arguments
        self._redraw()

    def _redraw(self) -> None:
        preview = " ".join(self.arguments.split())
        if len(preview) > 60:
            preview = preview[:59] + "…"
        icon = STATE_ICONS.get(self.state, "·")
        text = f"{icon} tool {neutralise(self.tool_name)}({neutralise(preview)}) · {self.state}"
        self.update(Content(text + "  [F3 tools]"))
