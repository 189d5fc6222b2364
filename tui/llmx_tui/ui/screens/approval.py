"""Approval modal: shows exactly what a tool will do; allow once, for the
session, or deny. Dismisses with the decision string the engine expects.

The title is docked to the dialog's top and the buttons with their key line
to its bottom, so they stay on screen at any size; the description and the
arguments scroll in the rows that are left.
Focus starts on that scrolling body, never on a button: a stray Enter decides
nothing, and the arrow keys scroll what is being approved.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from llmx_tui.core.events import ApprovalRequested
from llmx_tui.core.safe_text import neutralise
from llmx_tui.ui.widgets.tool_call_view import pretty_arguments

KEY_HINTS = (
    "[b]a[/b] allow once · [b]s[/b] allow for session · [b]d[/b]/[b]Esc[/b] deny · "
    "[b]c[/b] deny, end turn"
)
# What the dialog dismisses with for "c": deny, then cancel the turn.
STOP = "stop"


class ApprovalScreen(ModalScreen[str]):
    CSS_PATH = Path(__file__).with_name("approval.tcss")
    AUTO_FOCUS = "#approval-body"
    # The dialog may open while the user is typing the next prompt: a letter that comes
    # sooner than this after the dialog opened or after the previous key is typing, not
    # an answer ("but first" would have allowed the call for the session at its "s").
    # Such letters are kept (``typed``) and given back to the composer; Esc always denies.
    ARMED_AFTER = 0.5
    # Narrower screens draw the buttons closer together ("-narrow"), and on the
    # narrowest in two rows of flat buttons ("-tiny"): in one row, Deny was cut off.
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [
        (0, "-tiny"),
        (48, "-narrow"),
        (60, "-wide"),
    ]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a,y", "decide('allow_once')", "Allow once", id="llmx.approve_once"),
        Binding("s", "decide('allow_session')", "Allow for session", id="llmx.approve_session"),
        Binding("d,n,escape", "decide('deny')", "Deny", id="llmx.deny"),
        Binding("c", "decide('stop')", "Deny and stop", id="llmx.deny_and_stop"),
        Binding("left", "app.focus_previous", show=False),
        Binding("right", "app.focus_next", show=False),
    ]

    def __init__(self, request: ApprovalRequested) -> None:
        super().__init__()
        self.request = request
        self._opened_at = time.monotonic()
        self._last_key_at = self._opened_at
        self.typed = ""  # letters typed at the dialog that were no answer

    def on_mount(self) -> None:
        self._opened_at = self._last_key_at = time.monotonic()

    def on_key(self, event: events.Key) -> None:
        # Runs before the dialog's bindings (they are checked once the key has bubbled
        # up to the app), so a letter typed in a burst never reaches them.
        if not (event.is_printable and event.character):
            return  # arrows, Esc, Enter: not typing (scrolling the arguments, then "a")
        now = time.monotonic()
        typing = now - self._last_key_at < self.ARMED_AFTER
        self._last_key_at = now
        if typing:
            self.typed += event.character
            event.stop()
            event.prevent_default()

    def compose(self) -> ComposeResult:
        request = self.request
        with Vertical(id="approval-dialog"):
            yield Static(Content(f"Allow tool {neutralise(request.name)}?"), id="approval-title")
            with VerticalScroll(id="approval-body"):
                yield Static(Content(neutralise(request.description)), id="approval-description")
                yield Static(
                    Content(neutralise(pretty_arguments(request.arguments))),
                    id="approval-arguments",
                )
            with Vertical(id="approval-footer"):
                with Horizontal(id="approval-buttons"):
                    yield Button(Content("Allow once"), id="allow_once", variant="primary")
                    yield Button(Content("Allow for session"), id="allow_session")
                    yield Button(Content("Deny"), id="deny", variant="error")
                yield Static(Content.from_markup(KEY_HINTS), id="approval-keys")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        # dismiss() closes the top screen: never one opened over this (the palette).
        if event.button.id and self.is_active:
            self.dismiss(event.button.id)

    def action_decide(self, decision: str) -> None:
        allows = decision in ("allow_once", "allow_session")
        if allows and time.monotonic() - self._opened_at < self.ARMED_AFTER:
            self.app.bell()  # typed ahead, before the dialog could be read
            return
        if self.is_active:  # dismiss() closes the top screen: never one opened over this
            self.dismiss(decision)
