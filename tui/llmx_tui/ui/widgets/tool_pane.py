"""The tool-call pane: every call of the session, newest at the bottom."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from llmx_tui.core.items import ToolCall
from llmx_tui.ui.widgets.follow_scroll import FollowScroll
from llmx_tui.ui.widgets.tool_call_view import ToolCallView

KEEP = 60


class ToolPane(FollowScroll):
    DEFAULT_CSS = """
    ToolPane { height: 1fr; border: round $primary 50%; }
    ToolPane > .empty { color: $text-muted; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Tool calls"
        self._by_index: dict[int, ToolCallView] = {}
        self._by_call_id: dict[str, ToolCallView] = {}

    def compose(self):  # type: ignore[override]
        yield Static(Content("No tool calls yet."), classes="empty")

    def begin_step(self) -> None:
        self._by_index.clear()

    def start_call(self, index: int, call_id: str | None, name: str) -> ToolCallView:
        view = ToolCallView(name, call_id)
        self._by_index[index] = view
        if call_id:
            self._by_call_id[call_id] = view
        self.query(".empty").set(display=False)
        self.mount(view)
        for old in list(self.query(ToolCallView))[:-KEEP]:
            old.remove()
        return view

    def add_past(self, calls: list[tuple[ToolCall, str, str | None]]) -> None:
        """A resumed session's calls, with state and output (``tool_calls_from_history``)."""
        views = []
        for call, state, output in calls[-KEEP:]:
            view = ToolCallView(call.name, call.call_id)
            view.arguments = call.arguments
            view.output = output
            view.set_state(state)
            views.append(view)
        if views:
            self.query(".empty").set(display=False)
            live = self.query(ToolCallView)  # a turn started meanwhile: older calls go first
            self.mount_all(views, before=live.first() if live else None)

    def by_index(self, index: int) -> ToolCallView | None:
        return self._by_index.get(index)

    def find(self, call_id: str, name: str = "") -> ToolCallView | None:
        """The view for ``call_id``; calls without an id are matched by name."""
        view = self._by_call_id.get(call_id)
        if view is None:
            for candidate in self._by_index.values():
                if candidate.call_id is None and candidate.tool_name == name:
                    candidate.call_id = call_id
                    self._by_call_id[call_id] = candidate
                    return candidate
        return view

    def clear(self) -> None:
        self._by_index.clear()
        self._by_call_id.clear()
        self.query(ToolCallView).remove()
        self.query(".empty").set(display=True)
