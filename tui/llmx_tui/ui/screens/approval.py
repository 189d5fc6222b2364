"""Approval modal: shows exactly what a tool will do; allow once, for the
session, or deny. Dismisses with the decision string the engine expects."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from llmx_tui.core.events import ApprovalRequested
from llmx_tui.ui.safe_text import neutralise
from llmx_tui.ui.widgets.tool_call_view import pretty_arguments


class ApprovalScreen(ModalScreen[str]):
    CSS_PATH = Path(__file__).with_name("approval.tcss")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a,y", "decide('allow_once')", "Allow once", id="llmx.approve_once"),
        Binding("s", "decide('allow_session')", "Allow for session", id="llmx.approve_session"),
        Binding("d,n,escape", "decide('deny')", "Deny", id="llmx.deny"),
        Binding("left", "app.focus_previous", show=False),
        Binding("right", "app.focus_next", show=False),
    ]

    def __init__(self, request: ApprovalRequested) -> None:
        super().__init__()
        self.request = request

    def compose(self) -> ComposeResult:
        request = self.request
        with Vertical(id="approval-dialog"):
            yield Static(Content(f"Allow tool {neutralise(request.name)}?"), id="approval-title")
            yield Static(Content(neutralise(request.description)), id="approval-description")
            with VerticalScroll(id="approval-arguments"):
                yield Static(Content(neutralise(pretty_arguments(request.arguments))))
            with Horizontal(id="approval-buttons"):
                yield Button(Content("Allow once (a)"), id="allow_once", variant="primary")
                yield Button(Content("Allow for session (s)"), id="allow_session")
                yield Button(Content("Deny (d)"), id="deny", variant="error")

    def on_mount(self) -> None:
        self.query_one("#allow_once", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id:
            self.dismiss(event.button.id)

    def action_decide(self, decision: str) -> None:
        self.dismiss(decision)
