"""Edit the session's system prompt in a TextArea modal.

Dismisses with the new text (``""`` means no system prompt) on ctrl+s, or
None when cancelled with escape.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static, TextArea

from llmx_tui.ui.widgets.bound_keys import run_dialog_key


class _PromptText(TextArea):
    """Takes a burst in the order typed (``bound_keys``): ctrl+s typed after text saved
    the text without it, ctrl+u wiped the letters typed after it, and keys typed right
    after ctrl+s were lost with the dialog."""

    async def _on_key(self, event: events.Key) -> None:
        await run_dialog_key(self, event)  # else TextArea's own handler types the key


class SystemPromptEditor(ModalScreen[str | None]):
    CSS_PATH = "system_prompt.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        # Run by the text field as their key reaches it, after the keys typed before them.
        Binding("ctrl+s", "save", "Save", id="system_prompt.save"),
        Binding("escape", "cancel", "Cancel", id="system_prompt.cancel"),
    ]

    def __init__(self, current: str | None) -> None:
        super().__init__()
        self._current = current or ""

    def compose(self) -> ComposeResult:
        with Vertical(id="system-prompt-box"):
            yield Static(Content("System prompt for this session"), id="system-prompt-title")
            yield Static(
                Content("Sent before every message. Leave empty for none."),
                id="system-prompt-hint",
            )
            yield _PromptText(
                self._current,
                id="system-prompt-text",
                soft_wrap=True,
                tab_behavior="indent",
                placeholder="You are a helpful assistant…",
            )
        yield Footer()

    def on_mount(self) -> None:
        editor = self.query_one(TextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)

    def action_save(self) -> None:
        if self.is_active:  # once: a second ctrl+s must not close the screen below
            self.dismiss(self.query_one(TextArea).text.strip())

    def action_cancel(self) -> None:
        if self.is_active:
            self.dismiss(None)
