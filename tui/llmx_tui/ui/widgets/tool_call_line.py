"""A tool call inside the conversation: one compact line pointing to the tool pane."""

from __future__ import annotations

from rich.cells import cell_len, chop_cells
from textual.content import Content
from textual.widgets import Static

from llmx_tui.core.safe_text import neutralise

STATE_ICONS = {
    "streaming": "…",
    "pending": "·",
    "waiting": "?",
    "running": "▶",
    "done": "✓",
    "failed": "✗",
    "denied": "⊘",
    "skipped": "⚠",
    "not run": "–",
    "cancelled": "⊘",
}
NOT_RUN = "not run"  # the turn ended before the call ran (step limit, cancel, a crash)
CANCELLED = "cancelled"  # the turn was cancelled while the call ran


def state_class(state: str) -> str:
    return "-" + state.replace(" ", "-")


# Cells of arguments shown before the line knows its width, and at least.
PREVIEW_CELLS = 60
MIN_PREVIEW_CELLS = 12
HINT = "  [F3 tools]"


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

    def on_resize(self) -> None:
        self._redraw()

    def set_state(self, state: str, arguments: str | None = None) -> None:
        self.remove_class(state_class(self.state))
        self.state = state
        self.add_class(state_class(state))
        if arguments is not None:
            self.arguments = arguments
        self._redraw()

    def _redraw(self) -> None:
        icon = STATE_ICONS.get(self.state, "·")
        head = f"{icon} tool {neutralise(self.tool_name)}("
        tail = f") · {self.state}"
        preview = neutralise(" ".join(self.arguments.split()))
        # The arguments get what the line leaves them, so the state always shows; the
        # hint to the tool pane only when they fit whole.
        width = self.content_size.width or PREVIEW_CELLS
        room = width - cell_len(head) - cell_len(tail)
        if cell_len(preview) <= room - len(HINT):
            tail += HINT
        elif cell_len(preview) > room:
            room = max(MIN_PREVIEW_CELLS, room)
            preview = chop_cells(preview, room - 1)[0] + "…"
        self.update(Content(head + preview + tail))
