"""One tool call in the tool pane: name, state, duration, arguments (raw while
streaming, pretty JSON once complete) and output (truncated; Enter expands)."""

from __future__ import annotations

import json
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from llmx_tui.core.safe_text import neutralise
from llmx_tui.ui.widgets.tool_call_line import NOT_RUN, STATE_ICONS, state_class

OUTPUT_LINES = 8
# States of a call that never ran: nothing ran, so no duration is shown (the engine
# reports 0.0 for them; older sessions saved the time the user took to deny it).
NOT_RUN_STATES = frozenset({"denied", "skipped", NOT_RUN})


def pretty_arguments(arguments: str) -> str:
    """Indented JSON when the arguments parse, else the exact string received."""
    try:
        return json.dumps(json.loads(arguments), indent=2, ensure_ascii=False)
    except (ValueError, TypeError):
        return arguments


def format_duration(seconds: float) -> str:
    return "<0.1s" if seconds < 0.1 else f"{seconds:.1f}s"


class ToolCallView(Vertical, can_focus=True):
    DEFAULT_CSS = """
    ToolCallView { height: auto; padding: 0 1; margin: 0 0 1 0; border-left: wide $primary 40%; }
    ToolCallView:focus { border-left: wide $accent; background: $boost; }
    ToolCallView > .tool-header { text-style: bold; }
    ToolCallView > .tool-args { color: $text-muted; }
    ToolCallView > .tool-output { color: $foreground; }
    ToolCallView.-failed > .tool-header, ToolCallView.-denied > .tool-header,
    ToolCallView.-skipped > .tool-header { color: $text-warning; }
    ToolCallView.-done > .tool-header { color: $text-success; }
    """

    # One key, two names: the key bar says what Enter does now, and neither shows when the
    # output fits (it said "Expand output" for three lines shown whole, and after expanding).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "toggle_output", "Expand output", id="llmx.tool_expand"),
        Binding("enter", "toggle_output(False)", "Collapse output", id="llmx.tool_collapse"),
    ]

    def __init__(self, name: str, call_id: str | None) -> None:
        super().__init__()
        self.tool_name = name
        self.call_id = call_id
        self.arguments = ""
        self.state = "streaming"
        self.output: str | None = None
        self.duration: float | None = None
        self.expanded = False
        self._header = Static("", classes="tool-header")
        self._args = Static("", classes="tool-args")
        self._output = Static("", classes="tool-output")

    def compose(self):  # type: ignore[override]
        yield self._header
        yield self._args
        yield self._output

    def on_mount(self) -> None:
        self._redraw()

    def append_arguments(self, fragment: str) -> None:
        self.arguments += fragment
        self._args.update(Content(neutralise(self.arguments)))

    def set_arguments(self, arguments: str) -> None:
        self.arguments = arguments
        self._redraw()

    def set_state(self, state: str) -> None:
        self.remove_class(state_class(self.state))
        self.state = state
        self.add_class(state_class(state))
        self._redraw()

    def finish(self, state: str, output: str, duration: float) -> None:
        self.output = output
        self.duration = duration
        self.set_state(state)
        self.refresh_bindings()  # Enter may expand it now

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_output":
            expanding = parameters != (False,)
            return self.has_hidden_lines() and expanding != self.expanded
        return True

    def has_hidden_lines(self) -> bool:
        return self.output is not None and len(self.output.splitlines()) > OUTPUT_LINES

    def action_toggle_output(self, expand: bool = True) -> None:
        self.expanded = expand
        self._redraw()
        self.refresh_bindings()

    def output_text(self) -> str:
        if self.output is None:
            return ""
        lines = self.output.splitlines()
        if self.expanded or len(lines) <= OUTPUT_LINES:
            return self.output
        hidden = len(lines) - OUTPUT_LINES
        return "\n".join(lines[:OUTPUT_LINES]) + f"\n… {hidden} more lines (Enter to expand)"

    def _redraw(self) -> None:
        icon = STATE_ICONS.get(self.state, "·")
        header = f"{icon} {neutralise(self.tool_name)} · {self.state}"
        if self.duration is not None and self.state not in NOT_RUN_STATES:
            header += f" · {format_duration(self.duration)}"
        self._header.update(Content(header))
        shown = self.arguments if self.state == "streaming" else pretty_arguments(self.arguments)
        self._args.update(Content(neutralise(shown)))
        self._output.display = self.output is not None
        self._output.update(Content(neutralise(self.output_text())))
